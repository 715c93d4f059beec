//! The one WebSocket receiver: bytes in, messages and control frames out.
//!
//! Sans-IO: the caller reads into a buffer and calls [`Receiver::next`];
//! the receiver applies the header rules of its role (a server takes only
//! masked frames, a client only unmasked ones), reassembles fragments,
//! checks UTF-8 as text arrives (fail fast, RFC 6455 8.1), inflates
//! permessage-deflate messages and validates close payloads. The server
//! connection, the coroutine client, `Server::unpack()` and the fuzz
//! targets all decode through this module.

use bytes::{Buf, Bytes, BytesMut};

use crate::bridge::InFrame;
use crate::deflate::{DeflateError, DeflateParams, PerMessageDeflate, Role};
use crate::frame::{self, flags, Head, Utf8Stream};

/// The peer broke the protocol: the close code to send and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolError {
    pub code: u16,
    pub reason: &'static str,
}

const fn err(code: u16, reason: &'static str) -> ProtocolError {
    ProtocolError { code, reason }
}

const TOO_BIG: ProtocolError = err(1009, "message too big");
const BAD_UTF8: ProtocolError = err(1007, "invalid UTF-8 text");

/// What one call to [`Receiver::next`] hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A whole data message: reassembled, inflated, text checked.
    Message(InFrame),
    Ping(InFrame),
    Pong(InFrame),
    /// The peer's close frame (validated); `frame.close` holds code and
    /// reason (1000 for an empty payload), `payload` the raw bytes to echo.
    Close {
        frame: InFrame,
        payload: Bytes,
    },
}

/// A fragmented message being reassembled.
struct Partial {
    opcode: u8,
    flags: u8,
    compressed: bool,
    data: BytesMut,
}

pub struct Receiver {
    role: Role,
    max_message: usize,
    deflate: Option<PerMessageDeflate>,
    partial: Option<Partial>,
    /// UTF-8 state of the uncompressed text message being received.
    utf8: Utf8Stream,
    /// Payload bytes of the incomplete frame at the head of the buffer that
    /// are already unmasked in place and UTF-8 checked.
    head_checked: usize,
    /// We sent our close: data frames are dropped unchecked.
    closing: bool,
    /// The peer's close frame was handed over: nothing after it counts.
    closed: bool,
}

impl Receiver {
    /// `role` is this endpoint's; messages over `max_message` bytes (after
    /// reassembly and decompression) fail with 1009.
    pub fn new(role: Role, max_message: usize, deflate: Option<PerMessageDeflate>) -> Self {
        Receiver {
            role,
            max_message,
            deflate,
            partial: None,
            utf8: Utf8Stream::default(),
            head_checked: 0,
            closing: false,
            closed: false,
        }
    }

    pub fn set_max_message(&mut self, n: usize) {
        self.max_message = n;
    }

    /// The compression the handshake agreed (the sender shares its context).
    pub fn set_deflate(&mut self, d: Option<PerMessageDeflate>) {
        self.deflate = d;
    }

    pub fn deflate_mut(&mut self) -> Option<&mut PerMessageDeflate> {
        self.deflate.as_mut()
    }

    pub fn compression(&self) -> bool {
        self.deflate.is_some()
    }

    /// Our close frame went out: only the peer's close matters from now on.
    pub fn set_closing(&mut self) {
        self.closing = true;
    }

    /// How many more bytes complete the frame at the head of `buf`.
    pub fn bytes_wanted(buf: &[u8]) -> usize {
        frame::parse_head(buf)
            .and_then(|h| h.frame_len())
            .map_or(0, |n| n.saturating_sub(buf.len()))
    }

    /// Takes the next message or control frame out of `buf`; `Ok(None)`
    /// when more bytes are needed. Between calls the caller may only append
    /// to `buf` (an incomplete text frame is unmasked and checked in place).
    pub fn next(&mut self, buf: &mut BytesMut) -> Result<Option<Received>, ProtocolError> {
        loop {
            if self.closed {
                return Ok(None);
            }
            let Some(head) = frame::parse_head(buf) else {
                return Ok(None);
            };
            self.check_head(&head)?;
            let total = head.frame_len().ok_or(TOO_BIG)?;
            if buf.len() < total {
                self.check_text_so_far(&head, buf)?;
                return Ok(None);
            }
            let checked = std::mem::take(&mut self.head_checked);
            let mut payload = buf.split_to(total);
            payload.advance(head.header_len);
            if let Some(mask) = head.mask {
                frame::apply_mask(&mut payload[checked..], mask, checked);
            }
            if let Some(r) = self.on_frame(head, payload, checked)? {
                return Ok(Some(r));
            }
        }
    }

    /// What the header alone tells, before the payload is all there.
    fn check_head(&self, head: &Head) -> Result<(), ProtocolError> {
        match (self.role, head.mask.is_some()) {
            (Role::Server, false) => return Err(err(1002, "unmasked frame from the client")),
            (Role::Client, true) => return Err(err(1002, "masked frame from the server")),
            _ => {}
        }
        if head.rsv2 || head.rsv3 {
            return Err(err(1002, "reserved bits set"));
        }
        if !frame::is_known_opcode(head.opcode) {
            return Err(err(1002, "unknown opcode"));
        }
        if frame::is_control(head.opcode) {
            if !head.fin || head.rsv1 {
                return Err(err(1002, "fragmented or compressed control frame"));
            }
            if head.payload_len > frame::MAX_CONTROL_PAYLOAD as u64 {
                return Err(err(1002, "control frame too long"));
            }
            return Ok(());
        }
        let buffered = match (&self.partial, self.closing) {
            (Some(p), false) => p.data.len() as u64,
            _ => 0,
        };
        if head.payload_len.saturating_add(buffered) > self.max_message as u64 {
            return Err(TOO_BIG);
        }
        if self.closing {
            // Data frames are dropped now, so their order does not matter.
            return Ok(());
        }
        match head.opcode {
            frame::OP_CONTINUATION if head.rsv1 => Err(err(1002, "RSV1 on a continuation frame")),
            frame::OP_CONTINUATION if self.partial.is_none() => {
                Err(err(1002, "continuation without a message"))
            }
            frame::OP_TEXT | frame::OP_BINARY if self.partial.is_some() => {
                Err(err(1002, "new message inside a fragmented one"))
            }
            frame::OP_TEXT | frame::OP_BINARY if head.rsv1 && self.deflate.is_none() => {
                Err(err(1002, "compressed frame without permessage-deflate"))
            }
            _ => Ok(()),
        }
    }

    /// Whether the frame's payload is (part of) an uncompressed text message.
    fn is_plain_text(&self, head: &Head) -> bool {
        match head.opcode {
            frame::OP_TEXT => !head.rsv1,
            frame::OP_CONTINUATION => self
                .partial
                .as_ref()
                .is_some_and(|p| p.opcode == frame::OP_TEXT && !p.compressed),
            _ => false,
        }
    }

    /// Unmasks in place and UTF-8 checks what has arrived of an incomplete
    /// text frame, so that invalid text fails fast (Autobahn 6.4.3/6.4.4).
    fn check_text_so_far(&mut self, head: &Head, buf: &mut [u8]) -> Result<(), ProtocolError> {
        if self.closing || !self.is_plain_text(head) {
            return Ok(());
        }
        let Some(arrived) = buf.len().checked_sub(head.header_len) else {
            return Ok(());
        };
        let from = self.head_checked;
        if arrived <= from {
            return Ok(());
        }
        if from == 0 && head.opcode == frame::OP_TEXT {
            self.utf8 = Utf8Stream::default();
        }
        let new = &mut buf[head.header_len + from..head.header_len + arrived];
        if let Some(mask) = head.mask {
            frame::apply_mask(new, mask, from);
        }
        self.head_checked = arrived;
        self.utf8.feed(new).map_err(|_| BAD_UTF8)
    }

    /// UTF-8 checks the rest of a complete text frame whose first `checked`
    /// payload bytes were checked as they arrived.
    fn check_text(
        &mut self,
        head: &Head,
        payload: &[u8],
        checked: usize,
    ) -> Result<(), ProtocolError> {
        if head.opcode == frame::OP_TEXT && checked == 0 {
            if head.fin {
                // The common case, a whole message in one frame: one pass.
                return simdutf8::basic::from_utf8(payload)
                    .map(|_| ())
                    .map_err(|_| BAD_UTF8);
            }
            self.utf8 = Utf8Stream::default();
        }
        self.utf8.feed(&payload[checked..]).map_err(|_| BAD_UTF8)?;
        if head.fin && !self.utf8.is_complete() {
            return Err(BAD_UTF8);
        }
        Ok(())
    }

    fn on_frame(
        &mut self,
        head: Head,
        payload: BytesMut,
        checked: usize,
    ) -> Result<Option<Received>, ProtocolError> {
        if self.closing && !frame::is_control(head.opcode) {
            return Ok(None);
        }
        // Uncompressed text is checked frame by frame; compressed text once inflated.
        let text_checked = self.is_plain_text(&head);
        if text_checked {
            self.check_text(&head, &payload, checked)?;
        }
        let fl = head.swoole_flags();
        let control = |opcode, payload: BytesMut| InFrame {
            opcode,
            flags: fl,
            data: payload.freeze(),
            close: None,
        };
        Ok(match head.opcode {
            frame::OP_CONTINUATION => {
                let p = self.partial.as_mut().expect("checked with the header");
                p.data.extend_from_slice(&payload);
                if !head.fin {
                    return Ok(None);
                }
                let p = self.partial.take().expect("partial message");
                Some(self.message(
                    p.opcode,
                    p.flags,
                    p.data.freeze(),
                    p.compressed,
                    text_checked,
                )?)
            }
            frame::OP_TEXT | frame::OP_BINARY => {
                let fl = fl | flags::FIN;
                if !head.fin {
                    self.partial = Some(Partial {
                        opcode: head.opcode,
                        flags: fl,
                        compressed: head.rsv1,
                        data: payload,
                    });
                    return Ok(None);
                }
                Some(self.message(head.opcode, fl, payload.freeze(), head.rsv1, text_checked)?)
            }
            frame::OP_PING => Some(Received::Ping(control(frame::OP_PING, payload))),
            frame::OP_PONG => Some(Received::Pong(control(frame::OP_PONG, payload))),
            frame::OP_CLOSE => {
                let payload = payload.freeze();
                let (code, reason) = check_close(&payload)?.unwrap_or((1000, Bytes::new()));
                self.closed = true;
                self.partial = None;
                Some(Received::Close {
                    frame: InFrame {
                        opcode: frame::OP_CLOSE,
                        flags: fl,
                        data: Bytes::new(),
                        close: Some((code, reason)),
                    },
                    payload,
                })
            }
            _ => unreachable!("opcode checked with the header"),
        })
    }

    /// A complete data message, inflated when compressed and UTF-8 checked
    /// unless that happened as it arrived.
    fn message(
        &mut self,
        opcode: u8,
        fl: u8,
        data: Bytes,
        compressed: bool,
        utf8_checked: bool,
    ) -> Result<Received, ProtocolError> {
        let data = if compressed {
            let inflater = self.deflate.as_mut().expect("checked with the header");
            let mut out = Vec::new();
            match inflater.decompress(&data, self.max_message, &mut out) {
                Ok(()) => Bytes::from(out),
                Err(DeflateError::TooBig) => return Err(TOO_BIG),
                Err(_) => return Err(err(1007, "invalid compressed data")),
            }
        } else {
            data
        };
        if opcode == frame::OP_TEXT && !utf8_checked && simdutf8::basic::from_utf8(&data).is_err() {
            return Err(BAD_UTF8);
        }
        Ok(Received::Message(InFrame {
            opcode,
            flags: fl,
            data,
            close: None,
        }))
    }
}

/// Code and reason of a close payload as they are, None when it has no code
/// (`unpack()` takes them unchecked; [`check_close`] validates).
pub fn split_close(payload: &Bytes) -> Option<(u16, Bytes)> {
    (payload.len() >= 2).then(|| {
        (
            u16::from_be_bytes([payload[0], payload[1]]),
            payload.slice(2..),
        )
    })
}

/// A received close payload (RFC 6455 5.5.1, 7.4): empty, or a valid code
/// and a UTF-8 reason.
pub fn check_close(payload: &Bytes) -> Result<Option<(u16, Bytes)>, ProtocolError> {
    if payload.len() == 1 {
        return Err(err(1002, "close frame with a 1-byte payload"));
    }
    let Some((code, reason)) = split_close(payload) else {
        return Ok(None);
    };
    if !frame::is_valid_close_code(code) {
        return Err(err(1002, "invalid close code"));
    }
    if simdutf8::basic::from_utf8(&reason).is_err() {
        return Err(BAD_UTF8);
    }
    Ok(Some((code, reason)))
}

/// Why [`unpack`] gave nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnpackError {
    /// Not a whole frame: `expected` bytes are needed (0: the header is cut).
    Incomplete { expected: usize },
    /// RSV1 set but the payload does not inflate.
    BadCompressed,
}

/// One whole frame from bytes with no connection around it
/// (`Server::unpack()`): any mask, no order or role rules, RSV1 inflated with
/// a fresh context, a close payload split as it is. Returns the header too.
pub fn unpack(bytes: &[u8], max_message: usize) -> Result<(Head, InFrame), UnpackError> {
    let head = frame::parse_head(bytes).ok_or(UnpackError::Incomplete { expected: 0 })?;
    let total = head.frame_len().unwrap_or(usize::MAX);
    if bytes.len() < total {
        return Err(UnpackError::Incomplete { expected: total });
    }
    let mut payload = bytes[head.header_len..total].to_vec();
    if let Some(m) = head.mask {
        frame::apply_mask(&mut payload, m, 0);
    }
    if head.rsv1 {
        let mut d = PerMessageDeflate::new(UNPACK_PARAMS, Role::Client);
        let mut out = Vec::new();
        d.decompress(&payload, max_message, &mut out)
            .map_err(|_| UnpackError::BadCompressed)?;
        payload = out;
    }
    let payload = Bytes::from(payload);
    let frame = if head.opcode == frame::OP_CLOSE {
        InFrame {
            opcode: head.opcode,
            flags: head.swoole_flags(),
            data: Bytes::new(),
            close: Some(split_close(&payload).unwrap_or((1000, Bytes::new()))),
        }
    } else {
        InFrame {
            opcode: head.opcode,
            flags: head.swoole_flags(),
            data: payload,
            close: None,
        }
    };
    Ok((head, frame))
}

const UNPACK_PARAMS: DeflateParams = DeflateParams {
    server_no_context_takeover: false,
    client_no_context_takeover: false,
    server_max_window_bits: 15,
    client_max_window_bits: 15,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode;

    fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = BytesMut::new();
        frame::put_frame(&mut out, first, payload, Some([1, 2, 3, 4]));
        out.to_vec()
    }

    fn server() -> Receiver {
        Receiver::new(Role::Server, 1 << 20, None)
    }

    fn client() -> Receiver {
        Receiver::new(Role::Client, 1 << 20, None)
    }

    /// Everything `r` gets out of `bytes` fed whole, or the error.
    fn run(r: &mut Receiver, bytes: &[u8]) -> Result<Vec<Received>, ProtocolError> {
        let mut buf = BytesMut::from(bytes);
        let mut out = Vec::new();
        while let Some(x) = r.next(&mut buf)? {
            out.push(x);
        }
        Ok(out)
    }

    /// The same, fed one byte at a time.
    fn run_bytewise(r: &mut Receiver, bytes: &[u8]) -> Result<Vec<Received>, ProtocolError> {
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for b in bytes {
            buf.extend_from_slice(std::slice::from_ref(b));
            while let Some(x) = r.next(&mut buf)? {
                out.push(x);
            }
        }
        Ok(out)
    }

    fn data(r: &Received) -> (u8, &[u8]) {
        match r {
            Received::Message(f) | Received::Ping(f) | Received::Pong(f) => (f.opcode, &f.data),
            Received::Close { frame, .. } => (frame.opcode, &frame.close.as_ref().unwrap().1),
        }
    }

    #[test]
    fn roles_decide_the_mask() {
        let got = run(&mut server(), &masked(0x81, b"hi")).unwrap();
        assert_eq!(data(&got[0]), (1, &b"hi"[..]));
        assert_eq!(
            run(&mut server(), &encode(0x81, b"hi")).unwrap_err().code,
            1002
        );
        let got = run(&mut client(), &encode(0x82, b"hi")).unwrap();
        assert_eq!(data(&got[0]), (2, &b"hi"[..]));
        assert_eq!(
            run(&mut client(), &masked(0x81, b"hi")).unwrap_err().code,
            1002
        );
    }

    #[test]
    fn reassembles_with_control_frames_between() {
        let mut bytes = masked(0x01, "fr€".as_bytes());
        bytes.extend(masked(0x89, b"p"));
        bytes.extend(masked(0x00, b"ag"));
        bytes.extend(masked(0x80, b"ment"));
        for feed in [run, run_bytewise] {
            let got = feed(&mut server(), &bytes).unwrap();
            assert_eq!(got.len(), 2);
            assert_eq!(data(&got[0]), (9, &b"p"[..]));
            assert_eq!(data(&got[1]), (1, "fr€agment".as_bytes()));
            let Received::Message(m) = &got[1] else {
                panic!()
            };
            assert_eq!(m.flags, flags::FIN | flags::MASK);
        }
    }

    #[test]
    fn header_rules() {
        for (bytes, code) in [
            (masked(0xA1, b"x"), 1002),              // RSV2
            (masked(0x83, b""), 1002),               // unknown opcode
            (masked(0x80, b"x"), 1002),              // continuation without a message
            (masked(0xC1, b"x"), 1002),              // RSV1 without deflate
            (masked(0x09, b""), 1002),               // fragmented ping
            (masked(0x89, &[0; 126]), 1002),         // long ping
            (masked(0x82, &vec![0; 2 << 20]), 1009), // over max_message
        ] {
            assert_eq!(
                run(&mut server(), &bytes).unwrap_err().code,
                code,
                "{:x?}",
                &bytes[..2]
            );
        }
        let mut two = masked(0x01, b"a");
        two.extend(masked(0x81, b"b"));
        assert_eq!(run(&mut server(), &two).unwrap_err().code, 1002);
        // Fragments add up against the limit.
        let mut r = Receiver::new(Role::Server, 10, None);
        let mut frags = masked(0x02, &[0; 6]);
        frags.extend(masked(0x80, &[0; 6]));
        assert_eq!(run(&mut r, &frags).unwrap_err().code, 1009);
    }

    #[test]
    fn text_fails_on_the_frame_that_breaks_it() {
        // The invalid byte comes in the first half of a frame whose rest never arrives.
        let mut bytes = masked(0x81, b"ok \xff and more");
        bytes.truncate(10);
        for mut r in [server()] {
            assert_eq!(run_bytewise(&mut r, &bytes).unwrap_err().code, 1007);
        }
        // Client side, unmasked, split in fragments.
        let mut bytes = encode(0x01, b"\xe2\x82").to_vec();
        bytes.extend_from_slice(&encode(0x80, b"\xac!"));
        let got = run(&mut client(), &bytes).unwrap();
        assert_eq!(data(&got[0]), (1, "€!".as_bytes()));
        let mut bytes = encode(0x01, b"\xe2\x82").to_vec();
        bytes.extend_from_slice(&encode(0x80, b"\x41"));
        assert_eq!(run(&mut client(), &bytes).unwrap_err().code, 1007);
        // Ends inside a code point.
        assert_eq!(
            run(&mut client(), &encode(0x81, b"a\xc3"))
                .unwrap_err()
                .code,
            1007
        );
        // Binary is not checked.
        assert!(run(&mut client(), &encode(0x82, b"\xff")).is_ok());
    }

    #[test]
    fn close_payloads() {
        let close = |p: &[u8]| run(&mut client(), &encode(0x88, p));
        let got = close(&frame::close_payload(4000, b"bye")).unwrap();
        let Received::Close { frame: f, payload } = &got[0] else {
            panic!()
        };
        assert_eq!(f.close, Some((4000, Bytes::from_static(b"bye"))));
        assert_eq!(&payload[..], b"\x0f\xa0bye");
        let got = close(b"").unwrap();
        let Received::Close { frame: f, .. } = &got[0] else {
            panic!()
        };
        assert_eq!(f.close, Some((1000, Bytes::new())));
        assert_eq!(close(b"\x03").unwrap_err().code, 1002);
        assert_eq!(
            close(&frame::close_payload(1005, b"")).unwrap_err().code,
            1002
        );
        assert_eq!(
            close(&frame::close_payload(1000, b"\xff"))
                .unwrap_err()
                .code,
            1007
        );
        // Nothing after the close frame is read.
        let mut bytes = encode(0x88, b"").to_vec();
        bytes.extend_from_slice(&encode(0x81, b"late"));
        assert_eq!(run(&mut client(), &bytes).unwrap().len(), 1);
    }

    #[test]
    fn closing_drops_data_but_keeps_header_rules() {
        let mut r = server();
        r.set_closing();
        let mut bytes = masked(0x80, b"out of order");
        bytes.extend(masked(0x81, b"\xff"));
        bytes.extend(masked(0x88, &frame::close_payload(1000, b"")));
        let got = run(&mut r, &bytes).unwrap();
        assert_eq!(got.len(), 1);
        assert!(matches!(got[0], Received::Close { .. }));
        let mut r = server();
        r.set_closing();
        assert_eq!(run(&mut r, &encode(0x81, b"x")).unwrap_err().code, 1002);
    }

    #[test]
    fn inflates_and_limits() {
        let params = DeflateParams::default();
        let mut z = Vec::new();
        PerMessageDeflate::new(params, Role::Client).compress("é".repeat(1000).as_bytes(), &mut z);
        let (a, b) = z.split_at(z.len() / 2);
        let mut bytes = masked(0x41, a);
        bytes.extend(masked(0x80, b));
        let mut r = Receiver::new(
            Role::Server,
            1 << 20,
            Some(PerMessageDeflate::new(params, Role::Server)),
        );
        let got = run_bytewise(&mut r, &bytes).unwrap();
        assert_eq!(data(&got[0]), (1, "é".repeat(1000).as_bytes()));
        let Received::Message(m) = &got[0] else {
            panic!()
        };
        assert_ne!(m.flags & flags::COMPRESS, 0);
        // A bomb past the limit, and garbage.
        let mut r = Receiver::new(
            Role::Server,
            100,
            Some(PerMessageDeflate::new(params, Role::Server)),
        );
        let mut z = Vec::new();
        PerMessageDeflate::new(params, Role::Client).compress(&[0; 10_000], &mut z);
        assert_eq!(run(&mut r, &masked(0xC2, &z)).unwrap_err().code, 1009);
        let mut r = Receiver::new(
            Role::Server,
            100,
            Some(PerMessageDeflate::new(params, Role::Server)),
        );
        assert_eq!(
            run(&mut r, &masked(0xC2, b"\xff\xff\xff"))
                .unwrap_err()
                .code,
            1007
        );
        // Compressed invalid text fails after inflating.
        let mut z = Vec::new();
        PerMessageDeflate::new(params, Role::Client).compress(b"\xff", &mut z);
        let mut r = Receiver::new(
            Role::Server,
            100,
            Some(PerMessageDeflate::new(params, Role::Server)),
        );
        assert_eq!(run(&mut r, &masked(0xC1, &z)).unwrap_err().code, 1007);
    }

    #[test]
    fn bytes_wanted_counts_the_rest_of_the_frame() {
        let f = masked(0x82, &[0; 300]);
        assert_eq!(Receiver::bytes_wanted(&f[..10]), f.len() - 10);
        assert_eq!(Receiver::bytes_wanted(&f), 0);
        assert_eq!(Receiver::bytes_wanted(&f[..1]), 0);
    }

    #[test]
    fn unpack_any_frame() {
        let (h, f) = unpack(&masked(0x01, b"abc"), 1 << 20).unwrap();
        assert!(!h.fin);
        assert_eq!((f.opcode, &f.data[..]), (1, &b"abc"[..]));
        let (_, f) = unpack(&encode(0x88, &frame::close_payload(1005, b"x")), 1 << 20).unwrap();
        assert_eq!(f.close, Some((1005, Bytes::from_static(b"x"))));
        let (_, f) = unpack(&encode(0x88, b""), 1 << 20).unwrap();
        assert_eq!(f.close, Some((1000, Bytes::new())));
        assert_eq!(
            unpack(&encode(0x81, b"abc")[..4], 1 << 20),
            Err(UnpackError::Incomplete { expected: 5 })
        );
        assert_eq!(
            unpack(b"\x81", 1 << 20),
            Err(UnpackError::Incomplete { expected: 0 })
        );
        assert_eq!(
            unpack(&encode(0xC1, b"\xff\xff"), 1 << 20),
            Err(UnpackError::BadCompressed)
        );
        let mut z = Vec::new();
        PerMessageDeflate::new(UNPACK_PARAMS, Role::Server).compress(b"Hello", &mut z);
        let (_, f) = unpack(&encode(0xC1, &z), 1 << 20).unwrap();
        assert_eq!(&f.data[..], b"Hello");
    }
}
