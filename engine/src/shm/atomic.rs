//! `Swoole\Atomic` (32-bit unsigned, with wait/wakeup on a futex) and
//! `Swoole\Atomic\Long` (64-bit signed), each in its own shared page.

use std::io;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::time::Duration;

use super::SharedRegion;

const FUTEX_WAIT: libc::c_int = 0;
const FUTEX_WAKE: libc::c_int = 1;

/// A shared `u32` with Swoole's wrapping arithmetic and its one-shot
/// wait/wakeup protocol (wait consumes a 1, wakeup turns a 0 into a 1).
pub struct Atomic32 {
    region: SharedRegion,
}

impl Atomic32 {
    pub fn new(value: u32) -> io::Result<Atomic32> {
        let a = Atomic32 {
            region: SharedRegion::new(std::mem::size_of::<u32>())?,
        };
        a.cell().store(value, Ordering::SeqCst);
        Ok(a)
    }

    fn cell(&self) -> &AtomicU32 {
        // SAFETY: the region is page aligned, at least 4 bytes, and lives as long as self.
        unsafe { &*(self.region.as_ptr() as *const AtomicU32) }
    }

    /// Adds and returns the new value (wrapping, as C's unsigned arithmetic).
    pub fn add(&self, v: u32) -> u32 {
        self.cell().fetch_add(v, Ordering::SeqCst).wrapping_add(v)
    }

    pub fn sub(&self, v: u32) -> u32 {
        self.cell().fetch_sub(v, Ordering::SeqCst).wrapping_sub(v)
    }

    pub fn get(&self) -> u32 {
        self.cell().load(Ordering::SeqCst)
    }

    pub fn set(&self, v: u32) {
        self.cell().store(v, Ordering::SeqCst)
    }

    pub fn cmpset(&self, cmp: u32, new: u32) -> bool {
        self.cell()
            .compare_exchange(cmp, new, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// Swoole's wait: a value of 1 is consumed (set to 0) at once; with 0 it
    /// sleeps until a wakeup or the timeout (None: forever). Any other value, a
    /// timeout, or a wakeup someone else consumed first gives false.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        if self.cmpset(1, 0) {
            return true;
        }
        let ts = timeout.map(|t| libc::timespec {
            tv_sec: t.as_secs() as libc::time_t,
            tv_nsec: t.subsec_nanos() as libc::c_long,
        });
        let tsp = ts
            .as_ref()
            .map_or(std::ptr::null(), |t| t as *const libc::timespec);
        // SAFETY: a shared (not private) futex wait on our own word, expecting 0.
        let r = unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.cell().as_ptr(),
                FUTEX_WAIT,
                0u32,
                tsp,
                std::ptr::null::<u32>(),
                0,
            )
        };
        // EAGAIN: the value changed before we slept; unlike Swoole, a wakeup
        // that landed in that window is still taken rather than lost.
        let woke = r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN);
        woke && self.cmpset(1, 0)
    }

    /// Swoole's wakeup: turns a 0 into a 1 and wakes up to `n` waiters; a
    /// value already non-zero is left alone. Always succeeds.
    pub fn wakeup(&self, n: i32) -> bool {
        if self.cmpset(0, 1) {
            // SAFETY: a shared futex wake on our own word.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.cell().as_ptr(),
                    FUTEX_WAKE,
                    n,
                    std::ptr::null::<libc::timespec>(),
                    std::ptr::null::<u32>(),
                    0,
                )
            };
        }
        true
    }
}

/// A shared `i64`.
pub struct Atomic64 {
    region: SharedRegion,
}

impl Atomic64 {
    pub fn new(value: i64) -> io::Result<Atomic64> {
        let a = Atomic64 {
            region: SharedRegion::new(std::mem::size_of::<i64>())?,
        };
        a.cell().store(value, Ordering::SeqCst);
        Ok(a)
    }

    fn cell(&self) -> &AtomicI64 {
        // SAFETY: page aligned, 8 bytes, lives as long as self.
        unsafe { &*(self.region.as_ptr() as *const AtomicI64) }
    }

    pub fn add(&self, v: i64) -> i64 {
        self.cell().fetch_add(v, Ordering::SeqCst).wrapping_add(v)
    }

    pub fn sub(&self, v: i64) -> i64 {
        self.cell().fetch_sub(v, Ordering::SeqCst).wrapping_sub(v)
    }

    pub fn get(&self) -> i64 {
        self.cell().load(Ordering::SeqCst)
    }

    pub fn set(&self, v: i64) {
        self.cell().store(v, Ordering::SeqCst)
    }

    pub fn cmpset(&self, cmp: i64, new: i64) -> bool {
        self.cell()
            .compare_exchange(cmp, new, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{in_child, wait_child};
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn arithmetic_wraps_like_swoole() {
        let a = Atomic32::new(0).unwrap();
        assert_eq!(a.sub(1), u32::MAX);
        assert_eq!(a.add(2), 1);
        assert!(a.cmpset(1, 7));
        assert!(!a.cmpset(1, 8));
        assert_eq!(a.get(), 7);
        let l = Atomic64::new(-5).unwrap();
        assert_eq!(l.add(10), 5);
        assert_eq!(l.sub(6), -1);
        assert!(l.cmpset(-1, i64::MAX));
        assert_eq!(l.add(1), i64::MIN);
    }

    #[test]
    fn threads_add_without_losing_updates() {
        let a = Arc::new(Atomic32::new(0).unwrap());
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let a = a.clone();
                std::thread::spawn(move || {
                    for _ in 0..100_000 {
                        a.add(1);
                    }
                })
            })
            .collect();
        hs.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(a.get(), 400_000);
    }

    #[test]
    fn processes_add_to_the_same_counter() {
        let a = Atomic64::new(0).unwrap();
        let kids: Vec<_> = (0..3)
            .map(|_| {
                in_child(|| {
                    for _ in 0..50_000 {
                        a.add(2);
                    }
                    0
                })
            })
            .collect();
        for _ in 0..50_000 {
            a.add(2);
        }
        kids.into_iter().for_each(|k| assert_eq!(wait_child(k), 0));
        assert_eq!(a.get(), 400_000);
    }

    #[test]
    fn wait_times_out_then_consumes_a_wakeup() {
        let a = Atomic32::new(0).unwrap();
        let t = Instant::now();
        assert!(!a.wait(Some(Duration::from_millis(50))));
        assert!(t.elapsed() >= Duration::from_millis(45));
        assert!(a.wakeup(1));
        assert_eq!(a.get(), 1);
        assert!(a.wait(Some(Duration::from_millis(50))));
        assert_eq!(a.get(), 0);
        a.set(5);
        assert!(
            !a.wait(Some(Duration::from_millis(50))),
            "other values fail at once"
        );
    }

    #[test]
    fn a_child_process_wakes_a_waiting_parent() {
        let a = Atomic32::new(0).unwrap();
        let flag = Atomic32::new(0).unwrap();
        let child = in_child(|| {
            // wait until the parent is (about to be) asleep, then wake it
            while flag.get() == 0 {
                std::hint::spin_loop();
            }
            a.wakeup(1);
            0
        });
        flag.set(1);
        assert!(a.wait(Some(Duration::from_secs(10))));
        assert_eq!(wait_child(child), 0);
    }
}
