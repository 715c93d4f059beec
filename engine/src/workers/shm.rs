//! Memory shared by the processes of one server, and a lock that lives in it.
//!
//! The mapping is made before the workers are forked (MAP_SHARED |
//! MAP_ANONYMOUS), so every process sees the same pages.

use std::io;
use std::ptr::NonNull;

/// An anonymous shared mapping, zero-filled.
pub struct Shm {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory; what lives in it synchronises itself
// (atomics, or the process-shared mutex below).
unsafe impl Send for Shm {}
unsafe impl Sync for Shm {}

impl Shm {
    pub fn new(len: usize) -> io::Result<Shm> {
        // SAFETY: a fresh anonymous mapping; checked for MAP_FAILED.
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
        Ok(Shm {
            ptr: NonNull::new(p.cast()).expect("mmap returned null"),
            len,
        })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Shm {
    fn drop(&mut self) {
        // SAFETY: unmapping what new() mapped.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// A process-shared, robust pthread mutex placed in shared memory: a process
/// killed while holding it (SIGKILL) does not leave it locked forever.
pub struct ShmMutex(*mut libc::pthread_mutex_t);

// SAFETY: a process-shared mutex is made to be used from anywhere.
unsafe impl Send for ShmMutex {}
unsafe impl Sync for ShmMutex {}

impl ShmMutex {
    /// Initialises a mutex at `at` (zeroed shared memory, suitably aligned).
    ///
    /// # Safety
    /// `at` must point to memory that outlives every user of the mutex.
    pub unsafe fn init(at: *mut libc::pthread_mutex_t) -> ShmMutex {
        let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
        libc::pthread_mutexattr_init(&mut attr);
        libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED);
        libc::pthread_mutexattr_setrobust(&mut attr, libc::PTHREAD_MUTEX_ROBUST);
        libc::pthread_mutex_init(at, &attr);
        libc::pthread_mutexattr_destroy(&mut attr);
        ShmMutex(at)
    }

    pub fn lock(&self) -> ShmGuard<'_> {
        // SAFETY: an initialised process-shared mutex.
        unsafe {
            if libc::pthread_mutex_lock(self.0) == libc::EOWNERDEAD {
                // Its holder died; the data it guards is only ever changed in
                // steps that leave it consistent, so carry on.
                libc::pthread_mutex_consistent(self.0);
            }
        }
        ShmGuard(self)
    }
}

pub struct ShmGuard<'a>(&'a ShmMutex);

impl Drop for ShmGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: we hold the lock.
        unsafe { libc::pthread_mutex_unlock(self.0 .0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_is_shared_with_a_forked_child() {
        let shm = Shm::new(4096).unwrap();
        let cell = shm.as_ptr().cast::<std::sync::atomic::AtomicU64>();
        // SAFETY: the test process is single-threaded at this point only if run
        // alone; the child does nothing but one store and _exit.
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                (*cell).store(42, std::sync::atomic::Ordering::SeqCst);
                libc::_exit(0);
            }
            let mut st = 0;
            libc::waitpid(pid, &mut st, 0);
            assert_eq!((*cell).load(std::sync::atomic::Ordering::SeqCst), 42);
        }
    }
}
