//! RFC 6455 opening handshake, server side.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::Bytes;
use sha1::{Digest, Sha1};

use crate::config::ServerConfig;
use crate::deflate::{self, DeflateParams};
use crate::http::{self, HttpRequest};

const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Sec-WebSocket-Accept for a client key.
pub fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.trim().as_bytes());
    h.update(GUID);
    B64.encode(h.finalize())
}

/// Why an upgrade request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Missing or malformed Sec-WebSocket-Key, or not a GET.
    BadRequest,
    /// A Sec-WebSocket-Version other than 13.
    UnsupportedVersion,
}

impl Refusal {
    pub fn response(self) -> Bytes {
        match self {
            Refusal::BadRequest => Bytes::from_static(
                b"HTTP/1.1 400 Bad Request\r\nServer: swoole-http-server\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n",
            ),
            Refusal::UnsupportedVersion => Bytes::from_static(
                b"HTTP/1.1 426 Upgrade Required\r\nServer: swoole-http-server\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
            ),
        }
    }
}

/// Checks an upgrade request. A missing Sec-WebSocket-Version or Connection
/// header is tolerated, as Swoole does; a wrong version is not.
pub fn validate(req: &HttpRequest) -> Result<(), Refusal> {
    if req.method != "GET" {
        return Err(Refusal::BadRequest);
    }
    let key = req.header("sec-websocket-key").ok_or(Refusal::BadRequest)?;
    match B64.decode(key.trim()) {
        Ok(raw) if raw.len() == 16 => {}
        _ => return Err(Refusal::BadRequest),
    }
    match req.header("sec-websocket-version") {
        None => Ok(()),
        Some(v) if v.trim() == "13" => Ok(()),
        Some(_) => Err(Refusal::UnsupportedVersion),
    }
}

/// The 101 response and the compression agreed, for a validated request.
pub fn accept(req: &HttpRequest, config: &ServerConfig) -> (Bytes, Option<DeflateParams>) {
    let key = req.header("sec-websocket-key").unwrap_or_default();
    let mut headers = vec![
        ("Upgrade".to_string(), "websocket".to_string()),
        ("Connection".to_string(), "Upgrade".to_string()),
        ("Sec-WebSocket-Accept".to_string(), accept_key(key)),
        ("Sec-WebSocket-Version".to_string(), "13".to_string()),
    ];
    if let Some(p) = &config.websocket_subprotocol {
        headers.push(("Sec-WebSocket-Protocol".to_string(), p.clone()));
    }
    let mut params = None;
    if config.websocket_compression {
        if let Some((agreed, value)) =
            deflate::negotiate(req.header_all("sec-websocket-extensions"))
        {
            headers.push(("Sec-WebSocket-Extensions".to_string(), value));
            params = Some(agreed);
        }
    }
    headers.push(("Server".to_string(), "swoole-http-server".to_string()));
    headers.push(("Date".to_string(), http::http_date()));
    (http::response_head(101, None, &headers).freeze(), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(extra: &str) -> HttpRequest {
        let raw = format!("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n{extra}\r\n");
        http::parse_head(raw.as_bytes(), 8192).unwrap().unwrap().0
    }

    #[test]
    fn rfc_sample_key() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn validation() {
        let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        assert_eq!(validate(&req(key)), Ok(()));
        assert_eq!(
            validate(&req(&format!("{key}Sec-WebSocket-Version: 13\r\n"))),
            Ok(())
        );
        assert_eq!(
            validate(&req(&format!("{key}Sec-WebSocket-Version: 8\r\n"))),
            Err(Refusal::UnsupportedVersion)
        );
        assert_eq!(validate(&req("")), Err(Refusal::BadRequest));
        assert_eq!(
            validate(&req("Sec-WebSocket-Key: abc\r\n")),
            Err(Refusal::BadRequest)
        );
        assert_eq!(
            validate(&req("Sec-WebSocket-Key: AAAAAAAAAAA=\r\n")),
            Err(Refusal::BadRequest)
        );
    }

    #[test]
    fn response_carries_subprotocol() {
        let config = ServerConfig {
            websocket_subprotocol: Some("chat".into()),
            ..Default::default()
        };
        let (resp, params) = accept(
            &req("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
            &config,
        );
        let text = String::from_utf8(resp.to_vec()).unwrap();
        assert!(text.starts_with("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n"));
        assert!(params.is_none());
    }
}
