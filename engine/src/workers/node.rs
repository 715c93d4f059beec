//! What one process of a server sees of it: the narrow API the PHP side
//! uses to act on any connection, wherever it lives (this process's engine,
//! another worker, or the SWOOLE_PROCESS master).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;

use super::ipc::{Link, Msg};
use super::peers::Peers;
use super::registry::{self, Registry};
use crate::bridge::{Event, EventQueue, Fd};
use crate::config::ServerConfig;
use crate::server::{self, Shared};
use crate::session::{status, Outgoing, SendError};

/// SWOOLE_BASE (1) and SWOOLE_PROCESS (2).
pub const MODE_BASE: i64 = 1;
pub const MODE_PROCESS: i64 = 2;

/// One connection, as the PHP side asks about it.
#[derive(Debug, Clone)]
pub struct ConnState {
    pub fd: Fd,
    pub status: u8,
    /// No more pushes are accepted (closing or closed).
    pub sealed: bool,
    /// The connection is over; only its onClose is still to run.
    pub ended: bool,
    pub compression: bool,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub connect_time: f64,
    pub last_recv: f64,
    pub last_send: f64,
    pub queued_bytes: usize,
}

impl ConnState {
    pub fn is_websocket(&self) -> bool {
        self.status == status::ACTIVE
    }
}

pub struct Node {
    pub mode: i64,
    /// 0..worker_num-1 in a worker; -1 in the master and the manager.
    pub worker_id: i64,
    pub worker_num: u32,
    /// The PHP thread's queue in this process.
    pub events: Arc<EventQueue>,
    /// This process's engine, if it has connections (single process,
    /// SWOOLE_BASE worker, SWOOLE_PROCESS master).
    pub engine: Option<Arc<Shared>>,
    pub registry: Option<Arc<Registry>>,
    /// SWOOLE_PROCESS worker: the link to the master.
    pub master: Option<Arc<Link>>,
    pub peers: Option<Arc<Peers>>,
    /// The server's settings, as every process has them.
    pub config: ServerConfig,
    leaving: AtomicBool,
}

impl Node {
    pub fn new(
        mode: i64,
        worker_id: i64,
        worker_num: u32,
        events: Arc<EventQueue>,
        engine: Option<Arc<Shared>>,
        registry: Option<Arc<Registry>>,
    ) -> Node {
        Node {
            mode,
            worker_id,
            worker_num,
            events,
            engine,
            registry,
            master: None,
            peers: None,
            config: ServerConfig::default(),
            leaving: AtomicBool::new(false),
        }
    }

    pub fn with_config(mut self, config: ServerConfig) -> Node {
        self.config = config;
        self
    }

    pub fn with_links(mut self, master: Option<Arc<Link>>, peers: Option<Arc<Peers>>) -> Node {
        self.master = master;
        self.peers = peers;
        self
    }

    pub fn conn(&self, fd: Fd) -> Option<ConnState> {
        if let Some(s) = self.engine.as_ref().and_then(|e| e.sessions.get(fd)) {
            return Some(ConnState {
                fd,
                status: s.status(),
                sealed: s.is_sealed(),
                ended: s.has_ended(),
                compression: s.compression(),
                peer: s.peer,
                local: s.local,
                connect_time: s.connect_time,
                last_recv: s.last_recv(),
                last_send: s.last_send(),
                queued_bytes: s.queued_bytes(),
            });
        }
        let r = self.registry.as_ref()?.get(fd)?;
        Some(ConnState {
            fd,
            status: (r.state & 0xFF) as u8,
            sealed: r.state & (registry::SEALED | registry::ENDED) != 0,
            ended: r.state & registry::ENDED != 0,
            compression: r.state & registry::COMPRESSION != 0,
            peer: r.peer,
            local: r.local,
            connect_time: r.connect_time,
            last_recv: r.last_recv,
            last_send: r.last_send,
            queued_bytes: 0,
        })
    }

    /// Queues `item` for `fd`, forwarding it to the process that owns the
    /// connection when that is not this one.
    pub fn send(&self, fd: Fd, item: Outgoing) -> Result<(), SendError> {
        if let Some(s) = self.engine.as_ref().and_then(|e| e.sessions.get(fd)) {
            return s.send(item);
        }
        let Some(reg) = &self.registry else {
            return Err(SendError::Closed);
        };
        let Some((owner, state)) = reg.owner(fd) else {
            return Err(SendError::Closed);
        };
        if state & (registry::SEALED | registry::ENDED) != 0 {
            return Err(SendError::Closed);
        }
        let msg = Msg::Send { fd, item };
        let sent = match (&self.master, &self.peers) {
            (Some(master), _) => master.send(&msg),
            (None, Some(peers)) => peers.send(owner, &msg),
            _ => return Err(SendError::Closed),
        };
        sent.map_err(|_| SendError::Closed)
    }

    /// PHP reached `fd`'s Flush barrier: its close may go on (ordered close).
    pub fn flushed(&self, fd: Fd) {
        if let Some(s) = self.engine.as_ref().and_then(|e| e.sessions.get(fd)) {
            s.flushed();
        } else if let Some(m) = &self.master {
            let _ = m.send(&Msg::Flushed { fd });
        }
    }

    /// The handshake was answered with a 101: pushes may follow at once.
    pub fn mark_active(&self, fd: Fd) {
        if let Some(s) = self.engine.as_ref().and_then(|e| e.sessions.get(fd)) {
            s.set_status(status::ACTIVE);
        } else if let Some(r) = &self.registry {
            r.set_status(fd, status::ACTIVE);
        }
    }

    /// Every connection of the server, ascending.
    pub fn fds(&self) -> Vec<Fd> {
        match (&self.registry, &self.engine) {
            (Some(r), _) => r.fds(),
            (None, Some(e)) => e.sessions.fds(),
            _ => Vec::new(),
        }
    }

    pub fn count(&self) -> usize {
        match (&self.registry, &self.engine) {
            (Some(r), _) => r.count(),
            (None, Some(e)) => e.sessions.len(),
            _ => 0,
        }
    }

    /// onClose ran for `fd`: drop it everywhere.
    pub fn forget(&self, fd: Fd) {
        match (&self.engine, &self.master) {
            (Some(e), _) => e.forget(fd),
            (None, Some(m)) => {
                let _ = m.send(&Msg::Forget { fd });
            }
            _ => {}
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.is_stopping())
            || self.registry.as_ref().is_some_and(|r| r.is_stopping())
    }

    /// $server->shutdown(): stops the whole server.
    pub fn shutdown(&self) {
        match (&self.registry, &self.master) {
            (_, Some(m)) => {
                let _ = m.send(&Msg::Shutdown);
            }
            (Some(r), None) if self.worker_id >= 0 => {
                // SWOOLE_BASE worker: the master (the manager) stops everyone.
                // SAFETY: signalling our own server's master.
                unsafe { libc::kill(r.master_pid(), libc::SIGTERM) };
            }
            _ => {
                if let Some(e) = &self.engine {
                    server::shutdown(e);
                }
            }
        }
    }

    /// This worker stops after what is queued (reload, max_request, SIGTERM);
    /// the manager starts a new one. An `Event::Leave` or `Event::Stopped`
    /// ends the PHP loop.
    pub fn leave(&self) {
        if self.leaving.swap(true, Ordering::AcqRel) {
            return;
        }
        match (&self.master, &self.engine) {
            (Some(m), _) => {
                if m.send(&Msg::Leaving).is_err() {
                    self.events.push(Event::Leave);
                }
            }
            (None, Some(e)) => server::shutdown(e),
            _ => self.events.push(Event::Leave),
        }
    }

    pub fn is_leaving(&self) -> bool {
        self.leaving.load(Ordering::Acquire)
    }

    /// sendMessage(): false when the worker does not exist or is unreachable.
    pub fn send_message(&self, dst: u32, data: Bytes) -> bool {
        if dst >= self.worker_num {
            return false;
        }
        let src = self.worker_id;
        if src == dst as i64 {
            self.events.push(Event::PipeMessage {
                src_worker_id: src,
                data,
            });
            return true;
        }
        match &self.peers {
            Some(p) => p.send(dst, &Msg::Pipe { src, data }).is_ok(),
            None => false,
        }
    }

    /// bind(): in SWOOLE_PROCESS mode with dispatch_mode 5, `fd`'s later
    /// events go to the worker of `uid`.
    pub fn bind(&self, fd: Fd, uid: u64) -> bool {
        if self.conn(fd).is_none_or(|c| c.ended) {
            return false;
        }
        match &self.master {
            Some(m) => m.send(&Msg::Bind { fd, uid }).is_ok(),
            None => true,
        }
    }

    /// Reload every worker: the manager restarts them one at a time.
    pub fn reload(&self) -> bool {
        let Some(r) = &self.registry else {
            return false;
        };
        let pid = r.manager_pid();
        // SAFETY: signalling our own server's manager.
        pid > 0 && unsafe { libc::kill(pid, libc::SIGUSR1) } == 0
    }
}
