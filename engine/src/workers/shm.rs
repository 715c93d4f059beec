//! A lock that lives in memory shared by the processes of one server
//! (`crate::shm::SharedRegion`, mapped before the workers are forked).

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
    use crate::shm::SharedRegion;

    #[test]
    fn a_lock_left_by_a_dead_process_can_be_taken() {
        let shm = SharedRegion::new(4096).unwrap();
        // SAFETY: the region outlives the mutex; the child only locks and exits.
        let m = unsafe { ShmMutex::init(shm.as_ptr().cast()) };
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                std::mem::forget(m.lock());
                libc::_exit(0);
            }
            let mut st = 0;
            libc::waitpid(pid, &mut st, 0);
        }
        // The child died holding it: the robust mutex hands it over.
        drop(m.lock());
        drop(m.lock());
    }
}
