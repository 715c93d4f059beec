//! The HTTP request head parser and the chunked body decoder, on arbitrary bytes.
//!
//! Input: one selector byte (size limits), then the bytes as they would sit in a
//! connection's read buffer. Besides "no panic", checks what the connection code relies
//! on: lengths within the buffer and the limits, a strict prefix of a complete head or
//! body reads as incomplete (never as an error: data arriving in pieces must not change
//! the verdict), and an upgrade answer is a well-formed response head.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::handshake;
use swoole_rs_engine::http::{self, HeadError, HttpRequest};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, buf)) = data.split_first() else {
        return;
    };
    // The server's 64 KiB head limit, or a small one so the size checks are reached.
    let max = if sel & 1 == 0 {
        64 * 1024
    } else {
        ((sel >> 1) as usize) * 8 + 16
    };
    let limit = [0usize, 1, 16, 4096, 2 * 1024 * 1024][(sel as usize >> 5) % 5];

    match http::parse_head(buf, max) {
        Ok(Some((req, n))) => {
            assert!(n <= buf.len() && n <= max, "head length {n} (buffer {}, max {max})", buf.len());
            assert!(n > 0);
            let cut = (sel as usize).wrapping_mul(7919) % n;
            match http::parse_head(&buf[..cut], max) {
                Ok(None) => {}
                other => panic!(
                    "prefix {cut} of a complete {n}-byte head gave {:?}",
                    other.map(|o| o.map(|(_, l)| l))
                ),
            }
            exercise_request(&req);
            check_chunked(&buf[n..], limit, sel);
        }
        Ok(None) => assert!(buf.len() <= max, "incomplete yet over the limit"),
        Err(HeadError::TooLarge) | Err(HeadError::Malformed) => {}
    }
    check_chunked(buf, limit, sel);
});

/// Everything the connection and the PHP side ask of a parsed request.
fn exercise_request(req: &HttpRequest) {
    let _ = req.keep_alive();
    let _ = req.content_length();
    let _ = req.is_chunked();
    let _ = req.header("host");
    let _ = req.header_has_token("connection", "upgrade");
    assert!(req.path.len() <= req.uri.len());
    assert!(req.headers.iter().all(|(k, _)| k.bytes().all(|b| !b.is_ascii_uppercase())));
    if !req.is_websocket_upgrade() || handshake::validate(req).is_err() {
        return;
    }
    let config = ServerConfig {
        websocket_compression: true,
        websocket_subprotocol: Some("chat".into()),
        ..Default::default()
    };
    let (response, _params) = handshake::accept(req, &config);
    // Nothing from the request may break the response head (header injection).
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(&response) {
        Ok(httparse::Status::Complete(n)) if n == response.len() => {}
        other => panic!("bad 101 response {other:?}: {:?}", String::from_utf8_lossy(&response)),
    }
    assert_eq!(resp.code, Some(101));
    let accept = resp
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-accept"))
        .expect("no Sec-WebSocket-Accept");
    assert_eq!(accept.value.len(), 28);
}

fn check_chunked(buf: &[u8], limit: usize, sel: u8) {
    match http::decode_chunked(buf, limit) {
        Ok(Some((body, used))) => {
            assert!(used <= buf.len() && used > 0);
            assert!(body.len() <= limit && body.len() <= used);
            let cut = (sel as usize).wrapping_mul(104_729) % used;
            match http::decode_chunked(&buf[..cut], limit) {
                Ok(None) => {}
                other => panic!(
                    "prefix {cut} of a complete {used}-byte chunked body gave {:?}",
                    other.map(|o| o.map(|(_, l)| l))
                ),
            }
            // Re-encoded in other chunk sizes, the body decodes to itself.
            let step = 1 + (sel as usize % 7);
            let mut enc = Vec::new();
            for c in body.chunks(step) {
                enc.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                enc.extend_from_slice(c);
                enc.extend_from_slice(b"\r\n");
            }
            enc.extend_from_slice(b"0\r\n\r\n");
            let (again, used2) = http::decode_chunked(&enc, limit)
                .expect("re-encoded body rejected")
                .expect("re-encoded body incomplete");
            assert_eq!(again, body);
            assert_eq!(used2, enc.len());
        }
        Ok(None) | Err(_) => {}
    }
}
