//! A whole connection: arbitrary bytes to a running engine over loopback TCP.
//!
//! One engine serves the whole fuzzing run (permessage-deflate on, a 64 KiB
//! package_max_length); a thread drains its events and echoes messages back the way the
//! PHP side would. Per input: connect, send, half-close, read everything until the server
//! hangs up. The first input byte picks what is sent:
//!   mode 0: the bytes as they are (an HTTP request head, or garbage);
//!   mode 1: a valid upgrade, then the bytes as they are (raw frames);
//!   mode 2: a valid upgrade offering permessage-deflate, then the bytes as they are;
//!   mode 3: a valid upgrade (deflate offered when bit 2 is set), then frames built from
//!           the bytes and masked properly, so the fuzzer reaches the frame logic:
//!           per frame: first byte (FIN/RSV/opcode) as given, a length byte, payload
//!           (see build_frames).
//! Checks: the server never hangs (it must hang up once we have), and everything it
//! sends after a 101 is well-formed frames: unmasked, RSV1 only when deflate was agreed,
//! control frames short and unfragmented, close codes valid, nothing after a close frame.
#![no_main]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use swoole_rs_engine::bridge::Event;
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::frame;
use swoole_rs_engine::server::{Engine, Shared};
use swoole_rs_engine::session::Outgoing;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

struct Server {
    addr: SocketAddr,
    _engine: Engine,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap();
        let config = ServerConfig {
            package_max_length: 64 * 1024,
            websocket_compression: true,
            reactor_num: 1,
            handshake_timeout: Duration::from_secs(5),
            close_timeout: Duration::from_millis(500),
            ..Default::default()
        };
        let engine = Engine::start(listener, config, false).expect("engine");
        let shared = engine.shared().clone();
        std::thread::spawn(move || pump(shared));
        Server { addr, _engine: engine }
    })
}

/// The PHP side's part: takes events, echoes each message (compressed when the
/// connection negotiated it, as push() does by default with compression on) and
/// answers Flush barriers.
fn pump(shared: std::sync::Arc<Shared>) {
    let mut q = std::collections::VecDeque::new();
    loop {
        shared.events.drain_into(&mut q, None);
        for ev in q.drain(..) {
            if let Event::Flush { fd } = ev {
                // Every earlier message was echoed: the close may go on.
                if let Some(s) = shared.sessions.get(fd) {
                    s.flushed();
                }
                continue;
            }
            if let Event::Close { fd, .. } = ev {
                shared.sessions.remove(fd);
                continue;
            }
            if let Event::Message { fd, frame: f } = ev {
                if let Some(s) = shared.sessions.get(fd) {
                    let bye = f.data.starts_with(b"bye");
                    let first = 0x80 | f.opcode;
                    let item = if f.opcode == frame::OP_TEXT || f.opcode == frame::OP_BINARY {
                        Outgoing::Compressed { first, payload: f.data }
                    } else {
                        Outgoing::Raw(frame::encode(first, &f.data))
                    };
                    let _ = s.send(item);
                    if bye {
                        let _ = s.send(Outgoing::Close { code: 4000, reason: Bytes::from_static(b"bye") });
                    }
                }
            }
        }
    }
}

fn upgrade_request(deflate: bool) -> Vec<u8> {
    let mut r = format!(
        "GET /fuzz HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n"
    );
    if deflate {
        r.push_str("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}

/// Frames from the input, masked: [b0, len, payload...]* (see the module doc). A length
/// byte of 0..=125 is the payload length; 126 and 127 take the 16- and 64-bit length
/// encodings for up to 1000 bytes (the rest of the input).
fn build_frames(mut b: &[u8], out: &mut Vec<u8>) {
    let mut n = 0u8;
    while b.len() >= 2 {
        let (b0, len_byte) = (b[0], b[1] & 0x7F);
        b = &b[2..];
        let len = if len_byte < 126 { len_byte as usize } else { 1000 }.min(b.len());
        let (payload, tail) = b.split_at(len);
        b = tail;
        out.push(b0);
        match len_byte {
            126 => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            127 => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(len as u64).to_be_bytes());
            }
            _ => out.push(0x80 | len as u8),
        }
        let mask = [0x11 ^ n, 0x22, 0x33 ^ len_byte, 0x44];
        out.extend_from_slice(&mask);
        let start = out.len();
        out.extend_from_slice(payload);
        frame::apply_mask(&mut out[start..], mask, 0);
        n = n.wrapping_add(1);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let srv = server();
    let mode = sel & 3;
    let offer_deflate = mode == 2 || (mode == 3 && sel & 4 != 0);
    let mut input = Vec::with_capacity(rest.len() + 256);
    if mode != 0 {
        input.extend_from_slice(&upgrade_request(offer_deflate));
    }
    if mode == 3 {
        build_frames(rest, &mut input);
    } else {
        input.extend_from_slice(rest);
    }

    let mut s = TcpStream::connect(srv.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.set_nodelay(true);
    // The server may refuse and hang up before reading it all: a failed write is fine.
    let _ = s.write_all(&input);
    let _ = s.shutdown(Shutdown::Write);
    let mut got = Vec::new();
    match s.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
        Err(e) => panic!("server did not hang up after our FIN ({e}); got {} bytes", got.len()),
    }
    check_response(&got, offer_deflate);
});

fn check_response(got: &[u8], offered_deflate: bool) {
    if !got.starts_with(b"HTTP/1.1 101 ") {
        if !got.is_empty() {
            assert!(got.starts_with(b"HTTP/1.1 "), "not an HTTP response: {:02x?}", &got[..got.len().min(64)]);
        }
        return;
    }
    let end = got
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("101 without the end of its head")
        + 4;
    let head = String::from_utf8_lossy(&got[..end]);
    let deflate = head.to_ascii_lowercase().contains("sec-websocket-extensions: permessage-deflate");
    assert!(!deflate || offered_deflate, "deflate agreed without an offer");
    let mut b = &got[end..];
    let mut closed = false;
    let mut in_message = false;
    while !b.is_empty() {
        assert!(!closed, "bytes after the server's close frame: {:02x?}", &b[..b.len().min(32)]);
        let h = frame::parse_head(b).unwrap_or_else(|| panic!("truncated server frame header {b:02x?}"));
        let total = h.frame_len().expect("huge server frame");
        assert!(total <= b.len(), "truncated server frame ({} of {total} bytes)", b.len());
        assert!(h.mask.is_none(), "masked server frame");
        assert!(!h.rsv2 && !h.rsv3, "RSV2/RSV3 on a server frame");
        assert!(!h.rsv1 || deflate, "RSV1 on a server frame without deflate agreed");
        assert!(frame::is_known_opcode(h.opcode), "server sent opcode {}", h.opcode);
        let payload = &b[h.header_len..total];
        if frame::is_control(h.opcode) {
            assert!(h.fin && !h.rsv1 && payload.len() <= 125, "bad server control frame {h:?}");
            if h.opcode == frame::OP_CLOSE {
                assert!(payload.len() != 1, "1-byte close payload from the server");
                if payload.len() >= 2 {
                    let code = u16::from_be_bytes([payload[0], payload[1]]);
                    assert!(frame::is_valid_close_code(code), "server close code {code}");
                    assert!(std::str::from_utf8(&payload[2..]).is_ok(), "server close reason not UTF-8");
                }
                closed = true;
            }
        } else {
            // The echo never interleaves data frames of two messages.
            assert_eq!(h.opcode == frame::OP_CONTINUATION, in_message, "server fragmentation order");
            in_message = !h.fin;
        }
        b = &b[total..];
    }
}
