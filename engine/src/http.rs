//! HTTP/1.x requests: parsing the head (httparse) and writing responses.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{BufMut, Bytes, BytesMut};

/// Most headers a request may carry.
const MAX_HEADERS: usize = 100;

/// A parsed request, handed to PHP as `Swoole\Http\Request`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct HttpRequest {
    pub method: String,
    /// Request target as sent: path plus query.
    pub uri: String,
    pub path: String,
    pub query: Option<String>,
    /// "HTTP/1.1" or "HTTP/1.0".
    pub protocol: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub peer: Option<SocketAddr>,
    pub local: Option<SocketAddr>,
    /// Unix time, seconds, when the head was complete.
    pub time: f64,
}

impl HttpRequest {
    /// First value of a header; `name` must be lower case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header (several headers, not comma-split).
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a comma-separated header holds `token` (case-insensitive).
    pub fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.header_all(name)
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    pub fn is_websocket_upgrade(&self) -> bool {
        self.header_has_token("upgrade", "websocket")
    }

    /// Whether the connection stays open after the response.
    pub fn keep_alive(&self) -> bool {
        if self.protocol == "HTTP/1.0" {
            self.header_has_token("connection", "keep-alive")
        } else {
            !self.header_has_token("connection", "close")
        }
    }

    /// Declared body length; Err for a malformed header.
    pub fn content_length(&self) -> Result<usize, HeadError> {
        let mut len = None;
        for v in self.header_all("content-length") {
            let n: usize = v.trim().parse().map_err(|_| HeadError::Malformed)?;
            if len.is_some_and(|l| l != n) {
                return Err(HeadError::Malformed);
            }
            len = Some(n);
        }
        Ok(len.unwrap_or(0))
    }

    pub fn is_chunked(&self) -> bool {
        self.header_all("transfer-encoding")
            .any(|v| v.to_ascii_lowercase().contains("chunked"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    /// Not valid HTTP/1.x.
    Malformed,
    /// The head exceeds the size cap.
    TooLarge,
}

/// Parses a request head from the start of `buf`.
/// `Ok(None)`: incomplete; `Ok(Some((req, head_len)))` on success.
pub fn parse_head(buf: &[u8], max_size: usize) -> Result<Option<(HttpRequest, usize)>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let status = match req.parse(buf) {
        Ok(s) => s,
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    };
    let head_len = match status {
        httparse::Status::Partial => {
            return if buf.len() > max_size {
                Err(HeadError::TooLarge)
            } else {
                Ok(None)
            };
        }
        httparse::Status::Complete(n) => n,
    };
    if head_len > max_size {
        return Err(HeadError::TooLarge);
    }
    let uri = req.path.ok_or(HeadError::Malformed)?.to_string();
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (uri.clone(), None),
    };
    let protocol = match req.version {
        Some(0) => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    let headers = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok(Some((
        HttpRequest {
            method: req.method.ok_or(HeadError::Malformed)?.to_string(),
            uri,
            path,
            query,
            protocol: protocol.to_string(),
            headers,
            body: Bytes::new(),
            peer: None,
            local: None,
            time: unix_time(),
        },
        head_len,
    )))
}

/// A chunked request body from the start of `buf` (RFC 9112 7.1).
/// `Ok(None)`: incomplete; `Ok(Some((body, consumed)))`; `TooLarge` past `limit`.
pub fn decode_chunked(buf: &[u8], limit: usize) -> Result<Option<(Vec<u8>, usize)>, HeadError> {
    let mut body = Vec::new();
    let mut pos = 0;
    loop {
        let (start, size) = match httparse::parse_chunk_size(&buf[pos..]) {
            Ok(httparse::Status::Complete(c)) => c,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(_) => return Err(HeadError::Malformed),
        };
        let size = usize::try_from(size).map_err(|_| HeadError::TooLarge)?;
        if body.len().saturating_add(size) > limit {
            return Err(HeadError::TooLarge);
        }
        pos += start;
        if size == 0 {
            // Trailer fields, if any, end with an empty line.
            loop {
                let rest = &buf[pos..];
                let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
                    return Ok(None);
                };
                pos += eol + 2;
                if eol == 0 {
                    return Ok(Some((body, pos)));
                }
            }
        }
        if buf.len() < pos + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&buf[pos..pos + size]);
        if &buf[pos + size..pos + size + 2] != b"\r\n" {
            return Err(HeadError::Malformed);
        }
        pos += size + 2;
    }
}

pub fn unix_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The Date header value (RFC 7231 IMF-fixdate).
pub fn http_date() -> String {
    httpdate::fmt_http_date(SystemTime::now())
}

/// Standard reason phrase for a status code.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// Swoole's error page, as a complete response that closes the connection.
pub fn error_page(status: u16) -> Bytes {
    let reason = reason_phrase(status);
    let body = format!(
        "<html><body><h2>HTTP {status} {reason}</h2><hr><i>Powered by Swoole</i></body></html>"
    );
    let mut out = BytesMut::with_capacity(256 + body.len());
    out.put_slice(
        format!(
            "HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=UTF-8\r\nCache-Control: must-revalidate,no-cache,no-store\r\nContent-Length: {}\r\nServer: swoole-http-server\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.put_slice(body.as_bytes());
    out.freeze()
}

/// A response head with the given headers (name, value) in order; `reason`
/// replaces the standard phrase when given.
pub fn response_head(status: u16, reason: Option<&str>, headers: &[(String, String)]) -> BytesMut {
    let mut out = BytesMut::with_capacity(256);
    let reason = reason.unwrap_or_else(|| reason_phrase(status));
    out.put_slice(format!("HTTP/1.1 {status} {reason}\r\n").as_bytes());
    for (k, v) in headers {
        out.put_slice(k.as_bytes());
        out.put_slice(b": ");
        out.put_slice(v.as_bytes());
        out.put_slice(b"\r\n");
    }
    out.put_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_upgrade_request() {
        let raw = b"GET /chat?x=1 HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\r\nrest";
        let (req, n) = parse_head(raw, 8192).unwrap().unwrap();
        assert_eq!(n, raw.len() - 4);
        assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/chat"));
        assert_eq!(req.query.as_deref(), Some("x=1"));
        assert_eq!(req.header("host"), Some("a"));
        assert!(req.is_websocket_upgrade());
        assert!(req.header_has_token("connection", "upgrade"));
    }

    #[test]
    fn incomplete_malformed_and_too_large() {
        assert!(parse_head(b"GET / HTTP/1.1\r\nHost: a\r\n", 8192)
            .unwrap()
            .is_none());
        assert_eq!(
            parse_head(b"\x00\x01garbage\r\n\r\n", 8192).unwrap_err(),
            HeadError::Malformed
        );
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(9000));
        assert_eq!(
            parse_head(big.as_bytes(), 8192).unwrap_err(),
            HeadError::TooLarge
        );
    }

    #[test]
    fn error_page_matches_swoole() {
        let page = error_page(400);
        let expected = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html; charset=UTF-8\r\nCache-Control: must-revalidate,no-cache,no-store\r\nContent-Length: 83\r\nServer: swoole-http-server\r\n\r\n<html><body><h2>HTTP 400 Bad Request</h2><hr><i>Powered by Swoole</i></body></html>";
        assert_eq!(&page[..], &expected[..]);
    }

    #[test]
    fn chunked_bodies() {
        let raw = b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: a\r\n\r\nNEXT";
        let (body, used) = decode_chunked(raw, 1024).unwrap().unwrap();
        assert_eq!(body, b"Wikipedia");
        assert_eq!(&raw[used..], b"NEXT");
        for cut in 0..raw.len() - 4 {
            assert!(
                decode_chunked(&raw[..cut], 1024).unwrap().is_none(),
                "cut {cut}"
            );
        }
        assert_eq!(decode_chunked(raw, 5).unwrap_err(), HeadError::TooLarge);
        assert_eq!(
            decode_chunked(b"zz\r\n", 10).unwrap_err(),
            HeadError::Malformed
        );
        assert_eq!(
            decode_chunked(b"2\r\nabXY", 10).unwrap_err(),
            HeadError::Malformed
        );
    }

    #[test]
    fn keep_alive_rules() {
        let r = |raw: &[u8]| parse_head(raw, 8192).unwrap().unwrap().0;
        assert!(r(b"GET / HTTP/1.1\r\n\r\n").keep_alive());
        assert!(!r(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive());
        assert!(!r(b"GET / HTTP/1.0\r\n\r\n").keep_alive());
        assert!(r(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
    }
}
