//! SIGINT/SIGTERM while the server runs.
//!
//! PHP's CLI has its own handlers; we install ours for the duration of
//! `start()` and put PHP's back afterwards. The handler only writes a byte to
//! a socket pair (async-signal-safe); a task on the runtime reads it.

use std::io;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::sync::atomic::{AtomicI32, Ordering};

const SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

/// Write end of the socket pair, for the handler (-1 when not installed).
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; a full buffer just drops the byte.
        unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
    }
}

/// Our handlers, installed; dropping it restores the previous ones.
pub struct SignalGuard {
    saved: Vec<(libc::c_int, libc::sigaction)>,
    write_fd: libc::c_int,
}

impl SignalGuard {
    /// Installs the handlers and returns the end to read signal numbers from.
    pub fn install() -> io::Result<(SignalGuard, StdUnixStream)> {
        let (read, write) = StdUnixStream::pair()?;
        write.set_nonblocking(true)?;
        read.set_nonblocking(true)?;
        let write_fd = write.into_raw_fd();
        WAKE_FD.store(write_fd, Ordering::Relaxed);
        let mut saved = Vec::new();
        for sig in SIGNALS {
            // SAFETY: plain sigaction calls with zeroed, then filled, structs.
            unsafe {
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as *const () as usize;
                new.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut new.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &new, &mut old) == 0 {
                    saved.push((sig, old));
                }
            }
        }
        let _ = read.as_raw_fd();
        Ok((SignalGuard { saved, write_fd }, read))
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for (sig, old) in &self.saved {
            // SAFETY: restoring the action saved at install time.
            unsafe { libc::sigaction(*sig, old, std::ptr::null_mut()) };
        }
        WAKE_FD.store(-1, Ordering::Relaxed);
        // SAFETY: we own this descriptor since install().
        unsafe { libc::close(self.write_fd) };
    }
}
