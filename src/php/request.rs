//! `Swoole\Http\Request` and `Swoole\Http\Response`.

use std::cell::RefCell;
use std::sync::Arc;

use bytes::Bytes;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::builders::{ClassBuilder, ClassProperty};
use ext_php_rs::convert::IntoZval;
use ext_php_rs::flags::PropertyFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, ZendObject, Zval};
use swoole_rs_engine::deflate::{self, DeflateParams};
use swoole_rs_engine::handshake;
use swoole_rs_engine::http::{self, HttpRequest};
use swoole_rs_engine::session::Outgoing;
use swoole_rs_engine::workers::node::Node;

use super::args::{Bool, Int, Str};
use super::cookie::{set_cookie_value, CookieArgs};
use super::errors::warn;
use super::frame::Binary;
use super::upload::{self, Uploads};
use super::values::{
    array_zval, bytes_zval, double_zval, long_zval, parse_cookies, parse_query, zval_bytes,
};

fn null_prop(name: &str) -> ClassProperty {
    ClassProperty {
        name: name.into(),
        flags: PropertyFlags::Public,
        default: None,
        docs: &[],
        ty: None,
        nullable: true,
        readonly: false,
        default_stub: None,
    }
}

fn request_modifier(b: ClassBuilder) -> ClassBuilder {
    let mut b = b.property(ClassProperty {
        default: Some(Box::new(|| Ok(long_zval(0)))),
        ..null_prop("fd")
    });
    b = b.property(ClassProperty {
        default: Some(Box::new(|| Ok(long_zval(0)))),
        ..null_prop("streamId")
    });
    for name in [
        "header", "server", "cookie", "get", "files", "post", "tmpfiles",
    ] {
        b = b.property(null_prop(name));
    }
    b
}

#[php_class]
#[php(name = "Swoole\\Http\\Request")]
#[php(modifier = request_modifier)]
pub struct Request {
    inner: Option<Arc<HttpRequest>>,
    /// Uploaded files, removed with the request object.
    _uploads: Uploads,
}

#[php_impl]
impl Request {
    pub fn __construct() -> Self {
        Request {
            inner: None,
            _uploads: Uploads::default(),
        }
    }

    pub fn get_content(&self) -> Option<Binary> {
        self.inner.as_ref().map(|r| Binary(r.body.to_vec()))
    }

    pub fn raw_content(&self) -> Option<Binary> {
        self.get_content()
    }

    pub fn get_method(&self) -> Option<String> {
        self.inner.as_ref().map(|r| r.method.clone())
    }

    /// The whole request as received: head and body.
    pub fn get_data(&self) -> Option<Binary> {
        self.inner.as_ref().map(|r| {
            let mut s = format!("{} {} {}\r\n", r.method, r.uri, r.protocol).into_bytes();
            for (k, v) in &r.headers {
                s.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
            }
            s.extend_from_slice(b"\r\n");
            s.extend_from_slice(&r.body);
            Binary(s)
        })
    }

    pub fn is_completed(&self) -> bool {
        self.inner.is_some()
    }
}

/// Builds the Request object for a callback.
pub fn new_request_object(fd: u64, req: &Arc<HttpRequest>) -> Zval {
    let multipart = req
        .header("content-type")
        .filter(|t| t.to_ascii_lowercase().starts_with("multipart/form-data"))
        .and_then(upload::boundary)
        .and_then(|b| upload::parse(req.body.clone(), &b));
    let (form, uploads) = match multipart {
        Some((post, files, uploads)) => (Some((post, files)), uploads),
        None => (None, Uploads::default()),
    };
    let mut obj = ZendObject::from_class_object(ZendClassObject::new(Request {
        inner: Some(req.clone()),
        _uploads: uploads,
    }));
    if let Some((post, files)) = form {
        let _ = obj.set_property("post", array_zval(post));
        let _ = obj.set_property("files", array_zval(files));
    }
    let _ = obj.set_property("fd", long_zval(fd as i64));

    let mut header = ZendHashTable::new();
    for (k, v) in &req.headers {
        let _ = header.insert(k.as_str(), bytes_zval(v.as_bytes()));
    }
    let _ = obj.set_property("header", array_zval(header));

    let mut server = ZendHashTable::new();
    let time = req.time;
    let _ = server.insert("request_method", req.method.as_str());
    let _ = server.insert("request_uri", req.path.as_str());
    let _ = server.insert("path_info", req.path.as_str());
    if let Some(q) = &req.query {
        let _ = server.insert("query_string", q.as_str());
    }
    let _ = server.insert("request_time", long_zval(time as i64));
    let _ = server.insert("request_time_float", double_zval(time));
    let _ = server.insert("server_protocol", req.protocol.as_str());
    if let Some(local) = req.local {
        let _ = server.insert("server_port", long_zval(local.port() as i64));
    }
    if let Some(peer) = req.peer {
        let _ = server.insert("remote_port", long_zval(peer.port() as i64));
    }
    if let Some(local) = req.local {
        let _ = server.insert("server_addr", local.ip().to_string());
    }
    if let Some(peer) = req.peer {
        let _ = server.insert("remote_addr", peer.ip().to_string());
    }
    let _ = server.insert("master_time", long_zval(time as i64));
    let _ = obj.set_property("server", array_zval(server));

    if let Some(q) = req.query.as_deref().filter(|q| !q.is_empty()) {
        let _ = obj.set_property("get", array_zval(parse_query(q)));
    }
    if let Some(c) = req.header("cookie") {
        let _ = obj.set_property("cookie", array_zval(parse_cookies(c)));
    }
    let is_form = req.header("content-type").is_some_and(|t| {
        t.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    if is_form && !req.body.is_empty() {
        let body = String::from_utf8_lossy(&req.body);
        let _ = obj.set_property("post", array_zval(parse_query(&body)));
    }
    obj.into_zval(false).unwrap_or_default()
}

/// What a Response answers: a plain request, or a handshake (onHandShake).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResponseKind {
    Http { keep_alive: bool },
    Handshake,
}

#[derive(Default)]
struct ResponseState {
    status: u16,
    reason: Option<String>,
    headers: Vec<(String, String)>,
    /// Set-Cookie values, one header each, after the other headers.
    cookies: Vec<String>,
    /// Head sent by write() (chunked); only chunks follow.
    head_sent: bool,
    ended: bool,
}

#[php_class]
#[php(name = "Swoole\\Http\\Response")]
pub struct Response {
    #[php(prop)]
    fd: i64,
    target: Option<(Arc<Node>, ResponseKind)>,
    /// Sec-WebSocket-Accept for the request, when answering a handshake.
    accept: Option<String>,
    /// permessage-deflate as agreed with the client's offer (parameters and
    /// the response header value), when answering a handshake with
    /// websocket_compression on.
    deflate: Option<(DeflateParams, String)>,
    state: RefCell<ResponseState>,
}

impl Response {
    /// Sets the status line (also used by the server itself, e.g. for a 500).
    pub fn status(&self, status: i64, reason: Option<String>) -> bool {
        let reason = reason.unwrap_or_default();
        let mut st = self.state.borrow_mut();
        if st.ended || st.head_sent || !(100..=999).contains(&status) {
            return false;
        }
        st.status = status as u16;
        st.reason = (!reason.is_empty()).then_some(reason);
        true
    }
}

#[php_impl]
impl Response {
    pub fn __construct() -> Self {
        Response {
            fd: 0,
            target: None,
            accept: None,
            deflate: None,
            state: RefCell::default(),
        }
    }

    #[php(name = "status")]
    #[php(optional = reason)]
    pub fn php_status(&self, status: Int, reason: Option<Str>) -> bool {
        self.status(status.0, reason.map(|r| r.lossy()))
    }

    #[php(name = "setStatusCode")]
    #[php(optional = reason)]
    pub fn set_status_code(&self, status: Int, reason: Option<Str>) -> bool {
        self.php_status(status, reason)
    }

    #[php(optional = format)]
    pub fn header(&self, key: Str, value: &Zval, format: Option<Bool>) -> bool {
        let key = key.lossy();
        // Swoole formats names by default: "sec-websocket-accept" -> "Sec-Websocket-Accept".
        let key = if format.is_none_or(|f| f.0) {
            format_header_name(&key)
        } else {
            key
        };
        let mut st = self.state.borrow_mut();
        if st.ended || st.head_sent {
            warn("headers have already been sent");
            return false;
        }
        let Some(v) = zval_bytes(value) else {
            return false;
        };
        let v = String::from_utf8_lossy(&v).into_owned();
        if let Some(slot) = st
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            slot.1 = v;
        } else {
            st.headers.push((key, v));
        }
        true
    }

    #[php(name = "setHeader")]
    #[php(optional = format)]
    pub fn set_header(&self, key: Str, value: &Zval, format: Option<Bool>) -> bool {
        self.header(key, value, format)
    }

    /// Adds a Set-Cookie header (the value URL-encoded), as Swoole's cookie().
    #[php(optional = value)]
    #[allow(clippy::too_many_arguments)]
    pub fn cookie(
        &self,
        name_or_object: Str,
        value: Option<Str>,
        expires: Option<Int>,
        path: Option<Str>,
        domain: Option<Str>,
        secure: Option<Bool>,
        httponly: Option<Bool>,
        samesite: Option<Str>,
        priority: Option<Str>,
        partitioned: Option<Bool>,
    ) -> bool {
        let args = cookie_args(
            name_or_object,
            value,
            expires,
            path,
            domain,
            secure,
            httponly,
            samesite,
            priority,
            partitioned,
        );
        self.add_cookie(&args, false)
    }

    /// Same as cookie().
    #[php(name = "setCookie")]
    #[php(optional = value)]
    #[allow(clippy::too_many_arguments)]
    pub fn set_cookie(
        &self,
        name_or_object: Str,
        value: Option<Str>,
        expires: Option<Int>,
        path: Option<Str>,
        domain: Option<Str>,
        secure: Option<Bool>,
        httponly: Option<Bool>,
        samesite: Option<Str>,
        priority: Option<Str>,
        partitioned: Option<Bool>,
    ) -> bool {
        self.cookie(
            name_or_object,
            value,
            expires,
            path,
            domain,
            secure,
            httponly,
            samesite,
            priority,
            partitioned,
        )
    }

    /// Like cookie(), with the value written as given (no URL encoding).
    #[php(name = "rawcookie")]
    #[php(optional = value)]
    #[allow(clippy::too_many_arguments)]
    pub fn rawcookie(
        &self,
        name_or_object: Str,
        value: Option<Str>,
        expires: Option<Int>,
        path: Option<Str>,
        domain: Option<Str>,
        secure: Option<Bool>,
        httponly: Option<Bool>,
        samesite: Option<Str>,
        priority: Option<Str>,
        partitioned: Option<Bool>,
    ) -> bool {
        let args = cookie_args(
            name_or_object,
            value,
            expires,
            path,
            domain,
            secure,
            httponly,
            samesite,
            priority,
            partitioned,
        );
        self.add_cookie(&args, true)
    }

    pub fn is_writable(&self) -> bool {
        let st = self.state.borrow();
        !st.ended && self.session_alive()
    }

    /// Sends a chunk (Transfer-Encoding: chunked).
    pub fn write(&self, data: &Zval) -> bool {
        let Some(data) = zval_bytes(data) else {
            return false;
        };
        if data.is_empty() {
            return false;
        }
        let mut st = self.state.borrow_mut();
        if st.ended || !matches!(self.kind(), Some(ResponseKind::Http { .. })) {
            return false;
        }
        let mut out = Vec::new();
        if !st.head_sent {
            st.head_sent = true;
            let mut headers = self.final_headers(&st, None);
            headers.push(("Transfer-Encoding".into(), "chunked".into()));
            out.extend_from_slice(&head_bytes(&st, &headers));
        }
        out.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\r\n");
        self.send(Outgoing::Raw(Bytes::from(out)))
    }

    pub fn end(&self, content: Option<&Zval>) -> bool {
        let body = content.and_then(zval_bytes).unwrap_or_default();
        let mut st = self.state.borrow_mut();
        if st.ended {
            return false;
        }
        st.ended = true;
        let Some(kind) = self.kind() else {
            return false;
        };
        match kind {
            ResponseKind::Handshake => {
                let upgraded = st.status == 101;
                let status = if st.status == 0 { 200 } else { st.status };
                let mut headers = st.headers.clone();
                let mut deflate = None;
                if upgraded {
                    self.complete_upgrade_headers(&mut headers);
                    deflate = self.add_extensions_header(&mut headers);
                } else {
                    headers.push(("Content-Length".into(), body.len().to_string()));
                }
                push_cookies(&mut headers, &st.cookies);
                let st2 = ResponseState {
                    status,
                    ..Default::default()
                };
                let mut out = head_bytes(&st2, &headers);
                if !upgraded {
                    out.extend_from_slice(&body);
                }
                let response = Bytes::from(out);
                let sent = self.send(if upgraded {
                    Outgoing::Upgrade { response, deflate }
                } else {
                    Outgoing::HandshakeDone { response, upgraded }
                });
                if sent && upgraded {
                    // Pushes made right after end() (defer, onOpen-like code) queue
                    // behind the 101 response, so the connection counts as open now.
                    if let Some((node, _)) = &self.target {
                        node.mark_active(self.fd as u64);
                    }
                }
                sent
            }
            ResponseKind::Http { keep_alive } => {
                let mut out = Vec::new();
                if st.head_sent {
                    if !body.is_empty() {
                        out.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
                        out.extend_from_slice(&body);
                        out.extend_from_slice(b"\r\n");
                    }
                    out.extend_from_slice(b"0\r\n\r\n");
                } else {
                    let headers = self.final_headers(&st, Some(body.len()));
                    out.extend_from_slice(&head_bytes(&st, &headers));
                    out.extend_from_slice(&body);
                }
                let ok = self.send(Outgoing::Raw(Bytes::from(out)));
                let next = if keep_alive {
                    Outgoing::Resume
                } else {
                    Outgoing::End
                };
                ok && self.send(next)
            }
        }
    }

    /// Closes the connection without (further) response.
    pub fn close(&self) -> bool {
        let mut st = self.state.borrow_mut();
        st.ended = true;
        self.send(Outgoing::End)
    }
}

impl Response {
    fn kind(&self) -> Option<ResponseKind> {
        self.target.as_ref().map(|(_, k)| *k)
    }

    /// A 101 answer must carry the protocol headers; the manual's own example
    /// omits them ("省略了握手内容"), so whatever the callback left out is added
    /// (spelled as Swoole's header() formats them).
    fn complete_upgrade_headers(&self, headers: &mut Vec<(String, String)>) {
        let has =
            |h: &[(String, String)], n: &str| h.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
        let mut add = |n: &str, v: String| {
            if !has(headers, n) {
                headers.push((n.to_string(), v));
            }
        };
        add("Upgrade", "websocket".into());
        add("Connection", "Upgrade".into());
        if let Some(accept) = &self.accept {
            add("Sec-Websocket-Accept", accept.clone());
        }
        add("Sec-Websocket-Version", "13".into());
        add("Server", "swoole-http-server".into());
        add("Date", http::http_date());
    }

    /// Adds Sec-WebSocket-Extensions to a 101 when compression was agreed
    /// with the client's offer (as Swoole does for a custom onHandShake), and
    /// returns the parameters the connection then uses. A handler that wrote
    /// the header itself keeps it, and the connection stays uncompressed.
    fn add_extensions_header(&self, headers: &mut Vec<(String, String)>) -> Option<DeflateParams> {
        let (params, value) = self.deflate.as_ref()?;
        if headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-extensions"))
        {
            return None;
        }
        headers.push(("Sec-WebSocket-Extensions".into(), value.clone()));
        Some(*params)
    }

    /// cookie() and rawcookie().
    fn add_cookie(&self, args: &CookieArgs, raw: bool) -> bool {
        let line = match set_cookie_value(args, raw) {
            Ok(line) => line,
            Err(msg) => {
                warn(msg);
                return false;
            }
        };
        let mut st = self.state.borrow_mut();
        if st.ended || st.head_sent {
            warn("headers have already been sent");
            return false;
        }
        st.cookies.push(line);
        true
    }

    fn session_alive(&self) -> bool {
        self.target
            .as_ref()
            .and_then(|(node, _)| node.conn(self.fd as u64))
            .is_some_and(|c| !c.sealed)
    }

    fn send(&self, item: Outgoing) -> bool {
        self.target
            .as_ref()
            .is_some_and(|(node, _)| node.send(self.fd as u64, item).is_ok())
    }

    fn final_headers(
        &self,
        st: &ResponseState,
        content_length: Option<usize>,
    ) -> Vec<(String, String)> {
        let mut headers = st.headers.clone();
        let has = |h: &[(String, String)], name: &str| {
            h.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        if !has(&headers, "server") {
            headers.push(("Server".into(), "swoole-http-server".into()));
        }
        if !has(&headers, "date") {
            headers.push(("Date".into(), http::http_date()));
        }
        if let Some(ResponseKind::Http { keep_alive }) = self.kind() {
            if !has(&headers, "connection") {
                let v = if keep_alive { "keep-alive" } else { "close" };
                headers.push(("Connection".into(), v.into()));
            }
        }
        if !has(&headers, "content-type") {
            headers.push(("Content-Type".into(), "text/html".into()));
        }
        if let Some(n) = content_length {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-length"));
            headers.push(("Content-Length".into(), n.to_string()));
        }
        push_cookies(&mut headers, &st.cookies);
        headers
    }

    /// Whether end() was called (or the response was otherwise finished).
    pub fn is_ended(&self) -> bool {
        self.state.borrow().ended
    }

    /// Whether a 101 was sent: the connection is a WebSocket now.
    pub fn upgraded(&self) -> bool {
        let st = self.state.borrow();
        st.ended && st.status == 101 && self.kind() == Some(ResponseKind::Handshake)
    }
}

fn push_cookies(headers: &mut Vec<(String, String)>, cookies: &[String]) {
    for c in cookies {
        headers.push(("Set-Cookie".into(), c.clone()));
    }
}

fn head_bytes(st: &ResponseState, headers: &[(String, String)]) -> Vec<u8> {
    let status = if st.status == 0 { 200 } else { st.status };
    http::response_head(status, st.reason.as_deref(), headers).to_vec()
}

/// Builds the Response object for onRequest / onHandShake.
pub fn new_response_object(
    fd: u64,
    node: &Arc<Node>,
    kind: ResponseKind,
    request: &HttpRequest,
) -> ZBox<ZendClassObject<Response>> {
    let accept = (kind == ResponseKind::Handshake)
        .then(|| {
            request
                .header("sec-websocket-key")
                .map(handshake::accept_key)
        })
        .flatten();
    // A custom handshake negotiates compression as Swoole's own does.
    let deflate = (kind == ResponseKind::Handshake && node.config.websocket_compression)
        .then(|| deflate::negotiate(request.header_all("sec-websocket-extensions")))
        .flatten();
    ZendClassObject::new(Response {
        fd: fd as i64,
        target: Some((node.clone(), kind)),
        accept,
        deflate,
        state: RefCell::default(),
    })
}

/// cookie()'s arguments with Swoole's defaults (path "/").
#[allow(clippy::too_many_arguments)]
fn cookie_args(
    name: Str,
    value: Option<Str>,
    expires: Option<Int>,
    path: Option<Str>,
    domain: Option<Str>,
    secure: Option<Bool>,
    httponly: Option<Bool>,
    samesite: Option<Str>,
    priority: Option<Str>,
    partitioned: Option<Bool>,
) -> CookieArgs {
    CookieArgs {
        name: name.0,
        value: value.unwrap_or_default().0,
        expires: expires.map_or(0, |e| e.0),
        path: path.map_or_else(|| b"/".to_vec(), |p| p.0),
        domain: domain.unwrap_or_default().0,
        secure: secure.is_some_and(|b| b.0),
        httponly: httponly.is_some_and(|b| b.0),
        samesite: samesite.unwrap_or_default().0,
        priority: priority.unwrap_or_default().0,
        partitioned: partitioned.is_some_and(|b| b.0),
    }
}

/// "content-TYPE" -> "Content-Type", as Swoole's header() does by default.
fn format_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
