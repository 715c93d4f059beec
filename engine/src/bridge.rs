//! The crossing between the I/O threads and the PHP thread.
//!
//! Events flow to PHP through one queue; PHP acts on connections through
//! [`crate::session::Session`] handles (the command side). Everything here is
//! owned Rust data, so no PHP value can ever leave the PHP thread.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::{Condvar, Mutex};

use crate::http::HttpRequest;

/// Session id: the `$fd` PHP sees. Never reused while a server runs.
pub type Fd = u64;

/// One received WebSocket frame or message, as onMessage gets it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InFrame {
    pub opcode: u8,
    /// Swoole flag bits of the (first) frame: FIN, RSV, MASK.
    pub flags: u8,
    pub data: Bytes,
    /// Code and reason, for close frames.
    pub close: Option<(u16, Bytes)>,
}

/// Swoole's log levels (SWOOLE_LOG_*).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum LogLevel {
    Debug = 0,
    Trace = 1,
    Info = 2,
    Notice = 3,
    Warning = 4,
    Error = 5,
}

/// Events cross to worker processes serialized (SWOOLE_PROCESS mode), so
/// they are plain data.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum Event {
    /// A TCP connection was accepted (onConnect).
    Connect { fd: Fd },
    /// The WebSocket handshake completed (onOpen).
    Open { fd: Fd, request: Arc<HttpRequest> },
    /// A handshake waits for PHP's onHandShake to answer.
    Handshake { fd: Fd, request: Arc<HttpRequest> },
    /// A plain HTTP request (onRequest).
    Request { fd: Fd, request: Arc<HttpRequest> },
    /// A WebSocket message or a control frame PHP asked to see (onMessage).
    Message { fd: Fd, frame: InFrame },
    /// Raw bytes on a plain TCP server (onReceive).
    Receive { fd: Fd, data: Bytes },
    /// An in-order barrier: the connection waits to close until the consumer
    /// has handled every earlier event of this fd (and queued the pushes they
    /// made), then calls `Session::flushed()`.
    Flush { fd: Fd },
    /// The connection is gone (onClose / onDisconnect). Its session stays in
    /// the table, sealed, until the consumer calls `Sessions::remove(fd)`: the
    /// fd lives for PHP until its onClose. `by_server`: the server made the
    /// close (close(), disconnect(), heartbeat, shutdown; Swoole's reactor -1).
    Close {
        fd: Fd,
        websocket: bool,
        by_server: bool,
    },
    /// Something the server wants logged (Swoole's log lines, log_file/log_level).
    Log { level: LogLevel, message: String },
    /// A message from another worker (sendMessage → onPipeMessage).
    PipeMessage { src_worker_id: i64, data: Bytes },
    /// This worker is asked to stop (reload, max_request, shutdown): finish
    /// what is queued, then leave the loop.
    Leave,
    /// The server stopped: every connection is closed and reported.
    Stopped,
}

impl Event {
    /// The connection an event belongs to, if any.
    pub fn fd(&self) -> Option<Fd> {
        match self {
            Event::Connect { fd }
            | Event::Open { fd, .. }
            | Event::Handshake { fd, .. }
            | Event::Request { fd, .. }
            | Event::Message { fd, .. }
            | Event::Receive { fd, .. }
            | Event::Close { fd, .. } => Some(*fd),
            _ => None,
        }
    }
}

/// Where the engine delivers events: the PHP thread's queue in this
/// process, or (SWOOLE_PROCESS master) a router to worker processes.
pub trait EventSink: Send + Sync {
    fn push(&self, event: Event);
}

impl EventSink for EventQueue {
    fn push(&self, event: Event) {
        EventQueue::push(self, event)
    }
}

/// Multi-producer, single-consumer queue that the PHP thread drains in batches.
///
/// Producers only wake the consumer when the queue goes from empty to
/// non-empty, so a busy server costs no futex call per event.
#[derive(Default)]
pub struct EventQueue {
    queue: Mutex<VecDeque<Event>>,
    ready: Condvar,
    /// The same wake-up for a consumer that waits inside an async runtime
    /// (inline I/O: Engine::wait_events).
    ready_async: tokio::sync::Notify,
    /// Also woken with `ready`, for a consumer that waits in an async runtime.
    notify: std::sync::OnceLock<Arc<tokio::sync::Notify>>,
}

impl EventQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn push(&self, event: Event) {
        let mut q = self.queue.lock();
        q.push_back(event);
        let was_empty = q.len() == 1;
        drop(q);
        if was_empty {
            self.ready.notify_one();
            self.ready_async.notify_one();
            if let Some(n) = self.notify.get() {
                n.notify_one();
            }
        }
    }

    /// Moves every queued event into `out` without waiting; false if none.
    pub fn try_drain(&self, out: &mut VecDeque<Event>) -> bool {
        let mut q = self.queue.lock();
        if q.is_empty() {
            return false;
        }
        out.extend(q.drain(..));
        true
    }

    /// Resolves after an event was pushed (possibly one already taken).
    pub async fn wakeup(&self) {
        self.ready_async.notified().await
    }

    /// Registers an async waiter woken along with the condvar (once per queue).
    pub fn set_notify(&self, n: Arc<tokio::sync::Notify>) {
        let _ = self.notify.set(n);
    }

    /// Moves every queued event into `out`, waiting up to `timeout` for the
    /// first one (forever when `None`). Returns false on timeout.
    pub fn drain_into(&self, out: &mut VecDeque<Event>, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut q = self.queue.lock();
        while q.is_empty() {
            match deadline {
                Some(d) => {
                    if self.ready.wait_until(&mut q, d).timed_out() && q.is_empty() {
                        return false;
                    }
                }
                None => self.ready.wait(&mut q),
            }
        }
        if out.is_empty() {
            std::mem::swap(&mut *q, out);
        } else {
            out.extend(q.drain(..));
        }
        true
    }

    pub fn len(&self) -> usize {
        self.queue.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drains_in_batches_and_keeps_order() {
        let q = EventQueue::new();
        for fd in 1..=3 {
            q.push(Event::Connect { fd });
        }
        let mut out = VecDeque::new();
        assert!(q.drain_into(&mut out, Some(Duration::ZERO)));
        let fds: Vec<Fd> = out
            .iter()
            .map(|e| match e {
                Event::Connect { fd } => *fd,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(fds, [1, 2, 3]);
        assert!(q.is_empty());
    }

    #[test]
    fn times_out_when_empty() {
        let q = EventQueue::new();
        let mut out = VecDeque::new();
        assert!(!q.drain_into(&mut out, Some(Duration::from_millis(5))));
    }

    #[test]
    fn wakes_a_waiting_consumer() {
        let q = EventQueue::new();
        let q2 = q.clone();
        let t = std::thread::spawn(move || {
            let mut out = VecDeque::new();
            q2.drain_into(&mut out, None);
            out.len()
        });
        q.push(Event::Stopped);
        assert_eq!(t.join().unwrap(), 1);
    }
}
