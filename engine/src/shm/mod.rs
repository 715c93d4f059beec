//! Memory shared between worker processes: `Swoole\Table`, `Swoole\Atomic`,
//! `Swoole\Lock`.
//!
//! Everything lives in `mmap(MAP_SHARED | MAP_ANONYMOUS)` regions made before
//! the server forks its workers, so every worker inherits the same pages.
//! Nothing here holds a pointer into a region (only offsets), and every lock
//! word is an atomic in the region itself, so the same code works between
//! threads and between processes.

pub mod atomic;
pub mod lock;
pub mod table;

use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// A zero-filled shared anonymous mapping, unmapped on drop (in each process
/// separately: the pages live until the last process unmaps them).
pub struct SharedRegion {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the region is plain memory; what lives in it synchronises itself
// (atomics and process-shared locks).
unsafe impl Send for SharedRegion {}
unsafe impl Sync for SharedRegion {}

impl SharedRegion {
    pub fn new(len: usize) -> io::Result<SharedRegion> {
        let len = len.max(1);
        // SAFETY: a fresh anonymous mapping, no fd, no fixed address.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(SharedRegion {
            ptr: NonNull::new(p.cast()).expect("mmap returned null"),
            len,
        })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for SharedRegion {
    fn drop(&mut self) {
        // SAFETY: exactly the mapping made in new().
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

static PID: AtomicU32 = AtomicU32::new(0);
static ATFORK: Once = Once::new();

extern "C" fn refresh_pid() {
    // SAFETY: getpid has no preconditions.
    PID.store(unsafe { libc::getpid() } as u32, Ordering::Relaxed);
}

/// This process's id, cached (getpid is a system call) and refreshed in a
/// forked child. Lock words hold it so a lock left by a dead process can be
/// recognised.
#[inline]
pub fn pid() -> u32 {
    let p = PID.load(Ordering::Relaxed);
    if p != 0 {
        return p;
    }
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only stores an atomic.
        unsafe { libc::pthread_atfork(None, None, Some(refresh_pid)) };
    });
    refresh_pid();
    PID.load(Ordering::Relaxed)
}

/// Whether process `pid` is gone (not merely unsignalable).
pub(crate) fn process_gone(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Runs `f` in a forked child and returns its exit status (for the
/// cross-process tests; the test harness's threads are not touched by the child).
#[cfg(test)]
pub(crate) fn in_child(f: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: the child only runs `f` and exits without unwinding.
    let child = unsafe { libc::fork() };
    assert!(child >= 0, "fork failed");
    if child == 0 {
        let code = f();
        unsafe { libc::_exit(code) };
    }
    child
}

#[cfg(test)]
pub(crate) fn wait_child(child: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: waits for our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    assert!(libc::WIFEXITED(status), "child did not exit normally");
    libc::WEXITSTATUS(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_is_shared_with_a_forked_child() {
        let r = SharedRegion::new(4096).unwrap();
        let p = r.as_ptr() as usize;
        let child = in_child(move || {
            // SAFETY: the mapping is inherited at the same address.
            unsafe { *(p as *mut u8) = 42 };
            0
        });
        assert_eq!(wait_child(child), 0);
        assert_eq!(unsafe { *r.as_ptr() }, 42);
    }

    #[test]
    fn pid_changes_in_a_child() {
        let parent = pid();
        let child =
            in_child(move || (pid() != parent && pid() == unsafe { libc::getpid() } as u32) as i32);
        assert_eq!(wait_child(child), 1);
    }
}
