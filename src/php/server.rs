//! `Swoole\Server`, `Swoole\Http\Server` and `Swoole\WebSocket\Server`.
//!
//! The three classes share one Rust state, [`ServerCore`]; a macro gives each
//! class its own copy of the method table (ext-php-rs cannot call a Rust
//! parent's method on a Rust child).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, ZendObject, Zval};
use swoole_rs_engine::config::{ProcessConfig, ServerConfig};
use swoole_rs_engine::frame as wire;
use swoole_rs_engine::receiver;
use swoole_rs_engine::server as engine;
use swoole_rs_engine::session::{status, Outgoing, SendError};
use swoole_rs_engine::workers::node::{ConnState, Node, MODE_BASE, MODE_PROCESS};

use super::args::{Bool, Int, Str};
use super::callbacks::{Callback, Callbacks, EVENTS};
use super::connections::ConnectionIterator;
use super::errors::{swoole_exception, warn};
use super::frame::{Binary, OutFrame};
use super::log::LogSettings;
use super::port::{Port, PortState};
use super::process;
use super::settings;
use super::values::{array_zval, bool_zval, double_zval, long_zval, zval_bytes, zval_long};

/// Which protocol a server speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Kind {
    #[default]
    Tcp,
    Http,
    WebSocket,
}

#[derive(Default)]
pub struct ServerCore {
    kind: Cell<Kind>,
    host: RefCell<String>,
    port: Cell<u16>,
    mode: Cell<i64>,
    sock_type: Cell<i64>,
    listener: RefCell<Option<TcpListener>>,
    config: RefCell<ServerConfig>,
    pub procs: RefCell<ProcessConfig>,
    /// This process's place in the server (-1 / 0 before start()).
    worker_id: Cell<i64>,
    worker_pid: Cell<i64>,
    pub master_pid: Cell<i64>,
    pub manager_pid: Cell<i64>,
    /// Everything passed to set(), merged, as `$server->setting` shows it.
    setting: RefCell<Option<Zval>>,
    warned: RefCell<HashSet<String>>,
    pub callbacks: Callbacks,
    /// This process's view of the running server while start() runs.
    running: RefCell<Option<Arc<Node>>>,
    /// Callables queued by defer(), run after the current callback.
    deferred: RefCell<Vec<Zval>>,
    started: Cell<bool>,
    pub log: RefCell<LogSettings>,
    /// Messages and requests handed to callbacks (stats()).
    pub request_count: Cell<u64>,
    /// Events of any kind handed to callbacks (stats()).
    pub dispatch_count: Cell<u64>,
    /// The last frame push() encoded, for broadcasts.
    last_frame: RefCell<Option<Bytes>>,
    /// `$server` itself while start() runs, for `$server->connections`.
    this: RefCell<Option<Zval>>,
    /// Extra listening ports (listen() / addListener()).
    ports: RefCell<Vec<Rc<PortState>>>,
    /// onClose for closes PHP makes.
    pub closing: super::closing::CloseState,
    /// SWOOLE_PROCESS: picks the worker of each connection event.
    pub dispatch_func: RefCell<Option<Rc<Callback>>>,
}

impl ServerCore {
    fn construct(
        kind: Kind,
        host: &str,
        port: i64,
        mode: i64,
        sock_type: i64,
    ) -> PhpResult<ServerCore> {
        let port = match u16::try_from(port) {
            Ok(p) => p,
            Err(_) => return Err(swoole_exception(format!("invalid port [{port}]"))),
        };
        let listener = engine::bind(host, port).map_err(|e| {
            let errno = e.raw_os_error().unwrap_or(0);
            // strerror's text without Rust's " (os error N)" suffix, as Swoole prints it.
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            swoole_exception(format!(
                "failed to listen server port[{host}:{port}], Errno={errno} [{text}]"
            ))
        })?;
        let actual = listener.local_addr().map(|a| a.port()).unwrap_or(port);
        if mode != MODE_BASE && mode != MODE_PROCESS {
            return Err(swoole_exception(format!("invalid $mode parameters {mode}")));
        }
        let core = ServerCore::default();
        core.worker_id.set(-1);
        core.procs.borrow_mut().mode = mode;
        core.kind.set(kind);
        *core.host.borrow_mut() = host.to_string();
        core.port.set(actual);
        core.mode.set(mode);
        core.sock_type.set(sock_type);
        *core.listener.borrow_mut() = Some(listener);
        if kind == Kind::Tcp {
            core.config.borrow_mut().http_protocol = false;
        }
        // SWOOLE_SSL (512) in the socket type: wss:// / https://.
        core.config.borrow_mut().ssl = sock_type & 512 != 0;
        Ok(core)
    }

    pub fn kind(&self) -> Kind {
        self.kind.get()
    }

    fn on(&self, event: &str, cb: &Zval) -> bool {
        let name = event.to_ascii_lowercase();
        if !EVENTS.contains(&name.as_str()) {
            warn(&format!("unknown event types[{event}]"));
            return false;
        }
        if !cb.is_callable() {
            warn(&format!(
                "function '{}' is not callable",
                cb.coerce_to_string().unwrap_or_default()
            ));
            return false;
        }
        self.callbacks.set(&name, cb);
        true
    }

    fn set(&self, settings: &ZendHashTable) -> bool {
        if self.started.get() {
            warn("server is running, unable to execute Swoole\\Server->set()");
            return false;
        }
        if let Some(f) = settings.get("dispatch_func") {
            if f.is_callable() {
                *self.dispatch_func.borrow_mut() = Some(Rc::new(Callback::new(f)));
            } else {
                warn(&format!(
                    "function '{}' is not callable",
                    f.coerce_to_string().unwrap_or_default()
                ));
            }
        }
        settings::apply(
            &mut self.config.borrow_mut(),
            &mut self.procs.borrow_mut(),
            &mut self.log.borrow_mut(),
            settings,
            &mut self.warned.borrow_mut(),
        );
        let mut merged = self.setting.borrow_mut();
        let target = merged.get_or_insert_with(Zval::new_array);
        if let Some(arr) = target.array_mut() {
            for (k, v) in settings.iter() {
                let _ = arr.insert(k.to_string().as_str(), v.shallow_clone());
            }
        }
        true
    }

    fn setting(&self) -> Zval {
        self.setting
            .borrow()
            .as_ref()
            .map(Zval::shallow_clone)
            .unwrap_or_else(Zval::new_array)
    }

    fn start(&self, this: &mut ZendObject) -> PhpResult<bool> {
        if self.started.get() {
            warn("server is running, unable to execute Swoole\\Server->start()");
            return Ok(false);
        }
        if self.kind() == Kind::WebSocket && !self.callbacks.has("message") {
            return Err(swoole_exception("require onMessage callback".to_string()));
        }
        if self.kind() == Kind::Tcp && !self.callbacks.has("receive") {
            return Err(swoole_exception("require onReceive callback".to_string()));
        }
        if self.kind() == Kind::Http && !self.callbacks.has("request") {
            return Err(swoole_exception("require onRequest callback".to_string()));
        }
        let Some(listener) = self.listener.borrow_mut().take() else {
            return Err(swoole_exception(
                "the server was not constructed or has already run".to_string(),
            ));
        };
        let mut config = self.config.borrow().clone();
        config.has_request_handler = self.callbacks.has("request");
        // onBeforeHandShakeResponse needs PHP in the handshake too.
        config.has_handshake_handler = self.kind() == Kind::WebSocket
            && (self.callbacks.has("handshake") || self.callbacks.has("beforehandshakeresponse"));
        config.emit_connect = self.callbacks.has("connect")
            || self
                .ports
                .borrow()
                .iter()
                .any(|p| p.callbacks.has("connect"));
        self.started.set(true);
        let mut this_zval = Zval::new();
        this_zval.set_object(this);
        *self.this.borrow_mut() = Some(this_zval);
        self.closing.set_server(Some(&mut *this));
        let result = process::start(self, this, listener, config);
        self.closing.set_server(None);
        *self.running.borrow_mut() = None;
        // Drops the self-reference (a cycle while running).
        self.this.borrow_mut().take();
        result
    }

    /// Records which worker this process is.
    pub fn set_worker(&self, id: i64, pid: i64) {
        self.worker_id.set(id);
        self.worker_pid.set(pid);
    }

    pub fn worker_id(&self) -> i64 {
        self.worker_id.get()
    }

    fn worker_status(&self, id: Option<i64>) -> Zval {
        let node = self.node();
        let id = id.unwrap_or(self.worker_id.get());
        match node
            .as_ref()
            .and_then(|n| n.registry.as_ref().map(|r| (n, r)))
        {
            Some((n, r)) if (0..n.worker_num as i64).contains(&id) => long_zval(
                r.worker(id as usize)
                    .status
                    .load(std::sync::atomic::Ordering::Acquire) as i64,
            ),
            // One process: it is the only worker, busy while PHP runs.
            None if node.is_some() && id == 0 => long_zval(1),
            _ => bool_zval(false),
        }
    }

    fn worker_pid_of(&self, id: Option<i64>) -> Zval {
        match id {
            None => long_zval(self.worker_pid.get()),
            Some(id) => match self.node().and_then(|n| n.registry.clone().map(|r| (n, r))) {
                Some((n, r)) if (0..n.worker_num as i64).contains(&id) => long_zval(
                    r.worker(id as usize)
                        .pid
                        .load(std::sync::atomic::Ordering::Acquire) as i64,
                ),
                _ if id == self.worker_id.get() => long_zval(self.worker_pid.get()),
                _ => bool_zval(false),
            },
        }
    }

    fn send_message(&self, message: &Zval, dst: i64) -> bool {
        let Some(node) = self.node() else {
            warn("the server is not running");
            return false;
        };
        let Some(data) = zval_bytes(message) else {
            return false;
        };
        if dst < 0 || dst >= node.worker_num as i64 {
            warn(&format!("worker_id[{dst}] is invalid"));
            return false;
        }
        node.send_message(dst as u32, Bytes::from(data))
    }

    /// stop($workerId): that worker (default: this one) leaves and is
    /// replaced; a server of one process stops.
    fn stop_worker(&self, id: i64) -> bool {
        let Some(node) = self.node() else {
            return false;
        };
        if node.registry.is_none() {
            node.shutdown();
            return true;
        }
        if id < 0 || id == node.worker_id {
            node.leave();
            return true;
        }
        match self.worker_pid_of(Some(id)).long() {
            // SAFETY: signalling a worker of this server.
            Some(pid) if pid > 0 => unsafe { libc::kill(pid as i32, libc::SIGTERM) == 0 },
            _ => false,
        }
    }

    /// Whether this process handles `fd`'s events (so its onClose may run
    /// here, at once, when PHP closes it): its own connection, or in
    /// SWOOLE_PROCESS mode with dispatch_mode 2 the worker fd % worker_num.
    fn handles_events_of(&self, fd: i64) -> bool {
        let Some(node) = self.node() else {
            return false;
        };
        let Ok(fd) = u64::try_from(fd) else {
            return false;
        };
        if node
            .engine
            .as_ref()
            .is_some_and(|e| e.sessions.get(fd).is_some())
        {
            return node.mode != MODE_PROCESS;
        }
        node.mode == MODE_PROCESS
            && node.worker_id >= 0
            && self.procs.borrow().dispatch_mode == 2
            && (fd % node.worker_num as u64) as i64 == node.worker_id
    }

    fn bind(&self, fd: i64, uid: i64) -> bool {
        if self.procs.borrow().dispatch_mode != 5 {
            warn("can't use the bind method without dispatch_mode=5");
            return false;
        }
        match (self.node(), u64::try_from(fd), u64::try_from(uid)) {
            (Some(n), Ok(fd), Ok(uid)) => n.bind(fd, uid),
            _ => false,
        }
    }

    fn reload(&self) -> bool {
        match self.node() {
            Some(n) => n.reload(),
            None => {
                warn("the server is not running");
                false
            }
        }
    }

    pub fn set_running(&self, node: Option<Arc<Node>>) {
        *self.running.borrow_mut() = node;
    }

    pub fn node(&self) -> Option<Arc<Node>> {
        self.running.borrow().clone()
    }

    /// Whether start() is running; warns when not (nothing to act on yet).
    fn is_running(&self) -> bool {
        let running = self.running.borrow().is_some();
        if !running {
            warn("the server is not running");
        }
        running
    }

    fn stopping(&self) -> bool {
        self.running
            .borrow()
            .as_ref()
            .is_some_and(|n| n.is_stopping())
    }

    fn conn(&self, fd: i64) -> Option<ConnState> {
        let node = self.running.borrow();
        node.as_ref()?.conn(u64::try_from(fd).ok()?)
    }

    fn send_to(&self, fd: i64, item: Outgoing) -> Result<(), SendError> {
        match (self.running.borrow().as_ref(), u64::try_from(fd)) {
            (Some(node), Ok(fd)) => node.send(fd, item),
            _ => Err(SendError::Closed),
        }
    }

    pub fn take_deferred(&self) -> Vec<Zval> {
        std::mem::take(&mut *self.deferred.borrow_mut())
    }

    fn defer(&self, cb: &Zval) -> bool {
        if !cb.is_callable() {
            warn("callback is not callable");
            return false;
        }
        self.deferred.borrow_mut().push(cb.shallow_clone());
        true
    }

    fn send(&self, fd: &Zval, data: Vec<u8>) -> bool {
        let fd = fd_arg(fd);
        match self.conn(fd) {
            Some(_) => report_send(fd, self.send_to(fd, Outgoing::Raw(Bytes::from(data)))),
            None => {
                warn(&format!("session#{fd} does not exists"));
                false
            }
        }
    }

    fn close(&self, fd: i64) -> bool {
        let Some(s) = self.conn(fd) else {
            return false;
        };
        let websocket = s.status == status::ACTIVE;
        let item = if websocket {
            Outgoing::Close {
                code: 1000,
                reason: Bytes::new(),
            }
        } else {
            Outgoing::End
        };
        if self.send_to(fd, item).is_err() {
            return false;
        }
        if self.handles_events_of(fd) {
            self.closing.run_now(&self.callbacks, s.fd, websocket);
        }
        true
    }

    fn exist(&self, fd: i64) -> bool {
        self.conn(fd).is_some_and(|s| !s.sealed)
    }

    fn is_established(&self, fd: i64) -> bool {
        self.conn(fd)
            .is_some_and(|s| s.status == status::ACTIVE && !s.sealed)
    }

    /// Every connection of the server (all workers' in a multi-process server).
    pub fn connection_fds(&self) -> Vec<u64> {
        self.node().map(|n| n.fds()).unwrap_or_default()
    }

    /// listen() / addListener(): binds now, serves from start().
    fn listen(&self, host: &str, port: i64, sock_type: i64) -> Zval {
        if self.started.get() {
            warn("server is running, can't add listener");
            return bool_zval(false);
        }
        let Ok(port) = u16::try_from(port) else {
            warn(&format!("invalid port [{port}]"));
            return bool_zval(false);
        };
        let listener = match engine::bind(host, port) {
            Ok(l) => l,
            Err(e) => {
                let errno = e.raw_os_error().unwrap_or(0);
                let text = e.to_string();
                let text = text.split(" (os error").next().unwrap_or_default();
                warn(&format!(
                    "failed to listen server port[{host}:{port}], Errno={errno} [{text}]"
                ));
                return bool_zval(false);
            }
        };
        let actual = listener.local_addr().map(|a| a.port()).unwrap_or(port);
        let state = Rc::new(PortState::new(host, actual, sock_type, listener));
        self.ports.borrow_mut().push(state.clone());
        Port::new(state).into_zval(false).unwrap_or_default()
    }

    /// Hands the extra ports to the running engine (called by the event loop
    /// right after the engine starts).
    pub fn start_ports(&self, engine: &engine::Engine) {
        let server_http = self.config.borrow().http_protocol;
        for port in self.ports.borrow().iter() {
            let Some(listener) = port.listener.borrow_mut().take() else {
                continue;
            };
            let settings = engine::PortSettings {
                http_protocol: port.http_protocol(server_http),
                ssl: port.ssl(),
            };
            if let Err(e) = engine.listen(listener, settings) {
                warn(&format!(
                    "failed to serve port[{}:{}]: {e}",
                    port.host, port.port
                ));
            }
        }
    }

    /// The callback for `event` (slot `index`) of connection `fd`: the one
    /// its port (listen()) was given, else the server's.
    pub fn callback_for(&self, fd: u64, event: &str, index: usize) -> Option<Rc<Callback>> {
        let ports = self.ports.borrow();
        if !ports.is_empty() {
            let local = self.conn(fd as i64).map(|s| s.local.port());
            if let Some(port) = ports.iter().find(|p| Some(p.port) == local) {
                if let Some(cb) = port.callbacks.get(event) {
                    return Some(cb);
                }
            }
        }
        self.callbacks.at(index)
    }

    fn connections(&self) -> ConnectionIterator {
        let this = self.this.borrow().as_ref().map(Zval::shallow_clone);
        ConnectionIterator::snapshot(this)
    }

    fn client_list(&self, start_fd: i64, count: i64) -> Zval {
        if self.node().is_none() {
            return bool_zval(false);
        }
        let mut arr = ZendHashTable::new();
        for fd in self
            .connection_fds()
            .into_iter()
            .filter(|&fd| fd as i64 > start_fd)
            .take(count.max(0) as usize)
        {
            let _ = arr.push(fd as i64);
        }
        array_zval(arr)
    }

    pub fn connection_info(&self, fd: i64) -> Zval {
        let Some(s) = self.conn(fd) else {
            return bool_zval(false);
        };
        let mut info = ZendHashTable::new();
        let ws = s.status;
        if self.kind() == Kind::WebSocket {
            let _ = info.insert("websocket_status", long_zval(ws as i64));
        }
        let _ = info.insert("server_port", long_zval(s.local.port() as i64));
        let _ = info.insert("server_fd", long_zval(0));
        let _ = info.insert("socket_fd", long_zval(fd));
        let _ = info.insert(
            "socket_type",
            long_zval(if s.peer.is_ipv6() { 3 } else { 1 }),
        );
        let _ = info.insert("remote_port", long_zval(s.peer.port() as i64));
        let _ = info.insert("remote_ip", s.peer.ip().to_string());
        let _ = info.insert("reactor_id", long_zval(0));
        let _ = info.insert("connect_time", long_zval(s.connect_time as i64));
        let _ = info.insert("last_time", long_zval(s.last_recv as i64));
        let _ = info.insert("last_recv_time", double_zval(s.last_recv));
        let _ = info.insert("last_send_time", double_zval(s.last_send));
        let _ = info.insert("last_dispatch_time", double_zval(s.last_recv));
        let _ = info.insert("close_errno", long_zval(0));
        let _ = info.insert("recv_queued_bytes", long_zval(0));
        let _ = info.insert("send_queued_bytes", long_zval(s.queued_bytes as i64));
        array_zval(info)
    }

    fn shutdown(&self) -> bool {
        match self.node() {
            Some(node) => {
                node.shutdown();
                true
            }
            None => false,
        }
    }

    /// Swoole's stats() keys, in its order; totals are server-wide.
    fn stats(&self) -> Zval {
        use std::sync::atomic::Ordering::Relaxed;
        let mut st = ZendHashTable::new();
        let Some(node) = self.node() else {
            return array_zval(st);
        };
        let engine = node.engine.as_ref();
        let (accepted, closed, aborted) = match (&node.registry, engine) {
            (Some(r), _) => {
                let c = r.counters();
                (
                    c.accept_count.load(Relaxed),
                    c.close_count.load(Relaxed),
                    c.abort_count.load(Relaxed),
                )
            }
            (None, Some(e)) => (
                e.stats.accept_count.load(Relaxed),
                e.stats.close_count.load(Relaxed),
                e.stats.rejected_count.load(Relaxed),
            ),
            _ => (0, 0, 0),
        };
        let local = self.request_count.get() as i64;
        let (total, idle) = match &node.registry {
            Some(r) => (0..node.worker_num as usize).fold((0i64, 0i64), |(t, i), w| {
                let slot = r.worker(w);
                let idle =
                    slot.status.load(Relaxed) == swoole_rs_engine::workers::registry::WORKER_IDLE;
                (t + slot.requests.load(Relaxed) as i64, i + idle as i64)
            }),
            None => (local, 0),
        };
        let fds = node.fds();
        let start_time = engine
            .map(|e| e.start_time)
            .unwrap_or_else(swoole_rs_engine::http::unix_time);
        let dispatched = self.dispatch_count.get() as i64;
        let rows: [(&str, i64); 25] = [
            ("start_time", start_time as i64),
            ("connection_num", fds.len() as i64),
            ("abort_count", aborted as i64),
            ("accept_count", accepted as i64),
            ("close_count", closed as i64),
            ("worker_num", node.worker_num as i64),
            ("task_worker_num", 0),
            ("user_worker_num", 0),
            ("idle_worker_num", idle),
            ("dispatch_count", dispatched),
            ("request_count", total),
            ("response_count", 0),
            ("total_recv_bytes", 0),
            ("total_send_bytes", 0),
            ("pipe_packet_msg_id", 0),
            ("concurrency", 0),
            ("session_round", accepted as i64),
            ("min_fd", fds.first().copied().unwrap_or(0) as i64),
            ("max_fd", fds.last().copied().unwrap_or(0) as i64),
            ("worker_request_count", local),
            ("worker_response_count", 0),
            ("worker_dispatch_count", dispatched),
            ("worker_concurrency", 0),
            ("coroutine_num", 0),
            ("coroutine_peek_num", 0),
        ];
        for (k, v) in rows {
            let _ = st.insert(k, long_zval(v));
        }
        array_zval(st)
    }

    // --- WebSocket ---

    fn push(&self, fd: i64, data: &Zval, opcode: i64, flags: i64) -> bool {
        let data = data.dereference();
        // Strings are encoded straight from PHP's buffer; Frame objects are read first.
        let object_frame;
        let (first, payload): (u8, &[u8]) = match data.zend_str() {
            Some(_) if !(0..=10).contains(&opcode) => {
                warn("opcode must be between 0 and 10");
                return false;
            }
            Some(s) => (
                OutFrame::header_byte(opcode as u8, flags as u8),
                s.as_bytes(),
            ),
            None => {
                let Some(f) = OutFrame::from_args(data, opcode, flags) else {
                    warn("data must be a string or a Swoole\\WebSocket\\Frame object");
                    return false;
                };
                object_frame = f;
                (object_frame.first_byte(), &object_frame.payload[..])
            }
        };
        if first & 0x0F > wire::OP_PONG {
            warn("opcode must be between 0 and 10");
            return false;
        }
        if !self.is_running() {
            return false;
        }
        let Some(s) = self.conn(fd).filter(|s| s.status == status::ACTIVE) else {
            if self.stopping() {
                // Shutting down: every connection is closing; nothing to warn about.
            } else if self.conn(fd).is_none() {
                warn(&format!("session#{fd} does not exists"));
            } else {
                warn(&format!(
                    "the connected client of connection[{fd}] is not a websocket client or closed"
                ));
            }
            return false;
        };
        // A connection that negotiated permessage-deflate gets every whole data
        // message compressed (as Swoole does); the I/O thread does the work.
        if s.ended {
            // The client is gone and its onClose is on the way: nothing to send
            // to, and nothing the caller did wrong.
            return false;
        }
        if first & 0x0F == wire::OP_CLOSE && first & 0x80 != 0 {
            // A close frame ends the connection's output: the engine must know
            // it was sent, or it would send a second one when the peer answers.
            let (code, reason) = receiver::split_close(&Bytes::copy_from_slice(payload))
                .unwrap_or((1000, Bytes::new()));
            return report_send(fd, self.send_to(fd, Outgoing::Close { code, reason }));
        }
        let item = if s.compression {
            Outgoing::Compressed {
                first,
                payload: Bytes::copy_from_slice(payload),
            }
        } else {
            Outgoing::Raw(self.encode_cached(first, payload))
        };
        report_send(fd, self.send_to(fd, item))
    }

    /// Encodes a frame, reusing the previous encoding when the same frame is
    /// pushed again (a broadcast loop encodes once, not once per client).
    fn encode_cached(&self, first: u8, payload: &[u8]) -> Bytes {
        let mut cache = self.last_frame.borrow_mut();
        if let Some(enc) = cache.as_ref() {
            let header = wire::header_len(payload.len());
            if enc.len() == header + payload.len() && enc[0] == first && &enc[header..] == payload {
                return enc.clone();
            }
        }
        let enc = wire::encode(first, payload);
        *cache = Some(enc.clone());
        enc
    }

    fn disconnect(&self, fd: i64, code: i64, reason: Vec<u8>) -> bool {
        if !(code == 1000 || (4000..=4999).contains(&code)) {
            warn(&format!(
                "the close code must be 1000 or in the range 4000-4999, {code} given"
            ));
            return false;
        }
        if reason.len() > 123 {
            warn("the max length of close reason is 123");
            return false;
        }
        if self
            .conn(fd)
            .filter(|s| s.status == status::ACTIVE)
            .is_none()
        {
            warn(&format!(
                "the connected client of connection[{fd}] is not a websocket client or closed"
            ));
            return false;
        };
        if self
            .send_to(
                fd,
                Outgoing::Close {
                    code: code as u16,
                    reason: Bytes::from(reason),
                },
            )
            .is_err()
        {
            return false;
        }
        if self.handles_events_of(fd) {
            self.closing.run_now(&self.callbacks, fd as u64, true);
        }
        true
    }

    fn ping(&self, fd: i64, data: Vec<u8>) -> bool {
        if data.len() > wire::MAX_CONTROL_PAYLOAD {
            warn("the max length of ping data is 125");
            return false;
        }
        if self
            .conn(fd)
            .filter(|s| s.status == status::ACTIVE)
            .is_none()
        {
            warn(&format!(
                "the connected client of connection[{fd}] is not a websocket client or closed"
            ));
            return false;
        };
        report_send(
            fd,
            self.send_to(fd, Outgoing::Raw(wire::encode(0x80 | wire::OP_PING, &data))),
        )
    }
}

/// An fd argument with PHP's loose conversion ("1" works, as in Swoole's
/// non-strict calls); anything unusable becomes -1, which matches no session.
fn fd_arg(fd: &Zval) -> i64 {
    zval_long(fd).unwrap_or(-1)
}

fn report_send(fd: i64, r: Result<(), SendError>) -> bool {
    match r {
        Ok(()) => true,
        Err(SendError::Closed) => {
            warn(&format!(
                "the connected client of connection[{fd}] is not a websocket client or closed"
            ));
            false
        }
        Err(SendError::Full) => {
            warn(&format!(
                "connection[{fd}] output buffer overflow, the client does not read fast enough"
            ));
            false
        }
    }
}

/// The server state behind a server object (of any of the three classes or a
/// user subclass), for objects that refer back to their server.
pub fn core_of(obj: &ZendObject) -> Option<&ServerCore> {
    if let Some(s) = ZendClassObject::<WebSocketServer>::from_zend_obj(obj) {
        return s.obj.as_ref().map(|s| &s.core);
    }
    if let Some(s) = ZendClassObject::<HttpServer>::from_zend_obj(obj) {
        return s.obj.as_ref().map(|s| &s.core);
    }
    ZendClassObject::<Server>::from_zend_obj(obj).and_then(|s| s.obj.as_ref().map(|s| &s.core))
}

/// The zend object behind `$this`, for passing `$server` to callbacks.
fn this_object<T: RegisteredClass>(self_: &ZendClassObject<T>) -> &mut ZendObject {
    // SAFETY: the object outlives start(); PHP objects are shared mutable by nature.
    unsafe { &mut *std::ptr::addr_of!(self_.std).cast_mut() }
}

macro_rules! server_class {
    ($ty:ident, $name:literal, $kind:expr, [$($extends:tt)*], { $($extra:tt)* }) => {
        #[php_class]
        #[php(name = $name)]
        $($extends)*
        // No Default: ext-php-rs would then build `new Subclass()` as the Rust class itself.
        pub struct $ty {
            core: ServerCore,
        }

        #[php_impl]
        impl $ty {
            #[php(optional = host)]
            pub fn __construct(
                host: Option<Str>,
                port: Option<Int>,
                mode: Option<Int>,
                sock_type: Option<Int>,
            ) -> PhpResult<Self> {
                let host = host.map(|h| h.lossy()).unwrap_or_else(|| "0.0.0.0".to_string());
                let core = ServerCore::construct(
                    $kind,
                    &host,
                    port.map_or(0, |p| p.0),
                    mode.map_or(1, |m| m.0),
                    sock_type.map_or(1, |t| t.0),
                )?;
                Ok($ty { core })
            }

            pub fn on(&self, event_name: Str, callback: &Zval) -> bool {
                self.core.on(&event_name.lossy(), callback)
            }

            #[php(name = "getCallback")]
            pub fn get_callback(&self, event_name: Str) -> Zval {
                self.core
                    .callbacks
                    .get(&event_name.lossy().to_ascii_lowercase())
                    .map(|cb| cb.zval())
                    .unwrap_or_default()
            }

            pub fn set(&self, settings: &ZendHashTable) -> bool {
                self.core.set(settings)
            }

            /// One more listening port: a `Swoole\Server\Port`, or false.
            pub fn listen(&self, host: Str, port: Int, sock_type: Int) -> Zval {
                self.core.listen(&host.lossy(), port.0, sock_type.0)
            }

            #[php(name = "addlistener")]
            pub fn add_listener(&self, host: Str, port: Int, sock_type: Int) -> Zval {
                self.core.listen(&host.lossy(), port.0, sock_type.0)
            }

            pub fn start(self_: &ZendClassObject<$ty>) -> PhpResult<bool> {
                let this = this_object(self_);
                self_.core.start(this)
            }

            pub fn send(&self, fd: &Zval, send_data: Str) -> bool {
                self.core.send(fd, send_data.0)
            }

            #[php(optional = reset)]
            pub fn close(&self, fd: Int, reset: Option<Bool>) -> bool {
                let _ = reset;
                self.core.close(fd.0)
            }

            pub fn exist(&self, fd: Int) -> bool {
                self.core.exist(fd.0)
            }

            pub fn exists(&self, fd: Int) -> bool {
                self.core.exist(fd.0)
            }

            #[php(name = "getClientInfo")]
            pub fn get_client_info(&self, fd: Int) -> Zval {
                self.core.connection_info(fd.0)
            }

            #[php(name = "connection_info")]
            pub fn connection_info(&self, fd: Int) -> Zval {
                self.core.connection_info(fd.0)
            }

            #[php(name = "getClientList")]
            #[php(optional = start_fd)]
            pub fn get_client_list(&self, start_fd: Option<Int>, find_count: Option<Int>) -> Zval {
                self.core.client_list(start_fd.map_or(0, |v| v.0), find_count.map_or(10, |v| v.0))
            }

            #[php(name = "connection_list")]
            #[php(optional = start_fd)]
            pub fn connection_list(&self, start_fd: Option<Int>, find_count: Option<Int>) -> Zval {
                self.core.client_list(start_fd.map_or(0, |v| v.0), find_count.map_or(10, |v| v.0))
            }

            pub fn defer(&self, callback: &Zval) -> bool {
                self.core.defer(callback)
            }

            /// Swoole 4's timer methods (removed in Swoole 6): `Swoole\Timer`'s.
            pub fn tick(ms: &Zval, callback: &Zval, params: &[&Zval]) -> Zval {
                super::timer::add("Swoole\\Server::tick", ms, callback, params, true)
            }

            pub fn after(ms: &Zval, callback: &Zval, params: &[&Zval]) -> Zval {
                super::timer::add("Swoole\\Server::after", ms, callback, params, false)
            }

            #[php(name = "clearTimer")]
            pub fn clear_timer(timer_id: Int) -> bool {
                let timer_id = timer_id.0;
                super::timer::clear(timer_id)
            }

            pub fn shutdown(&self) -> bool {
                self.core.shutdown()
            }

            #[php(optional = worker_id)]
            pub fn stop(&self, worker_id: Option<Int>, wait_event: Option<Bool>) -> bool {
                let _ = wait_event;
                self.core.stop_worker(worker_id.map_or(-1, |w| w.0))
            }

            pub fn stats(&self) -> Zval {
                self.core.stats()
            }

            #[php(name = "getMasterPid")]
            pub fn get_master_pid(&self) -> i64 {
                self.core.master_pid.get()
            }

            #[php(name = "getManagerPid")]
            pub fn get_manager_pid(&self) -> i64 {
                self.core.manager_pid.get()
            }

            #[php(name = "getWorkerId")]
            pub fn get_worker_id(&self) -> Zval {
                match self.core.worker_id() {
                    -1 => bool_zval(false),
                    id => long_zval(id),
                }
            }

            #[php(name = "getWorkerPid")]
            #[php(optional = worker_id)]
            pub fn get_worker_pid(&self, worker_id: Option<Int>) -> Zval {
                self.core.worker_pid_of(worker_id.map(|w| w.0))
            }

            #[php(name = "getWorkerStatus")]
            #[php(optional = worker_id)]
            pub fn get_worker_status(&self, worker_id: Option<Int>) -> Zval {
                self.core.worker_status(worker_id.map(|w| w.0))
            }

            #[php(name = "sendMessage")]
            pub fn send_message(&self, message: &Zval, dst_worker_id: Int) -> bool {
                self.core.send_message(message, dst_worker_id.0)
            }

            #[php(optional = only_reload_taskworker)]
            pub fn reload(&self, only_reload_taskworker: Option<Bool>) -> bool {
                if only_reload_taskworker.is_some_and(|b| b.0) {
                    // No task workers yet: nothing to reload.
                    return true;
                }
                self.core.reload()
            }

            pub fn bind(&self, fd: Int, uid: Int) -> bool {
                self.core.bind(fd.0, uid.0)
            }

            #[php(getter, name = "setting")]
            pub fn get_setting(&self) -> Zval {
                self.core.setting()
            }

            #[php(getter, name = "connections")]
            pub fn get_connections(&self) -> ConnectionIterator {
                self.core.connections()
            }

            #[php(getter, name = "host")]
            pub fn get_host(&self) -> String {
                self.core.host.borrow().clone()
            }

            #[php(getter, name = "port")]
            pub fn get_port(&self) -> i64 {
                self.core.port.get() as i64
            }

            #[php(getter, name = "mode")]
            pub fn get_mode(&self) -> i64 {
                self.core.mode.get()
            }

            #[php(getter, name = "type")]
            pub fn get_type(&self) -> i64 {
                self.core.sock_type.get()
            }

            #[php(getter, name = "master_pid")]
            pub fn get_master_pid_prop(&self) -> i64 {
                self.core.master_pid.get()
            }

            #[php(getter, name = "manager_pid")]
            pub fn get_manager_pid_prop(&self) -> i64 {
                self.core.manager_pid.get()
            }

            #[php(getter, name = "worker_id")]
            pub fn get_worker_id_prop(&self) -> i64 {
                self.core.worker_id()
            }

            #[php(getter, name = "worker_pid")]
            pub fn get_worker_pid_prop(&self) -> i64 {
                self.core.worker_pid.get()
            }

            #[php(getter, name = "taskworker")]
            pub fn get_taskworker(&self) -> bool {
                false
            }

            $($extra)*
        }

        impl $ty {
            pub fn core(&self) -> &ServerCore {
                &self.core
            }
        }
    };
}

server_class!(Server, "Swoole\\Server", Kind::Tcp, [], {});

server_class!(HttpServer, "Swoole\\Http\\Server", Kind::Http, [#[php(extends(Server))]], {});

server_class!(WebSocketServer, "Swoole\\WebSocket\\Server", Kind::WebSocket, [#[php(extends(HttpServer))]], {
    #[php(optional = opcode)]
    pub fn push(&self, fd: Int, data: &Zval, opcode: Option<Int>, flags: Option<Int>) -> bool {
        // The old `bool $finish` converts to these int flags, as in Swoole.
        self.core.push(fd.0, data, opcode.map_or(1, |o| o.0), flags.map_or(wire::flags::FIN as i64, |f| f.0))
    }

    #[php(optional = code)]
    pub fn disconnect(&self, fd: Int, code: Option<Int>, reason: Option<Str>) -> bool {
        self.core.disconnect(fd.0, code.map_or(1000, |c| c.0), reason.unwrap_or_default().0)
    }

    #[php(optional = data)]
    pub fn ping(&self, fd: Int, data: Option<Str>) -> bool {
        self.core.ping(fd.0, data.unwrap_or_default().0)
    }

    #[php(name = "isEstablished")]
    pub fn is_established(&self, fd: Int) -> bool {
        self.core.is_established(fd.0)
    }

    #[php(optional = opcode)]
    pub fn pack(data: &Zval, opcode: Option<Int>, flags: Option<Int>) -> Binary {
        super::frame::Frame::pack(data, opcode, flags)
    }

    pub fn unpack(data: Str) -> Zval {
        super::frame::Frame::unpack(data)
    }
});
