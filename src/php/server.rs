//! `Swoole\Server`, `Swoole\Http\Server` and `Swoole\WebSocket\Server`.
//!
//! The three classes share one Rust state, [`ServerCore`]; a macro gives each
//! class its own copy of the method table (ext-php-rs cannot call a Rust
//! parent's method on a Rust child).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Arc;

use bytes::Bytes;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, ZendObject, Zval};
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::frame as wire;
use swoole_rs_engine::server::{self as engine, Shared};
use swoole_rs_engine::session::{status, Outgoing, SendError, Session};

use super::callbacks::{Callbacks, EVENTS};
use super::errors::{swoole_exception, warn};
use super::event_loop;
use super::frame::{Binary, OutFrame};
use super::log::LogSettings;
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
    /// Everything passed to set(), merged, as `$server->setting` shows it.
    setting: RefCell<Option<Zval>>,
    warned: RefCell<HashSet<String>>,
    pub callbacks: Callbacks,
    /// The engine's state while start() runs.
    running: RefCell<Option<Arc<Shared>>>,
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
}

impl ServerCore {
    fn construct(
        kind: Kind,
        host: &str,
        port: &Zval,
        mode: i64,
        sock_type: i64,
    ) -> PhpResult<ServerCore> {
        let port = match zval_long(port) {
            Some(p) if (0..=65535).contains(&p) => p as u16,
            _ => {
                return Err(swoole_exception(format!(
                    "invalid port [{}]",
                    port.coerce_to_string().unwrap_or_default()
                )))
            }
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
        let core = ServerCore::default();
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
        settings::apply(
            &mut self.config.borrow_mut(),
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
        config.has_handshake_handler =
            self.kind() == Kind::WebSocket && self.callbacks.has("handshake");
        config.emit_connect = self.callbacks.has("connect");
        self.started.set(true);
        let result = event_loop::run(self, this, listener, config);
        *self.running.borrow_mut() = None;
        result
    }

    pub fn set_running(&self, shared: Option<Arc<Shared>>) {
        *self.running.borrow_mut() = shared;
    }

    pub fn shared(&self) -> Option<Arc<Shared>> {
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
            .is_some_and(|s| s.is_stopping())
    }

    fn session(&self, fd: i64) -> Option<Arc<Session>> {
        let shared = self.running.borrow();
        shared.as_ref()?.sessions.get(u64::try_from(fd).ok()?)
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

    fn send(&self, fd: &Zval, data: &Zval) -> bool {
        let fd = zval_long(fd).unwrap_or(-1);
        let Some(data) = zval_bytes(data) else {
            return false;
        };
        match self.session(fd) {
            Some(s) => report_send(fd, s.send(Outgoing::Raw(Bytes::from(data)))),
            None => {
                warn(&format!("session#{fd} does not exists"));
                false
            }
        }
    }

    fn close(&self, fd: i64) -> bool {
        let Some(s) = self.session(fd) else {
            return false;
        };
        let item = if s.status() == status::ACTIVE {
            Outgoing::Close {
                code: 1000,
                reason: Bytes::new(),
            }
        } else {
            Outgoing::End
        };
        s.send(item).is_ok()
    }

    fn exist(&self, fd: i64) -> bool {
        self.session(fd).is_some_and(|s| !s.is_sealed())
    }

    fn is_established(&self, fd: i64) -> bool {
        self.session(fd)
            .is_some_and(|s| s.status() == status::ACTIVE && !s.is_sealed())
    }

    fn connections(&self) -> Zval {
        let mut arr = ZendHashTable::new();
        if let Some(shared) = self.running.borrow().as_ref() {
            for fd in shared.sessions.fds() {
                let _ = arr.push(fd as i64);
            }
        }
        array_zval(arr)
    }

    fn client_list(&self, start_fd: i64, count: i64) -> Zval {
        let Some(shared) = self.shared() else {
            return bool_zval(false);
        };
        let mut arr = ZendHashTable::new();
        for fd in shared
            .sessions
            .fds()
            .into_iter()
            .filter(|&fd| fd as i64 > start_fd)
            .take(count.max(0) as usize)
        {
            let _ = arr.push(fd as i64);
        }
        array_zval(arr)
    }

    fn connection_info(&self, fd: i64) -> Zval {
        let Some(s) = self.session(fd) else {
            return bool_zval(false);
        };
        let mut info = ZendHashTable::new();
        let ws = s.status();
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
        let _ = info.insert("last_time", long_zval(s.last_recv() as i64));
        let _ = info.insert("last_recv_time", double_zval(s.last_recv()));
        let _ = info.insert("last_send_time", double_zval(s.last_send()));
        let _ = info.insert("last_dispatch_time", double_zval(s.last_recv()));
        let _ = info.insert("close_errno", long_zval(0));
        let _ = info.insert("recv_queued_bytes", long_zval(0));
        let _ = info.insert("send_queued_bytes", long_zval(s.queued_bytes() as i64));
        array_zval(info)
    }

    fn shutdown(&self) -> bool {
        match self.shared() {
            Some(shared) => {
                engine::shutdown(&shared);
                true
            }
            None => false,
        }
    }

    fn stats(&self) -> Zval {
        let mut st = ZendHashTable::new();
        if let Some(shared) = self.shared() {
            use std::sync::atomic::Ordering::Relaxed;
            let _ = st.insert("start_time", long_zval(shared.start_time as i64));
            let _ = st.insert("connection_num", long_zval(shared.sessions.len() as i64));
            let _ = st.insert(
                "abort_count",
                long_zval(shared.stats.rejected_count.load(Relaxed) as i64),
            );
            let _ = st.insert(
                "accept_count",
                long_zval(shared.stats.accept_count.load(Relaxed) as i64),
            );
            let _ = st.insert(
                "close_count",
                long_zval(shared.stats.close_count.load(Relaxed) as i64),
            );
            let _ = st.insert("worker_num", long_zval(1));
            let _ = st.insert("task_worker_num", long_zval(0));
            let requests = self.request_count.get() as i64;
            let _ = st.insert("request_count", long_zval(requests));
            let _ = st.insert(
                "dispatch_count",
                long_zval(self.dispatch_count.get() as i64),
            );
            let _ = st.insert("worker_request_count", long_zval(requests));
            let _ = st.insert("idle_worker_num", long_zval(0));
            let _ = st.insert("coroutine_num", long_zval(0));
        }
        array_zval(st)
    }

    // --- WebSocket ---

    fn push(&self, fd: i64, data: &Zval, opcode: i64, flags: &Zval) -> bool {
        // The old signature took `bool $finish`.
        let flags = if flags.is_bool() {
            if flags.is_true() {
                wire::flags::FIN as i64
            } else {
                0
            }
        } else {
            zval_long(flags).unwrap_or(wire::flags::FIN as i64)
        };
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
        let Some(s) = self.session(fd).filter(|s| s.status() == status::ACTIVE) else {
            if self.stopping() {
                // Shutting down: every connection is closing; nothing to warn about.
            } else if self.session(fd).is_none() {
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
        if s.has_ended() {
            // The client is gone and its onClose is on the way: nothing to send
            // to, and nothing the caller did wrong.
            return false;
        }
        let item = if s.compression() {
            Outgoing::Compressed {
                first,
                payload: Bytes::copy_from_slice(payload),
            }
        } else {
            Outgoing::Raw(self.encode_cached(first, payload))
        };
        report_send(fd, s.send(item))
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

    fn disconnect(&self, fd: i64, code: i64, reason: &Zval) -> bool {
        let reason = zval_bytes(reason).unwrap_or_default();
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
        let Some(s) = self.session(fd).filter(|s| s.status() == status::ACTIVE) else {
            warn(&format!(
                "the connected client of connection[{fd}] is not a websocket client or closed"
            ));
            return false;
        };
        s.send(Outgoing::Close {
            code: code as u16,
            reason: Bytes::from(reason),
        })
        .is_ok()
    }

    fn ping(&self, fd: i64, data: &Zval) -> bool {
        let data = zval_bytes(data).unwrap_or_default();
        if data.len() > wire::MAX_CONTROL_PAYLOAD {
            warn("the max length of ping data is 125");
            return false;
        }
        let Some(s) = self.session(fd).filter(|s| s.status() == status::ACTIVE) else {
            warn(&format!(
                "the connected client of connection[{fd}] is not a websocket client or closed"
            ));
            return false;
        };
        report_send(
            fd,
            s.send(Outgoing::Raw(wire::encode(0x80 | wire::OP_PING, &data))),
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
                host: Option<String>,
                port: Option<&Zval>,
                mode: Option<i64>,
                sock_type: Option<i64>,
            ) -> PhpResult<Self> {
                let zero = long_zval(0);
                let host = host.unwrap_or_else(|| "0.0.0.0".to_string());
                let core = ServerCore::construct(
                    $kind,
                    &host,
                    port.unwrap_or(&zero),
                    mode.unwrap_or(1),
                    sock_type.unwrap_or(1),
                )?;
                Ok($ty { core })
            }

            pub fn on(&self, event_name: String, callback: &Zval) -> bool {
                self.core.on(&event_name, callback)
            }

            #[php(name = "getCallback")]
            pub fn get_callback(&self, event_name: String) -> Zval {
                self.core
                    .callbacks
                    .get(&event_name.to_ascii_lowercase())
                    .map(|cb| cb.zval())
                    .unwrap_or_default()
            }

            pub fn set(&self, settings: &ZendHashTable) -> bool {
                self.core.set(settings)
            }

            pub fn start(self_: &ZendClassObject<$ty>) -> PhpResult<bool> {
                let this = this_object(self_);
                self_.core.start(this)
            }

            pub fn send(&self, fd: &Zval, send_data: &Zval) -> bool {
                self.core.send(fd, send_data)
            }

            #[php(optional = reset)]
            pub fn close(&self, fd: &Zval, reset: Option<bool>) -> bool {
                let _ = reset;
                self.core.close(fd_arg(fd))
            }

            pub fn exist(&self, fd: &Zval) -> bool {
                self.core.exist(fd_arg(fd))
            }

            pub fn exists(&self, fd: &Zval) -> bool {
                self.core.exist(fd_arg(fd))
            }

            #[php(name = "getClientInfo")]
            pub fn get_client_info(&self, fd: &Zval) -> Zval {
                self.core.connection_info(fd_arg(fd))
            }

            #[php(name = "connection_info")]
            pub fn connection_info(&self, fd: &Zval) -> Zval {
                self.core.connection_info(fd_arg(fd))
            }

            #[php(name = "getClientList")]
            #[php(optional = start_fd)]
            pub fn get_client_list(&self, start_fd: Option<i64>, find_count: Option<i64>) -> Zval {
                self.core.client_list(start_fd.unwrap_or(0), find_count.unwrap_or(10))
            }

            #[php(name = "connection_list")]
            #[php(optional = start_fd)]
            pub fn connection_list(&self, start_fd: Option<i64>, find_count: Option<i64>) -> Zval {
                self.core.client_list(start_fd.unwrap_or(0), find_count.unwrap_or(10))
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
            pub fn clear_timer(timer_id: i64) -> bool {
                super::timer::clear(timer_id)
            }

            pub fn shutdown(&self) -> bool {
                self.core.shutdown()
            }

            #[php(optional = worker_id)]
            pub fn stop(&self, worker_id: Option<i64>) -> bool {
                let _ = worker_id;
                self.core.shutdown()
            }

            pub fn stats(&self) -> Zval {
                self.core.stats()
            }

            #[php(name = "getMasterPid")]
            pub fn get_master_pid(&self) -> i64 {
                std::process::id() as i64
            }

            #[php(name = "getManagerPid")]
            pub fn get_manager_pid(&self) -> i64 {
                0
            }

            #[php(name = "getWorkerId")]
            pub fn get_worker_id(&self) -> i64 {
                if self.core.shared().is_some() { 0 } else { -1 }
            }

            #[php(name = "getWorkerPid")]
            pub fn get_worker_pid(&self) -> i64 {
                std::process::id() as i64
            }

            #[php(getter, name = "setting")]
            pub fn get_setting(&self) -> Zval {
                self.core.setting()
            }

            #[php(getter, name = "connections")]
            pub fn get_connections(&self) -> Zval {
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
                std::process::id() as i64
            }

            #[php(getter, name = "worker_id")]
            pub fn get_worker_id_prop(&self) -> i64 {
                if self.core.shared().is_some() { 0 } else { -1 }
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
    pub fn push(&self, fd: &Zval, data: &Zval, opcode: Option<i64>, flags: Option<&Zval>) -> bool {
        let fin = long_zval(1);
        self.core.push(fd_arg(fd), data, opcode.unwrap_or(1), flags.unwrap_or(&fin))
    }

    #[php(optional = code)]
    pub fn disconnect(&self, fd: &Zval, code: Option<i64>, reason: Option<&Zval>) -> bool {
        let empty = Zval::new();
        self.core.disconnect(fd_arg(fd), code.unwrap_or(1000), reason.unwrap_or(&empty))
    }

    #[php(optional = data)]
    pub fn ping(&self, fd: &Zval, data: Option<&Zval>) -> bool {
        let empty = Zval::new();
        self.core.ping(fd_arg(fd), data.unwrap_or(&empty))
    }

    #[php(name = "isEstablished")]
    pub fn is_established(&self, fd: &Zval) -> bool {
        self.core.is_established(fd_arg(fd))
    }

    #[php(optional = opcode)]
    pub fn pack(data: &Zval, opcode: Option<i64>, flags: Option<i64>) -> Binary {
        super::frame::Frame::pack(data, opcode, flags)
    }

    pub fn unpack(data: &Zval) -> Zval {
        super::frame::Frame::unpack(data)
    }
});
