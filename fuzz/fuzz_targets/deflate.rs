//! permessage-deflate on arbitrary input: the handshake negotiation on arbitrary
//! Sec-WebSocket-Extensions values, inflating arbitrary payloads against a small size
//! limit (one context across several messages, as a connection does), and compressing
//! arbitrary messages, which must inflate back to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swoole_rs_engine::deflate::{
    self, DeflateConfig, DeflateError, DeflateParams, PerMessageDeflate, Role,
};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    match sel % 3 {
        0 => negotiation(sel, rest),
        1 => inflate(sel, rest),
        _ => roundtrip(sel, rest),
    }
});

/// Parameters for a compression context, from a few input bits.
fn params(bits: u8, more: u8) -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: bits & 1 != 0,
        client_no_context_takeover: bits & 2 != 0,
        server_max_window_bits: 8 + (more & 7),
        client_max_window_bits: 8 + ((more >> 3) & 7),
    }
}

/// Splits input into messages at 0xFF bytes (a cheap, mutation-friendly framing).
fn messages(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    b.split(|&x| x == 0xFF)
}

fn negotiation(sel: u8, rest: &[u8]) {
    let text = String::from_utf8_lossy(rest);
    // Several header values, as several Sec-WebSocket-Extensions headers.
    let values: Vec<&str> = text.split('\n').collect();
    let config = DeflateConfig {
        server_no_context_takeover: sel & 8 != 0,
        client_no_context_takeover: sel & 16 != 0,
        server_max_window_bits: 8 + (sel >> 5),
        client_max_window_bits: 15 - (sel >> 5),
    };
    for agreed in [
        deflate::negotiate(values.iter().copied()),
        deflate::negotiate_with(values.iter().copied(), &config),
    ] {
        let Some((params, response)) = agreed else { continue };
        for bits in [params.server_max_window_bits, params.client_max_window_bits] {
            assert!((8..=15).contains(&bits), "window bits {bits} agreed");
        }
        // The answer is one printable header value that a client reads back as the same
        // agreement.
        assert!(response.bytes().all(|b| (0x20..0x7F).contains(&b)), "{response:?}");
        match deflate::parse_response(&response) {
            Ok(p) => assert_eq!(p, params, "answer {response:?} reads back differently"),
            Err(e) => panic!("own answer {response:?} rejected by the client side: {e}"),
        }
        // The agreed contexts work both ways.
        let mut server = PerMessageDeflate::new(params, Role::Server);
        let mut client = PerMessageDeflate::new(params, Role::Client);
        for msg in [&b"hello hello hello"[..], b"", b"hello"] {
            let mut z = Vec::new();
            server.compress(msg, &mut z);
            let mut out = Vec::new();
            client.decompress(&z, 1 << 20, &mut out).expect("server to client");
            assert_eq!(out, msg);
            let mut z = Vec::new();
            client.compress(msg, &mut z);
            let mut out = Vec::new();
            server.decompress(&z, 1 << 20, &mut out).expect("client to server");
            assert_eq!(out, msg);
        }
    }
    let _ = deflate::parse_response(&text);
}

fn inflate(sel: u8, rest: &[u8]) {
    let Some((&more, rest)) = rest.split_first() else {
        return;
    };
    let max = [0usize, 1, 100, 4096, 65536][(sel as usize >> 2) % 5];
    let role = if sel & 0x40 != 0 { Role::Server } else { Role::Client };
    let mut d = PerMessageDeflate::new(params(sel >> 4, more), role);
    for msg in messages(rest) {
        let mut out = b"prefix".to_vec();
        match d.decompress(msg, max, &mut out) {
            Ok(()) => assert!(out.len() - 6 <= max, "{} bytes past a limit of {max}", out.len() - 6),
            Err(DeflateError::TooBig) | Err(DeflateError::Corrupt) => {
                assert_eq!(out, b"prefix", "output not restored after an error")
            }
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
}

fn roundtrip(sel: u8, rest: &[u8]) {
    let Some((&more, rest)) = rest.split_first() else {
        return;
    };
    let p = params(sel >> 2, more);
    let (tx_role, rx_role) = if sel & 0x80 != 0 {
        (Role::Server, Role::Client)
    } else {
        (Role::Client, Role::Server)
    };
    let mut tx = PerMessageDeflate::with_level(p, tx_role, (more >> 6) as u32 * 3);
    let mut rx = PerMessageDeflate::new(p, rx_role);
    for msg in messages(rest) {
        // Repeats make back references across messages likely.
        let msg: Vec<u8> = msg.iter().cycle().take(msg.len() * (1 + (more as usize & 3))).copied().collect();
        let mut z = Vec::new();
        tx.compress(&msg, &mut z);
        let mut out = Vec::new();
        rx.decompress(&z, msg.len(), &mut out)
            .unwrap_or_else(|e| panic!("own {}-byte message does not inflate: {e}", msg.len()));
        assert_eq!(out, msg);
    }
}
