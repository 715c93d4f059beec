//! The session table: every live connection, addressable by fd from any thread.
//!
//! PHP acts on a connection by queuing an [`Outgoing`] item in its outbox; the
//! connection's task is woken and writes it. Queuing never blocks on I/O.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use rustc_hash::FxHashMap;
use tokio::sync::Notify;

use crate::bridge::Fd;
use crate::workers::registry::{self, Registry};

/// `websocket_status` values (WEBSOCKET_STATUS_*); 0 for plain HTTP/TCP.
pub mod status {
    pub const NONE: u8 = 0;
    pub const CONNECTION: u8 = 1;
    pub const HANDSHAKE: u8 = 2;
    pub const ACTIVE: u8 = 3;
    pub const CLOSING: u8 = 4;
}

/// Something PHP wants written to a connection.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Outgoing {
    /// Bytes ready for the wire: an encoded frame, an HTTP response, raw TCP data.
    Raw(Bytes),
    /// A frame to compress on the I/O thread (permessage-deflate is per connection).
    Compressed { first: u8, payload: Bytes },
    /// Send a close frame, then wait for the peer's close.
    Close { code: u16, reason: Bytes },
    /// The answer to onHandShake: the response bytes and whether it upgraded.
    HandshakeDone { response: Bytes, upgraded: bool },
    /// A 101 from PHP (onHandShake, onBeforeHandShakeResponse) with the
    /// permessage-deflate parameters it agreed: the connection upgrades.
    Upgrade {
        response: Bytes,
        deflate: Option<crate::deflate::DeflateParams>,
    },
    /// An HTTP response is complete and the connection is kept alive: read the next request.
    Resume,
    /// Close the connection once everything queued is written.
    End,
}

impl Outgoing {
    fn len(&self) -> usize {
        match self {
            Outgoing::Raw(b) => b.len(),
            Outgoing::Compressed { payload, .. } => payload.len(),
            Outgoing::HandshakeDone { response, .. } | Outgoing::Upgrade { response, .. } => {
                response.len()
            }
            Outgoing::Close { reason, .. } => reason.len() + 4,
            Outgoing::Resume | Outgoing::End => 0,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// The connection is closing or closed.
    Closed,
    /// The outbox holds more than `buffer_output_size` bytes.
    Full,
}

#[derive(Default)]
struct Outbox {
    items: Vec<Outgoing>,
    bytes: usize,
    /// No more items are accepted (close sent, or the connection ended).
    sealed: bool,
}

pub struct Session {
    pub fd: Fd,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// Unix seconds.
    pub connect_time: f64,
    status: AtomicU8,
    /// Whether permessage-deflate was negotiated.
    compression: AtomicBool,
    /// The connection is over; only its Close event is still on the way.
    ended: AtomicBool,
    /// Unix time of the last frame or bytes received, microseconds.
    last_recv_us: AtomicU64,
    last_send_us: AtomicU64,
    outbox: Mutex<Outbox>,
    /// Bytes the connection task holds but has not written yet.
    unsent: AtomicUsize,
    wake: Notify,
    limit: usize,
    /// This connection's slot in the server-wide registry (multi-process servers).
    reg: Option<(Arc<Registry>, u32)>,
    /// The consumer reached this connection's Flush barrier.
    flushed: AtomicBool,
}

impl Session {
    pub fn new(fd: Fd, peer: SocketAddr, local: SocketAddr, buffer_output_size: usize) -> Self {
        let now = crate::http::unix_time();
        Session {
            fd,
            peer,
            local,
            connect_time: now,
            status: AtomicU8::new(status::NONE),
            compression: AtomicBool::new(false),
            ended: AtomicBool::new(false),
            last_recv_us: AtomicU64::new((now * 1e6) as u64),
            last_send_us: AtomicU64::new(0),
            outbox: Mutex::new(Outbox::default()),
            unsent: AtomicUsize::new(0),
            wake: Notify::new(),
            limit: buffer_output_size,
            reg: None,
            flushed: AtomicBool::new(false),
        }
    }

    /// Mirrors this connection's state into `slot` of the registry.
    pub fn with_registry(mut self, reg: Arc<Registry>, slot: u32) -> Self {
        self.reg = Some((reg, slot));
        self
    }

    fn mirror(&self, f: impl Fn(u32) -> u32) {
        if let Some((r, slot)) = &self.reg {
            r.update_state(*slot, f);
        }
    }

    pub fn status(&self) -> u8 {
        self.status.load(Ordering::Acquire)
    }

    pub fn set_status(&self, s: u8) {
        self.status.store(s, Ordering::Release);
        self.mirror(|v| (v & !0xFF) | s as u32);
    }

    pub fn is_websocket(&self) -> bool {
        self.status() == status::ACTIVE
    }

    pub fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    pub(crate) fn set_ended(&self) {
        self.seal();
        self.ended.store(true, Ordering::Release);
        self.mirror(|v| v | registry::ENDED);
    }

    pub fn compression(&self) -> bool {
        self.compression.load(Ordering::Acquire)
    }

    pub fn set_compression(&self, on: bool) {
        self.compression.store(on, Ordering::Release);
        self.mirror(|v| {
            if on {
                v | registry::COMPRESSION
            } else {
                v & !registry::COMPRESSION
            }
        });
    }

    pub fn touch_recv(&self) {
        let us = (crate::http::unix_time() * 1e6) as u64;
        self.last_recv_us.store(us, Ordering::Relaxed);
        if let Some((r, slot)) = &self.reg {
            r.touch_recv(*slot, us);
        }
    }

    pub fn touch_send(&self) {
        let us = (crate::http::unix_time() * 1e6) as u64;
        self.last_send_us.store(us, Ordering::Relaxed);
        if let Some((r, slot)) = &self.reg {
            r.touch_send(*slot, us);
        }
    }

    pub fn last_recv(&self) -> f64 {
        self.last_recv_us.load(Ordering::Relaxed) as f64 / 1e6
    }

    pub fn last_send(&self) -> f64 {
        self.last_send_us.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// Bytes queued for this connection and not yet written to the socket.
    pub fn queued_bytes(&self) -> usize {
        self.outbox.lock().bytes + self.unsent.load(Ordering::Relaxed)
    }

    pub(crate) fn set_unsent(&self, n: usize) {
        self.unsent.store(n, Ordering::Relaxed);
    }

    /// Queues an item for the connection's task.
    pub fn send(&self, item: Outgoing) -> Result<(), SendError> {
        let mut ob = self.outbox.lock();
        if ob.sealed {
            return Err(SendError::Closed);
        }
        let len = item.len();
        let queued = ob.bytes + self.unsent.load(Ordering::Relaxed);
        let closing = matches!(item, Outgoing::Close { .. } | Outgoing::End);
        if !closing && queued > 0 && queued + len > self.limit {
            return Err(SendError::Full);
        }
        if closing {
            ob.sealed = true;
            self.mirror(|v| v | registry::SEALED);
            if matches!(item, Outgoing::Close { .. }) {
                self.set_status(status::CLOSING);
            }
        }
        ob.bytes += len;
        ob.items.push(item);
        drop(ob);
        self.wake.notify_one();
        Ok(())
    }

    /// Takes everything queued (connection task side).
    pub(crate) fn take(&self, into: &mut Vec<Outgoing>) {
        let mut ob = self.outbox.lock();
        ob.bytes = 0;
        into.append(&mut ob.items);
    }

    /// Refuses further items: the connection is going away.
    pub(crate) fn seal(&self) {
        self.outbox.lock().sealed = true;
        self.mirror(|v| v | registry::SEALED);
    }

    pub fn is_sealed(&self) -> bool {
        self.outbox.lock().sealed
    }

    /// The consumer has handled every event before this connection's
    /// `Event::Flush` (and queued what they pushed): its close can go on.
    pub fn flushed(&self) {
        self.flushed.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    pub(crate) fn take_flushed(&self) -> bool {
        self.flushed.swap(false, Ordering::AcqRel)
    }

    /// Wakes the connection task without queuing anything.
    pub(crate) fn kick(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await
    }
}

/// All live sessions. Ids come from one counter and are never reused.
pub struct Sessions {
    /// Fx hashing: fds are small sequential integers and every push looks one up.
    map: RwLock<FxHashMap<Fd, Arc<Session>>>,
    next: AtomicU64,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions {
            map: RwLock::new(FxHashMap::default()),
            next: AtomicU64::new(1),
        }
    }
}

impl Sessions {
    pub fn next_fd(&self) -> Fd {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    pub fn insert(&self, s: Arc<Session>) {
        self.map.write().insert(s.fd, s);
    }

    pub fn remove(&self, fd: Fd) -> Option<Arc<Session>> {
        self.map.write().remove(&fd)
    }

    pub fn get(&self, fd: Fd) -> Option<Arc<Session>> {
        self.map.read().get(&fd).cloned()
    }

    pub fn len(&self) -> usize {
        self.map.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Live fds in ascending order.
    pub fn fds(&self) -> Vec<Fd> {
        let mut v: Vec<Fd> = self.map.read().keys().copied().collect();
        v.sort_unstable();
        v
    }

    pub fn all(&self) -> Vec<Arc<Session>> {
        self.map.read().values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(limit: usize) -> Session {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        Session::new(1, a, a, limit)
    }

    #[test]
    fn close_seals_the_outbox() {
        let s = session(1024);
        s.send(Outgoing::Raw(Bytes::from_static(b"a"))).unwrap();
        s.send(Outgoing::Close {
            code: 1000,
            reason: Bytes::new(),
        })
        .unwrap();
        assert_eq!(s.status(), status::CLOSING);
        assert_eq!(
            s.send(Outgoing::Raw(Bytes::from_static(b"b"))),
            Err(SendError::Closed)
        );
        let mut out = Vec::new();
        s.take(&mut out);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn limit_bounds_queued_bytes() {
        let s = session(10);
        // One item always fits, so a single large push is never refused outright.
        s.send(Outgoing::Raw(Bytes::from(vec![0; 20]))).unwrap();
        assert_eq!(
            s.send(Outgoing::Raw(Bytes::from_static(b"x"))),
            Err(SendError::Full)
        );
        let mut out = Vec::new();
        s.take(&mut out);
        assert_eq!(s.queued_bytes(), 0);
        s.send(Outgoing::Raw(Bytes::from_static(b"x"))).unwrap();
    }

    #[test]
    fn fds_are_not_reused() {
        let t = Sessions::default();
        let a = t.next_fd();
        let b = t.next_fd();
        assert!(b > a);
    }
}
