//! The manager: forks the worker processes, restarts the ones that exit, and
//! runs reloads one worker at a time. It runs no threads, so forking is safe.
//!
//! `supervise` returns twice, as fork does: `Role::Worker(id)` in each child
//! (which then runs its worker loop and exits), and `Role::Done` in the
//! manager once every worker is gone after a stop.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::registry::Registry;

pub enum Role {
    Worker(u32),
    Done,
}

/// What the manager reports back to PHP (onWorkerError, onBeforeReload, ...).
pub trait ManagerHooks {
    fn worker_error(&mut self, worker_id: u32, pid: i32, exit_code: i32, signal: i32);
    fn before_reload(&mut self) {}
    fn after_reload(&mut self) {}
    /// A worker's connections were lost with it (SWOOLE_BASE): their fds.
    fn connections_lost(&mut self, _worker_id: u32, _fds: Vec<u64>) {}
}

pub struct Supervisor {
    pub registry: Arc<Registry>,
    pub worker_num: u32,
    /// Forward SIGTERM/SIGINT to the workers (SWOOLE_BASE); in SWOOLE_PROCESS
    /// the master stops the workers itself, in order after their last events.
    pub forward_term: bool,
    /// How long a worker asked to stop may take before it is killed.
    pub max_wait: Duration,
    /// The same when the whole server stops (clients get time to answer
    /// their close frames, so every onClose runs).
    pub stop_wait: Duration,
}

static TERM: AtomicBool = AtomicBool::new(false);
static RELOAD: AtomicBool = AtomicBool::new(false);

extern "C" fn on_term(_: libc::c_int) {
    TERM.store(true, Ordering::Relaxed);
}

extern "C" fn on_reload(_: libc::c_int) {
    RELOAD.store(true, Ordering::Relaxed);
}

fn set_handler(sig: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: plain sigaction with a zeroed struct; the handlers only store atomics.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Asks the manager of this process tree to reload every worker (as SIGUSR1).
pub fn request_reload() {
    RELOAD.store(true, Ordering::Relaxed);
}

struct Child {
    pid: i32,
    /// Asked to stop (reload, shutdown): its exit is expected.
    stopping_since: Option<Instant>,
}

impl Supervisor {
    /// Forks `worker_num` workers and looks after them until the server stops.
    pub fn supervise(&self, hooks: &mut dyn ManagerHooks) -> Role {
        TERM.store(false, Ordering::Relaxed);
        RELOAD.store(false, Ordering::Relaxed);
        set_handler(libc::SIGTERM, on_term as *const () as usize);
        set_handler(
            libc::SIGINT,
            if self.forward_term {
                on_term as *const () as usize
            } else {
                libc::SIG_IGN
            },
        );
        set_handler(libc::SIGUSR1, on_reload as *const () as usize);
        set_handler(libc::SIGUSR2, libc::SIG_IGN);
        let mut children: Vec<Option<Child>> = (0..self.worker_num).map(|_| None).collect();
        for id in 0..self.worker_num {
            match self.spawn(id) {
                Spawned::Child => return Role::Worker(id),
                Spawned::Parent(pid) => {
                    children[id as usize] = Some(Child {
                        pid,
                        stopping_since: None,
                    })
                }
            }
        }
        let mut stopping = false;
        let mut reload: VecDeque<u32> = VecDeque::new();
        let mut reloading = false;
        loop {
            if !stopping && (TERM.swap(false, Ordering::Relaxed) || self.registry.is_stopping()) {
                stopping = true;
                self.registry.set_stopping();
                reload.clear();
                for c in children.iter_mut().flatten() {
                    if self.forward_term {
                        // SAFETY: signalling our own child.
                        unsafe { libc::kill(c.pid, libc::SIGTERM) };
                    }
                    c.stopping_since.get_or_insert_with(Instant::now);
                }
            }
            if !stopping && RELOAD.swap(false, Ordering::Relaxed) && !reloading {
                hooks.before_reload();
                reloading = true;
                reload.extend(0..self.worker_num);
            }
            // One worker at a time: the next one is asked once the last is back.
            if reloading
                && !children
                    .iter()
                    .flatten()
                    .any(|c| c.stopping_since.is_some())
            {
                match reload.pop_front() {
                    Some(id) => {
                        if let Some(c) = children[id as usize].as_mut() {
                            unsafe { libc::kill(c.pid, libc::SIGTERM) };
                            c.stopping_since = Some(Instant::now());
                        }
                    }
                    None => {
                        reloading = false;
                        hooks.after_reload();
                    }
                }
            }
            // Workers that do not stop in time are killed.
            let limit = if stopping {
                self.stop_wait
            } else {
                self.max_wait
            };
            for c in children.iter().flatten() {
                if c.stopping_since.is_some_and(|t| t.elapsed() > limit) {
                    unsafe { libc::kill(c.pid, libc::SIGKILL) };
                }
            }
            let mut status = 0;
            // SAFETY: reaping our own children.
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
            if pid < 0 {
                // ECHILD: nobody left.
                return Role::Done;
            }
            if pid == 0 {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            let Some(id) = children
                .iter()
                .position(|c| c.as_ref().is_some_and(|c| c.pid == pid))
            else {
                continue;
            };
            let child = children[id].take().expect("found above");
            let (code, signal) = if libc::WIFSIGNALED(status) {
                (0, libc::WTERMSIG(status))
            } else {
                (libc::WEXITSTATUS(status), 0)
            };
            let left = self.registry.worker(id).status.swap(0, Ordering::AcqRel)
                == super::registry::WORKER_EXIT;
            self.registry.worker(id).pid.store(0, Ordering::Release);
            // Its connections died with it (SWOOLE_BASE); nothing in PROCESS mode.
            let lost = self.registry.purge_owner(id as u32);
            if !lost.is_empty() {
                hooks.connections_lost(id as u32, lost);
            }
            if stopping {
                if children.iter().all(Option::is_none) {
                    return Role::Done;
                }
                continue;
            }
            let expected = child.stopping_since.is_some() || left;
            if !expected && (code != 0 || signal != 0) {
                hooks.worker_error(id as u32, pid, code, signal);
            }
            match self.spawn(id as u32) {
                Spawned::Child => return Role::Worker(id as u32),
                Spawned::Parent(pid) => {
                    children[id] = Some(Child {
                        pid,
                        stopping_since: None,
                    })
                }
            }
        }
    }

    fn spawn(&self, id: u32) -> Spawned {
        let parent = std::process::id() as i32;
        // SAFETY: the manager runs no threads (checked by the caller), so the
        // child is a complete copy.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: child-side setup with plain syscalls.
            unsafe {
                // A worker never outlives its manager.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                if libc::getppid() != parent {
                    libc::_exit(0);
                }
            }
            set_handler(libc::SIGTERM, libc::SIG_DFL);
            set_handler(libc::SIGINT, libc::SIG_DFL);
            set_handler(libc::SIGUSR1, libc::SIG_IGN);
            set_handler(libc::SIGUSR2, libc::SIG_IGN);
            return Spawned::Child;
        }
        if pid < 0 {
            // Out of processes: try again on the next round.
            std::thread::sleep(Duration::from_millis(100));
            return self.spawn(id);
        }
        self.registry
            .worker(id as usize)
            .pid
            .store(pid, Ordering::Release);
        Spawned::Parent(pid)
    }
}

enum Spawned {
    Child,
    Parent(i32),
}

/// Whether this process runs more than one thread (forking would then copy
/// a process whose other threads are gone).
pub fn has_threads() -> bool {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count() > 1)
        .unwrap_or(false)
}
