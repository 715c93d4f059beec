//! `Swoole\Coroutine\Http\Client` (class alias `Co\Http\Client`): the
//! WebSocket client. The protocol work is the engine's `client` module; this
//! is the PHP face: settings, properties, and waiting through
//! [`coroutine::wait`](super::coroutine::wait) (a coroutine suspends, in
//! `run()` as in a server callback; anything else blocks with the timeout
//! honoured).
//!
//! Settings (`set()`): `timeout` (seconds; applies to connect, handshake,
//! recv and push unless `connect_timeout`, `read_timeout`, `write_timeout`
//! say otherwise; negative means no limit), `websocket_compression` (offer
//! permessage-deflate), `websocket_mask` (default true),
//! `open_websocket_ping_frame`, `open_websocket_pong_frame`,
//! `open_websocket_close_frame` (default true here: recv() returns those
//! frames; false skips them. Pings are answered with a pong and a server's
//! close is echoed either way), `package_max_length` (largest message, 2 MiB
//! by default). Other keys are kept in `$client->setting` and ignored.
//!
//! Without settings: connect and upgrade time out after 5 s, recv() and
//! push() after 60 s (Swoole's default socket read/write timeout).
//!
//! Errors set `errCode`/`errMsg` and, for upgrade(), `statusCode`:
//!
//! | failure                           | errCode | statusCode        |
//! |-----------------------------------|---------|-------------------|
//! | connection refused                | 111     | -1                |
//! | host does not resolve             | 704     | -1                |
//! | connect/handshake/recv timeout    | 110     | -2 (upgrade only) |
//! | server closed during the handshake| 104     | -3                |
//! | answer is not HTTP                | 7102    | -3                |
//! | answer is not 101 (refused)       | 8504    | the HTTP status   |
//! | 101 with a wrong accept key, ...  | 8504    | 101               |
//! | frame protocol error from server  | 508     | unchanged         |
//! | message over package_max_length   | 1201    | unchanged         |
//! | push/recv without a connection    | 5001    | unchanged         |
//! | ssl requested (not supported)     | 507     | -1                |
//!
//! A refused upgrade also fills `headers` and `body` from the response.
//! recv() returns a Frame (or CloseFrame), `false` on an error or timeout,
//! and `""` once the server has closed the connection (errCode 0 after a
//! close handshake, 104 after a bare disconnect), as Swoole 6.1+ does.

use std::cell::{Cell, RefCell};
use std::os::fd::AsRawFd;
use std::time::Duration;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::builders::{ClassBuilder, ModuleBuilder};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, ZendObject, Zval};
use swoole_rs_engine::client::{self as wc, errcode, ClientError, Settings, WsClient};
use swoole_rs_engine::frame::{self as wire, flags};
use tokio::net::TcpStream;

use super::args::{Bool, Float, Int, Str};
use super::coroutine::wait;
use super::errors::warn;
use super::frame::{new_frame_object, prop, OutFrame};
use super::values::{array_zval, bool_zval, bytes_zval, long_zval, zval_bytes, zval_long};

type Conn = Box<WsClient<TcpStream>>;

/// Connect and upgrade limit without a `timeout` setting.
const DEFAULT_HANDSHAKE_TIMEOUT: f64 = 5.0;
/// recv()/push() limit without a `timeout` setting (Swoole's socket default).
const DEFAULT_IO_TIMEOUT: f64 = 60.0;
/// How long close() waits to hand its close frame over.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// SW_ERROR_OPERATION_NOT_SUPPORT.
const ERR_NOT_SUPPORTED: i64 = 507;
/// SW_ERROR_WEBSOCKET_BAD_OPCODE.
const ERR_BAD_OPCODE: i64 = 8502;
/// SW_ERROR_WEBSOCKET_PACK_FAILED.
const ERR_PACK_FAILED: i64 = 8505;
/// SW_ERROR_CO_HAS_BEEN_BOUND: another coroutine uses the connection.
const ERR_BUSY: i64 = 10002;

/// HTTP client statusCode values for failures without an HTTP status.
const STATUS_CONNECT_FAILED: i64 = -1;
const STATUS_TIMEOUT: i64 = -2;
const STATUS_SERVER_RESET: i64 = -3;

#[derive(Debug, Clone)]
struct Options {
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    read_timeout: Option<f64>,
    write_timeout: Option<f64>,
    compression: bool,
    ws: Settings,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: None,
            connect_timeout: None,
            read_timeout: None,
            write_timeout: None,
            compression: false,
            ws: Settings::default(),
        }
    }
}

/// Seconds to a time limit: negative means none.
fn limit(secs: f64) -> Option<Duration> {
    (secs >= 0.0 && secs.is_finite()).then(|| Duration::from_secs_f64(secs))
}

impl Options {
    /// A specific timeout, else the general `timeout` setting, else the default.
    fn pick(&self, specific: Option<f64>, default: f64) -> Option<Duration> {
        limit(specific.or(self.timeout).unwrap_or(default))
    }

    fn connect(&self) -> Option<Duration> {
        self.pick(self.connect_timeout, DEFAULT_HANDSHAKE_TIMEOUT)
    }

    fn handshake(&self) -> Option<Duration> {
        self.pick(self.read_timeout, DEFAULT_HANDSHAKE_TIMEOUT)
    }

    fn read(&self) -> Option<Duration> {
        self.pick(self.read_timeout, DEFAULT_IO_TIMEOUT)
    }

    fn write(&self) -> Option<Duration> {
        self.pick(self.write_timeout, DEFAULT_IO_TIMEOUT)
    }

    /// One `set()` key; unknown keys change nothing.
    fn apply(&mut self, key: &str, v: &Zval) {
        let seconds = || {
            v.coerce_to_double()
                .filter(|s| !s.is_nan())
                // 0 means "the default", as in Swoole.
                .filter(|s| *s != 0.0)
        };
        match key {
            "timeout" => self.timeout = seconds(),
            "connect_timeout" => self.connect_timeout = seconds(),
            "read_timeout" => self.read_timeout = seconds(),
            "write_timeout" => self.write_timeout = seconds(),
            "websocket_compression" => self.compression = v.coerce_to_bool(),
            "websocket_mask" => self.ws.mask = v.coerce_to_bool(),
            "open_websocket_ping_frame" => self.ws.deliver_ping = v.coerce_to_bool(),
            "open_websocket_pong_frame" => self.ws.deliver_pong = v.coerce_to_bool(),
            "open_websocket_close_frame" => self.ws.deliver_close = v.coerce_to_bool(),
            "package_max_length" => {
                if let Some(n) = zval_long(v).filter(|n| *n > 0) {
                    self.ws.max_message_size = n as usize;
                }
            }
            _ => {}
        }
    }
}

/// Swoole's declared properties (host, port and ssl are getters).
fn client_modifier(b: ClassBuilder) -> ClassBuilder {
    b.property(prop("errCode", || long_zval(0)))
        .property(prop("errMsg", || bytes_zval(b"")))
        .property(prop("connected", || bool_zval(false)))
        .property(prop("setting", Zval::null))
        .property(prop("requestMethod", Zval::null))
        .property(prop("requestHeaders", Zval::null))
        .property(prop("requestBody", Zval::null))
        .property(prop("uploadFiles", Zval::null))
        .property(prop("downloadFile", Zval::null))
        .property(prop("downloadOffset", || long_zval(0)))
        .property(prop("statusCode", || long_zval(0)))
        .property(prop("headers", Zval::null))
        .property(prop("set_cookie_headers", Zval::null))
        .property(prop("cookies", Zval::null))
        .property(prop("body", || bytes_zval(b"")))
}

#[php_class]
#[php(name = "Swoole\\Coroutine\\Http\\Client")]
#[php(modifier = client_modifier)]
pub struct Client {
    host: String,
    port: u16,
    ssl: bool,
    opts: RefCell<Options>,
    /// The upgraded connection; taken out while an operation runs on it.
    conn: RefCell<Option<Conn>>,
    /// An operation is running (possibly in a suspended coroutine).
    busy: Cell<bool>,
    /// Socket fd of the connection, for `$frame->fd`.
    fd: Cell<i64>,
    /// upgrade() succeeded once (push() then no longer says the handshake failed).
    upgraded: Cell<bool>,
    /// The server ended the connection (cleanly?); recv() answers "" once.
    ended: Cell<Option<bool>>,
}

/// The zend object behind `$this`. Methods take `&ZendClassObject` (not
/// `&mut`): a coroutine may suspend inside one while another coroutine calls
/// the same object, so all Rust state is in cells.
fn this(self_: &ZendClassObject<Client>) -> &mut ZendObject {
    // SAFETY: PHP keeps `$this` alive for the call; PHP objects are shared
    // mutable by nature and only this thread touches them.
    unsafe { &mut *std::ptr::addr_of!(self_.std).cast_mut() }
}

fn set(obj: &mut ZendObject, name: &str, value: Zval) {
    let _ = obj.set_property(name, value);
}

fn headers_zval(headers: &[(String, String)]) -> Zval {
    let mut ht = ZendHashTable::new();
    for (k, v) in headers {
        let _ = ht.insert(k.as_str(), bytes_zval(v.as_bytes()));
    }
    array_zval(ht)
}

/// Which step of upgrade() failed.
enum Step {
    Connect,
    Handshake,
}

impl Client {
    fn fail(&self, obj: &mut ZendObject, code: i64, msg: &str) {
        set(obj, "errCode", long_zval(code));
        set(obj, "errMsg", bytes_zval(msg.as_bytes()));
    }

    fn fail_with(&self, obj: &mut ZendObject, e: &ClientError) {
        self.fail(obj, e.code() as i64, &e.to_string());
    }

    /// Takes the connection for an operation; false (with errCode set) when
    /// there is none or another coroutine uses it.
    fn take_conn(&self, obj: &mut ZendObject) -> Option<Conn> {
        if self.busy.get() {
            self.fail(
                obj,
                ERR_BUSY,
                "the connection is in use by another coroutine",
            );
            return None;
        }
        match self.conn.borrow_mut().take() {
            Some(c) => Some(c),
            None => {
                self.fail(
                    obj,
                    errcode::NO_CONNECTION as i64,
                    "connection is not available",
                );
                None
            }
        }
    }

    /// Puts the connection back after an operation, or drops it when over.
    fn put_conn(&self, obj: &mut ZendObject, conn: Conn) {
        if conn.is_closed() {
            self.ended.set(Some(false));
            set(obj, "connected", bool_zval(false));
        } else {
            *self.conn.borrow_mut() = Some(conn);
        }
    }

    /// The connection is gone (error or timeout while writing).
    fn lose_conn(&self, obj: &mut ZendObject) {
        self.conn.borrow_mut().take();
        set(obj, "connected", bool_zval(false));
    }

    fn request_headers(obj: &ZendObject) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Ok(z) = obj.get_property::<&Zval>("requestHeaders") else {
            return out;
        };
        if let Some(ht) = z.dereference().array() {
            for (k, v) in ht.iter() {
                let v = v.dereference();
                if v.is_null() {
                    continue;
                }
                if let Some(b) = zval_bytes(v) {
                    out.push((k.to_string(), String::from_utf8_lossy(&b).into_owned()));
                }
            }
        }
        out
    }

    fn do_upgrade(&self, obj: &mut ZendObject, path: String) -> bool {
        if self.conn.borrow().as_ref().is_some_and(|c| c.is_open()) {
            return true;
        }
        if self.busy.get() {
            self.fail(
                obj,
                ERR_BUSY,
                "the connection is in use by another coroutine",
            );
            return false;
        }
        self.conn.borrow_mut().take();
        self.ended.set(None);
        self.upgraded.set(false);
        set(obj, "errCode", long_zval(0));
        set(obj, "errMsg", bytes_zval(b""));
        set(obj, "statusCode", long_zval(0));
        set(obj, "headers", Zval::null());
        set(obj, "body", bytes_zval(b""));
        set(obj, "connected", bool_zval(false));
        set(obj, "requestMethod", bytes_zval(b"GET"));
        if self.ssl {
            set(obj, "statusCode", long_zval(STATUS_CONNECT_FAILED));
            self.fail(
                obj,
                ERR_NOT_SUPPORTED,
                "SSL is not supported by this client",
            );
            return false;
        }
        let opts = self.opts.borrow().clone();
        let headers = Self::request_headers(obj);
        let host = self.host.clone();
        let port = self.port;
        self.busy.set(true);
        let result = wait(async move {
            let stream = wc::with_timeout(opts.connect(), wc::connect(&host, port))
                .await
                .map_err(|e| (Step::Connect, e))?;
            let key = wc::new_key();
            let host_header = wc::host_header(&host, port, false);
            let req = wc::Request {
                host: &host_header,
                path: &path,
                headers: &headers,
                compression: opts.compression,
                key: &key,
            };
            wc::with_timeout(opts.handshake(), wc::handshake(stream, &req, opts.ws))
                .await
                .map_err(|e| (Step::Handshake, e))
        });
        self.busy.set(false);
        let Some(result) = result else {
            return false;
        };
        match result {
            Ok((conn, resp)) => {
                self.fd.set(conn.get_ref().as_raw_fd() as i64);
                *self.conn.borrow_mut() = Some(Box::new(conn));
                self.upgraded.set(true);
                set(obj, "statusCode", long_zval(resp.status as i64));
                set(obj, "headers", headers_zval(&resp.headers));
                set(obj, "connected", bool_zval(true));
                true
            }
            Err((step, e)) => {
                let status = match (&e, step) {
                    (e, _) if e.response().is_some() => {
                        let resp = e.response().expect("response");
                        set(obj, "headers", headers_zval(&resp.headers));
                        set(obj, "body", bytes_zval(&resp.body));
                        resp.status as i64
                    }
                    (ClientError::Timeout, _) => STATUS_TIMEOUT,
                    (_, Step::Connect) => STATUS_CONNECT_FAILED,
                    (_, Step::Handshake) => STATUS_SERVER_RESET,
                };
                set(obj, "statusCode", long_zval(status));
                self.fail_with(obj, &e);
                false
            }
        }
    }

    fn do_push(&self, obj: &mut ZendObject, frame: OutFrame) -> bool {
        if !wire::is_known_opcode(frame.opcode) {
            warn("opcode must be between 0 and 10");
            self.fail(obj, ERR_BAD_OPCODE, "opcode must be between 0 and 10");
            return false;
        }
        if wire::is_control(frame.opcode) && frame.payload.len() > wire::MAX_CONTROL_PAYLOAD {
            self.fail(
                obj,
                ERR_PACK_FAILED,
                "the payload of a control frame must not exceed 125 bytes",
            );
            return false;
        }
        if self.conn.borrow().is_none() && !self.busy.get() && !self.upgraded.get() {
            let msg = "websocket handshake failed, cannot push data";
            warn(msg);
            self.fail(obj, errcode::HANDSHAKE_FAILED as i64, msg);
            return false;
        }
        let Some(mut conn) = self.take_conn(obj) else {
            return false;
        };
        let timeout = self.opts.borrow().write();
        self.busy.set(true);
        let result = wait(async move {
            let r = wc::with_timeout(
                timeout,
                conn.send(frame.opcode, frame.flags, &frame.payload),
            )
            .await;
            (conn, r)
        });
        self.busy.set(false);
        let Some((conn, r)) = result else {
            return false;
        };
        match r {
            Ok(()) => {
                self.put_conn(obj, conn);
                true
            }
            Err(e) => {
                self.fail_with(obj, &e);
                if conn.is_closed() || !matches!(e, ClientError::Closed { .. }) {
                    // A write that failed or timed out may have left half a frame.
                    drop(conn);
                    self.lose_conn(obj);
                } else {
                    self.put_conn(obj, conn);
                }
                false
            }
        }
    }

    fn do_recv(&self, obj: &mut ZendObject, timeout: f64) -> Zval {
        if self.conn.borrow().is_none() && !self.busy.get() {
            if let Some(clean) = self.ended.take() {
                // The server closed the connection (reported once).
                self.fail_with(obj, &ClientError::Closed { clean });
                return bytes_zval(b"");
            }
        }
        let Some(mut conn) = self.take_conn(obj) else {
            return bool_zval(false);
        };
        let limit = if timeout > 0.0 && timeout.is_finite() {
            Some(Duration::from_secs_f64(timeout))
        } else {
            self.opts.borrow().read()
        };
        self.busy.set(true);
        let result = wait(async move {
            let r = wc::with_timeout(limit, conn.recv()).await;
            (conn, r)
        });
        self.busy.set(false);
        let Some((conn, r)) = result else {
            return bool_zval(false);
        };
        match r {
            Ok(frame) => {
                let fd = self.fd.get();
                if conn.is_closed() {
                    // The close frame: the next recv() reports the end.
                    self.ended.set(Some(true));
                    set(obj, "connected", bool_zval(false));
                    drop(conn);
                } else {
                    self.put_conn(obj, conn);
                }
                new_frame_object(fd.max(0) as u64, &frame)
            }
            Err(ClientError::Timeout) => {
                self.fail_with(obj, &ClientError::Timeout);
                self.put_conn(obj, conn);
                bool_zval(false)
            }
            Err(e @ ClientError::Closed { .. }) => {
                self.fail_with(obj, &e);
                drop(conn);
                self.ended.set(None);
                set(obj, "connected", bool_zval(false));
                bytes_zval(b"")
            }
            Err(e) => {
                self.fail_with(obj, &e);
                drop(conn);
                self.lose_conn(obj);
                bool_zval(false)
            }
        }
    }

    fn do_close(&self, obj: &mut ZendObject, code: u16, reason: Vec<u8>) -> bool {
        self.ended.set(None);
        if self.busy.get() {
            self.fail(
                obj,
                ERR_BUSY,
                "the connection is in use by another coroutine",
            );
            return false;
        }
        let Some(mut conn) = self.conn.borrow_mut().take() else {
            set(obj, "connected", bool_zval(false));
            return false;
        };
        set(obj, "connected", bool_zval(false));
        self.busy.set(true);
        wait(async move {
            let _ = wc::with_timeout(Some(CLOSE_TIMEOUT), conn.close(code, &reason)).await;
        });
        self.busy.set(false);
        true
    }
}

#[php_impl]
impl Client {
    pub fn __construct(host: Str, port: Option<Int>, ssl: Option<Bool>) -> PhpResult<Self> {
        let host = host.lossy();
        if host.is_empty() {
            return Err(PhpException::from_message("host is empty".into()));
        }
        let ssl = ssl.is_some_and(|s| s.0);
        let port = match port.map(|p| p.0) {
            None | Some(0) => {
                if ssl {
                    443
                } else {
                    80
                }
            }
            Some(p) if (1..=65535).contains(&p) => p as u16,
            Some(p) => {
                return Err(PhpException::from_message(format!("port {p} is invalid")));
            }
        };
        Ok(Client {
            host,
            port,
            ssl,
            opts: RefCell::default(),
            conn: RefCell::new(None),
            busy: Cell::new(false),
            fd: Cell::new(-1),
            upgraded: Cell::new(false),
            ended: Cell::new(None),
        })
    }

    #[php(getter, name = "host")]
    pub fn get_host(&self) -> String {
        self.host.clone()
    }

    #[php(getter, name = "port")]
    pub fn get_port(&self) -> i64 {
        self.port as i64
    }

    #[php(getter, name = "ssl")]
    pub fn get_ssl(&self) -> bool {
        self.ssl
    }

    /// Merges `settings` into `$client->setting` and applies them.
    pub fn set(self_: &ZendClassObject<Client>, settings: &ZendHashTable) -> bool {
        let obj = this(self_);
        let mut merged: ZBox<ZendHashTable> = obj
            .get_property::<&Zval>("setting")
            .ok()
            .and_then(|z| z.array().map(|a| a.to_owned()))
            .unwrap_or_else(ZendHashTable::new);
        let mut opts = self_.opts.borrow().clone();
        for (k, v) in settings.iter() {
            let key = k.to_string();
            opts.apply(&key, v.dereference());
            let _ = merged.insert(key.as_str(), v.dereference().shallow_clone());
        }
        if let Some(conn) = self_.conn.borrow_mut().as_mut() {
            conn.set_settings(opts.ws);
        }
        *self_.opts.borrow_mut() = opts;
        set(obj, "setting", array_zval(merged));
        true
    }

    /// Headers for the upgrade request (`$client->requestHeaders`).
    #[php(name = "setHeaders")]
    pub fn set_headers(self_: &ZendClassObject<Client>, headers: &Zval) -> bool {
        let obj = this(self_);
        set(obj, "requestHeaders", headers.dereference().shallow_clone());
        true
    }

    /// Connects and performs the WebSocket handshake.
    pub fn upgrade(self_: &ZendClassObject<Client>, path: Str) -> bool {
        self_.do_upgrade(this(self_), path.lossy())
    }

    /// Sends a string (with `$opcode` and `$flags`) or a Frame object.
    #[php(optional = opcode)]
    pub fn push(
        self_: &ZendClassObject<Client>,
        data: &Zval,
        opcode: Option<Int>,
        flags: Option<Int>,
    ) -> bool {
        let obj = this(self_);
        // The old `bool $finish` converts to these int flags, as in Swoole.
        let fl = flags.map_or(flags::FIN as i64, |f| f.0);
        let opcode = opcode.map_or(wire::OP_TEXT as i64, |o| o.0);
        if !(0..=15).contains(&opcode) {
            warn("opcode must be between 0 and 10");
            self_.fail(obj, ERR_BAD_OPCODE, "opcode must be between 0 and 10");
            return false;
        }
        let Some(frame) = OutFrame::from_args(data, opcode, fl) else {
            warn("data must be a string or a Swoole\\WebSocket\\Frame object");
            self_.fail(
                obj,
                ERR_PACK_FAILED,
                "data must be a string or a Swoole\\WebSocket\\Frame object",
            );
            return false;
        };
        self_.do_push(obj, frame)
    }

    /// The next frame; `$timeout` <= 0 means the configured read timeout.
    #[php(optional = timeout)]
    pub fn recv(self_: &ZendClassObject<Client>, timeout: Option<Float>) -> Zval {
        self_.do_recv(this(self_), timeout.map_or(-1.0, |t| t.0))
    }

    /// Sends a ping frame.
    #[php(optional = data)]
    pub fn ping(self_: &ZendClassObject<Client>, data: Option<Str>) -> bool {
        let payload = data.unwrap_or_default().0;
        let frame = OutFrame {
            opcode: wire::OP_PING,
            flags: flags::FIN,
            payload,
        };
        self_.do_push(this(self_), frame)
    }

    /// Sends a close frame with `$code` and `$reason`, then closes.
    #[php(optional = code)]
    pub fn disconnect(
        self_: &ZendClassObject<Client>,
        code: Option<Int>,
        reason: Option<Str>,
    ) -> bool {
        let reason = reason.unwrap_or_default().0;
        let code = code.map_or(1000, |c| c.0).clamp(0, u16::MAX as i64) as u16;
        self_.do_close(this(self_), code, reason)
    }

    /// Closes the connection (with a 1000 close frame when upgraded).
    pub fn close(self_: &ZendClassObject<Client>) -> bool {
        self_.do_close(this(self_), 1000, Vec::new())
    }

    #[php(name = "getStatusCode")]
    pub fn get_status_code(self_: &ZendClassObject<Client>) -> Zval {
        prop_value(self_, "statusCode")
    }

    #[php(name = "getHeaders")]
    pub fn get_headers(self_: &ZendClassObject<Client>) -> Zval {
        prop_value(self_, "headers")
    }

    #[php(name = "getBody")]
    pub fn get_body(self_: &ZendClassObject<Client>) -> Zval {
        prop_value(self_, "body")
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<Client>()
}

/// A declared property's current value (getStatusCode() and friends).
fn prop_value(self_: &ZendClassObject<Client>, name: &str) -> Zval {
    this(self_)
        .get_property::<&Zval>(name)
        .map(Zval::shallow_clone)
        .unwrap_or_default()
}
