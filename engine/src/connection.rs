//! One task per connection: HTTP request head, upgrade, then WebSocket frames.
//!
//! The task owns the socket and does all byte work (parsing, unmasking,
//! (de)compression, UTF-8 checks, pongs, the close handshake) so the PHP
//! thread only ever sees whole messages and only ever hands over buffers.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::net::TcpStream;
use tokio::time::{sleep_until, Instant};

use crate::bridge::{Event, InFrame};
use crate::deflate::{PerMessageDeflate, Role};
use crate::frame;
use crate::handshake;
use crate::http::{self, HeadError};
use crate::receiver::{Received, Receiver};
use crate::server::Shared;
use crate::session::{status, Outgoing, Session};
use crate::tls::Tls;

/// Read at least this much at a time.
const READ_CHUNK: usize = 16 * 1024;
/// Read at most this much before processing what arrived.
const READ_BURST: usize = 256 * 1024;
/// Time a closed connection is drained for the peer's FIN, so that our last
/// bytes are not lost to a reset.
const LINGER: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Waiting for a request head.
    Http,
    /// A request or handshake is with PHP; input waits until it answers.
    AwaitPhp,
    WebSocket,
    /// A plain TCP server: bytes go to onReceive as they come.
    Raw,
}

/// How a connection closes once PHP has handled what arrived before.
#[derive(Debug)]
enum Ending {
    /// The peer's close frame: echo its payload.
    Echo(Bytes),
    /// A protocol error: send this close code.
    Fail(u16),
    /// The peer's FIN.
    Eof,
}

pub(crate) struct Conn {
    shared: Arc<Shared>,
    session: Arc<Session>,
    stream: TcpStream,
    rbuf: BytesMut,
    /// Wire bytes not yet written.
    wqueue: VecDeque<Bytes>,
    wbytes: usize,
    taken: Vec<Outgoing>,
    mode: Mode,
    /// Frames in, messages out (WebSocket mode).
    rx: Receiver,
    /// Messages handed to PHP that a close must wait for (see `end_after_php`).
    in_flight: u32,
    /// A close that waits for PHP to reach its Flush barrier.
    ending: Option<Ending>,
    /// The server made the close (close(), disconnect(), heartbeat, shutdown).
    by_server: bool,
    /// wss://: the TLS layer between the socket and the buffers.
    tls: Option<Box<Tls>>,
    /// Time limit for what we are waiting for (a request head, a close reply).
    deadline: Option<Instant>,
    /// We sent a close frame and wait for the peer's.
    close_sent: bool,
    /// Close the connection once the write queue is empty.
    done: bool,
    /// The peer sent its FIN: nothing more to read, but what it sent before
    /// still counts (and a request with PHP still gets its answer).
    eof: bool,
    websocket: bool,
}

impl Conn {
    pub(crate) fn new(
        shared: Arc<Shared>,
        session: Arc<Session>,
        stream: TcpStream,
        tls: Option<Box<Tls>>,
    ) -> Self {
        let mode = if shared.config.http_protocol {
            Mode::Http
        } else {
            Mode::Raw
        };
        let deadline =
            (mode == Mode::Http).then(|| Instant::now() + shared.config.handshake_timeout);
        let rx = Receiver::new(Role::Server, shared.config.package_max_length, None);
        Conn {
            shared,
            session,
            stream,
            rbuf: BytesMut::new(),
            wqueue: VecDeque::new(),
            wbytes: 0,
            taken: Vec::new(),
            rx,
            mode,
            in_flight: 0,
            ending: None,
            by_server: false,
            tls,
            deadline,
            close_sent: false,
            done: false,
            eof: false,
            websocket: false,
        }
    }

    /// Speaks HTTP/WebSocket or raw TCP, as the connection's port says.
    pub(crate) fn speaking(mut self, http: bool) -> Self {
        self.mode = if http { Mode::Http } else { Mode::Raw };
        self.deadline = http.then(|| Instant::now() + self.shared.config.handshake_timeout);
        self
    }

    /// Serves the connection to its end; returns whether it was a WebSocket
    /// and whether the server made the close.
    pub(crate) async fn run(mut self) -> (bool, bool) {
        let _ = self.serve().await;
        self.session.seal();
        self.linger().await;
        (self.websocket, self.by_server || self.shared.is_stopping())
    }

    async fn serve(&mut self) -> io::Result<()> {
        loop {
            if self.shared.is_forced() {
                return Ok(());
            }
            self.flush()?;
            if self.done && !self.has_output() {
                return Ok(());
            }
            let want_read = !self.done
                && !self.eof
                && self.ending.is_none()
                && self.mode != Mode::AwaitPhp
                // A frame larger than the burst still needs its remaining bytes.
                && (self.rbuf.len() < READ_BURST || self.bytes_wanted() > 0);
            let want_write = self.has_output();
            let deadline = self.deadline;
            tokio::select! {
                biased;
                _ = self.session.woken() => self.take_outbox(),
                r = self.stream.readable(), if want_read => {
                    r?;
                    let open = self.read_some()?;
                    // Bytes that came with the FIN are handled first.
                    self.process_input();
                    if !open {
                        self.eof = true;
                        self.end_if_eof();
                    }
                }
                r = self.stream.writable(), if want_write => r?,
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.on_deadline();
                }
            }
        }
    }

    /// Reads what is available; false on EOF.
    fn read_some(&mut self) -> io::Result<bool> {
        if self.tls.is_some() {
            return self.read_tls();
        }
        loop {
            let want = self.bytes_wanted().clamp(READ_CHUNK, 1 << 20);
            self.rbuf.reserve(want);
            match self.stream.try_read_buf(&mut self.rbuf) {
                Ok(0) => return Ok(false),
                Ok(_) => {
                    self.session.touch_recv();
                    if self.rbuf.len() >= READ_BURST {
                        return Ok(true);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads ciphertext and appends the plaintext it carries to the read buffer.
    fn read_tls(&mut self) -> io::Result<bool> {
        let mut cipher = [0u8; 16 * 1024];
        let tls = self.tls.as_mut().expect("TLS connection");
        loop {
            match self.stream.try_read(&mut cipher) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.session.touch_recv();
                    tls.receive(&cipher[..n], &mut self.rbuf)?;
                    if self.rbuf.len() >= READ_BURST {
                        return Ok(true);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
                Err(e) => return Err(e),
            }
        }
    }

    /// How many more bytes complete the frame at the head of the buffer.
    fn bytes_wanted(&self) -> usize {
        if self.mode == Mode::WebSocket {
            return Receiver::bytes_wanted(&self.rbuf);
        }
        0
    }

    fn process_input(&mut self) {
        loop {
            let progressed = match self.mode {
                Mode::Http => self.process_http(),
                Mode::WebSocket => self.process_frame(),
                Mode::Raw => self.process_raw(),
                Mode::AwaitPhp => false,
            };
            if !progressed || self.done || self.ending.is_some() {
                break;
            }
        }
        if self.rbuf.is_empty() {
            // Idle connections hold no read buffer.
            self.rbuf = BytesMut::new();
        }
    }

    fn process_raw(&mut self) -> bool {
        if self.rbuf.is_empty() {
            return false;
        }
        let data = self.rbuf.split().freeze();
        self.in_flight += 1;
        self.shared.emit(Event::Receive {
            fd: self.session.fd,
            data,
        });
        false
    }

    fn process_http(&mut self) -> bool {
        let config = &self.shared.config;
        let (mut req, head_len) = match http::parse_head(&self.rbuf, config.max_header_size) {
            Ok(Some(r)) => r,
            Ok(None) => return false,
            Err(HeadError::TooLarge) => return self.reject(http::error_page(431)),
            Err(HeadError::Malformed) => return self.reject(http::error_page(400)),
        };
        if req.is_chunked() {
            let limit = config.package_max_length;
            match http::decode_chunked(&self.rbuf[head_len..], limit) {
                Ok(None) => return false,
                Ok(Some((body, used))) => {
                    self.rbuf.advance(head_len + used);
                    req.body = body.into();
                }
                Err(HeadError::TooLarge) => return self.reject(http::error_page(413)),
                Err(HeadError::Malformed) => return self.reject(http::error_page(400)),
            }
        } else {
            let body_len = match req.content_length() {
                Ok(n) if n > config.package_max_length => {
                    return self.reject(http::error_page(413))
                }
                Ok(n) => n,
                Err(_) => return self.reject(http::error_page(400)),
            };
            if self.rbuf.len() < head_len + body_len {
                return false;
            }
            self.rbuf.advance(head_len);
            req.body = self.rbuf.split_to(body_len).freeze();
        }
        req.peer = Some(self.session.peer);
        req.local = Some(self.session.local);
        self.deadline = None;
        let fd = self.session.fd;

        if req.is_websocket_upgrade() {
            // An onHandShake callback validates the request itself, as in Swoole.
            if !config.has_handshake_handler {
                if let Err(refusal) = handshake::validate(&req) {
                    return self.reject(refusal.response());
                }
            }
            let request = Arc::new(req);
            if config.has_handshake_handler {
                self.session.set_status(status::HANDSHAKE);
                self.mode = Mode::AwaitPhp;
                self.shared.emit(Event::Handshake { fd, request });
            } else {
                let (response, params) = handshake::accept(&request, config);
                self.queue(response);
                self.upgrade(params);
                self.shared.emit(Event::Open { fd, request });
            }
            return true;
        }
        if !config.has_request_handler {
            return self.reject(http::error_page(400));
        }
        self.mode = Mode::AwaitPhp;
        self.shared.emit(Event::Request {
            fd,
            request: Arc::new(req),
        });
        false
    }

    /// Switches to WebSocket frames.
    fn upgrade(&mut self, params: Option<crate::deflate::DeflateParams>) {
        self.rx
            .set_deflate(params.map(|p| PerMessageDeflate::new(p, Role::Server)));
        self.session.set_compression(self.rx.compression());
        self.session.set_status(status::ACTIVE);
        self.mode = Mode::WebSocket;
        self.websocket = true;
        self.deadline = None;
    }

    /// Answers with `response` and closes.
    fn reject(&mut self, response: Bytes) -> bool {
        self.queue(response);
        self.finish();
        false
    }

    /// Takes one message or control frame; false when more bytes are needed.
    fn process_frame(&mut self) -> bool {
        match self.rx.next(&mut self.rbuf) {
            Ok(Some(r)) => {
                self.on_received(r);
                true
            }
            Ok(None) => false,
            Err(e) => {
                self.end_after_php(Ending::Fail(e.code));
                false
            }
        }
    }

    fn on_received(&mut self, r: Received) {
        let config = &self.shared.config;
        let (pings, pongs, closes) = (
            config.open_websocket_ping_frame,
            config.open_websocket_pong_frame,
            config.open_websocket_close_frame,
        );
        if self.close_sent && !matches!(r, Received::Close { .. }) {
            // Closing: the peer's close is all we wait for.
            return;
        }
        match r {
            Received::Message(f) => self.emit(f),
            Received::Ping(f) if pings => self.emit(f),
            Received::Ping(f) => self.queue(frame::encode(0x80 | frame::OP_PONG, &f.data)),
            Received::Pong(f) if pongs => self.emit(f),
            Received::Pong(_) => {}
            Received::Close { frame, payload } => {
                if closes {
                    self.emit(frame);
                }
                self.end_after_php(Ending::Echo(payload));
            }
        }
    }

    fn emit(&mut self, frame: InFrame) {
        self.in_flight += 1;
        self.shared.emit(Event::Message {
            fd: self.session.fd,
            frame,
        });
    }

    /// Ends the connection once PHP has handled every message before this
    /// point and queued its replies: with messages in flight, a Flush
    /// barrier goes after them and the close waits (up to close_timeout)
    /// until PHP reaches it (`Session::flushed`). Input stops meanwhile;
    /// pushes are still written.
    fn end_after_php(&mut self, ending: Ending) {
        if self.in_flight == 0 || self.close_sent || self.shared.is_forced() {
            self.end(ending);
            return;
        }
        self.in_flight = 0;
        self.ending = Some(ending);
        self.deadline = Some(Instant::now() + self.shared.config.close_timeout);
        self.shared.emit(Event::Flush {
            fd: self.session.fd,
        });
    }

    fn end(&mut self, ending: Ending) {
        let close = match ending {
            // Echo the peer's close, as Swoole does; an empty close gets an empty one.
            Ending::Echo(payload) => Some(payload),
            // Fail the connection: close frame with the code (RFC 6455 7.1.7).
            Ending::Fail(code) => {
                self.session.set_status(status::CLOSING);
                Some(Bytes::copy_from_slice(&code.to_be_bytes()))
            }
            Ending::Eof => None,
        };
        if let Some(payload) = close {
            if !self.close_sent {
                self.queue(frame::encode(0x80 | frame::OP_CLOSE, &payload));
                self.close_sent = true;
            }
        }
        self.finish();
    }

    fn finish(&mut self) {
        self.done = true;
        self.ending = None;
        self.session.seal();
        self.rbuf.clear();
    }

    fn on_deadline(&mut self) {
        self.deadline = None;
        if let Some(ending) = self.ending.take() {
            // PHP did not reach the barrier in time: close anyway.
            self.end(ending);
            return;
        }
        match self.mode {
            // A request head too slow to arrive.
            Mode::Http => {
                self.queue(http::error_page(408));
                self.finish();
            }
            // No close reply in time: give up on it.
            _ => self.finish(),
        }
    }

    /// Moves what PHP queued into the write queue.
    fn take_outbox(&mut self) {
        // Read before taking: pushes made before flushed() are then in `items`.
        let flushed = self.session.take_flushed();
        let mut items = std::mem::take(&mut self.taken);
        self.session.take(&mut items);
        for item in items.drain(..) {
            match item {
                Outgoing::Raw(b) => self.queue(b),
                Outgoing::Compressed { first, payload } => self.queue_compressed(first, &payload),
                Outgoing::Close { code, reason } => {
                    // Answering the peer's close is not a close the server made.
                    self.by_server |= self.ending.is_none();
                    if !self.close_sent && self.mode == Mode::WebSocket {
                        let payload = frame::close_payload(code, &reason);
                        self.queue(frame::encode(0x80 | frame::OP_CLOSE, &payload));
                        self.close_sent = true;
                        self.rx.set_closing();
                        self.deadline = Some(Instant::now() + self.shared.config.close_timeout);
                    } else if self.mode != Mode::WebSocket {
                        self.finish();
                    }
                }
                Outgoing::HandshakeDone { response, upgraded } => {
                    self.queue(response);
                    if upgraded {
                        self.upgrade(None);
                    } else {
                        self.finish();
                    }
                }
                Outgoing::Upgrade { response, deflate } => {
                    self.queue(response);
                    self.upgrade(deflate);
                }
                Outgoing::Resume => {
                    if self.mode == Mode::AwaitPhp {
                        self.mode = Mode::Http;
                        self.deadline = Some(Instant::now() + self.shared.config.handshake_timeout);
                    }
                }
                Outgoing::End => {
                    self.by_server = true;
                    self.finish();
                }
            }
        }
        self.taken = items;
        if flushed {
            if let Some(ending) = self.ending.take() {
                self.end(ending);
            }
        }
        if self.shared.is_forced() {
            self.finish();
        }
        // Input that waited for PHP's answer can go on now.
        if !self.done
            && self.ending.is_none()
            && matches!(self.mode, Mode::Http | Mode::WebSocket)
            && !self.rbuf.is_empty()
        {
            self.process_input();
        }
        self.end_if_eof();
    }

    /// After the peer's FIN, the connection ends once nothing waits for PHP;
    /// what is queued is still written.
    fn end_if_eof(&mut self) {
        if self.eof && !self.done && self.ending.is_none() && self.mode != Mode::AwaitPhp {
            self.end_after_php(Ending::Eof);
        }
    }

    /// Compresses a whole data message when the connection negotiated it;
    /// otherwise sends it plain (RSV1 never goes out without negotiation).
    fn queue_compressed(&mut self, first: u8, payload: &[u8]) {
        let whole_message =
            first & 0x80 != 0 && matches!(first & 0x0F, frame::OP_TEXT | frame::OP_BINARY);
        match self.rx.deflate_mut() {
            Some(d) if whole_message => {
                let mut out = Vec::with_capacity(payload.len() / 2 + 16);
                d.compress(payload, &mut out);
                self.queue(frame::encode(first | 0x40, &out));
            }
            _ => self.queue(frame::encode(first & !0x70, payload)),
        }
    }

    fn queue(&mut self, b: Bytes) {
        if b.is_empty() {
            return;
        }
        self.wbytes += b.len();
        self.wqueue.push_back(b);
    }

    /// Whether anything waits to be written.
    fn has_output(&self) -> bool {
        !self.wqueue.is_empty() || self.tls.as_ref().is_some_and(|t| t.wants_write())
    }

    /// Writes as much as the socket takes without waiting.
    fn flush(&mut self) -> io::Result<()> {
        if self.tls.is_some() {
            return self.flush_tls();
        }
        while !self.wqueue.is_empty() {
            let mut slices = [IoSlice::new(&[]); 64];
            let n = self.wqueue.len().min(64);
            for (s, b) in slices.iter_mut().zip(self.wqueue.iter()) {
                *s = IoSlice::new(b);
            }
            match self.stream.try_write_vectored(&slices[..n]) {
                Ok(written) => {
                    self.consume(written);
                    self.session.touch_send();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        self.session.set_unsent(self.wbytes);
        Ok(())
    }

    /// Drops `written` bytes from the front of the write queue.
    fn consume(&mut self, mut written: usize) {
        self.wbytes -= written;
        while written > 0 {
            let front = self.wqueue.front_mut().expect("written bytes were queued");
            if front.len() <= written {
                written -= front.len();
                self.wqueue.pop_front();
            } else {
                front.advance(written);
                written = 0;
            }
        }
    }

    /// TLS: plaintext goes into rustls only as its ciphertext drains, so the
    /// write queue stays the one measure of what a client has not taken.
    fn flush_tls(&mut self) -> io::Result<()> {
        const FEED: usize = 64 * 1024;
        loop {
            let tls = self.tls.as_mut().expect("TLS connection");
            if !tls.wants_write() {
                let mut fed = 0;
                while fed < FEED {
                    let Some(b) = self.wqueue.pop_front() else {
                        break;
                    };
                    tls.send(&b)?;
                    fed += b.len();
                    self.wbytes -= b.len();
                }
                if !tls.wants_write() {
                    break;
                }
            }
            let mut sock = SocketWriter(&self.stream);
            match tls.write_to(&mut sock) {
                Ok(_) => self.session.touch_send(),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        self.session.set_unsent(self.wbytes);
        Ok(())
    }

    /// After our side is done: send FIN, then read until the peer's FIN (briefly),
    /// so unread input does not turn the close into a reset that loses our last frame.
    async fn linger(&mut self) {
        use tokio::io::AsyncWriteExt;
        if self.shared.is_forced() {
            return;
        }
        if let Some(tls) = self.tls.as_mut() {
            tls.close();
            let _ = self.flush_tls();
        }
        let _ = self.stream.shutdown().await;
        let until = Instant::now() + LINGER;
        // On the heap: a stack buffer would enlarge every connection's future.
        let mut scratch = vec![0u8; 4096];
        loop {
            tokio::select! {
                r = self.stream.readable() => {
                    if r.is_err() { return; }
                    match self.stream.try_read(&mut scratch) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(_) => return,
                    }
                }
                _ = sleep_until(until) => return,
            }
        }
    }
}

/// `io::Write` over the non-blocking socket, for rustls to write ciphertext into.
struct SocketWriter<'a>(&'a TcpStream);

impl io::Write for SocketWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.try_write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
