//! RFC 6455 / RFC 7692 conformance details found with the Autobahn suite
//! (scripts/autobahn), each driven here with a raw client against a real engine.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use swoole_rs_engine::bridge::{Event, InFrame};
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::deflate::{DeflateParams, PerMessageDeflate, Role};
use swoole_rs_engine::frame;
use swoole_rs_engine::server::{bind, Engine};
use swoole_rs_engine::session::Outgoing;

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A running engine with a thread in PHP's place: it answers Flush barriers,
/// hands messages to the test and, with `echo`, pushes each one back.
struct Server {
    engine: Engine,
    port: u16,
    got: mpsc::Receiver<(u64, InFrame)>,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn start(config: ServerConfig) -> Server {
    start_with(config, false)
}

fn start_with(config: ServerConfig, echo: bool) -> Server {
    let listener = bind("127.0.0.1", 0).unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = ServerConfig {
        reactor_num: 1,
        ..config
    };
    let engine = Engine::start(listener, config, false).unwrap();
    let shared = engine.shared().clone();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, got) = mpsc::channel();
    let stopped = stop.clone();
    std::thread::spawn(move || {
        let mut events = VecDeque::new();
        while !stopped.load(Ordering::Acquire) {
            shared
                .events
                .drain_into(&mut events, Some(Duration::from_millis(20)));
            for e in events.drain(..) {
                match e {
                    Event::Message { fd, frame: f } => {
                        if echo {
                            if let Some(s) = shared.sessions.get(fd) {
                                let reply = frame::encode(0x80 | f.opcode, &f.data);
                                let _ = s.send(Outgoing::Raw(reply));
                            }
                        }
                        let _ = tx.send((fd, f));
                    }
                    Event::Flush { fd } => {
                        if let Some(s) = shared.sessions.get(fd) {
                            s.flushed();
                        }
                    }
                    Event::Close { fd, .. } => {
                        shared.sessions.remove(fd);
                    }
                    _ => {}
                }
            }
        }
    });
    Server {
        engine,
        port,
        got,
        stop,
    }
}

/// A raw WebSocket client: exact bytes out, frames in.
struct Client {
    sock: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn connect(port: u16, extensions: Option<&str>) -> (Client, String) {
        let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut c = Client {
            sock,
            buf: Vec::new(),
        };
        let ext = extensions
            .map(|e| format!("Sec-WebSocket-Extensions: {e}\r\n"))
            .unwrap_or_default();
        c.send(
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{ext}\r\n"
            )
            .as_bytes(),
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(end) = c.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8(c.buf[..end + 4].to_vec()).unwrap();
                c.buf.drain(..end + 4);
                assert!(head.starts_with("HTTP/1.1 101"), "{head}");
                return (c, head);
            }
            assert!(Instant::now() < deadline, "no handshake response");
            c.fill();
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.sock.write_all(bytes).unwrap();
    }

    /// One masked frame, as bytes (to send whole or in chops).
    fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = bytes::BytesMut::new();
        frame::put_frame(&mut out, first, payload, Some(MASK));
        out.to_vec()
    }

    /// Reads what is there (up to the read timeout); false on EOF.
    fn fill(&mut self) -> bool {
        let mut tmp = [0u8; 65536];
        match self.sock.read(&mut tmp) {
            Ok(0) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&tmp[..n]);
                true
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => true,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => false,
            Err(e) => panic!("read: {e}"),
        }
    }

    /// The next frame from the server within `wait`: (first byte, payload).
    fn recv(&mut self, wait: Duration) -> Option<(u8, Vec<u8>)> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(h) = frame::parse_head(&self.buf) {
                assert!(h.mask.is_none(), "server frames are not masked");
                let total = h.frame_len().unwrap();
                if self.buf.len() >= total {
                    let payload = self.buf[h.header_len..total].to_vec();
                    let first = self.buf[0];
                    self.buf.drain(..total);
                    return Some((first, payload));
                }
            }
            if Instant::now() >= deadline || !self.fill() {
                return None;
            }
        }
    }

    /// Expects a close frame with `code` within `wait`.
    fn expect_close(&mut self, code: u16, wait: Duration) {
        let t = Instant::now();
        match self.recv(wait) {
            Some((0x88, p)) => assert_eq!(
                u16::from_be_bytes([p[0], p[1]]),
                code,
                "close payload {p:?}"
            ),
            other => panic!(
                "expected close {code} within {wait:?}, got {other:?} after {:?}",
                t.elapsed()
            ),
        }
    }
}

/// Messages delivered to PHP (onMessage) within `wait`, with their fd.
fn messages(srv: &Server, wait: Duration) -> Vec<(u64, InFrame)> {
    let deadline = Instant::now() + wait;
    let mut out = Vec::new();
    while let Ok(m) = srv
        .got
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        out.push(m);
    }
    out
}

// Autobahn 6.4.1: "κόσμε" then U+110000 encoded in four bytes (invalid), then more.
const PART1: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
const PART2: &[u8] = b"\xf4\x90\x80\x80";
const PART3: &[u8] = b"\x65\x64\x69\x74\x65\x64";

/// Invalid UTF-8 in the second fragment fails the connection at once, without
/// waiting for the message's last fragment (Autobahn 6.4.1, 6.4.2).
#[test]
fn invalid_utf8_fragment_fails_fast() {
    let srv = start(ServerConfig::default());
    for second in [PART2, &PART2[..2]] {
        let (mut c, _) = Client::connect(srv.port, None);
        c.send(&Client::frame(frame::OP_TEXT, PART1));
        assert_eq!(c.recv(Duration::from_millis(200)), None);
        c.send(&Client::frame(frame::OP_CONTINUATION, second));
        // The third fragment is never sent: the close must come without it.
        c.expect_close(1007, Duration::from_secs(1));
    }
    assert!(messages(&srv, Duration::from_millis(50)).is_empty());
}

/// The same inside one frame that arrives in chops (Autobahn 6.4.3, 6.4.4).
#[test]
fn invalid_utf8_in_a_partly_arrived_frame_fails_fast() {
    let srv = start(ServerConfig::default());
    for invalid_end in [PART1.len() + PART2.len(), PART1.len() + 2] {
        let (mut c, _) = Client::connect(srv.port, None);
        let text = [PART1, PART2, PART3].concat();
        let wire = Client::frame(0x80 | frame::OP_TEXT, &text);
        let header = wire.len() - text.len();
        c.send(&wire[..header + PART1.len()]);
        assert_eq!(c.recv(Duration::from_millis(200)), None);
        c.send(&wire[header + PART1.len()..header + invalid_end]);
        c.expect_close(1007, Duration::from_secs(1));
    }
    assert!(messages(&srv, Duration::from_millis(50)).is_empty());
}

/// Valid text split anywhere, across fragments and chops (code points cut in
/// two included), arrives whole; the fail-fast checks must not reject it.
#[test]
fn valid_utf8_in_fragments_and_chops_is_delivered() {
    let srv = start(ServerConfig::default());
    let text = "κόσμε €𝄞 hello".repeat(3);
    let bytes = text.as_bytes();
    let (mut c, _) = Client::connect(srv.port, None);
    for cut in [1, 2, 3, 5, 7] {
        // Two fragments cut at `cut`, each sent in two chops cut inside a code point.
        let (a, b) = bytes.split_at(cut);
        for (first, part) in [(frame::OP_TEXT, a), (0x80 | frame::OP_CONTINUATION, b)] {
            let wire = Client::frame(first, part);
            let split = wire.len() - part.len() + part.len() / 2;
            c.send(&wire[..split]);
            std::thread::sleep(Duration::from_millis(20));
            c.send(&wire[split..]);
        }
        // And as one frame in byte-sized chops.
        let wire = Client::frame(0x80 | frame::OP_TEXT, bytes);
        for chop in wire.chunks(cut) {
            c.send(chop);
        }
    }
    // A message that ends inside a code point is invalid, even split.
    let cut_short = &bytes[..2 + 1];
    let wire = Client::frame(0x80 | frame::OP_TEXT, cut_short);
    c.send(&wire[..wire.len() - 1]);
    std::thread::sleep(Duration::from_millis(20));
    c.send(&wire[wire.len() - 1..]);
    c.expect_close(1007, Duration::from_secs(1));

    let got = messages(&srv, Duration::from_millis(200));
    assert_eq!(got.len(), 10);
    for (_, m) in got {
        assert_eq!((m.opcode, &m.data[..]), (frame::OP_TEXT, bytes));
    }
}

/// A frame that breaks a header-level rule fails the connection when its
/// header arrives, not once its (here never sent) payload has.
#[test]
fn bad_header_fails_before_the_payload() {
    let srv = start(ServerConfig::default());
    for first in [
        0x80 | 0x20 | frame::OP_TEXT,  // RSV2
        0x80 | 0x03,                   // reserved opcode
        0x80 | frame::OP_CONTINUATION, // nothing to continue
        0x80 | 0x40 | frame::OP_TEXT,  // RSV1 without permessage-deflate
    ] {
        let (mut c, _) = Client::connect(srv.port, None);
        let wire = Client::frame(first, &[b'x'; 1000]);
        c.send(&wire[..20]);
        c.expect_close(1002, Duration::from_secs(1));
    }
}

/// Compressed text over many frames and reads is inflated whole; the answer
/// goes out compressed (RSV1) and inflates to the same text.
#[test]
fn compressed_fragments_round_trip() {
    let srv = start(ServerConfig {
        websocket_compression: true,
        ..Default::default()
    });
    let (mut c, head) =
        Client::connect(srv.port, Some("permessage-deflate; client_max_window_bits"));
    assert!(
        head.contains("Sec-WebSocket-Extensions: permessage-deflate"),
        "{head}"
    );
    let mut ours = PerMessageDeflate::new(DeflateParams::default(), Role::Client);
    let text = "{\"hello\":\"κόσμε\"}".repeat(5000);
    let mut z = Vec::new();
    ours.compress(text.as_bytes(), &mut z);
    let pieces: Vec<&[u8]> = z.chunks(z.len() / 3 + 1).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let fin = if i + 1 == pieces.len() { 0x80 } else { 0 };
        let first = if i == 0 {
            0x40 | frame::OP_TEXT
        } else {
            frame::OP_CONTINUATION
        };
        c.send(&Client::frame(fin | first, piece));
    }
    let got = messages(&srv, Duration::from_millis(300));
    assert_eq!(got.len(), 1);
    let (fd, m) = &got[0];
    assert_eq!(m.data, text.as_bytes());

    let session = srv.engine.shared().sessions.get(*fd).unwrap();
    for _ in 0..2 {
        session
            .send(Outgoing::Compressed {
                first: 0x80 | frame::OP_TEXT,
                payload: m.data.clone(),
            })
            .unwrap();
        let (first, payload) = c.recv(Duration::from_secs(2)).expect("compressed echo");
        assert_eq!(first, 0x80 | 0x40 | frame::OP_TEXT);
        assert!(payload.len() < text.len() / 10);
        let mut out = Vec::new();
        ours.decompress(&payload, usize::MAX, &mut out).unwrap();
        assert_eq!(out, text.as_bytes());
    }
}

/// Bytes that arrive together with the peer's FIN are still handled: a message
/// and a close frame sent right before shutdown(SHUT_WR) are delivered and the
/// close is answered; a request head before the FIN is answered.
#[test]
fn input_that_comes_with_the_fin_is_handled() {
    let srv = start(ServerConfig::default());
    let rounds = 20;
    for _ in 0..rounds {
        let (mut c, _) = Client::connect(srv.port, None);
        let mut bytes = Client::frame(0x80 | frame::OP_TEXT, b"last words");
        bytes.extend(Client::frame(
            0x80 | frame::OP_CLOSE,
            &frame::close_payload(1000, b""),
        ));
        c.send(&bytes);
        c.sock.shutdown(std::net::Shutdown::Write).unwrap();
        c.expect_close(1000, Duration::from_secs(2));
    }
    let got = messages(&srv, Duration::from_millis(100));
    assert_eq!(got.len(), rounds);

    for _ in 0..rounds {
        let mut sock = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        sock.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        sock.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = Vec::new();
        let _ = sock.read_to_end(&mut answer);
        assert!(
            answer.starts_with(b"HTTP/1.1 400"),
            "{:?}",
            String::from_utf8_lossy(&answer)
        );
    }
}

/// A message and then the end of the connection in the same write: the reply
/// PHP pushes for the message goes out before the close (the close waits for
/// the Flush barrier), whether the end is a close frame, a protocol error or
/// the FIN (the peer half-closed and still reads).
#[test]
fn replies_go_out_before_the_close() {
    let srv = start_with(ServerConfig::default(), true);
    let endings: [(&str, Vec<u8>, Option<u16>); 4] = [
        (
            "close frame",
            Client::frame(0x88, &frame::close_payload(1000, b"")),
            Some(1000),
        ),
        ("bad opcode", Client::frame(0x83, b""), Some(1002)),
        ("invalid text", Client::frame(0x81, b"\xff"), Some(1007)),
        ("FIN", Vec::new(), None),
    ];
    for (what, ending, code) in endings {
        for _ in 0..10 {
            let (mut c, _) = Client::connect(srv.port, None);
            let mut bytes = Client::frame(0x81, b"one");
            bytes.extend(Client::frame(0x82, b"two"));
            bytes.extend(&ending);
            c.send(&bytes);
            if code.is_none() {
                c.sock.shutdown(std::net::Shutdown::Write).unwrap();
            }
            let wait = Duration::from_secs(2);
            assert_eq!(c.recv(wait), Some((0x81, b"one".to_vec())), "{what}");
            assert_eq!(c.recv(wait), Some((0x82, b"two".to_vec())), "{what}");
            match code {
                Some(code) => c.expect_close(code, wait),
                None => assert_eq!(c.recv(wait), None, "{what}"),
            }
        }
    }
}
