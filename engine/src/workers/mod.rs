//! Worker processes (Swoole's SWOOLE_BASE and SWOOLE_PROCESS modes).
//!
//! ```text
//! SWOOLE_BASE                          SWOOLE_PROCESS
//! master = manager (no threads)        master: tokio I/O threads, every connection
//!  ├─ worker 0: engine + PHP thread     └─ manager (no threads)
//!  └─ worker 1: engine + PHP thread         ├─ worker 0: PHP thread
//!     (each accepts on the shared           └─ worker 1: PHP thread
//!      listening socket)                       (events from the master, fd-sticky)
//! ```
//!
//! Processes are forked only from a process without threads (the master
//! before it starts its runtime, or the manager). They share the connection
//! registry ([`registry`]) and talk over abstract Unix sockets ([`ipc`]).

pub mod ipc;
pub mod manager;
pub mod node;
pub mod peers;
pub mod registry;
pub mod router;
pub mod shm;

static FORWARD_TO: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

extern "C" fn forward(sig: libc::c_int) {
    let pid = FORWARD_TO.load(std::sync::atomic::Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe.
        unsafe { libc::kill(pid, sig) };
    }
}

/// SWOOLE_PROCESS master: SIGUSR1/SIGUSR2 sent to it (as users do, to the
/// master pid) go on to the manager, which does the reloading.
pub fn forward_reload_signals(manager_pid: i32) {
    FORWARD_TO.store(manager_pid, std::sync::atomic::Ordering::Relaxed);
    for sig in [libc::SIGUSR1, libc::SIGUSR2] {
        // SAFETY: a plain sigaction whose handler only calls kill(2).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = forward as *const () as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Writing to a socket whose peer died must fail with EPIPE, not kill us.
pub fn ignore_sigpipe() {
    // SAFETY: setting a signal to SIG_IGN.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}
