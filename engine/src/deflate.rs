//! RFC 7692 permessage-deflate: handshake negotiation and per-connection
//! compression/decompression of message payloads.
//!
//! Window bits 8: zlib-style deflaters refuse a raw window of 256 bytes, so a
//! server asked for `server_max_window_bits=8` compresses with a 512-byte
//! window (9 bits) and still answers 8. This is valid because zlib (and
//! zlib-rs, which follows it) never emits a distance larger than
//! `MAX_DIST = window_size - MIN_LOOKAHEAD = 512 - 262 = 250` bytes, which fits
//! in the 256-byte window the peer inflates with; a test proves it with a strict
//! decoder that rejects any distance beyond the negotiated window. Inflating
//! always uses a 15-bit window: it accepts streams produced with any smaller
//! window, and keeps `reset` cheap (flate2 re-creates the whole inflate state
//! on reset for non-default window sizes).

use std::fmt;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

const EXTENSION_NAME: &str = "permessage-deflate";

/// The empty stored block a sync flush ends with; stripped from sent payloads
/// and appended to received ones (RFC 7692 7.2.1, 7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Compression level used by [`PerMessageDeflate::new`]: a good ratio on
/// typical JSON/text messages at a fraction of level 6's CPU cost.
pub const DEFAULT_LEVEL: u32 = 3;

/// Parameters agreed in the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeflateParams {
    pub server_no_context_takeover: bool,
    pub client_no_context_takeover: bool,
    /// LZ77 window the server compresses with (8..=15).
    pub server_max_window_bits: u8,
    /// LZ77 window the client compresses with (8..=15); the server inflates with it.
    pub client_max_window_bits: u8,
}

impl Default for DeflateParams {
    fn default() -> Self {
        DeflateParams {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

/// Server-side preferences applied on top of what a client offers. The
/// defaults accept offers as they are; smaller windows or no context takeover
/// trade compression ratio for per-connection memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Always reset the server's compressor after each message.
    pub server_no_context_takeover: bool,
    /// Always ask the client to reset its compressor after each message.
    pub client_no_context_takeover: bool,
    /// Largest window the server compresses with (8..=15).
    pub server_max_window_bits: u8,
    /// Largest window asked of the client, when its offer lets us choose (8..=15).
    pub client_max_window_bits: u8,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum DeflateError {
    Corrupt,
    TooBig,
    BadNegotiation,
}

impl fmt::Display for DeflateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeflateError::Corrupt => "invalid compressed data",
            DeflateError::TooBig => "decompressed message too big",
            DeflateError::BadNegotiation => "invalid permessage-deflate negotiation",
        })
    }
}

impl std::error::Error for DeflateError {}

/// Server side negotiation with default preferences; see [`negotiate_with`].
pub fn negotiate<'a>(
    header_values: impl IntoIterator<Item = &'a str>,
) -> Option<(DeflateParams, String)> {
    negotiate_with(header_values, &DeflateConfig::default())
}

/// Server side negotiation. `header_values` are all Sec-WebSocket-Extensions
/// header values of the request. Returns the first acceptable
/// permessage-deflate offer and the response header value, or None.
pub fn negotiate_with<'a>(
    header_values: impl IntoIterator<Item = &'a str>,
    config: &DeflateConfig,
) -> Option<(DeflateParams, String)> {
    for value in header_values {
        for offer in split_unquoted(value, b',') {
            let mut parts = split_unquoted(offer, b';');
            let name = parts.next().unwrap_or("").trim();
            if !name.eq_ignore_ascii_case(EXTENSION_NAME) {
                continue;
            }
            if let Some(offer) = parse_params(parts) {
                return Some(accept(&offer, config));
            }
        }
    }
    None
}

/// Client side: the offer header a client sends.
pub fn client_offer() -> &'static str {
    "permessage-deflate; client_max_window_bits"
}

/// Client side: parses the server's Sec-WebSocket-Extensions answer to
/// [`client_offer`]. Anything but exactly one valid permessage-deflate
/// extension is a failed negotiation (the client offered nothing else).
pub fn parse_response(value: &str) -> Result<DeflateParams, DeflateError> {
    let mut found = None;
    for ext in split_unquoted(value, b',') {
        if ext.trim().is_empty() {
            continue;
        }
        let mut parts = split_unquoted(ext, b';');
        let name = parts.next().unwrap_or("").trim();
        if !name.eq_ignore_ascii_case(EXTENSION_NAME) || found.is_some() {
            return Err(DeflateError::BadNegotiation);
        }
        let p = parse_params(parts).ok_or(DeflateError::BadNegotiation)?;
        // A response must carry a value for client_max_window_bits.
        if p.client_max_window_bits == Some(None) {
            return Err(DeflateError::BadNegotiation);
        }
        found = Some(DeflateParams {
            server_no_context_takeover: p.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover,
            server_max_window_bits: p.server_max_window_bits.unwrap_or(15),
            client_max_window_bits: p.client_max_window_bits.flatten().unwrap_or(15),
        });
    }
    found.ok_or(DeflateError::BadNegotiation)
}

/// Parameters of one offer (or response) as written.
#[derive(Default)]
struct Offer {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: present without a value.
    client_max_window_bits: Option<Option<u8>>,
}

/// Parses the `;`-separated parameters after the extension name. None on an
/// unknown or duplicated parameter or an invalid value.
fn parse_params<'a>(params: impl Iterator<Item = &'a str>) -> Option<Offer> {
    let mut offer = Offer::default();
    let mut seen = [false; 4];
    for param in params {
        let param = param.trim();
        if param.is_empty() {
            continue;
        }
        let (name, value) = match param.split_once('=') {
            Some((n, v)) => (n.trim_end(), Some(unquote(v.trim())?)),
            None => (param, None),
        };
        let index = [
            "server_no_context_takeover",
            "client_no_context_takeover",
            "server_max_window_bits",
            "client_max_window_bits",
        ]
        .iter()
        .position(|known| name.eq_ignore_ascii_case(known))?;
        if std::mem::replace(&mut seen[index], true) {
            return None;
        }
        match index {
            0 if value.is_none() => offer.server_no_context_takeover = true,
            1 if value.is_none() => offer.client_no_context_takeover = true,
            2 => offer.server_max_window_bits = Some(parse_window_bits(value?)?),
            3 => {
                offer.client_max_window_bits = Some(match value {
                    Some(v) => Some(parse_window_bits(v)?),
                    None => None,
                })
            }
            _ => return None,
        }
    }
    Some(offer)
}

/// A decimal 8..=15 without sign or leading zeros (RFC 7692 7.1.2).
fn parse_window_bits(v: &str) -> Option<u8> {
    let b = v.as_bytes();
    if b.is_empty() || b.len() > 2 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u8 = v.parse().ok()?;
    (8..=15).contains(&n).then_some(n)
}

/// Strips the quotes of a quoted-string value; the only valid values are
/// digits, so escapes are not decoded (they make the value invalid).
fn unquote(v: &str) -> Option<&str> {
    match v.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"'),
        None => Some(v),
    }
}

/// Splits on `sep` outside double-quoted strings.
fn split_unquoted(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let (mut quoted, mut escaped) = (false, false);
        for (i, b) in r.bytes().enumerate() {
            if escaped {
                escaped = false;
            } else if quoted && b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                quoted = !quoted;
            } else if b == sep && !quoted {
                // `sep` is ASCII, so `i` and `i + 1` are char boundaries.
                rest = Some(&r[i + 1..]);
                return Some(&r[..i]);
            }
        }
        rest = None;
        Some(r)
    })
}

fn accept(offer: &Offer, config: &DeflateConfig) -> (DeflateParams, String) {
    let server_cap = config.server_max_window_bits.clamp(8, 15);
    let client_cap = config.client_max_window_bits.clamp(8, 15);
    let params = DeflateParams {
        server_no_context_takeover: offer.server_no_context_takeover
            || config.server_no_context_takeover,
        client_no_context_takeover: offer.client_no_context_takeover
            || config.client_no_context_takeover,
        // Never more than the client asked for.
        server_max_window_bits: offer
            .server_max_window_bits
            .map_or(server_cap, |n| n.min(server_cap)),
        // Without the parameter in the offer the client may use 15 and the
        // response must not mention it.
        client_max_window_bits: match offer.client_max_window_bits {
            Some(v) => v.map_or(client_cap, |n| n.min(client_cap)),
            None => 15,
        },
    };
    let mut response = String::with_capacity(128);
    response.push_str(EXTENSION_NAME);
    if params.server_no_context_takeover {
        response.push_str("; server_no_context_takeover");
    }
    if params.client_no_context_takeover {
        response.push_str("; client_no_context_takeover");
    }
    if offer.server_max_window_bits.is_some() || params.server_max_window_bits < 15 {
        response.push_str("; server_max_window_bits=");
        response.push_str(&params.server_max_window_bits.to_string());
    }
    if offer.client_max_window_bits.is_some() {
        response.push_str("; client_max_window_bits=");
        response.push_str(&params.client_max_window_bits.to_string());
    }
    (params, response)
}

/// Which side of the connection this endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Server,
    Client,
}

/// Per-connection compressor + decompressor. `Role::Server` compresses with
/// server_* params and inflates with client_*; `Role::Client` the reverse.
/// Both zlib states are allocated on first use, so connections that never
/// send or receive a compressed message cost nothing.
pub struct PerMessageDeflate {
    params: DeflateParams,
    level: Compression,
    /// 9..=15; see the module comment for 8.
    compress_window_bits: u8,
    reset_compressor: bool,
    reset_decompressor: bool,
    compressor: Option<Compress>,
    decompressor: Option<Decompress>,
}

impl fmt::Debug for PerMessageDeflate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PerMessageDeflate")
            .field("params", &self.params)
            .field("level", &self.level.level())
            .finish_non_exhaustive()
    }
}

impl PerMessageDeflate {
    pub fn new(params: DeflateParams, role: Role) -> Self {
        Self::with_level(params, role, DEFAULT_LEVEL)
    }

    /// Like [`new`](Self::new) with a zlib compression level (0..=9).
    pub fn with_level(params: DeflateParams, role: Role, level: u32) -> Self {
        let (own_bits, own_reset, peer_reset) = match role {
            Role::Server => (
                params.server_max_window_bits,
                params.server_no_context_takeover,
                params.client_no_context_takeover,
            ),
            Role::Client => (
                params.client_max_window_bits,
                params.client_no_context_takeover,
                params.server_no_context_takeover,
            ),
        };
        PerMessageDeflate {
            params,
            level: Compression::new(level.min(9)),
            compress_window_bits: own_bits.clamp(9, 15),
            reset_compressor: own_reset,
            reset_decompressor: peer_reset,
            compressor: None,
            decompressor: None,
        }
    }

    pub fn params(&self) -> DeflateParams {
        self.params
    }

    /// Compress one whole message payload; appends to `out` the bytes to put in
    /// the frame(s), without the trailing 0x00 0x00 0xff 0xff.
    pub fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if data.is_empty() {
            // A bare stored-block header: with the tail the receiver appends it
            // is an empty stored block. A sync flush without new input would
            // emit nothing at all, which is not a valid compressed message.
            out.push(0x00);
            return;
        }
        let (level, bits) = (self.level, self.compress_window_bits);
        let c = self
            .compressor
            .get_or_insert_with(|| Compress::new_with_window_bits(level, false, bits));
        let start = out.len();
        // Incompressible small messages fit without regrowing; large ones start
        // from a typical ratio and grow geometrically.
        out.reserve(if data.len() <= 16 * 1024 {
            data.len() + 64
        } else {
            data.len() / 2 + 1024
        });
        let mut input = data;
        let ok = loop {
            if out.len() == out.capacity() {
                out.reserve((out.len() - start).max(4096));
            }
            let (in_before, out_before) = (c.total_in(), c.total_out());
            let res = c.compress_vec(input, out, FlushCompress::Sync);
            let consumed = (c.total_in() - in_before) as usize;
            let produced = c.total_out() - out_before;
            input = input.get(consumed..).unwrap_or_default();
            if res.is_err() {
                break false;
            }
            // The flush is complete once input is consumed and output had room left.
            if input.is_empty() && out.len() < out.capacity() {
                break true;
            }
            if consumed == 0 && produced == 0 {
                break input.is_empty();
            }
        };
        if ok && out[start..].ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
            if self.reset_compressor {
                c.reset();
            }
        } else {
            // Not expected from zlib; stay correct anyway. A reset compressor
            // never refers to earlier data, so the peer's window stays valid.
            c.reset();
            out.truncate(start);
            write_stored(data, out);
        }
    }

    /// Inflate one whole message payload (all fragments concatenated), appending
    /// the 0x00 0x00 0xff 0xff tail itself. Output beyond `max_size` bytes stops
    /// with `TooBig` after growing `out` by at most `max_size + 1` bytes.
    /// On error `out` is restored to its original length.
    pub fn decompress(
        &mut self,
        data: &[u8],
        max_size: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), DeflateError> {
        if data.is_empty() {
            // Not a valid compressed payload, but some deflaters emit it for an
            // empty message after another one; feeding the tail alone would leave
            // the inflater mid-block and corrupt every later message.
            return Ok(());
        }
        let d = self
            .decompressor
            .get_or_insert_with(|| Decompress::new(false));
        let start = out.len();
        let mut sink = Sink {
            start,
            limit: max_size.saturating_add(1),
            first_chunk: data.len().saturating_mul(4).clamp(1024, 64 * 1024),
        };
        let res = match sink.inflate(d, data, out, FlushDecompress::None) {
            Ok(false) => sink.inflate(d, &TAIL, out, FlushDecompress::Sync),
            other => other,
        };
        match res {
            Ok(stream_end) => {
                // A final block (RFC 7692 7.2.3.4) ends the deflate stream: the
                // next message starts a new one.
                if stream_end || self.reset_decompressor {
                    d.reset(false);
                }
                Ok(())
            }
            Err(e) => {
                d.reset(false);
                out.truncate(start);
                Err(e)
            }
        }
    }
}

/// Output bookkeeping for one inflated message.
struct Sink {
    start: usize,
    /// `max_size + 1`: producing that many bytes proves the message is too big.
    limit: usize,
    first_chunk: usize,
}

impl Sink {
    /// Inflates `input` completely into `out`; Ok(true) at the end of the
    /// deflate stream (a final block).
    fn inflate(
        &mut self,
        d: &mut Decompress,
        mut input: &[u8],
        out: &mut Vec<u8>,
        flush: FlushDecompress,
    ) -> Result<bool, DeflateError> {
        loop {
            let produced = out.len() - self.start;
            let room = self.limit.saturating_sub(produced);
            if room == 0 {
                return Err(DeflateError::TooBig);
            }
            if out.len() == out.capacity() {
                // Exact reservations: geometric growth of our own, never past the limit.
                out.reserve_exact(produced.max(self.first_chunk).min(room));
            }
            let spare = out.spare_capacity_mut();
            let n = spare.len().min(room);
            let (in_before, out_before) = (d.total_in(), d.total_out());
            let res = d.decompress_uninit(input, &mut spare[..n], flush);
            let consumed = (d.total_in() - in_before) as usize;
            let written = ((d.total_out() - out_before) as usize).min(n);
            // SAFETY: the inflater initialised the first `written` bytes of the
            // spare capacity, and `written <= n <= spare.len()`.
            unsafe { out.set_len(out.len() + written) };
            input = input.get(consumed..).unwrap_or_default();
            if res.is_err() {
                return Err(DeflateError::Corrupt);
            }
            // Before StreamEnd: a final block may end exactly one byte past the limit.
            if out.len() - self.start >= self.limit {
                return Err(DeflateError::TooBig);
            }
            if let Ok(Status::StreamEnd) = res {
                return Ok(true);
            }
            if input.is_empty() && written < n {
                return Ok(false);
            }
            if consumed == 0 && written == 0 {
                // Output room was available: nothing more can come out of this input.
                return if input.is_empty() {
                    Ok(false)
                } else {
                    Err(DeflateError::Corrupt)
                };
            }
        }
    }
}

/// `data` as non-final stored blocks, followed by the header byte of the empty
/// stored block whose LEN/NLEN are the stripped tail.
fn write_stored(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len() + data.len() / 65535 * 5 + 6);
    for chunk in data.chunks(65535) {
        let len = chunk.len() as u16;
        out.push(0x00);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.push(0x00);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    // ---- helpers ---------------------------------------------------------

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    fn random(n: usize, seed: u64) -> Vec<u8> {
        Rng(seed | 1).bytes(n)
    }

    fn repetitive(n: usize) -> Vec<u8> {
        let text = b"{\"event\":\"message\",\"user\":42,\"text\":\"Hello Swoole\",\"ok\":true}\n";
        text.iter().copied().cycle().take(n).collect()
    }

    /// Data whose natural back-references sit just beyond small windows.
    fn window_probe(n: usize, seed: u64) -> Vec<u8> {
        let mut rng = Rng(seed | 1);
        let mut out = Vec::with_capacity(n);
        for period in [251usize, 256, 257, 260, 300, 511, 513, 1000, 4097, 40000] {
            let block = rng.bytes(period);
            for _ in 0..3 {
                out.extend_from_slice(&block);
            }
        }
        while out.len() < n {
            let len = out.len();
            let back = 200 + (rng.next() as usize % 400).min(len - 1);
            let b = out[len - back];
            out.push(b);
        }
        out.truncate(n);
        out
    }

    fn params(snct: bool, cnct: bool, sbits: u8, cbits: u8) -> DeflateParams {
        DeflateParams {
            server_no_context_takeover: snct,
            client_no_context_takeover: cnct,
            server_max_window_bits: sbits,
            client_max_window_bits: cbits,
        }
    }

    fn compress(p: &mut PerMessageDeflate, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        p.compress(data, &mut out);
        out
    }

    fn decompress(p: &mut PerMessageDeflate, data: &[u8]) -> Result<Vec<u8>, DeflateError> {
        let mut out = Vec::new();
        p.decompress(data, usize::MAX, &mut out).map(|()| out)
    }

    /// A plain flate2 raw inflater, as an independent peer would use it.
    fn plain_inflate(d: &mut Decompress, payload: &[u8]) -> Vec<u8> {
        let mut input = payload.to_vec();
        input.extend_from_slice(&TAIL);
        let mut out = Vec::with_capacity(4096);
        let mut pos = 0;
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.len());
            }
            let before = d.total_in();
            d.decompress_vec(&input[pos..], &mut out, FlushDecompress::Sync)
                .expect("peer inflate");
            pos += (d.total_in() - before) as usize;
            if pos == input.len() && out.len() < out.capacity() {
                return out;
            }
        }
    }

    // ---- strict reference inflater ----------------------------------------

    /// Minimal RFC 1951 decoder that rejects distances beyond `window` bytes,
    /// which real inflaters do not always check. `history` carries the sliding
    /// window between messages (context takeover).
    fn strict_inflate(
        history: &mut Vec<u8>,
        payload: &[u8],
        window: usize,
    ) -> Result<Vec<u8>, String> {
        const LBASE: [usize; 29] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
            115, 131, 163, 195, 227, 258,
        ];
        const LEXT: [u32; 29] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ];
        const DBASE: [usize; 30] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
            1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ];
        const DEXT: [u32; 30] = [
            0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
            12, 13, 13,
        ];
        struct Bits<'a> {
            data: &'a [u8],
            pos: usize,
        }
        impl Bits<'_> {
            fn get(&mut self, n: u32) -> Result<usize, String> {
                let mut v = 0;
                for i in 0..n {
                    let byte = *self.data.get(self.pos / 8).ok_or("unexpected end")?;
                    v |= (((byte >> (self.pos % 8)) & 1) as usize) << i;
                    self.pos += 1;
                }
                Ok(v)
            }
        }
        struct Huff {
            count: [usize; 16],
            symbol: Vec<usize>,
        }
        fn huff(lengths: &[usize]) -> Huff {
            let mut count = [0; 16];
            for &l in lengths {
                count[l] += 1;
            }
            count[0] = 0;
            let mut offs = [0; 16];
            for l in 1..15 {
                offs[l + 1] = offs[l] + count[l];
            }
            let mut symbol = vec![0; lengths.len()];
            for (s, &l) in lengths.iter().enumerate() {
                if l != 0 {
                    symbol[offs[l]] = s;
                    offs[l] += 1;
                }
            }
            Huff { count, symbol }
        }
        fn decode(b: &mut Bits, h: &Huff) -> Result<usize, String> {
            let (mut code, mut first, mut index) = (0usize, 0usize, 0usize);
            for len in 1..16 {
                code |= b.get(1)?;
                let count = h.count[len];
                if code < first + count {
                    return Ok(h.symbol[index + code - first]);
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            Err("bad code".into())
        }

        let start = history.len();
        let mut b = Bits {
            data: payload,
            pos: 0,
        };
        while b.pos < payload.len() * 8 {
            let last = b.get(1)?;
            match b.get(2)? {
                0 => {
                    b.pos = b.pos.div_ceil(8) * 8;
                    let len = b.get(16)?;
                    if b.get(16)? != !len & 0xffff {
                        return Err("bad stored length".into());
                    }
                    let at = b.pos / 8;
                    let chunk = payload.get(at..at + len).ok_or("stored data cut")?;
                    history.extend_from_slice(chunk);
                    b.pos += len * 8;
                }
                t @ (1 | 2) => {
                    let (lit, dist) = if t == 1 {
                        let mut l = vec![8; 288];
                        l[144..256].fill(9);
                        l[256..280].fill(7);
                        (huff(&l), huff(&[5; 30]))
                    } else {
                        let nlen = b.get(5)? + 257;
                        let ndist = b.get(5)? + 1;
                        let ncode = b.get(4)? + 4;
                        const ORDER: [usize; 19] = [
                            16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                        ];
                        let mut cl = [0; 19];
                        for &i in &ORDER[..ncode] {
                            cl[i] = b.get(3)?;
                        }
                        let ch = huff(&cl);
                        let mut lengths = Vec::new();
                        while lengths.len() < nlen + ndist {
                            let (v, n) = match decode(&mut b, &ch)? {
                                s @ 0..=15 => (s, 1),
                                16 => (*lengths.last().ok_or("repeat first")?, 3 + b.get(2)?),
                                17 => (0, 3 + b.get(3)?),
                                _ => (0, 11 + b.get(7)?),
                            };
                            lengths.extend(std::iter::repeat_n(v, n));
                        }
                        if lengths.len() != nlen + ndist {
                            return Err("too many lengths".into());
                        }
                        (huff(&lengths[..nlen]), huff(&lengths[nlen..]))
                    };
                    loop {
                        let sym = decode(&mut b, &lit)?;
                        if sym < 256 {
                            history.push(sym as u8);
                        } else if sym == 256 {
                            break;
                        } else {
                            let i = sym - 257;
                            let len = LBASE.get(i).ok_or("bad length")? + b.get(LEXT[i])?;
                            let ds = decode(&mut b, &dist)?;
                            let d = DBASE.get(ds).ok_or("bad distance")? + b.get(DEXT[ds])?;
                            if d > window {
                                return Err(format!("distance {d} beyond window {window}"));
                            }
                            if d > history.len() {
                                return Err("distance before start".into());
                            }
                            for _ in 0..len {
                                history.push(history[history.len() - d]);
                            }
                        }
                    }
                }
                _ => return Err("bad block type".into()),
            }
            if last == 1 {
                break;
            }
        }
        Ok(history[start..].to_vec())
    }

    fn strict_peer(history: &mut Vec<u8>, payload: &[u8], bits: u8) -> Vec<u8> {
        let mut input = payload.to_vec();
        input.extend_from_slice(&TAIL);
        strict_inflate(history, &input, 1 << bits).expect("strict inflate")
    }

    /// LSB-first bit writer for hand-made deflate streams.
    struct BitWriter {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl BitWriter {
        fn new() -> Self {
            BitWriter {
                out: Vec::new(),
                acc: 0,
                n: 0,
            }
        }
        fn put(&mut self, v: u64, n: u32) {
            self.acc |= v << self.n;
            self.n += n;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes are sent most significant bit first.
        fn code(&mut self, code: u64, n: u32) {
            let rev = (0..n).fold(0, |r, i| r | ((code >> i) & 1) << (n - 1 - i));
            self.put(rev, n);
        }
        fn finish(mut self) -> Vec<u8> {
            if self.n > 0 {
                self.out.push(self.acc as u8);
            }
            self.out
        }
    }

    // ---- negotiation -----------------------------------------------------

    fn neg(values: &[&str]) -> Option<(DeflateParams, String)> {
        negotiate(values.iter().copied())
    }

    #[test]
    fn deflate_negotiate_plain() {
        let (p, r) = neg(&["permessage-deflate"]).unwrap();
        assert_eq!(p, DeflateParams::default());
        assert_eq!(r, "permessage-deflate");
    }

    #[test]
    fn deflate_negotiate_context_takeover() {
        let (p, r) = neg(&["permessage-deflate; client_no_context_takeover"]).unwrap();
        assert_eq!(p, params(false, true, 15, 15));
        assert_eq!(r, "permessage-deflate; client_no_context_takeover");

        let (p, r) = neg(&["permessage-deflate; server_no_context_takeover"]).unwrap();
        assert_eq!(p, params(true, false, 15, 15));
        assert_eq!(r, "permessage-deflate; server_no_context_takeover");

        let (p, r) =
            neg(&["permessage-deflate; server_no_context_takeover; client_no_context_takeover"])
                .unwrap();
        assert_eq!(p, params(true, true, 15, 15));
        assert_eq!(
            r,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
        );
    }

    #[test]
    fn deflate_negotiate_window_bits() {
        for n in 8..=15u8 {
            let (p, r) =
                neg(&[&format!("permessage-deflate; server_max_window_bits={n}")]).unwrap();
            assert_eq!(p, params(false, false, n, 15));
            assert_eq!(r, format!("permessage-deflate; server_max_window_bits={n}"));

            let (p, r) =
                neg(&[&format!("permessage-deflate; client_max_window_bits={n}")]).unwrap();
            assert_eq!(p, params(false, false, 15, n));
            assert_eq!(r, format!("permessage-deflate; client_max_window_bits={n}"));

            let (p, _) = neg(&[&format!(
                "permessage-deflate;server_max_window_bits=\"{n}\";client_max_window_bits = {n}"
            )])
            .unwrap();
            assert_eq!(p, params(false, false, n, n));
        }
        // Without a value the client lets us choose.
        let (p, r) = neg(&["permessage-deflate; client_max_window_bits"]).unwrap();
        assert_eq!(p, params(false, false, 15, 15));
        assert_eq!(r, "permessage-deflate; client_max_window_bits=15");
    }

    #[test]
    fn deflate_negotiate_multiple_offers() {
        // Autobahn 13.x style: several offers in one header.
        let (p, r) = neg(&[
            "permessage-deflate; client_no_context_takeover; client_max_window_bits, permessage-deflate; client_max_window_bits",
        ])
        .unwrap();
        assert_eq!(p, params(false, true, 15, 15));
        assert_eq!(
            r,
            "permessage-deflate; client_no_context_takeover; client_max_window_bits=15"
        );

        // First offer invalid: the second one is taken.
        let (p, r) = neg(&[
            "permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=10",
        ])
        .unwrap();
        assert_eq!(p, params(false, false, 10, 15));
        assert_eq!(r, "permessage-deflate; server_max_window_bits=10");

        // Offers spread over several headers, other extensions skipped.
        let (p, _) = neg(&[
            "x-webkit-deflate-frame",
            "foo; bar=\"a, permessage-deflate\", permessage-deflate; unknown",
            "permessage-deflate; server_no_context_takeover",
        ])
        .unwrap();
        assert_eq!(p, params(true, false, 15, 15));

        // Names are matched case-insensitively, empty list elements ignored.
        assert!(neg(&[", Permessage-Deflate ,"]).is_some());
    }

    #[test]
    fn deflate_negotiate_rejects_invalid() {
        for bad in [
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; server_max_window_bits=+9",
            "permessage-deflate; server_max_window_bits=abc",
            "permessage-deflate; server_max_window_bits=\"10",
            "permessage-deflate; server_max_window_bits=",
            "permessage-deflate; client_max_window_bits=0",
            "permessage-deflate; client_max_window_bits=1000000000000",
            "permessage-deflate; client_max_window_bits=",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; client_no_context_takeover=",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
            "permessage-deflate; mux",
            "permessage-deflatex",
            "deflate-frame",
            "",
        ] {
            assert_eq!(neg(&[bad]), None, "{bad}");
        }
        assert_eq!(negotiate(std::iter::empty()), None);
    }

    #[test]
    fn deflate_negotiate_with_config() {
        let cfg = DeflateConfig {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: 10,
            client_max_window_bits: 12,
        };
        let (p, r) = negotiate_with(["permessage-deflate; client_max_window_bits"], &cfg).unwrap();
        assert_eq!(p, params(true, true, 10, 12));
        assert_eq!(
            r,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"
        );
        // Smaller client requests win; the client window can't be limited if not offered.
        let (p, r) =
            negotiate_with(["permessage-deflate; server_max_window_bits=9"], &cfg).unwrap();
        assert_eq!(p, params(true, true, 9, 15));
        assert!(!r.contains("client_max_window_bits"));
        assert!(r.contains("server_max_window_bits=9"));
    }

    #[test]
    fn deflate_client_offer_and_response() {
        assert_eq!(client_offer(), "permessage-deflate; client_max_window_bits");
        // Whatever the server answers to our offer, the client accepts it.
        let (p, r) = neg(&[client_offer()]).unwrap();
        assert_eq!(parse_response(&r), Ok(p));

        assert_eq!(
            parse_response("permessage-deflate"),
            Ok(DeflateParams::default())
        );
        assert_eq!(
            parse_response(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8"
            ),
            Ok(params(true, true, 9, 8))
        );
        for bad in [
            "",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; foo",
            "permessage-deflate, permessage-deflate",
            "permessage-deflate, x-other",
            "x-other",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        ] {
            assert_eq!(
                parse_response(bad),
                Err(DeflateError::BadNegotiation),
                "{bad}"
            );
        }
    }

    #[test]
    fn deflate_negotiation_never_panics() {
        let mut rng = Rng(7);
        let alphabet = b"permessage-deflate;,=\" \\_abcdefgnotx0123456789";
        for _ in 0..20_000 {
            let len = rng.next() as usize % 60;
            let s: String = (0..len)
                .map(|_| alphabet[rng.next() as usize % alphabet.len()] as char)
                .collect();
            let _ = neg(&[&s]);
            let _ = parse_response(&s);
        }
        let _ = neg(&["permessage-deflate; server_max_window_bits=\"é\"", "é,;\"é"]);
    }

    // ---- compression -----------------------------------------------------

    /// Messages in both directions, each through our own peer and an
    /// independent plain flate2 inflater.
    fn round_trip(p: DeflateParams, messages: &[&[u8]]) {
        let mut server = PerMessageDeflate::new(p, Role::Server);
        let mut client = PerMessageDeflate::new(p, Role::Client);
        let mut peer_of_server = Decompress::new(false);
        let mut peer_of_client = Decompress::new(false);
        for (i, msg) in messages.iter().enumerate() {
            let c = compress(&mut server, msg);
            assert_eq!(&decompress(&mut client, &c).unwrap(), msg, "s->c #{i}");
            assert_eq!(&plain_inflate(&mut peer_of_server, &c), msg);
            if p.server_no_context_takeover {
                peer_of_server.reset(false);
            }

            let c = compress(&mut client, msg);
            assert_eq!(&decompress(&mut server, &c).unwrap(), msg, "c->s #{i}");
            assert_eq!(&plain_inflate(&mut peer_of_client, &c), msg);
            if p.client_no_context_takeover {
                peer_of_client.reset(false);
            }
        }
    }

    #[test]
    fn deflate_round_trips() {
        let mib = 1024 * 1024;
        let data = [
            Vec::new(),
            vec![b'x'],
            random(125, 1),
            repetitive(125),
            random(65536, 2),
            repetitive(65536),
            random(mib, 3),
            repetitive(mib),
        ];
        let msgs: Vec<&[u8]> = data.iter().chain(data.iter()).map(|v| &v[..]).collect();
        for (snct, cnct) in [(false, false), (true, false), (false, true), (true, true)] {
            round_trip(params(snct, cnct, 15, 15), &msgs);
        }
        round_trip(params(false, false, 10, 12), &msgs);
    }

    #[test]
    fn deflate_compression_shrinks_and_uses_context() {
        let msg = repetitive(4096);
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let first = compress(&mut server, &msg);
        assert!(first.len() < msg.len() / 10, "{}", first.len());
        // Context takeover: the same message again is almost free.
        let second = compress(&mut server, &msg);
        assert!(
            second.len() < 64 && second.len() < first.len() / 2,
            "{}",
            second.len()
        );

        let mut server = PerMessageDeflate::new(params(true, false, 15, 15), Role::Server);
        assert_eq!(compress(&mut server, &msg), compress(&mut server, &msg));
    }

    #[test]
    fn deflate_empty_messages_in_a_row() {
        for p in [params(false, false, 15, 15), params(true, true, 15, 15)] {
            let mut server = PerMessageDeflate::new(p, Role::Server);
            let mut client = PerMessageDeflate::new(p, Role::Client);
            let mut peer = Decompress::new(false);
            for msg in [&b""[..], b"", b"", b"abc", b"", b"", b"abc", b""] {
                let c = compress(&mut server, msg);
                assert!(!c.is_empty());
                assert_eq!(decompress(&mut client, &c).unwrap(), msg);
                assert_eq!(plain_inflate(&mut peer, &c), msg);
                let c = compress(&mut client, msg);
                assert_eq!(decompress(&mut server, &c).unwrap(), msg);
            }
        }
        // What zlib itself produces for an empty message, and a bare empty
        // payload (buggy but seen in the wild), twice in a row each.
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        for payload in [&[0x00][..], &[0x00], &[], &[], &[0x02, 0x00], &[0x02, 0x00]] {
            let t = Instant::now();
            assert_eq!(decompress(&mut server, payload).unwrap(), b"");
            assert!(t.elapsed().as_secs() < 1);
        }
        assert_eq!(
            decompress(&mut server, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap(),
            b"Hello"
        );
    }

    #[test]
    fn deflate_window_bits_each() {
        let data = window_probe(200_000, 11);
        let small = window_probe(3000, 12);
        for bits in 8..=15u8 {
            for role in [Role::Server, Role::Client] {
                let p = params(false, false, bits, bits);
                let mut ours = PerMessageDeflate::new(p, role);
                let mut history = Vec::new();
                // Independent inflater: flate2 cannot be asked for 8 bits.
                let mut plain = Decompress::new_with_window_bits(false, bits.max(9));
                for msg in [&data[..], &small, &data, b"", &small] {
                    let c = compress(&mut ours, msg);
                    assert_eq!(strict_peer(&mut history, &c, bits), msg, "bits {bits}");
                    assert_eq!(plain_inflate(&mut plain, &c), msg, "bits {bits}");
                }
            }
        }
        // The strict decoder has teeth: a 15-bit stream fails a 256-byte window.
        let mut wide = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let c = [compress(&mut wide, &data), TAIL.to_vec()].concat();
        let err = strict_inflate(&mut Vec::new(), &c, 256).unwrap_err();
        assert!(err.contains("beyond window"), "{err}");

        // Window 8 at every compression level, with and without context takeover.
        let data = &data[..50_000];
        for level in 0..=9 {
            for snct in [false, true] {
                let mut server =
                    PerMessageDeflate::with_level(params(snct, false, 8, 15), Role::Server, level);
                let mut history = Vec::new();
                for msg in [data, &small, &repetitive(5000), data] {
                    let c = compress(&mut server, msg);
                    if snct {
                        history.clear();
                    }
                    assert_eq!(strict_peer(&mut history, &c, 8), msg, "level {level}");
                }
            }
        }
    }

    #[test]
    fn deflate_inflates_any_client_window() {
        // The server inflates with 15 bits whatever client_max_window_bits is.
        let data = window_probe(100_000, 5);
        for bits in 9..=15u8 {
            let mut peer = Compress::new_with_window_bits(Compression::best(), false, bits);
            let mut server = PerMessageDeflate::new(params(false, false, 15, bits), Role::Server);
            for _ in 0..2 {
                let mut c = Vec::with_capacity(data.len() + 1024);
                peer.compress_vec(&data, &mut c, FlushCompress::Sync)
                    .unwrap();
                assert!(c.ends_with(&TAIL));
                c.truncate(c.len() - 4);
                assert_eq!(decompress(&mut server, &c).unwrap(), data);
            }
        }
    }

    #[test]
    fn deflate_interop_known_bytes() {
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        // "Hello Swoole" as compressed by Swoole (frame c1 0e + payload).
        let frame = [
            0xc1, 0x0e, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x08, 0x2e, 0xcf, 0xcf, 0xcf, 0x49,
            0x05, 0x00,
        ];
        assert_eq!(frame[0] & 0x40, 0x40, "RSV1");
        let payload = &frame[2..2 + (frame[1] & 0x7f) as usize];
        assert_eq!(decompress(&mut server, payload).unwrap(), b"Hello Swoole");

        // RFC 7692 7.2.3 examples.
        let mut s = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(decompress(&mut s, &hello).unwrap(), b"Hello");
        // Same message again, referring to the first (context takeover).
        assert_eq!(
            decompress(&mut s, &[0xf2, 0x00, 0x11, 0x00, 0x00]).unwrap(),
            b"Hello"
        );
        // Stored block.
        assert_eq!(
            decompress(
                &mut s,
                &[0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]
            )
            .unwrap(),
            b"Hello"
        );
        // BFINAL set: ends the stream, later messages start a new one.
        let fin = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
        assert_eq!(decompress(&mut s, &fin).unwrap(), b"Hello");
        assert_eq!(decompress(&mut s, &fin).unwrap(), b"Hello");
        assert_eq!(decompress(&mut s, &hello).unwrap(), b"Hello");

        // Our output for the RFC example is what zlib produces.
        let mut c = PerMessageDeflate::new(DeflateParams::default(), Role::Client);
        assert_eq!(compress(&mut c, b"Hello"), hello);
        assert_eq!(compress(&mut c, b""), [0x00]);
    }

    /// `total` zeros as one fixed-Huffman block: literal 0, then (length 258,
    /// distance 1) pairs, then the header of the stored block the tail completes.
    fn zeros_stream(total: usize) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.put(0, 1); // BFINAL
        w.put(1, 2); // fixed Huffman
        w.code(0x30, 8); // literal 0
        for _ in 0..(total - 1) / 258 {
            w.code(0xc5, 8); // length symbol 285 = 258
            w.code(0, 5); // distance 1
        }
        w.code(0, 7); // end of block
        w.put(0, 3); // stored block
        w.finish()
    }

    #[test]
    fn deflate_bomb_is_too_big() {
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        // Sanity check of the hand-made stream with a small one.
        let total = 1 + 258 * 10_000;
        assert_eq!(
            decompress(&mut server, &zeros_stream(total)).unwrap(),
            vec![0; total]
        );

        // 100 MiB of zeros in 650 KB.
        let bomb = zeros_stream(100 * 1024 * 1024);
        assert!(bomb.len() < 700_000);
        let max = 1024 * 1024;
        let t = Instant::now();
        let mut out = b"keep".to_vec();
        let res = server.decompress(&bomb, max, &mut out);
        assert_eq!(res, Err(DeflateError::TooBig));
        assert!(t.elapsed().as_secs() < 5);
        assert_eq!(out, b"keep");
        assert!(out.capacity() <= 4 + max + 1, "{}", out.capacity());

        // The limit is inclusive, and the connection state stays usable.
        let data = repetitive(max);
        let mut client = PerMessageDeflate::new(DeflateParams::default(), Role::Client);
        let c = compress(&mut client, &data);
        let mut out = Vec::new();
        assert_eq!(server.decompress(&c, max, &mut out), Ok(()));
        assert_eq!(out, data);
        let c = compress(&mut client, &repetitive(max + 1));
        let mut out = Vec::new();
        assert_eq!(
            server.decompress(&c, max, &mut out),
            Err(DeflateError::TooBig)
        );
        assert_eq!(server.decompress(&[0x00], 0, &mut out), Ok(()));
    }

    #[test]
    fn deflate_final_block_one_past_the_limit_is_too_big() {
        // A stream ending in a final block (as zlib's deflate() with Z_FINISH writes it)
        // whose output ends exactly one byte past the limit.
        let max = 65536;
        for extra in [0, 1, 2] {
            let data = vec![b'x'; max + extra];
            let mut z = Compress::new(Compression::default(), false);
            let mut c = Vec::with_capacity(max + 1024);
            z.compress_vec(&data, &mut c, FlushCompress::Finish)
                .unwrap();
            let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
            let mut out = Vec::new();
            let res = server.decompress(&c, max, &mut out);
            if extra == 0 {
                assert_eq!((res, out.len()), (Ok(()), max));
            } else {
                assert_eq!(res, Err(DeflateError::TooBig), "{extra} past the limit");
                assert!(out.is_empty());
            }
        }
    }

    #[test]
    #[ignore = "slow without optimisations; run with --release --ignored"]
    fn deflate_bomb_from_compressor() {
        let zeros = vec![0u8; 100 * 1024 * 1024];
        let mut client = PerMessageDeflate::new(DeflateParams::default(), Role::Client);
        let c = compress(&mut client, &zeros);
        drop(zeros);
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let mut out = Vec::new();
        let t = Instant::now();
        assert_eq!(
            server.decompress(&c, 1024 * 1024, &mut out),
            Err(DeflateError::TooBig)
        );
        assert!(t.elapsed().as_millis() < 500);
        assert!(out.capacity() <= 1024 * 1024 + 1);
    }

    #[test]
    fn deflate_corrupt() {
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let mut out = b"keep".to_vec();
        // Block type 3 does not exist.
        assert_eq!(
            server.decompress(&[0xff; 16], usize::MAX, &mut out),
            Err(DeflateError::Corrupt)
        );
        assert_eq!(out, b"keep");
        // A back-reference before the start of the stream.
        let mut w = BitWriter::new();
        w.put(0, 1);
        w.put(1, 2);
        w.code(0x30 + b'a' as u64, 8);
        w.code(0b000_0001, 7); // length 3
        w.code(5, 5); // distance 7..8
        w.put(0, 1);
        assert_eq!(
            decompress(&mut server, &w.finish()),
            Err(DeflateError::Corrupt)
        );
        // Stored block with a bad NLEN.
        assert_eq!(
            decompress(&mut server, &[0x00, 0x05, 0x00, 0x00, 0x00, b'x']),
            Err(DeflateError::Corrupt)
        );
        // Still usable afterwards.
        let mut client = PerMessageDeflate::new(DeflateParams::default(), Role::Client);
        let c = compress(&mut client, b"after");
        assert_eq!(decompress(&mut server, &c).unwrap(), b"after");
    }

    #[test]
    fn deflate_garbage_never_panics_or_hangs() {
        let mut rng = Rng(99);
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let t = Instant::now();
        for i in 0..5000 {
            let len = rng.next() as usize % 300;
            let mut data = rng.bytes(len);
            if i % 3 == 0 {
                // Valid prefix, garbage after.
                let mut c = Vec::new();
                PerMessageDeflate::new(DeflateParams::default(), Role::Client)
                    .compress(&repetitive(500), &mut c);
                c.truncate(len.min(c.len()));
                data = c;
            }
            let mut out = Vec::new();
            let _ = server.decompress(&data, 4096, &mut out);
            assert!(out.len() <= 4096);
        }
        assert!(t.elapsed().as_secs() < 30);
    }

    #[test]
    fn deflate_stored_fallback_is_valid() {
        let data = random(200_000, 4);
        let mut out = Vec::new();
        write_stored(&data, &mut out);
        let mut history = Vec::new();
        assert_eq!(strict_peer(&mut history, &out, 8), data);
        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        assert_eq!(decompress(&mut server, &out).unwrap(), data);
        let mut out = Vec::new();
        write_stored(b"", &mut out);
        assert_eq!(out, [0x00]);
    }

    #[test]
    fn deflate_appends_and_is_send() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<PerMessageDeflate>();

        let mut server = PerMessageDeflate::new(DeflateParams::default(), Role::Server);
        let mut client = PerMessageDeflate::new(DeflateParams::default(), Role::Client);
        let mut frame = vec![0xc1, 0x00];
        server.compress(b"payload", &mut frame);
        assert_eq!(&frame[..2], [0xc1, 0x00]);
        let mut out = b"prefix:".to_vec();
        client.decompress(&frame[2..], 100, &mut out).unwrap();
        assert_eq!(out, b"prefix:payload");
    }
}
