//! WebSocket client side (RFC 6455, RFC 7692): the opening handshake and a
//! frame reader/writer over any async byte stream. No PHP in here: the
//! extension's `Swoole\Coroutine\Http\Client` drives it and turns
//! [`ClientError`]s into `errCode`/`errMsg`.
//!
//! Every async method is cancel-safe as far as the protocol goes: bytes read
//! and bytes still to write live in the [`WsClient`], so dropping a `recv()`
//! on a timeout loses nothing and the next `recv()` carries on. A dropped
//! `send()` may leave half a frame unwritten in the buffer; callers treat a
//! send timeout as the end of the connection.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::bridge::InFrame;
use crate::deflate::{self, DeflateParams, PerMessageDeflate, Role};
use crate::frame::{self, flags};
use crate::handshake::accept_key;
use crate::receiver::{Received, Receiver};

/// Largest response head accepted from a server.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;
/// Most headers a response may carry.
const MAX_RESPONSE_HEADERS: usize = 100;
/// Largest body read from a refused upgrade (kept for `$client->body`).
const MAX_REFUSAL_BODY: usize = 1024 * 1024;
/// Read at least this much at a time.
const READ_CHUNK: usize = 16 * 1024;

/// Error codes as PHP sees them in `$client->errCode`: Linux errno values
/// where Swoole reports a socket error, Swoole's own codes otherwise.
pub mod errcode {
    /// ECONNRESET: the server closed the connection without a close handshake.
    pub const CONNECTION_RESET: i32 = 104;
    /// ETIMEDOUT.
    pub const TIMED_OUT: i32 = 110;
    /// ECONNREFUSED.
    pub const CONNECTION_REFUSED: i32 = 111;
    /// EIO, for socket errors that carry no errno.
    pub const IO: i32 = 5;
    /// SW_ERROR_PROTOCOL_ERROR: the server broke the WebSocket protocol.
    pub const PROTOCOL_ERROR: i32 = 508;
    /// SW_ERROR_DNSLOOKUP_RESOLVE_FAILED.
    pub const DNS_FAILED: i32 = 704;
    /// SW_ERROR_PACKAGE_LENGTH_TOO_LARGE: a message beyond `package_max_length`.
    pub const TOO_LARGE: i32 = 1201;
    /// SW_ERROR_CLIENT_NO_CONNECTION: push/recv without a live connection.
    pub const NO_CONNECTION: i32 = 5001;
    /// SW_ERROR_HTTP_INVALID_PROTOCOL: the upgrade response is not HTTP.
    pub const INVALID_HTTP: i32 = 7102;
    /// SW_ERROR_WEBSOCKET_HANDSHAKE_FAILED: a status other than 101, or a
    /// 101 that does not complete a valid upgrade.
    pub const HANDSHAKE_FAILED: i32 = 8504;
}

/// Why a client operation failed.
#[derive(Debug)]
pub enum ClientError {
    /// A socket error (refused, reset, ...).
    Io(io::Error),
    /// The operation did not finish in time.
    Timeout,
    /// The host name did not resolve.
    Dns(String),
    /// The server answered the upgrade with a status other than 101.
    Refused(Box<Response>),
    /// The answer is not a valid HTTP response head.
    BadHttp(&'static str),
    /// A 101 answer that does not complete the upgrade (the response is kept).
    BadUpgrade(&'static str, Box<Response>),
    /// The server broke the WebSocket protocol; `close_code` was sent to it.
    Protocol {
        close_code: u16,
        reason: &'static str,
    },
    /// The connection is over: `clean` after a close handshake, not after a
    /// bare EOF.
    Closed { clean: bool },
}

impl ClientError {
    /// The `errCode` PHP sees (see [`errcode`]).
    pub fn code(&self) -> i32 {
        match self {
            ClientError::Io(e) => match e.raw_os_error() {
                Some(n) => n,
                None if e.kind() == io::ErrorKind::UnexpectedEof => errcode::CONNECTION_RESET,
                None => errcode::IO,
            },
            ClientError::Timeout => errcode::TIMED_OUT,
            ClientError::Dns(_) => errcode::DNS_FAILED,
            ClientError::Refused(_) | ClientError::BadUpgrade(..) => errcode::HANDSHAKE_FAILED,
            ClientError::BadHttp(_) => errcode::INVALID_HTTP,
            ClientError::Protocol {
                close_code: 1009, ..
            } => errcode::TOO_LARGE,
            ClientError::Protocol { .. } => errcode::PROTOCOL_ERROR,
            ClientError::Closed { clean: true } => 0,
            ClientError::Closed { clean: false } => errcode::CONNECTION_RESET,
        }
    }

    /// The response head, when the server sent one.
    pub fn response(&self) -> Option<&Response> {
        match self {
            ClientError::Refused(r) | ClientError::BadUpgrade(_, r) => Some(r),
            _ => None,
        }
    }
}

/// `strerror()` wording for the errno values a client meets.
fn strerror(errno: i32) -> String {
    match errno {
        errcode::CONNECTION_RESET => "Connection reset by peer".into(),
        errcode::TIMED_OUT => "Connection timed out".into(),
        errcode::CONNECTION_REFUSED => "Connection refused".into(),
        _ => {
            let s = io::Error::from_raw_os_error(errno).to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(e) => match e.raw_os_error() {
                Some(n) => f.write_str(&strerror(n)),
                None if e.kind() == io::ErrorKind::UnexpectedEof => {
                    f.write_str(&strerror(errcode::CONNECTION_RESET))
                }
                None => write!(f, "{e}"),
            },
            ClientError::Timeout => f.write_str(&strerror(errcode::TIMED_OUT)),
            ClientError::Dns(host) => write!(f, "DNS lookup of {host} failed"),
            ClientError::Refused(r) => write!(
                f,
                "WebSocket handshake failed: the server answered {} {}",
                r.status, r.reason
            ),
            ClientError::BadHttp(why) => write!(f, "Invalid HTTP response: {why}"),
            ClientError::BadUpgrade(why, _) => write!(f, "WebSocket handshake failed: {why}"),
            ClientError::Protocol { reason, .. } => write!(f, "WebSocket protocol error: {reason}"),
            ClientError::Closed { clean: true } => Ok(()),
            ClientError::Closed { clean: false } => {
                f.write_str(&strerror(errcode::CONNECTION_RESET))
            }
        }
    }
}

impl std::error::Error for ClientError {}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::TimedOut {
            ClientError::Timeout
        } else {
            ClientError::Io(e)
        }
    }
}

/// Runs `fut` with an optional time limit; `None` waits for ever.
pub async fn with_timeout<T>(
    limit: Option<Duration>,
    fut: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    match limit {
        Some(d) => tokio::time::timeout(d, fut)
            .await
            .unwrap_or(Err(ClientError::Timeout)),
        None => fut.await,
    }
}

/// Resolves `host` and connects to the first address that accepts.
pub async fn connect(host: &str, port: u16) -> Result<TcpStream, ClientError> {
    // An IPv6 literal may come in brackets, as in a URL.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs: Vec<_> = match tokio::net::lookup_host((bare, port)).await {
        Ok(a) => a.collect(),
        Err(_) => return Err(ClientError::Dns(host.to_string())),
    };
    if addrs.is_empty() {
        return Err(ClientError::Dns(host.to_string()));
    }
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(ClientError::from(last.expect("at least one address")))
}

/// What the upgrade request says.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Host header value (see [`host_header`]); a user "Host" header wins.
    pub host: &'a str,
    /// Request target; empty means "/".
    pub path: &'a str,
    /// Extra headers in order. Those the handshake sets itself (Connection,
    /// Upgrade, Sec-WebSocket-*) are left out; a "Host" replaces the default.
    pub headers: &'a [(String, String)],
    /// Offer permessage-deflate.
    pub compression: bool,
    /// Sec-WebSocket-Key (see [`new_key`]).
    pub key: &'a str,
}

/// Headers the handshake owns: user values for them are dropped.
const OWN_HEADERS: &[&str] = &[
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
];

/// The Host header for a server: the port is left out when it is the
/// scheme's default, IPv6 literals get brackets.
pub fn host_header(host: &str, port: u16, tls: bool) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    if port == if tls { 443 } else { 80 } {
        host
    } else {
        format!("{host}:{port}")
    }
}

fn valid_header(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
        && !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)
}

/// The upgrade request bytes. Header names or values that could split the
/// request (CR, LF, separators in a name) are left out.
pub fn build_request(req: &Request<'_>) -> Vec<u8> {
    let path = if req.path.is_empty() { "/" } else { req.path };
    // A path with a line break or a space would smuggle a second request line.
    let path: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_whitespace() || c.is_control() {
                '+'
            } else {
                c
            }
        })
        .collect();
    let mut out = String::with_capacity(256);
    out.push_str("GET ");
    out.push_str(&path);
    out.push_str(" HTTP/1.1\r\n");
    let user_host = req
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("host") && valid_header(k, v));
    out.push_str("Host: ");
    out.push_str(user_host.map_or(req.host, |(_, v)| v.as_str()));
    out.push_str("\r\n");
    out.push_str("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
    out.push_str("Sec-WebSocket-Key: ");
    out.push_str(req.key);
    out.push_str("\r\n");
    if req.compression {
        out.push_str("Sec-WebSocket-Extensions: ");
        out.push_str(deflate::client_offer());
        out.push_str("\r\n");
    }
    for (k, v) in req.headers {
        let lower = k.to_ascii_lowercase();
        if lower == "host" || OWN_HEADERS.contains(&lower.as_str()) || !valid_header(k, v) {
            continue;
        }
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A server's response head (and, for a refused upgrade, its body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Response {
    /// First value of a header; `name` must be lower case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    fn content_length(&self) -> Option<usize> {
        self.header("content-length")?.trim().parse().ok()
    }
}

/// Parses a response head from the start of `buf`: `Ok(None)` while
/// incomplete, else the response and the head's length.
pub fn parse_response(buf: &[u8]) -> Result<Option<(Response, usize)>, ClientError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_RESPONSE_HEAD => {
            return Err(ClientError::BadHttp("response head too large"))
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ClientError::BadHttp("too many headers"))
        }
        Err(_) => return Err(ClientError::BadHttp("malformed response head")),
    };
    Ok(Some((
        Response {
            status: resp.code.unwrap_or(0),
            reason: resp.reason.unwrap_or("").to_string(),
            headers: resp
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
            body: Bytes::new(),
        },
        len,
    )))
}

/// Checks that a response completes the upgrade for `key`; returns the
/// compression agreed, if any.
pub fn check_upgrade(
    resp: &Response,
    key: &str,
    offered_compression: bool,
) -> Result<Option<DeflateParams>, &'static str> {
    if resp.status != 101 {
        return Err("not 101 Switching Protocols");
    }
    if !resp.header_has_token("upgrade", "websocket") {
        return Err("no Upgrade: websocket header");
    }
    if !resp.header_has_token("connection", "upgrade") {
        return Err("no Connection: Upgrade header");
    }
    match resp.header("sec-websocket-accept") {
        Some(v) if v.trim() == accept_key(key) => {}
        Some(_) => return Err("wrong Sec-WebSocket-Accept"),
        None => return Err("no Sec-WebSocket-Accept header"),
    }
    let extensions: Vec<&str> = resp
        .headers
        .iter()
        .filter(|(k, _)| k == "sec-websocket-extensions")
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
        .collect();
    if extensions.is_empty() {
        return Ok(None);
    }
    if !offered_compression {
        return Err("extension agreed without an offer");
    }
    deflate::parse_response(&extensions.join(","))
        .map(Some)
        .map_err(|_| "invalid Sec-WebSocket-Extensions")
}

/// A fresh Sec-WebSocket-Key: 16 random bytes, base64.
pub fn new_key() -> String {
    let mut rng = Rng::new();
    let mut raw = [0u8; 16];
    raw[..8].copy_from_slice(&rng.next().to_le_bytes());
    raw[8..].copy_from_slice(&rng.next().to_le_bytes());
    B64.encode(raw)
}

/// xorshift64* seeded from the process's random hasher keys, the clock and a
/// counter: masking keys and handshake nonces need to be unpredictable to
/// other parties on the path, not cryptographically strong.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        Rng(h.finish() | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Per-connection behaviour.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Largest message accepted (after reassembly and decompression).
    pub max_message_size: usize,
    /// Mask sent frames (RFC 6455 requires it of clients).
    pub mask: bool,
    /// Return ping frames from recv() (they are answered either way).
    pub deliver_ping: bool,
    /// Return pong frames from recv().
    pub deliver_pong: bool,
    /// Return the server's close frame from recv() (it is answered either way).
    pub deliver_close: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_message_size: 2 * 1024 * 1024,
            mask: true,
            deliver_ping: true,
            deliver_pong: true,
            deliver_close: true,
        }
    }
}

/// Opening handshake over a connected stream. On success the connection is
/// ready for frames; the response is the server's 101.
pub async fn handshake<S>(
    mut stream: S,
    req: &Request<'_>,
    settings: Settings,
) -> Result<(WsClient<S>, Response), ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(&build_request(req)).await?;
    stream.flush().await?;
    let mut buf = BytesMut::with_capacity(4096);
    let (mut resp, head_len) = loop {
        if let Some(r) = parse_response(&buf)? {
            break r;
        }
        if stream.read_buf(&mut buf).await? == 0 {
            return Err(if buf.is_empty() {
                ClientError::Closed { clean: false }
            } else {
                ClientError::BadHttp("connection closed inside the response head")
            });
        }
    };
    buf.advance(head_len);
    if resp.status != 101 {
        // Keep a short body for the caller; never wait on one without a length.
        if let Some(len) = resp.content_length().filter(|&n| n <= MAX_REFUSAL_BODY) {
            while buf.len() < len {
                match stream.read_buf(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            buf.truncate(len);
            resp.body = buf.freeze();
        }
        return Err(ClientError::Refused(Box::new(resp)));
    }
    let params = match check_upgrade(&resp, req.key, req.compression) {
        Ok(p) => p,
        Err(why) => return Err(ClientError::BadUpgrade(why, Box::new(resp))),
    };
    let deflate = params.map(|p| PerMessageDeflate::new(p, Role::Client));
    Ok((WsClient::new(stream, buf, deflate, settings), resp))
}

/// An upgraded connection: masked frames out, reassembled messages in.
pub struct WsClient<S> {
    stream: S,
    rbuf: BytesMut,
    /// Bytes queued for writing (frames, automatic pongs, the close reply).
    wbuf: BytesMut,
    /// Frames in, messages out; holds the permessage-deflate context.
    rx: Receiver,
    settings: Settings,
    rng: Rng,
    /// We sent a close frame: no more data goes out.
    close_sent: bool,
    /// The connection is over (close handshake done, EOF, or failed).
    closed: Option<bool>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> WsClient<S> {
    /// Wraps an upgraded stream; `leftover` holds bytes read past the
    /// response head (frames the server sent right away).
    pub fn new(
        stream: S,
        leftover: BytesMut,
        deflate: Option<PerMessageDeflate>,
        settings: Settings,
    ) -> Self {
        WsClient {
            stream,
            rbuf: leftover,
            wbuf: BytesMut::new(),
            rx: Receiver::new(Role::Client, settings.max_message_size, deflate),
            settings,
            rng: Rng::new(),
            close_sent: false,
            closed: None,
        }
    }

    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Whether permessage-deflate was agreed.
    pub fn compression(&self) -> bool {
        self.rx.compression()
    }

    pub fn set_settings(&mut self, settings: Settings) {
        self.rx.set_max_message(settings.max_message_size);
        self.settings = settings;
    }

    /// Whether frames can still be sent.
    pub fn is_open(&self) -> bool {
        self.closed.is_none() && !self.close_sent
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Sends one frame. `fl` holds Swoole's flag bits: FIN, RSV2/RSV3 as
    /// given, COMPRESS (or RSV1) compresses a whole data message when
    /// permessage-deflate was agreed and is ignored otherwise.
    pub async fn send(&mut self, opcode: u8, fl: u8, payload: &[u8]) -> Result<(), ClientError> {
        if let Some(clean) = self.closed {
            return Err(ClientError::Closed { clean });
        }
        if self.close_sent {
            return Err(ClientError::Closed { clean: true });
        }
        let fin = fl & flags::FIN != 0;
        let whole_data = fin && matches!(opcode, frame::OP_TEXT | frame::OP_BINARY);
        let compressed;
        let (rsv1, payload) = match self.rx.deflate_mut() {
            Some(d) if whole_data && fl & (flags::COMPRESS | flags::RSV1) != 0 => {
                let mut out = Vec::with_capacity(payload.len() / 2 + 16);
                d.compress(payload, &mut out);
                compressed = out;
                (true, &compressed[..])
            }
            _ => (false, payload),
        };
        let first = frame::first_byte(
            fin,
            rsv1,
            fl & flags::RSV2 != 0,
            fl & flags::RSV3 != 0,
            opcode,
        );
        self.queue_frame(first, payload);
        if opcode == frame::OP_CLOSE {
            self.close_sent = true;
        }
        self.flush().await
    }

    /// Sends a close frame (once) and writes it out.
    pub async fn send_close(&mut self, code: u16, reason: &[u8]) -> Result<(), ClientError> {
        if self.closed.is_some() || self.close_sent {
            return Ok(());
        }
        let payload = frame::close_payload(code, &reason[..reason.len().min(123)]);
        self.queue_frame(0x80 | frame::OP_CLOSE, &payload);
        self.close_sent = true;
        self.flush().await
    }

    /// Ends the connection from our side: what is queued is written, then
    /// the write half is shut down.
    pub async fn shutdown(&mut self) -> Result<(), ClientError> {
        if self.closed.is_none() {
            self.closed = Some(self.close_sent);
        }
        self.flush().await?;
        self.stream.shutdown().await?;
        Ok(())
    }

    /// The closing handshake from our side (RFC 6455 7.1.2): send a close
    /// frame, read (and drop) whatever comes until the server's close frame,
    /// shut our side down and wait for the server to end the connection.
    /// Reading the server's last bytes matters: a socket closed with unread
    /// input sends a reset, and the peer may lose our close frame to it.
    pub async fn close(&mut self, code: u16, reason: &[u8]) -> Result<(), ClientError> {
        self.send_close(code, reason).await?;
        loop {
            match self.recv().await {
                Ok(_) => {}
                Err(ClientError::Closed { .. }) => break,
                Err(e) => return Err(e),
            }
        }
        self.shutdown().await?;
        let mut scratch = [0u8; 1024];
        while self.stream.read(&mut scratch).await? > 0 {}
        Ok(())
    }

    fn queue_frame(&mut self, first: u8, payload: &[u8]) {
        let mask = self.settings.mask.then(|| {
            let m = self.rng.next() as u32;
            m.to_le_bytes()
        });
        frame::put_frame(&mut self.wbuf, first, payload, mask);
    }

    /// Writes everything queued. Cancel-safe: progress is kept in `wbuf`.
    async fn flush(&mut self) -> Result<(), ClientError> {
        while !self.wbuf.is_empty() {
            let n = self.stream.write(&self.wbuf).await?;
            if n == 0 {
                return Err(ClientError::Io(io::ErrorKind::WriteZero.into()));
            }
            self.wbuf.advance(n);
        }
        self.stream.flush().await?;
        Ok(())
    }

    /// The next message or control frame from the server. Fragmented
    /// messages come back whole, compressed ones inflated; pings are
    /// answered and the server's close is echoed before they are returned.
    /// After the close handshake or an EOF: `Err(Closed)`.
    pub async fn recv(&mut self) -> Result<InFrame, ClientError> {
        loop {
            if let Some(clean) = self.closed {
                // Our close reply (or anything else queued) still goes out.
                let _ = self.flush().await;
                return Err(ClientError::Closed { clean });
            }
            match self.next_frame() {
                Ok(Some(f)) => {
                    if !self.wbuf.is_empty() {
                        // A pong or close reply: out before the frame is handed over.
                        let _ = self.flush().await;
                    }
                    return Ok(f);
                }
                Ok(None) => {}
                Err(e) => {
                    self.fail(&e).await;
                    return Err(e);
                }
            }
            if self.closed.is_some() {
                continue;
            }
            if !self.wbuf.is_empty() {
                self.flush().await?;
            }
            let want = Receiver::bytes_wanted(&self.rbuf);
            self.rbuf.reserve(want.clamp(READ_CHUNK, 4 << 20));
            match self.stream.read_buf(&mut self.rbuf).await {
                Ok(0) => self.closed = Some(false),
                Ok(_) => {}
                Err(e) => {
                    self.closed = Some(false);
                    return Err(e.into());
                }
            }
        }
    }

    /// After a protocol error: send the close code, then give up.
    async fn fail(&mut self, e: &ClientError) {
        if let ClientError::Protocol { close_code, .. } = e {
            if !self.close_sent {
                self.wbuf.clear();
                let payload = close_code.to_be_bytes();
                self.queue_frame(0x80 | frame::OP_CLOSE, &payload);
                self.close_sent = true;
            }
        }
        self.closed = Some(false);
        self.rbuf.clear();
        let _ = self.flush().await;
        let _ = self.stream.shutdown().await;
    }

    /// Handles complete frames in the buffer until one is to be returned.
    fn next_frame(&mut self) -> Result<Option<InFrame>, ClientError> {
        loop {
            let received = match self.rx.next(&mut self.rbuf) {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(None),
                Err(e) => {
                    return Err(ClientError::Protocol {
                        close_code: e.code,
                        reason: e.reason,
                    })
                }
            };
            let out = match received {
                Received::Message(f) => Some(f),
                Received::Ping(f) => {
                    if !self.close_sent {
                        self.queue_frame(0x80 | frame::OP_PONG, &f.data);
                    }
                    self.settings.deliver_ping.then_some(f)
                }
                Received::Pong(f) => self.settings.deliver_pong.then_some(f),
                Received::Close { frame: f, payload } => {
                    if !self.close_sent {
                        // Echo code and reason (RFC 6455 5.5.1), then we are done.
                        self.queue_frame(0x80 | frame::OP_CLOSE, &payload);
                        self.close_sent = true;
                    }
                    self.closed = Some(true);
                    self.rbuf.clear();
                    self.settings.deliver_close.then_some(f)
                }
            };
            if out.is_some() || self.closed.is_some() {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode;
    use tokio::io::{duplex, DuplexStream};

    fn text(b: &[u8]) -> String {
        String::from_utf8(b.to_vec()).unwrap()
    }

    fn req<'a>(headers: &'a [(String, String)], compression: bool) -> Request<'a> {
        Request {
            host: "127.0.0.1:9501",
            path: "/chat?x=1",
            headers,
            compression,
            key: "dGhlIHNhbXBsZSBub25jZQ==",
        }
    }

    #[test]
    fn client_request_bytes() {
        let headers = vec![
            ("X-Token".to_string(), "abc".to_string()),
            ("Upgrade".to_string(), "h2c".to_string()),
            ("Sec-WebSocket-Key".to_string(), "mine".to_string()),
            ("Bad\r\nName".to_string(), "x".to_string()),
            ("X-Split".to_string(), "a\r\nEvil: 1".to_string()),
            ("Origin".to_string(), "http://example.com".to_string()),
        ];
        let out = text(&build_request(&req(&headers, false)));
        assert_eq!(
            out,
            "GET /chat?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9501\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             X-Token: abc\r\nOrigin: http://example.com\r\n\r\n"
        );
        // The request parses as an upgrade our own server accepts.
        let (parsed, len) = crate::http::parse_head(out.as_bytes(), 8192)
            .unwrap()
            .unwrap();
        assert_eq!(len, out.len());
        assert!(parsed.is_websocket_upgrade());
        assert_eq!(crate::handshake::validate(&parsed), Ok(()));
    }

    #[test]
    fn client_request_host_path_and_offer() {
        let headers = vec![("host".to_string(), "example.com".to_string())];
        let mut r = req(&headers, true);
        r.path = "";
        let out = text(&build_request(&r));
        assert!(
            out.starts_with("GET / HTTP/1.1\r\nHost: example.com\r\n"),
            "{out}"
        );
        assert!(out.contains(
            "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        ));
        assert_eq!(out.matches("ost: ").count(), 1);
        r.path = "/a b\r\nX: y";
        assert!(text(&build_request(&r)).starts_with("GET /a+b++X:+y HTTP/1.1\r\n"));

        assert_eq!(host_header("127.0.0.1", 80, false), "127.0.0.1");
        assert_eq!(host_header("127.0.0.1", 9501, false), "127.0.0.1:9501");
        assert_eq!(host_header("example.com", 443, true), "example.com");
        assert_eq!(host_header("::1", 9501, false), "[::1]:9501");
    }

    #[test]
    fn client_keys_are_fresh() {
        let a = new_key();
        let b = new_key();
        assert_ne!(a, b);
        assert_eq!(B64.decode(&a).unwrap().len(), 16);
    }

    fn response(extra: &str) -> String {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n{extra}\r\n"
        )
    }

    fn check(raw: &str, offered: bool) -> Result<Option<DeflateParams>, &'static str> {
        let (resp, len) = parse_response(raw.as_bytes()).unwrap().unwrap();
        assert_eq!(len, raw.len());
        check_upgrade(&resp, "dGhlIHNhbXBsZSBub25jZQ==", offered)
    }

    #[test]
    fn client_response_validation() {
        assert_eq!(check(&response(""), false), Ok(None));
        assert_eq!(check(&response(""), true), Ok(None));
        let agreed = check(
            &response(
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n",
            ),
            true,
        )
        .unwrap()
        .unwrap();
        assert_eq!(agreed, DeflateParams::default());
        // What Swoole's server answers.
        let swoole = check(
            &response(
                "Sec-Websocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n",
            ),
            true,
        )
        .unwrap()
        .unwrap();
        assert!(swoole.client_no_context_takeover && swoole.server_no_context_takeover);
        assert_eq!(
            check(
                &response("Sec-WebSocket-Extensions: permessage-deflate\r\n"),
                false
            ),
            Err("extension agreed without an offer")
        );
        assert_eq!(
            check(
                &response("Sec-WebSocket-Extensions: x-webkit-deflate\r\n"),
                true
            ),
            Err("invalid Sec-WebSocket-Extensions")
        );
        let wrong = response("").replace("s3pP", "AAAA");
        assert_eq!(check(&wrong, false), Err("wrong Sec-WebSocket-Accept"));
        let no_upgrade = response("").replace("Upgrade: websocket\r\n", "");
        assert_eq!(
            check(&no_upgrade, false),
            Err("no Upgrade: websocket header")
        );
        let no_conn = response("").replace("Connection: Upgrade\r\n", "");
        assert_eq!(check(&no_conn, false), Err("no Connection: Upgrade header"));
        let refused = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(check(refused, false), Err("not 101 Switching Protocols"));
    }

    #[test]
    fn client_response_parsing() {
        assert!(parse_response(b"HTTP/1.1 101 Swi").unwrap().is_none());
        assert!(matches!(
            parse_response(b"garbage\r\n\r\n"),
            Err(ClientError::BadHttp(_))
        ));
        let big = format!(
            "HTTP/1.1 101 OK\r\nX: {}",
            "a".repeat(MAX_RESPONSE_HEAD + 1)
        );
        assert!(matches!(
            parse_response(big.as_bytes()),
            Err(ClientError::BadHttp(_))
        ));
        let (r, n) = parse_response(b"HTTP/1.1 403 Forbidden\r\nX-A: 1\r\n\r\nbody")
            .unwrap()
            .unwrap();
        assert_eq!((r.status, r.reason.as_str(), n), (403, "Forbidden", 34));
        assert_eq!(r.header("x-a"), Some("1"));
    }

    #[test]
    fn client_error_codes() {
        let refused = ClientError::Io(io::Error::from_raw_os_error(111));
        assert_eq!(
            (refused.code(), refused.to_string().as_str()),
            (111, "Connection refused")
        );
        let t = ClientError::Timeout;
        assert_eq!(
            (t.code(), t.to_string().as_str()),
            (110, "Connection timed out")
        );
        let reset = ClientError::Closed { clean: false };
        assert_eq!(reset.code(), 104);
        assert_eq!(ClientError::Closed { clean: true }.code(), 0);
        let r = ClientError::Refused(Box::new(Response {
            status: 403,
            reason: "Forbidden".into(),
            ..Default::default()
        }));
        assert_eq!(r.code(), 8504);
        assert_eq!(
            r.to_string(),
            "WebSocket handshake failed: the server answered 403 Forbidden"
        );
        assert_eq!(r.response().unwrap().status, 403);
        let big = ClientError::Protocol {
            close_code: 1009,
            reason: "message too big",
        };
        assert_eq!(big.code(), 1201);
    }

    /// A server end: reads the request, answers with `answer(key)`.
    async fn fake_server(
        mut s: DuplexStream,
        answer: impl FnOnce(&str) -> Vec<u8>,
    ) -> DuplexStream {
        let mut buf = BytesMut::new();
        let req = loop {
            s.read_buf(&mut buf).await.unwrap();
            if let Some((req, _)) = crate::http::parse_head(&buf, 8192).unwrap() {
                break req;
            }
        };
        let key = req.header("sec-websocket-key").unwrap().to_string();
        s.write_all(&answer(&key)).await.unwrap();
        s
    }

    fn accept_answer(key: &str, extra: &str, frames: &[u8]) -> Vec<u8> {
        let mut v = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
            accept_key(key)
        )
        .into_bytes();
        v.extend_from_slice(frames);
        v
    }

    async fn read_frame(s: &mut DuplexStream, buf: &mut BytesMut) -> (u8, Vec<u8>) {
        loop {
            if let Some(h) = frame::parse_head(buf) {
                let total = h.frame_len().unwrap();
                if buf.len() >= total {
                    let raw = buf.split_to(total);
                    let mut p = raw[h.header_len..].to_vec();
                    frame::apply_mask(&mut p, h.mask.expect("client frames are masked"), 0);
                    return (raw[0], p);
                }
            }
            assert!(s.read_buf(buf).await.unwrap() > 0, "EOF");
        }
    }

    #[tokio::test]
    async fn client_session_over_duplex() {
        let (a, b) = duplex(1 << 20);
        // The server sends a frame in the same write as its 101.
        let server = tokio::spawn(fake_server(b, |key| {
            accept_answer(key, "", &encode(0x81, b"welcome"))
        }));
        let headers = Vec::new();
        let key = new_key();
        let mut r = req(&headers, false);
        r.key = &key;
        let (mut c, resp) = handshake(a, &r, Settings::default()).await.unwrap();
        assert_eq!(resp.status, 101);
        let mut s = server.await.unwrap();
        let f = c.recv().await.unwrap();
        assert_eq!(
            (f.opcode, &f.data[..], f.flags),
            (1, &b"welcome"[..], flags::FIN)
        );

        // Masked frames out.
        c.send(frame::OP_TEXT, flags::FIN, b"hello").await.unwrap();
        let mut sbuf = BytesMut::new();
        assert_eq!(
            read_frame(&mut s, &mut sbuf).await,
            (0x81, b"hello".to_vec())
        );
        // COMPRESS without negotiation: sent plain.
        c.send(frame::OP_BINARY, flags::FIN | flags::COMPRESS, b"x")
            .await
            .unwrap();
        assert_eq!(read_frame(&mut s, &mut sbuf).await, (0x82, b"x".to_vec()));

        // A fragmented message with a ping in the middle: the ping comes
        // back first (and is answered), then the whole message.
        let mut out = Vec::new();
        out.extend_from_slice(&encode(0x01, b"frag"));
        out.extend_from_slice(&encode(0x89, b"hb"));
        out.extend_from_slice(&encode(0x00, b"men"));
        out.extend_from_slice(&encode(0x80, b"ted"));
        out.extend_from_slice(&encode(0x8A, b"p"));
        s.write_all(&out).await.unwrap();
        let ping = c.recv().await.unwrap();
        assert_eq!((ping.opcode, &ping.data[..]), (9, &b"hb"[..]));
        assert_eq!(read_frame(&mut s, &mut sbuf).await, (0x8A, b"hb".to_vec()));
        let msg = c.recv().await.unwrap();
        assert_eq!(
            (msg.opcode, &msg.data[..], msg.flags),
            (1, &b"fragmented"[..], flags::FIN)
        );
        let pong = c.recv().await.unwrap();
        assert_eq!((pong.opcode, &pong.data[..]), (10, &b"p"[..]));

        // A timeout in the middle of a frame loses nothing.
        let big = vec![7u8; 300_000];
        let enc = encode(0x82, &big);
        s.write_all(&enc[..1000]).await.unwrap();
        let t = with_timeout(Some(Duration::from_millis(50)), c.recv()).await;
        assert!(matches!(t, Err(ClientError::Timeout)));
        s.write_all(&enc[1000..]).await.unwrap();
        assert_eq!(c.recv().await.unwrap().data.len(), big.len());

        // The server's close is echoed and returned, then the connection is over.
        s.write_all(&encode(0x88, &frame::close_payload(4000, b"bye")))
            .await
            .unwrap();
        let close = c.recv().await.unwrap();
        assert_eq!(close.close, Some((4000, Bytes::from_static(b"bye"))));
        assert_eq!(
            read_frame(&mut s, &mut sbuf).await,
            (0x88, frame::close_payload(4000, b"bye"))
        );
        assert!(matches!(
            c.recv().await,
            Err(ClientError::Closed { clean: true })
        ));
        assert!(matches!(
            c.send(1, flags::FIN, b"late").await,
            Err(ClientError::Closed { clean: true })
        ));
    }

    #[tokio::test]
    async fn client_close_waits_for_the_server() {
        let (a, b) = duplex(1 << 16);
        let server = tokio::spawn(fake_server(b, |key| accept_answer(key, "", b"")));
        let headers = Vec::new();
        let (mut c, _) = handshake(a, &req(&headers, false), Settings::default())
            .await
            .unwrap();
        let mut s = server.await.unwrap();
        let peer = tokio::spawn(async move {
            // A late message, then the close reply once the client's close is in.
            s.write_all(&encode(0x81, b"late")).await.unwrap();
            let mut sbuf = BytesMut::new();
            let got = read_frame(&mut s, &mut sbuf).await;
            s.write_all(&encode(0x88, &got.1)).await.unwrap();
            drop(s);
            got
        });
        c.close(4001, b"done").await.unwrap();
        let mut expect = 4001u16.to_be_bytes().to_vec();
        expect.extend_from_slice(b"done");
        assert_eq!(peer.await.unwrap(), (0x88, expect));
        assert!(c.is_closed());
        assert!(matches!(
            c.recv().await,
            Err(ClientError::Closed { clean: true })
        ));
    }

    #[tokio::test]
    async fn client_refusal_keeps_status_and_body() {
        let (a, b) = duplex(1 << 16);
        let server = tokio::spawn(fake_server(b, |_| {
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nX-Why: nope\r\n\r\ndeny".to_vec()
        }));
        let headers = Vec::new();
        let err = match handshake(a, &req(&headers, false), Settings::default()).await {
            Err(e) => e,
            Ok(_) => panic!("upgrade accepted"),
        };
        let _s = server.await.unwrap();
        let resp = err.response().unwrap();
        assert_eq!((resp.status, &resp.body[..]), (403, &b"deny"[..]));
        assert_eq!(resp.header("x-why"), Some("nope"));
        assert_eq!(err.code(), errcode::HANDSHAKE_FAILED);
    }

    #[tokio::test]
    async fn client_rejects_bad_accept_and_garbage() {
        let (a, b) = duplex(1 << 16);
        let server = tokio::spawn(fake_server(b, |_| accept_answer("other", "", b"")));
        let headers = Vec::new();
        let err = handshake(a, &req(&headers, false), Settings::default())
            .await
            .err()
            .unwrap();
        let _s = server.await.unwrap();
        assert!(matches!(
            err,
            ClientError::BadUpgrade("wrong Sec-WebSocket-Accept", _)
        ));

        let (a, b) = duplex(1 << 16);
        let server = tokio::spawn(fake_server(b, |_| b"SSH-2.0-OpenSSH\r\n\r\n".to_vec()));
        let err = handshake(a, &req(&headers, false), Settings::default())
            .await
            .err()
            .unwrap();
        let _s = server.await.unwrap();
        assert_eq!(err.code(), errcode::INVALID_HTTP);

        // EOF before any answer.
        let (a, b) = duplex(1 << 16);
        let server = tokio::spawn(async move {
            let mut b = b;
            let mut buf = [0u8; 1024];
            let _ = b.read(&mut buf).await;
            drop(b);
        });
        let err = handshake(a, &req(&headers, false), Settings::default())
            .await
            .err()
            .unwrap();
        server.await.unwrap();
        assert_eq!(err.code(), errcode::CONNECTION_RESET);
    }

    #[tokio::test]
    async fn client_protocol_errors_close_with_a_code() {
        for (bytes, code) in [
            (vec![0x81, 0x81, 1, 2, 3, 4, b'x'], 1002u16), // masked
            (vec![0x83, 0x00], 1002),                      // unknown opcode
            (vec![0x80, 0x00], 1002),                      // continuation, no message
            (vec![0xC1, 0x01, 0x00], 1002),                // RSV1 without deflate
            (vec![0x81, 0x7F, 0, 0, 0, 0, 0, 0x40, 0, 0], 1009), // 4 MiB > 2 MiB
        ] {
            let (a, b) = duplex(1 << 16);
            let frames = bytes.clone();
            let server = tokio::spawn(fake_server(b, move |key| accept_answer(key, "", &frames)));
            let headers = Vec::new();
            let (mut c, _) = handshake(a, &req(&headers, false), Settings::default())
                .await
                .unwrap();
            let mut s = server.await.unwrap();
            let err = c.recv().await.err().unwrap();
            assert!(
                matches!(err, ClientError::Protocol { close_code, .. } if close_code == code),
                "{bytes:?}: {err:?}"
            );
            let mut sbuf = BytesMut::new();
            assert_eq!(
                read_frame(&mut s, &mut sbuf).await,
                (0x88, code.to_be_bytes().to_vec())
            );
            assert!(c.is_closed());
        }
    }

    #[tokio::test]
    async fn client_compression_both_ways() {
        let (a, b) = duplex(1 << 20);
        let server = tokio::spawn(fake_server(b, |key| {
            accept_answer(
                key,
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n",
                b"",
            )
        }));
        let headers = Vec::new();
        let (mut c, _) = handshake(a, &req(&headers, true), Settings::default())
            .await
            .unwrap();
        assert!(c.compression());
        let mut s = server.await.unwrap();
        let mut peer = PerMessageDeflate::new(DeflateParams::default(), Role::Server);

        let msg = "Hello Swoole ".repeat(100);
        c.send(frame::OP_TEXT, flags::FIN | flags::COMPRESS, msg.as_bytes())
            .await
            .unwrap();
        let mut sbuf = BytesMut::new();
        let (first, payload) = read_frame(&mut s, &mut sbuf).await;
        assert_eq!(first, 0xC1);
        assert!(payload.len() < msg.len());
        let mut plain = Vec::new();
        peer.decompress(&payload, usize::MAX, &mut plain).unwrap();
        assert_eq!(plain, msg.as_bytes());

        // Swoole's compressed "Hello Swoole", then a compressed fragmented message.
        let swoole = [
            0xc1, 0x0e, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x08, 0x2e, 0xcf, 0xcf, 0xcf, 0x49,
            0x05, 0x00,
        ];
        s.write_all(&swoole).await.unwrap();
        let f = c.recv().await.unwrap();
        assert_eq!(&f.data[..], b"Hello Swoole");
        assert_eq!(f.flags, flags::FIN | flags::COMPRESS | flags::RSV1);

        let mut z = Vec::new();
        PerMessageDeflate::new(DeflateParams::default(), Role::Server)
            .compress(&[b'z'; 5000], &mut z);
        let (x, y) = z.split_at(z.len() / 2);
        let mut out = encode(0x42, x).to_vec();
        out.extend_from_slice(&encode(0x80, y));
        s.write_all(&out).await.unwrap();
        let f = c.recv().await.unwrap();
        assert_eq!((f.opcode, f.data.len()), (2, 5000));

        // A bomb beyond max_message_size.
        c.set_settings(Settings {
            max_message_size: 1000,
            ..Settings::default()
        });
        let mut z = Vec::new();
        PerMessageDeflate::new(DeflateParams::default(), Role::Server)
            .compress(&[0u8; 100_000], &mut z);
        s.write_all(&encode(0xC2, &z)).await.unwrap();
        let err = c.recv().await.err().unwrap();
        assert_eq!(err.code(), errcode::TOO_LARGE);
    }

    /// What Autobahn 13.2/13.5/13.6 negotiate (kosoku's server mode only runs
    /// them for a client that offers client_no_context_takeover, which this
    /// client does not): the server asks for client_no_context_takeover and a
    /// 9-bit client window; the client compresses every message on its own
    /// (the same message twice gives the same bytes, each inflatable alone) and
    /// inflates the server's messages with context.
    #[tokio::test]
    async fn client_honours_no_context_takeover_and_window_bits() {
        let (a, b) = duplex(1 << 20);
        let server = tokio::spawn(fake_server(b, |key| {
            accept_answer(
                key,
                "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; \
                 client_max_window_bits=9\r\n",
                b"",
            )
        }));
        let headers = Vec::new();
        let (mut c, _) = handshake(a, &req(&headers, true), Settings::default())
            .await
            .unwrap();
        let mut s = server.await.unwrap();
        let params = DeflateParams {
            client_no_context_takeover: true,
            client_max_window_bits: 9,
            ..DeflateParams::default()
        };
        let msg = "{\"id\":1,\"name\":\"κόσμε\",\"tags\":[\"a\",\"b\"]}".repeat(50);
        let mut sbuf = BytesMut::new();
        let mut sent = Vec::new();
        for _ in 0..2 {
            c.send(frame::OP_TEXT, flags::FIN | flags::COMPRESS, msg.as_bytes())
                .await
                .unwrap();
            let (first, payload) = read_frame(&mut s, &mut sbuf).await;
            assert_eq!(first, 0xC1);
            let mut fresh = PerMessageDeflate::new(params, Role::Server);
            let mut plain = Vec::new();
            fresh.decompress(&payload, usize::MAX, &mut plain).unwrap();
            assert_eq!(plain, msg.as_bytes());
            sent.push(payload);
        }
        assert_eq!(sent[0], sent[1], "context carried over between messages");

        // The server keeps its context: its second message refers to the first.
        let mut ours = PerMessageDeflate::new(params, Role::Server);
        for _ in 0..2 {
            let mut z = Vec::new();
            ours.compress(msg.as_bytes(), &mut z);
            s.write_all(&encode(0xC1, &z)).await.unwrap();
            let f = c.recv().await.unwrap();
            assert_eq!(&f.data[..], msg.as_bytes());
        }
    }

    #[tokio::test]
    async fn client_against_engine_server() {
        use crate::bridge::Event;
        use crate::config::ServerConfig;
        use crate::server::Engine;
        use crate::session::Outgoing;

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = ServerConfig {
            websocket_compression: true,
            ..Default::default()
        };
        let engine = tokio::task::spawn_blocking(move || Engine::start(listener, config, false))
            .await
            .unwrap()
            .unwrap();
        let shared = engine.shared().clone();

        let stream = connect("127.0.0.1", port).await.unwrap();
        let headers = vec![("X-Test".to_string(), "1".to_string())];
        let key = new_key();
        let host = host_header("127.0.0.1", port, false);
        let r = Request {
            host: &host,
            path: "/echo",
            headers: &headers,
            compression: true,
            key: &key,
        };
        let (mut c, resp) = handshake(stream, &r, Settings::default()).await.unwrap();
        assert!(c.compression(), "{:?}", resp.headers);

        c.send(frame::OP_TEXT, flags::FIN | flags::COMPRESS, b"hi engine")
            .await
            .unwrap();
        // Echo what the server got, from a helper thread reading the events.
        let ev = shared.clone();
        let fd = tokio::task::spawn_blocking(move || {
            let mut q = std::collections::VecDeque::new();
            loop {
                ev.events.drain_into(&mut q, Some(Duration::from_secs(5)));
                while let Some(e) = q.pop_front() {
                    if let Event::Message { fd, frame } = e {
                        assert_eq!(&frame.data[..], b"hi engine");
                        return fd;
                    }
                }
            }
        })
        .await
        .unwrap();
        let session = shared.sessions.get(fd).unwrap();
        session
            .send(Outgoing::Compressed {
                first: 0x81,
                payload: Bytes::from_static(b"hello client"),
            })
            .unwrap();
        let f = c.recv().await.unwrap();
        assert_eq!(&f.data[..], b"hello client");
        assert_ne!(f.flags & flags::COMPRESS, 0);

        c.send_close(1000, b"").await.unwrap();
        let close = c.recv().await.unwrap();
        assert_eq!(close.close.map(|c| c.0), Some(1000));
        drop(c);
        tokio::task::spawn_blocking(move || drop(engine))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn client_connect_refused() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = connect("127.0.0.1", port).await.err().unwrap();
        assert_eq!(err.code(), errcode::CONNECTION_REFUSED);
        let err = connect("no-such-host.invalid", 80).await.err().unwrap();
        assert_eq!(err.code(), errcode::DNS_FAILED);
    }
}
