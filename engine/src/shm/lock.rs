//! `Swoole\Lock`: a process-shared pthread mutex, read-write lock or spin
//! lock in a shared page, with Swoole's `lock($operation, $timeout)` rules.
//! Results are pthread error numbers (0 = success), which Swoole reports as
//! `$lock->errCode`.

use std::io;
use std::time::{Duration, Instant};

use super::SharedRegion;

/// Swoole's lock type numbers (SWOOLE_RWLOCK, SWOOLE_MUTEX, SWOOLE_SPINLOCK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    RwLock = 1,
    Mutex = 3,
    SpinLock = 5,
}

impl LockKind {
    pub fn from_swoole(n: i64) -> Option<LockKind> {
        match n {
            1 => Some(LockKind::RwLock),
            3 => Some(LockKind::Mutex),
            5 => Some(LockKind::SpinLock),
            _ => None,
        }
    }
}

/// flock(2)'s operation bits, which PHP's LOCK_SH/LOCK_EX/LOCK_NB share.
pub const LOCK_SH: i64 = 1;
pub const LOCK_NB: i64 = 4;

extern "C" {
    // glibc has them; the libc crate does not declare them for Linux.
    fn pthread_rwlock_timedrdlock(l: *mut libc::pthread_rwlock_t, t: *const libc::timespec) -> i32;
    fn pthread_rwlock_timedwrlock(l: *mut libc::pthread_rwlock_t, t: *const libc::timespec) -> i32;
}

pub struct ShmLock {
    kind: LockKind,
    region: SharedRegion,
}

impl ShmLock {
    pub fn new(kind: LockKind) -> io::Result<ShmLock> {
        let region = SharedRegion::new(64)?;
        let p = region.as_ptr();
        // SAFETY: the page is ours, zeroed, page aligned and large enough for
        // any of the three lock types; each is initialised process-shared.
        let r = unsafe {
            match kind {
                LockKind::Mutex => {
                    let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
                    libc::pthread_mutexattr_init(&mut attr);
                    libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED);
                    let r = libc::pthread_mutex_init(p.cast(), &attr);
                    libc::pthread_mutexattr_destroy(&mut attr);
                    r
                }
                LockKind::RwLock => {
                    let mut attr: libc::pthread_rwlockattr_t = std::mem::zeroed();
                    libc::pthread_rwlockattr_init(&mut attr);
                    libc::pthread_rwlockattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED);
                    let r = libc::pthread_rwlock_init(p.cast(), &attr);
                    libc::pthread_rwlockattr_destroy(&mut attr);
                    r
                }
                LockKind::SpinLock => {
                    libc::pthread_spin_init(p.cast(), libc::PTHREAD_PROCESS_SHARED)
                }
            }
        };
        if r != 0 {
            return Err(io::Error::from_raw_os_error(r));
        }
        Ok(ShmLock { kind, region })
    }

    pub fn kind(&self) -> LockKind {
        self.kind
    }

    /// Swoole's lock(): LOCK_NB tries once; a timeout of at least 1 ms waits
    /// at most that long (ETIMEDOUT); anything else waits for ever. LOCK_SH
    /// takes a read lock on an RwLock and is ignored by the others.
    pub fn lock(&self, operation: i64, timeout_ms: i64) -> i32 {
        let p = self.region.as_ptr();
        let nb = operation & LOCK_NB != 0;
        let shared = operation & LOCK_SH != 0;
        let deadline = (timeout_ms > 0).then(|| realtime_after(timeout_ms));
        // SAFETY: `p` holds the lock initialised in new() for this kind.
        unsafe {
            match self.kind {
                LockKind::Mutex => {
                    let m = p.cast::<libc::pthread_mutex_t>();
                    match (nb, deadline) {
                        (true, _) => libc::pthread_mutex_trylock(m),
                        (false, Some(t)) => libc::pthread_mutex_timedlock(m, &t),
                        (false, None) => libc::pthread_mutex_lock(m),
                    }
                }
                LockKind::RwLock => {
                    let l = p.cast::<libc::pthread_rwlock_t>();
                    match (nb, deadline, shared) {
                        (true, _, true) => libc::pthread_rwlock_tryrdlock(l),
                        (true, _, false) => libc::pthread_rwlock_trywrlock(l),
                        (false, Some(t), true) => pthread_rwlock_timedrdlock(l, &t),
                        (false, Some(t), false) => pthread_rwlock_timedwrlock(l, &t),
                        (false, None, true) => libc::pthread_rwlock_rdlock(l),
                        (false, None, false) => libc::pthread_rwlock_wrlock(l),
                    }
                }
                LockKind::SpinLock => {
                    let s = p.cast::<libc::pthread_spinlock_t>();
                    if nb {
                        libc::pthread_spin_trylock(s)
                    } else if timeout_ms > 0 {
                        spin_until(s, Duration::from_millis(timeout_ms as u64))
                    } else {
                        libc::pthread_spin_lock(s)
                    }
                }
            }
        }
    }

    pub fn unlock(&self) -> i32 {
        let p = self.region.as_ptr();
        // SAFETY: as in lock().
        unsafe {
            match self.kind {
                LockKind::Mutex => libc::pthread_mutex_unlock(p.cast()),
                LockKind::RwLock => libc::pthread_rwlock_unlock(p.cast()),
                LockKind::SpinLock => libc::pthread_spin_unlock(p.cast()),
            }
        }
    }
}

// No pthread_*_destroy on drop: another process may still use the lock (and
// glibc's destroy marks it unusable). Unmapping is all a process does.

/// Tries a spin lock until it is taken or the time is up (ETIMEDOUT).
unsafe fn spin_until(s: *mut libc::pthread_spinlock_t, limit: Duration) -> i32 {
    let start = Instant::now();
    loop {
        if libc::pthread_spin_trylock(s) == 0 {
            return 0;
        }
        if start.elapsed() >= limit {
            return libc::ETIMEDOUT;
        }
        std::thread::yield_now();
    }
}

/// CLOCK_REALTIME now + ms, the absolute deadline the timed pthread calls take.
fn realtime_after(ms: i64) -> libc::timespec {
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: fills our struct.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    let nanos = now.tv_nsec as i64 + (ms % 1000) * 1_000_000;
    libc::timespec {
        tv_sec: now.tv_sec + (ms / 1000) as libc::time_t + (nanos / 1_000_000_000) as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    }
}

#[cfg(test)]
mod tests {
    use super::super::atomic::Atomic32;
    use super::super::{in_child, wait_child};
    use super::*;

    const LOCK_EX: i64 = 2;

    #[test]
    fn trylock_and_timeout_on_each_kind() {
        for kind in [LockKind::Mutex, LockKind::RwLock, LockKind::SpinLock] {
            let l = ShmLock::new(kind).unwrap();
            assert_eq!(l.lock(LOCK_EX, -1000), 0);
            let held = std::thread::scope(|s| {
                s.spawn(|| (l.lock(LOCK_EX | LOCK_NB, -1), l.lock(LOCK_EX, 30)))
                    .join()
                    .unwrap()
            });
            assert_eq!(held, (libc::EBUSY, libc::ETIMEDOUT), "{kind:?}");
            assert_eq!(l.unlock(), 0);
            assert_eq!(l.lock(LOCK_EX | LOCK_NB, -1), 0);
            assert_eq!(l.unlock(), 0);
        }
    }

    #[test]
    fn readers_share_an_rwlock() {
        let l = ShmLock::new(LockKind::RwLock).unwrap();
        assert_eq!(l.lock(LOCK_SH, -1), 0);
        let r = std::thread::scope(|s| {
            s.spawn(|| {
                let a = l.lock(LOCK_SH | LOCK_NB, -1);
                l.unlock();
                (a, l.lock(LOCK_EX | LOCK_NB, -1))
            })
            .join()
            .unwrap()
        });
        assert_eq!(r, (0, libc::EBUSY));
        assert_eq!(l.unlock(), 0);
    }

    #[test]
    fn a_lock_held_by_one_process_blocks_another() {
        let l = ShmLock::new(LockKind::Mutex).unwrap();
        let step = Atomic32::new(0).unwrap();
        assert_eq!(l.lock(LOCK_EX, -1), 0);
        let child = in_child(|| {
            if l.lock(LOCK_EX | LOCK_NB, -1) != libc::EBUSY {
                return 1;
            }
            step.set(1);
            // blocks until the parent unlocks
            if l.lock(LOCK_EX, -1) != 0 || step.get() != 2 {
                return 2;
            }
            l.unlock();
            0
        });
        while step.get() != 1 {
            std::thread::yield_now();
        }
        step.set(2);
        assert_eq!(l.unlock(), 0);
        assert_eq!(wait_child(child), 0);
    }
}
