//! The frame decoder on arbitrary bytes: frame::parse_head, apply_mask, the
//! receiver the server connection and the client share (both roles, with and
//! without permessage-deflate, fed whole and in chops), and receiver::unpack(),
//! which the PHP-side `Frame::unpack()` is a thin wrapper of.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swoole_rs_engine::deflate::{DeflateParams, PerMessageDeflate, Role};
use swoole_rs_engine::frame::{self, flags};
use swoole_rs_engine::receiver::{self, ProtocolError, Received, Receiver, UnpackError};

/// Everything a receiver gets from `pieces` fed in turn, and how it ended.
fn receive(role: Role, deflate: bool, pieces: &[&[u8]]) -> (Vec<Received>, Option<ProtocolError>) {
    let d = deflate.then(|| PerMessageDeflate::new(DeflateParams::default(), role));
    let mut r = Receiver::new(role, 64 * 1024, d);
    let mut buf = bytes::BytesMut::new();
    let mut got = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            match r.next(&mut buf) {
                Ok(Some(x)) => got.push(x),
                Ok(None) => break,
                Err(e) => return (got, Some(e)),
            }
        }
    }
    (got, None)
}

fuzz_target!(|data: &[u8]| {
    // The receiver: the same messages and the same error (fail-fast UTF-8 may
    // only find it sooner) whether the bytes come whole or in two chops.
    if !data.is_empty() {
        let split = data[0] as usize % (data.len() + 1);
        for role in [Role::Server, Role::Client] {
            for deflate in [false, true] {
                let whole = receive(role, deflate, &[data]);
                let chopped = receive(role, deflate, &[&data[..split], &data[split..]]);
                assert_eq!(whole, chopped, "{role:?} deflate={deflate} split {split}");
                for m in &whole.0 {
                    if let Received::Message(f) = m {
                        assert!(f.data.len() <= 64 * 1024);
                        if f.opcode == frame::OP_TEXT {
                            assert!(std::str::from_utf8(&f.data).is_ok(), "invalid text delivered");
                        }
                    }
                    if let Received::Close { frame: f, .. } = m {
                        let (code, reason) = f.close.clone().unwrap();
                        assert!(frame::is_valid_close_code(code));
                        assert!(std::str::from_utf8(&reason).is_ok());
                    }
                }
            }
        }
    }

    let Some(head) = frame::parse_head(data) else {
        // The longest header is 14 bytes: with that many, a header is always there.
        assert!(data.len() < 14, "no header parsed from {} bytes", data.len());
        return;
    };

    // Header shape.
    let ext = match data[1] & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let mask_len = if head.mask.is_some() { 4 } else { 0 };
    assert_eq!(head.header_len, 2 + ext + mask_len);
    assert!(head.header_len <= data.len());
    assert_eq!(
        frame::first_byte(head.fin, head.rsv1, head.rsv2, head.rsv3, head.opcode),
        data[0]
    );
    let f = head.swoole_flags();
    assert_eq!(f & flags::FIN != 0, head.fin);
    assert_eq!(f & flags::MASK != 0, head.mask.is_some());
    assert_eq!(f & flags::RSV2 != 0, head.rsv2);
    assert_eq!(f & flags::RSV3 != 0, head.rsv3);

    // Re-encoding the header and parsing it again gives the same header (the input may
    // use a longer length encoding than needed: then only the fields must agree).
    if let Ok(len) = usize::try_from(head.payload_len) {
        let mut out = bytes::BytesMut::new();
        frame::put_head(&mut out, data[0], len, head.mask);
        assert_eq!(out.len(), frame::header_len(len) + mask_len);
        let again = frame::parse_head(&out).expect("re-encoded header incomplete");
        assert_eq!(
            (again.fin, again.rsv1, again.rsv2, again.rsv3, again.opcode, again.mask, again.payload_len),
            (head.fin, head.rsv1, head.rsv2, head.rsv3, head.opcode, head.mask, head.payload_len)
        );
        if out.len() == head.header_len {
            let minimal = match ext {
                0 => true,
                2 => len >= 126,
                _ => len > u16::MAX as usize,
            };
            if minimal {
                assert_eq!(&out[..], &data[..head.header_len]);
            }
        }
    }

    // The payload bytes present (the whole frame, or what arrived of it).
    let total = head.frame_len();
    let end = total.map_or(data.len(), |t| t.min(data.len()));
    let mut payload = data[head.header_len..end].to_vec();
    let masked = payload.clone();
    if let Some(m) = head.mask {
        // Unmasking in two pieces at any split equals unmasking at once, and equals the
        // byte-by-byte definition.
        let split = if payload.is_empty() { 0 } else { data[0] as usize % (payload.len() + 1) };
        let (a, b) = payload.split_at_mut(split);
        frame::apply_mask(a, m, 0);
        frame::apply_mask(b, m, split);
        for (i, (&p, &c)) in payload.iter().zip(masked.iter()).enumerate() {
            assert_eq!(p, c ^ m[i & 3], "apply_mask wrong at {i} (split {split})");
        }
        let mut back = payload.clone();
        frame::apply_mask(&mut back, m, 0);
        assert_eq!(back, masked);
    }

    // Incomplete frame: unpack() warns and returns false; nothing more to check.
    let Some(total) = total else { return };
    if data.len() < total {
        return;
    }

    // The connection's close payload rules and UTF-8 check (simdutf8) against std.
    utf8_agrees(&payload);
    if head.opcode == frame::OP_CLOSE && payload.len() >= 2 {
        let code = u16::from_be_bytes([payload[0], payload[1]]);
        let valid = frame::is_valid_close_code(code);
        assert_eq!(
            valid,
            matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999),
            "close code {code}"
        );
        utf8_agrees(&payload[2..]);
        let p = frame::close_payload(code, &payload[2..]);
        assert_eq!(p, payload);
    }

    // unpack(): the whole frame, RSV1 inflated once with a fresh context.
    match receiver::unpack(data, 64 * 1024) {
        Ok((h, f)) => {
            assert_eq!(h, head);
            assert_eq!(f.flags, head.swoole_flags());
            if head.opcode == frame::OP_CLOSE {
                assert!(f.data.is_empty() && f.close.is_some());
            } else if !head.rsv1 {
                assert_eq!(f.data, payload);
            } else {
                assert!(f.data.len() <= 64 * 1024);
            }
        }
        Err(UnpackError::Incomplete { .. }) => panic!("whole frame reported incomplete"),
        Err(UnpackError::BadCompressed) => assert!(head.rsv1),
    }

    // encode() of what was decoded gives a frame that decodes to the same thing.
    let enc = frame::encode(data[0], &payload);
    let h2 = frame::parse_head(&enc).expect("encoded frame header");
    assert_eq!(h2.mask, None);
    assert_eq!(h2.payload_len as usize, payload.len());
    assert_eq!(&enc[h2.header_len..], &payload[..]);
    assert_eq!(h2.frame_len(), Some(enc.len()));
});

fn utf8_agrees(b: &[u8]) {
    assert_eq!(
        simdutf8::basic::from_utf8(b).is_ok(),
        std::str::from_utf8(b).is_ok(),
        "simdutf8 and std disagree on {b:02x?}"
    );
}
