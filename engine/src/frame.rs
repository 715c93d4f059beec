//! RFC 6455 frame codec: header parsing, masking and encoding.
//!
//! Kept at the frame level (not the message level) because Swoole hands single
//! frames to PHP: pushes without FIN, per-frame RSV1, raw control frames.

use bytes::{BufMut, Bytes, BytesMut};

pub const OP_CONTINUATION: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;
pub const OP_PONG: u8 = 0xA;

/// Swoole's frame flag bits (SWOOLE_WEBSOCKET_FLAG_*).
pub mod flags {
    pub const FIN: u8 = 1;
    pub const COMPRESS: u8 = 2;
    pub const RSV1: u8 = 4;
    pub const RSV2: u8 = 8;
    pub const RSV3: u8 = 16;
    pub const MASK: u8 = 32;
}

/// Longest payload a control frame may carry (RFC 6455 5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

pub fn is_control(opcode: u8) -> bool {
    opcode & 0x8 != 0
}

pub fn is_known_opcode(opcode: u8) -> bool {
    matches!(
        opcode,
        OP_CONTINUATION | OP_TEXT | OP_BINARY | OP_CLOSE | OP_PING | OP_PONG
    )
}

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    pub opcode: u8,
    pub mask: Option<[u8; 4]>,
    pub payload_len: u64,
    /// Bytes the header itself takes on the wire.
    pub header_len: usize,
}

impl Head {
    /// The header in Swoole's flag bits, as `$frame->flags` shows it.
    pub fn swoole_flags(&self) -> u8 {
        let mut f = 0;
        if self.fin {
            f |= flags::FIN;
        }
        if self.rsv1 {
            f |= flags::RSV1 | flags::COMPRESS;
        }
        if self.rsv2 {
            f |= flags::RSV2;
        }
        if self.rsv3 {
            f |= flags::RSV3;
        }
        if self.mask.is_some() {
            f |= flags::MASK;
        }
        f
    }

    /// Total wire length, or None if it does not fit in memory.
    pub fn frame_len(&self) -> Option<usize> {
        usize::try_from(self.payload_len)
            .ok()?
            .checked_add(self.header_len)
    }
}

/// Parses a frame header; `None` means more bytes are needed.
/// A 64-bit length with the top bit set is reported as-is: callers reject it
/// against their size limit.
pub fn parse_head(buf: &[u8]) -> Option<Head> {
    if buf.len() < 2 {
        return None;
    }
    let b0 = buf[0];
    let b1 = buf[1];
    let masked = b1 & 0x80 != 0;
    let (payload_len, mut pos) = match b1 & 0x7F {
        126 => {
            if buf.len() < 4 {
                return None;
            }
            (u16::from_be_bytes([buf[2], buf[3]]) as u64, 4)
        }
        127 => {
            if buf.len() < 10 {
                return None;
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            (u64::from_be_bytes(b), 10)
        }
        n => (n as u64, 2),
    };
    let mask = if masked {
        if buf.len() < pos + 4 {
            return None;
        }
        let m = [buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]];
        pos += 4;
        Some(m)
    } else {
        None
    };
    Some(Head {
        fin: b0 & 0x80 != 0,
        rsv1: b0 & 0x40 != 0,
        rsv2: b0 & 0x20 != 0,
        rsv3: b0 & 0x10 != 0,
        opcode: b0 & 0x0F,
        mask,
        payload_len,
        header_len: pos,
    })
}

/// XORs `data` with the mask, starting at mask position `offset`.
pub fn apply_mask(data: &mut [u8], mask: [u8; 4], offset: usize) {
    let mut m = [0u8; 4];
    for (i, b) in m.iter_mut().enumerate() {
        *b = mask[(offset + i) & 3];
    }
    // Word at a time: unmasking is on the hot path of every client frame.
    let word = u32::from_ne_bytes(m);
    let wide = (word as u64) | ((word as u64) << 32);
    let mut chunks = data.chunks_exact_mut(8);
    for c in &mut chunks {
        let v = u64::from_ne_bytes(c.try_into().unwrap()) ^ wide;
        c.copy_from_slice(&v.to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= m[i & 3];
    }
}

/// Length of an unmasked frame header for a payload of `len` bytes.
pub fn header_len(len: usize) -> usize {
    if len < 126 {
        2
    } else if len <= u16::MAX as usize {
        4
    } else {
        10
    }
}

/// Appends a frame header.
pub fn put_head(out: &mut BytesMut, first_byte: u8, len: usize, mask: Option<[u8; 4]>) {
    out.reserve(14);
    out.put_u8(first_byte);
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    if len < 126 {
        out.put_u8(mask_bit | len as u8);
    } else if len <= u16::MAX as usize {
        out.put_u8(mask_bit | 126);
        out.put_u16(len as u16);
    } else {
        out.put_u8(mask_bit | 127);
        out.put_u64(len as u64);
    }
    if let Some(m) = mask {
        out.put_slice(&m);
    }
}

/// First header byte from FIN, RSV bits and opcode.
pub fn first_byte(fin: bool, rsv1: bool, rsv2: bool, rsv3: bool, opcode: u8) -> u8 {
    (fin as u8) << 7 | (rsv1 as u8) << 6 | (rsv2 as u8) << 5 | (rsv3 as u8) << 4 | (opcode & 0x0F)
}

/// Appends a whole frame; the payload is masked when `mask` is given (client side).
pub fn put_frame(out: &mut BytesMut, first: u8, payload: &[u8], mask: Option<[u8; 4]>) {
    put_head(out, first, payload.len(), mask);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(m) = mask {
        apply_mask(&mut out[start..], m, 0);
    }
}

/// Encodes one unmasked frame into its own buffer (server side).
pub fn encode(first: u8, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(payload.len() + 10);
    put_frame(&mut out, first, payload, None);
    out.freeze()
}

/// Close frame payload: code and reason.
pub fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(2 + reason.len());
    p.extend_from_slice(&code.to_be_bytes());
    p.extend_from_slice(reason);
    p
}

/// Whether a close code may appear on the wire (RFC 6455 7.4).
pub fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// Incremental UTF-8 validation of a text message that arrives in pieces
/// (fragments, or chops of one frame), so invalid text fails the connection
/// as soon as its first invalid byte arrives (RFC 6455 8.1, Autobahn 6.4).
///
/// A code point split between two pieces is carried over (at most 3 bytes).
#[derive(Debug, Default, Clone, Copy)]
pub struct Utf8Stream {
    carry: [u8; 4],
    carry_len: u8,
}

/// The text can never become valid UTF-8, whatever follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8;

impl Utf8Stream {
    /// Validates the next piece; Err once the text can never be valid UTF-8.
    /// A piece may end inside a code point: the next one must complete it.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), InvalidUtf8> {
        let have = self.carry_len as usize;
        if have > 0 {
            // Finish the code point the previous piece started.
            let take = data.len().min(4 - have);
            let mut buf = self.carry;
            buf[have..have + take].copy_from_slice(&data[..take]);
            match simdutf8::compat::from_utf8(&buf[..have + take]) {
                Ok(_) => data = &data[take..],
                Err(e) if e.error_len().is_some() => return Err(InvalidUtf8),
                Err(e) if e.valid_up_to() == 0 => {
                    // Still incomplete: `data` was shorter than what is missing.
                    self.carry = buf;
                    self.carry_len = (have + take) as u8;
                    return Ok(());
                }
                // The carried code point ends before valid_up_to; what follows
                // is checked with the rest of `data`.
                Err(e) => data = &data[e.valid_up_to() - have..],
            }
            self.carry_len = 0;
        }
        match simdutf8::compat::from_utf8(data) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_some() => Err(InvalidUtf8),
            Err(e) => {
                let rest = &data[e.valid_up_to()..];
                self.carry[..rest.len()].copy_from_slice(rest);
                self.carry_len = rest.len() as u8;
                Ok(())
            }
        }
    }

    /// Whether the text fed so far ends on a code point boundary.
    pub fn is_complete(&self) -> bool {
        self.carry_len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn encodes_like_swoole() {
        // Byte strings captured from Swoole 6.2.1's pack().
        assert_eq!(
            hex(&encode(0x81, b"hello world\n")),
            "810c68656c6c6f20776f726c640a"
        );
        assert_eq!(hex(&encode(0x82, b"abc")), "8203616263");
        assert_eq!(hex(&encode(0x01, b"abc")), "0103616263");
        assert_eq!(hex(&encode(0x89, b"")), "8900");
        assert_eq!(
            hex(&encode(0x88, &close_payload(4000, b"bye"))),
            "88050fa0627965"
        );
        assert_eq!(hex(&encode(0x81, &[b'a'; 126])[..4]), "817e007e");
        assert_eq!(
            hex(&encode(0x81, &vec![b'a'; 65536])[..10]),
            "817f0000000000010000"
        );
    }

    #[test]
    fn parses_masked_rfc_example() {
        // RFC 6455 5.7: a masked "Hello".
        let bytes = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let head = parse_head(&bytes).unwrap();
        assert!(head.fin && head.mask.is_some());
        assert_eq!((head.opcode, head.payload_len, head.header_len), (1, 5, 6));
        assert_eq!(head.swoole_flags(), flags::FIN | flags::MASK);
        let mut p = bytes[6..].to_vec();
        apply_mask(&mut p, head.mask.unwrap(), 0);
        assert_eq!(p, b"Hello");
    }

    #[test]
    fn needs_more_bytes() {
        for cut in 0..4 {
            assert!(parse_head(&[0x81, 0xFE, 0x01, 0x00][..cut]).is_none());
        }
        assert!(parse_head(&[0x81, 0xFF, 0, 0, 0, 0, 0, 0, 0]).is_none());
        assert!(parse_head(&[0x81, 0x85, 1, 2, 3]).is_none());
    }

    #[test]
    fn mask_roundtrip_any_offset_and_length() {
        let mask = [0xde, 0xad, 0xbe, 0xef];
        for len in 0..40 {
            let orig: Vec<u8> = (0..len as u8).collect();
            let mut a = orig.clone();
            apply_mask(&mut a, mask, 0);
            // Unmasking in two pieces at an odd split must match unmasking at once.
            let split = len / 3;
            let (x, y) = a.split_at_mut(split);
            apply_mask(x, mask, 0);
            apply_mask(y, mask, split);
            assert_eq!(a, orig);
        }
    }

    #[test]
    fn close_codes() {
        for ok in [1000, 1001, 1002, 1003, 1007, 1011, 3000, 4999] {
            assert!(is_valid_close_code(ok), "{ok}");
        }
        for bad in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            assert!(!is_valid_close_code(bad), "{bad}");
        }
    }

    #[test]
    fn utf8_stream_any_split() {
        // 1- to 4-byte code points; every split into two and three pieces.
        let text = "aé€𝄞z κόσμε €𝄞".as_bytes();
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let mut v = Utf8Stream::default();
                for piece in [&text[..i], &text[i..j], &text[j..]] {
                    assert_eq!(v.feed(piece), Ok(()), "{i} {j}");
                }
                assert!(v.is_complete(), "{i} {j}");
            }
        }
        // One byte at a time.
        let mut v = Utf8Stream::default();
        for b in text {
            v.feed(std::slice::from_ref(b)).unwrap();
        }
        assert!(v.is_complete());
        // Ending inside a code point is not an error until the message ends.
        let mut v = Utf8Stream::default();
        v.feed(&text[..2]).unwrap();
        assert!(!v.is_complete());
    }

    #[test]
    fn utf8_stream_fails_on_the_piece_that_breaks_it() {
        // Autobahn 6.4.1: valid, then 0x110000 encoded (F4 90 80 80), then valid.
        let part1 = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
        let mut v = Utf8Stream::default();
        v.feed(part1).unwrap();
        assert_eq!(v.feed(b"\xf4\x90\x80\x80"), Err(InvalidUtf8));
        // 6.4.2: the piece ends with the first byte that makes it invalid.
        let mut v = Utf8Stream::default();
        v.feed(part1).unwrap();
        assert_eq!(v.feed(b"\xf4\x90"), Err(InvalidUtf8));
        // The lead byte alone is still a valid prefix; its invalid follower is not.
        let mut v = Utf8Stream::default();
        v.feed(b"\xf4").unwrap();
        assert_eq!(v.feed(b"\x90"), Err(InvalidUtf8));
        // Invalid right after a completed carried code point.
        let mut v = Utf8Stream::default();
        v.feed(b"\xe2\x82").unwrap();
        assert_eq!(v.feed(b"\xac\xff"), Err(InvalidUtf8));
        // Surrogates and overlong forms, split or not.
        for bad in [&b"\xed\xa0\x80"[..], b"\xc0\xaf", b"\xe0\x80\xaf", b"\xff"] {
            for cut in 0..bad.len() {
                let mut v = Utf8Stream::default();
                let r = v.feed(&bad[..cut]).and_then(|()| v.feed(&bad[cut..]));
                assert!(r.is_err() || !v.is_complete(), "{bad:?} cut {cut}");
                assert!(r.is_err(), "{bad:?} cut {cut}");
            }
        }
    }

    #[test]
    fn utf8_stream_agrees_with_std() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces: [&[u8]; 10] = [
            b"a",
            "é".as_bytes(),
            "€".as_bytes(),
            "𝄞".as_bytes(),
            b"\x80",
            b"\xf4\x90",
            b"\xed\xa0\x80",
            b"\xe2\x82",
            b"\xc3",
            b"\xff",
        ];
        for _ in 0..20_000 {
            let mut text = Vec::new();
            for _ in 0..next() % 8 {
                text.extend_from_slice(pieces[(next() % 10) as usize]);
            }
            let mut v = Utf8Stream::default();
            let mut ok = true;
            let mut rest = &text[..];
            while ok && !rest.is_empty() {
                let n = (next() as usize % 4).min(rest.len());
                ok = v.feed(&rest[..n]).is_ok();
                rest = &rest[n..];
            }
            let whole = std::str::from_utf8(&text).is_ok();
            assert_eq!(ok && v.is_complete(), whole, "{text:x?}");
        }
    }
}
