//! WebSocket load generator. One thread (a current-thread tokio runtime), frames
//! written and parsed directly, so that it stays cheaper than the server it
//! measures.
//!
//!   loadgen MODE [options]
//!
//! Modes:
//!   pipeline   --conns N --window W --size B    N connections, W messages in flight
//!              each (W=1: ping-pong). --deflate: offer permessage-deflate and
//!              send ~B-byte JSON-like text, compressed.
//!   broadcast  --receivers N --window W --size B  N receivers and one sender;
//!              the server sends each message to every connection. W messages
//!              in flight; one completes when every connection got it.
//!   flood      --conns N --size B --max-msgs M     messages the server does not
//!              answer: sent as fast as possible, then the server's CPU is
//!              watched until it goes quiet (for an empty onMessage).
//!   idle       --conns C      C connections upgraded and held; server RSS per connection.
//!   handshake  --parallel P   P loops of connect, upgrade, close handshake.
//!
//! Common: --addr 127.0.0.1:9501 --pid PID (the server, for CPU and RSS: that
//!         process and every descendant, so a server's workers count too)
//!         --warmup 3 --duration 5 (seconds) --label NAME
//!
//! Prints one line of `key=value` results on stdout, a readable summary on stderr.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::{spawn_local, JoinHandle, LocalSet};
use tokio::time::{sleep, timeout};

use swoole_rs_bench::{procfs, Args};
use swoole_rs_engine::deflate::{self, PerMessageDeflate, Role};
use swoole_rs_engine::frame::{self, OP_BINARY, OP_CLOSE, OP_TEXT};

/// Phases: warm-up is 0 (the default).
const MEASURE: u8 = 1;
const STOP: u8 = 2;

/// Clients mask with a fixed key: masking is required, its secrecy is not.
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Largest reply accepted (sanity bound).
const MAX_MESSAGE: usize = 64 << 20;

struct Opts {
    mode: String,
    addr: SocketAddr,
    pid: Option<u32>,
    conns: usize,
    window: usize,
    size: usize,
    receivers: usize,
    parallel: usize,
    max_msgs: u64,
    deflate: bool,
    warmup: Duration,
    duration: Duration,
    label: String,
}

/// Counters shared by all connection tasks (one thread: no atomics needed).
#[derive(Default)]
struct Ctx {
    phase: Cell<u8>,
    /// Operations completed while measuring: messages, deliveries, handshakes.
    ops: Cell<u64>,
    /// Latencies (ns) of operations completed while measuring.
    lat: RefCell<Vec<u64>>,
    errors: Cell<u64>,
    first_error: RefCell<Option<String>>,
    /// Handshake mode: summed µs waiting for the close reply, and then for the FIN.
    close_wait_us: Cell<f64>,
    fin_wait_us: Cell<f64>,
}

impl Ctx {
    fn error(&self, e: impl std::fmt::Display) {
        self.errors.set(self.errors.get() + 1);
        let mut first = self.first_error.borrow_mut();
        if first.is_none() {
            *first = Some(e.to_string());
        }
    }

    fn measuring(&self) -> bool {
        self.phase.get() == MEASURE
    }

    fn stopped(&self) -> bool {
        self.phase.get() == STOP
    }
}

/// What a measured window produced.
#[derive(Default)]
struct Window {
    /// Processes in the server's tree at the end of the window.
    processes: usize,
    secs: f64,
    server_cpu: Option<f64>,
    main_cpu: Option<f64>,
    gen_cpu: f64,
}

fn main() {
    let args = Args::parse();
    let Some(mode) = args.positional.first().cloned() else {
        eprintln!("usage: loadgen pipeline|broadcast|flood|idle|handshake [options] (see the source header)");
        std::process::exit(2);
    };
    let secs = |k: &str, d: f64| Duration::from_secs_f64(args.get(k, d).max(0.0));
    let opts = Opts {
        label: args.str("label").unwrap_or(&mode).to_string(),
        mode,
        addr: args.get("addr", "127.0.0.1:9501".parse().unwrap()),
        pid: args.str("pid").map(|_| args.get("pid", 0u32)),
        conns: args.get("conns", 64usize).max(1),
        window: args.get("window", 16usize).max(1),
        size: args.get("size", 64usize),
        receivers: args.get("receivers", 1000usize).max(1),
        parallel: args.get("parallel", 32usize).max(1),
        max_msgs: args.get("max-msgs", 3_000_000u64).max(1),
        deflate: args.flag("deflate"),
        warmup: secs("warmup", 3.0),
        duration: secs("duration", 5.0),
    };
    procfs::raise_nofile();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = LocalSet::new();
    let result = local.block_on(&rt, run(&opts));
    match result {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("loadgen {}: {e}", opts.label);
            println!("label={} mode={} error=1", opts.label, opts.mode);
            std::process::exit(1);
        }
    }
}

async fn run(o: &Opts) -> io::Result<String> {
    wait_for_server(o.addr).await?;
    match o.mode.as_str() {
        "pipeline" => pipeline(o).await,
        "broadcast" => broadcast(o).await,
        "flood" => flood(o).await,
        "idle" => idle(o).await,
        "handshake" => handshakes(o).await,
        m => Err(io::Error::other(format!("unknown mode {m}"))),
    }
}

// --- connections -------------------------------------------------------------

/// An upgraded connection: the socket, bytes read past the response head, and
/// the compression agreed (when offered).
struct Ws {
    stream: TcpStream,
    rbuf: BytesMut,
    deflate: Option<PerMessageDeflate>,
}

thread_local! {
    static NEXT_SOURCE: Cell<u32> = const { Cell::new(0) };
}

/// Local address for the next connection: spread over 127.0.0.2..=127.0.0.251
/// so that many thousands of short connections do not run out of ports.
fn next_source(server: &SocketAddr) -> Option<SocketAddr> {
    match server.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => {
            let n = NEXT_SOURCE.with(|c| {
                let n = c.get();
                c.set(n.wrapping_add(1));
                n
            });
            Some(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (n % 250) as u8)),
                0,
            ))
        }
        _ => None,
    }
}

async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let sock = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(src) = next_source(&addr) {
        sock.bind(src)?;
    }
    let stream = sock.connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

async fn wait_for_server(addr: SocketAddr) -> io::Result<()> {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        match TcpStream::connect(addr).await {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() >= until => return Err(e),
            Err(_) => sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Connects and performs the opening handshake.
async fn connect_ws(addr: SocketAddr, offer_deflate: bool) -> io::Result<Ws> {
    let mut stream = tcp_connect(addr).await?;
    let mut req = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    );
    if offer_deflate {
        req.push_str("Sec-WebSocket-Extensions: ");
        req.push_str(deflate::client_offer());
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await?;
    let mut rbuf = BytesMut::with_capacity(1024);
    let head_len = loop {
        if let Some(p) = rbuf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if rbuf.len() > 16 * 1024 {
            return Err(io::Error::other("response head too large"));
        }
        if stream.read_buf(&mut rbuf).await? == 0 {
            return Err(io::Error::other("connection closed during the handshake"));
        }
    };
    let head = String::from_utf8_lossy(&rbuf[..head_len]).into_owned();
    rbuf.advance(head_len);
    if !head.starts_with("HTTP/1.1 101") {
        let line = head.lines().next().unwrap_or_default().to_string();
        return Err(io::Error::other(format!("handshake refused: {line}")));
    }
    let mut deflate = None;
    if offer_deflate {
        let ext = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("sec-websocket-extensions")
                .then(|| v.trim().to_string())
        });
        let ext =
            ext.ok_or_else(|| io::Error::other("server did not accept permessage-deflate"))?;
        let params = deflate::parse_response(&ext).map_err(io::Error::other)?;
        // Level 1 keeps the generator cheap; the server's inflate cost hardly
        // depends on the level its peer compressed with.
        deflate = Some(PerMessageDeflate::with_level(params, Role::Client, 1));
    }
    Ok(Ws {
        stream,
        rbuf,
        deflate,
    })
}

/// Opens `n` connections, at most `parallel` handshakes at a time.
async fn connect_many(
    addr: SocketAddr,
    n: usize,
    offer_deflate: bool,
    parallel: usize,
) -> io::Result<Vec<Ws>> {
    let mut out = Vec::with_capacity(n);
    let mut pending: VecDeque<JoinHandle<io::Result<Ws>>> = VecDeque::new();
    for _ in 0..n {
        if pending.len() >= parallel {
            out.push(
                pending
                    .pop_front()
                    .unwrap()
                    .await
                    .map_err(io::Error::other)??,
            );
        }
        pending.push_back(spawn_local(connect_ws(addr, offer_deflate)));
    }
    for h in pending {
        out.push(h.await.map_err(io::Error::other)??);
    }
    Ok(out)
}

/// A complete frame at the start of `buf`: (opcode, rsv1, header length, total length).
fn next_frame(buf: &[u8]) -> io::Result<Option<(u8, bool, usize, usize)>> {
    let Some(h) = frame::parse_head(buf) else {
        return Ok(None);
    };
    let total = h
        .frame_len()
        .filter(|&t| t <= MAX_MESSAGE)
        .ok_or_else(|| io::Error::other("frame too large"))?;
    if buf.len() < total {
        return Ok(None);
    }
    if h.opcode == OP_CLOSE {
        let p = &buf[h.header_len..total];
        let code = (p.len() >= 2).then(|| u16::from_be_bytes([p[0], p[1]]));
        return Err(io::Error::other(format!(
            "server sent a close frame (code {code:?})"
        )));
    }
    if !h.fin {
        return Err(io::Error::other("fragmented reply (not expected)"));
    }
    Ok(Some((h.opcode, h.rsv1, h.header_len, total)))
}

/// Reads more bytes; an error on EOF.
async fn fill<R: AsyncReadExt + Unpin>(r: &mut R, rbuf: &mut BytesMut) -> io::Result<()> {
    if rbuf.capacity() - rbuf.len() < 8192 {
        rbuf.reserve(64 * 1024);
    }
    if r.read_buf(rbuf).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "server closed the connection",
        ));
    }
    Ok(())
}

// --- measuring ------------------------------------------------------------

/// The server's CPU: (every process of its tree, the PHP threads). The tree is
/// looked up afresh at each sample, so workers started meanwhile count.
fn server_cpu(o: &Opts) -> (Option<f64>, Option<f64>, usize) {
    match o.pid {
        Some(pid) => {
            let u = procfs::tree_usage(&procfs::process_tree(pid), false);
            (Some(u.cpu), Some(u.php_cpu), u.processes)
        }
        None => (None, None, 0),
    }
}

/// Warm-up, then the measured window: flips `ctx.phase` and samples CPU at both ends.
async fn measured_window(o: &Opts, ctx: &Ctx) -> Window {
    sleep(o.warmup).await;
    let (s0, m0, _) = server_cpu(o);
    let g0 = procfs::self_cpu();
    let t0 = Instant::now();
    ctx.phase.set(MEASURE);
    sleep(o.duration).await;
    ctx.phase.set(STOP);
    let secs = t0.elapsed().as_secs_f64();
    let (s1, m1, processes) = server_cpu(o);
    let g1 = procfs::self_cpu();
    Window {
        processes,
        secs,
        server_cpu: s0.zip(s1).map(|(a, b)| b - a),
        main_cpu: m0.zip(m1).map(|(a, b)| b - a),
        gen_cpu: g1 - g0,
    }
}

/// Waits (bounded) for the connection tasks to notice the stop.
async fn join_all(handles: Vec<JoinHandle<()>>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    for h in handles {
        let left = deadline.saturating_duration_since(Instant::now());
        if timeout(left, h).await.is_err() {
            // Stuck on a reply that will not come: abandoned with the runtime.
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p / 100.0).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

/// The result line: rates and CPU per operation from a window and the counters.
fn report(o: &Opts, ctx: &Ctx, w: &Window, ops: u64, extra: &[(&str, String)]) -> String {
    let mut lat = ctx.lat.take();
    lat.sort_unstable();
    let mut fields: Vec<(&str, String)> = vec![
        ("label", o.label.clone()),
        ("mode", o.mode.clone()),
        ("ops", ops.to_string()),
        ("secs", format!("{:.3}", w.secs)),
        ("rate", format!("{:.1}", ops as f64 / w.secs.max(1e-9))),
    ];
    if !lat.is_empty() {
        fields.push(("p50_us", format!("{:.1}", percentile(&lat, 50.0))));
        fields.push(("p99_us", format!("{:.1}", percentile(&lat, 99.0))));
        fields.push(("max_us", format!("{:.1}", percentile(&lat, 100.0))));
    }
    let per_op = |cpu: f64| format!("{:.4}", cpu * 1e6 / ops.max(1) as f64);
    if let Some(cpu) = w.server_cpu {
        fields.push(("cpu_us_per_op", per_op(cpu)));
        fields.push(("server_cpu_pct", format!("{:.0}", cpu * 100.0 / w.secs)));
        if let Some(main) = w.main_cpu {
            fields.push(("main_us_per_op", per_op(main)));
            fields.push(("io_us_per_op", per_op((cpu - main).max(0.0))));
        }
    }
    fields.push(("gen_cpu_pct", format!("{:.0}", w.gen_cpu * 100.0 / w.secs)));
    if w.processes > 0 {
        fields.push(("processes", w.processes.to_string()));
    }
    fields.extend(extra.iter().cloned());
    fields.push(("errors", ctx.errors.get().to_string()));
    if let Some(e) = ctx.first_error.borrow().as_ref() {
        eprintln!(
            "loadgen {}: {} errors, first: {e}",
            o.label,
            ctx.errors.get()
        );
    }
    let line: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    eprintln!("loadgen {}: {}", o.label, line[2..].join(" "));
    line.join(" ")
}

// --- pipeline / ping-pong / compressed echo -------------------------------------

/// Messages a connection sends, in turn.
struct Payloads {
    messages: Vec<Vec<u8>>,
    opcode: u8,
}

impl Payloads {
    fn new(o: &Opts) -> Payloads {
        if o.deflate {
            Payloads {
                messages: (0..64).map(|i| json_like(i, o.size.max(64))).collect(),
                opcode: OP_TEXT,
            }
        } else {
            Payloads {
                messages: vec![vec![b'x'; o.size]],
                opcode: OP_TEXT,
            }
        }
    }
}

/// A ~`size`-byte JSON document that differs from message to message.
fn json_like(seed: u64, size: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut rnd = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
    ];
    let mut s = format!(
        "{{\"id\":{},\"type\":\"order.updated\",\"ts\":{},\"user\":{{\"id\":{},\"name\":\"user-{}\",\"email\":\"user{}@example.com\",\"roles\":[\"reader\",\"writer\"]}},\"items\":[",
        seed,
        1_700_000_000_000u64 + rnd(1_000_000),
        rnd(100_000),
        rnd(10_000),
        rnd(10_000)
    );
    let mut first = true;
    while s.len() + 120 < size {
        if !first {
            s.push(',');
        }
        first = false;
        s.push_str(&format!(
            "{{\"sku\":\"{}-{}\",\"qty\":{},\"price\":{}.{:02},\"tag\":\"{}\"}}",
            words[rnd(7) as usize],
            rnd(10_000),
            rnd(20) + 1,
            rnd(500),
            rnd(100),
            words[rnd(7) as usize]
        ));
    }
    s.push_str("],\"note\":\"");
    while s.len() + 2 < size {
        s.push(words[rnd(7) as usize].as_bytes()[0] as char);
    }
    s.push_str("\"}");
    s.into_bytes()
}

async fn pipeline(o: &Opts) -> io::Result<String> {
    let conns = connect_many(o.addr, o.conns, o.deflate, 64).await?;
    let ctx = Rc::new(Ctx::default());
    let payloads = Rc::new(Payloads::new(o));
    let handles: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, ws)| {
            let (ctx, payloads, window) = (ctx.clone(), payloads.clone(), o.window);
            spawn_local(async move {
                if let Err(e) = echo_conn(ws, &ctx, &payloads, window, i).await {
                    if !ctx.stopped() {
                        ctx.error(e);
                    }
                }
            })
        })
        .collect();
    let w = measured_window(o, &ctx).await;
    join_all(handles).await;
    let ops = ctx.ops.get();
    let extra = [
        ("conns", o.conns.to_string()),
        ("window", o.window.to_string()),
        ("size", payloads.messages[0].len().to_string()),
    ];
    Ok(report(o, &ctx, &w, ops, &extra))
}

/// One connection keeping `window` messages in flight; replies come in order.
async fn echo_conn(
    ws: Ws,
    ctx: &Ctx,
    payloads: &Payloads,
    window: usize,
    index: usize,
) -> io::Result<()> {
    let Ws {
        mut stream,
        mut rbuf,
        mut deflate,
    } = ws;
    let mut next = index;
    let mut sent: VecDeque<(Instant, usize)> = VecDeque::with_capacity(window);
    let mut wbuf = BytesMut::with_capacity(window * (payloads.messages[0].len() + 14));
    // Uncompressed messages never change: encode them once.
    let plain: Vec<Vec<u8>> = payloads
        .messages
        .iter()
        .map(|m| {
            let mut b = BytesMut::new();
            frame::put_frame(&mut b, 0x80 | payloads.opcode, m, Some(MASK));
            b.to_vec()
        })
        .collect();
    let mut scratch = Vec::new();
    let mut inflated = Vec::new();

    let mut queue_one = |deflate: &mut Option<PerMessageDeflate>,
                         wbuf: &mut BytesMut,
                         sent: &mut VecDeque<(Instant, usize)>,
                         now: Instant| {
        let i = next % payloads.messages.len();
        next += 1;
        match deflate.as_mut() {
            Some(d) => {
                scratch.clear();
                d.compress(&payloads.messages[i], &mut scratch);
                frame::put_frame(wbuf, 0xC0 | payloads.opcode, &scratch, Some(MASK));
            }
            None => wbuf.extend_from_slice(&plain[i]),
        }
        sent.push_back((now, i));
    };

    let now = Instant::now();
    for _ in 0..window {
        queue_one(&mut deflate, &mut wbuf, &mut sent, now);
    }
    stream.write_all(&wbuf).await?;
    wbuf.clear();
    loop {
        fill(&mut stream, &mut rbuf).await?;
        let now = Instant::now();
        let measuring = ctx.measuring();
        let mut replies = 0;
        while let Some((opcode, rsv1, head, total)) = next_frame(&rbuf)? {
            if opcode != OP_TEXT && opcode != OP_BINARY {
                return Err(io::Error::other(format!("unexpected opcode {opcode}")));
            }
            let (t, i) = sent
                .pop_front()
                .ok_or_else(|| io::Error::other("reply without a request"))?;
            let len = if rsv1 {
                let d = deflate
                    .as_mut()
                    .ok_or_else(|| io::Error::other("compressed reply without negotiation"))?;
                inflated.clear();
                d.decompress(&rbuf[head..total], MAX_MESSAGE, &mut inflated)
                    .map_err(io::Error::other)?;
                inflated.len()
            } else {
                total - head
            };
            if len != payloads.messages[i].len() {
                return Err(io::Error::other("reply length differs from the message"));
            }
            rbuf.advance(total);
            replies += 1;
            if measuring {
                ctx.ops.set(ctx.ops.get() + 1);
                ctx.lat.borrow_mut().push((now - t).as_nanos() as u64);
            }
        }
        if ctx.stopped() {
            return Ok(());
        }
        if replies > 0 {
            let now = Instant::now();
            for _ in 0..replies {
                queue_one(&mut deflate, &mut wbuf, &mut sent, now);
            }
            stream.write_all(&wbuf).await?;
            wbuf.clear();
        }
    }
}

// --- broadcast ----------------------------------------------------------------

/// Broadcasts in flight, oldest first.
#[derive(Default)]
struct Fanout {
    /// Sequence number of `pending[0]`.
    base: Cell<u64>,
    /// (sent at, deliveries still missing)
    pending: RefCell<VecDeque<(Instant, usize)>>,
    in_flight: Cell<usize>,
    slot_free: Notify,
}

impl Fanout {
    fn delivered(&self, ctx: &Ctx, seq: u64, now: Instant) -> io::Result<()> {
        let mut p = self.pending.borrow_mut();
        let idx = seq
            .checked_sub(self.base.get())
            .filter(|&i| (i as usize) < p.len())
            .ok_or_else(|| io::Error::other(format!("unexpected broadcast #{seq}")))?
            as usize;
        let entry = &mut p[idx];
        if entry.1 == 0 {
            return Err(io::Error::other(format!(
                "broadcast #{seq} delivered too often"
            )));
        }
        entry.1 -= 1;
        if entry.1 == 0 {
            // The last connection got it: that is the fan-out latency.
            if ctx.measuring() {
                ctx.lat.borrow_mut().push((now - entry.0).as_nanos() as u64);
            }
            self.in_flight.set(self.in_flight.get() - 1);
            self.slot_free.notify_one();
            while p.front().is_some_and(|e| e.1 == 0) {
                p.pop_front();
                self.base.set(self.base.get() + 1);
            }
        }
        Ok(())
    }
}

async fn broadcast(o: &Opts) -> io::Result<String> {
    let size = o.size.max(16);
    let receivers = connect_many(o.addr, o.receivers, false, 64).await?;
    let sender = connect_ws(o.addr, false).await?;
    let total_conns = o.receivers + 1;
    let ctx = Rc::new(Ctx::default());
    let fan = Rc::new(Fanout::default());
    let mut handles = Vec::new();

    let (sender_read, mut sender_write) = sender.stream.into_split();
    let readers = receivers
        .into_iter()
        .map(|ws| (Box::new(ws.stream) as Box<dyn AsyncReadUnpin>, ws.rbuf))
        .chain(std::iter::once((
            Box::new(sender_read) as Box<dyn AsyncReadUnpin>,
            sender.rbuf,
        )));
    for (mut r, mut rbuf) in readers {
        let (ctx, fan) = (ctx.clone(), fan.clone());
        handles.push(spawn_local(async move {
            let res: io::Result<()> = async {
                loop {
                    fill(&mut r, &mut rbuf).await?;
                    let now = Instant::now();
                    while let Some((_, _, head, total)) = next_frame(&rbuf)? {
                        let seq = rbuf
                            .get(head..head + 16)
                            .and_then(|h| std::str::from_utf8(h).ok())
                            .and_then(|h| u64::from_str_radix(h, 16).ok())
                            .ok_or_else(|| {
                                io::Error::other("broadcast without a sequence number")
                            })?;
                        rbuf.advance(total);
                        if ctx.measuring() {
                            ctx.ops.set(ctx.ops.get() + 1);
                        }
                        fan.delivered(&ctx, seq, now)?;
                    }
                    if ctx.stopped() {
                        return Ok(());
                    }
                }
            }
            .await;
            if let Err(e) = res {
                if !ctx.stopped() {
                    ctx.error(e);
                }
            }
            // A reader that stops early must not leave the sender waiting forever.
            fan.slot_free.notify_one();
        }));
    }

    {
        let (ctx, fan, window) = (ctx.clone(), fan.clone(), o.window);
        handles.push(spawn_local(async move {
            let mut payload = vec![b'b'; size];
            let mut wbuf = BytesMut::new();
            let mut seq = 0u64;
            while !ctx.stopped() {
                let now = Instant::now();
                while fan.in_flight.get() < window {
                    // Text messages: the sequence number in hex digits.
                    payload[..16].copy_from_slice(format!("{seq:016x}").as_bytes());
                    frame::put_frame(&mut wbuf, 0x80 | OP_TEXT, &payload, Some(MASK));
                    fan.pending.borrow_mut().push_back((now, total_conns));
                    fan.in_flight.set(fan.in_flight.get() + 1);
                    seq += 1;
                }
                if !wbuf.is_empty() {
                    if let Err(e) = sender_write.write_all(&wbuf).await {
                        ctx.error(e);
                        return;
                    }
                    wbuf.clear();
                }
                if timeout(Duration::from_secs(5), fan.slot_free.notified())
                    .await
                    .is_err()
                    && !ctx.stopped()
                {
                    ctx.error("no broadcast completed within 5 s");
                    return;
                }
            }
        }));
    }

    let w = measured_window(o, &ctx).await;
    fan.slot_free.notify_one();
    join_all(handles).await;
    let ops = ctx.ops.get();
    let extra = [
        ("conns", total_conns.to_string()),
        ("receivers", o.receivers.to_string()),
        ("window", o.window.to_string()),
        ("size", size.to_string()),
        (
            "broadcasts_per_s",
            format!("{:.1}", ops as f64 / total_conns as f64 / w.secs),
        ),
    ];
    Ok(report(o, &ctx, &w, ops, &extra))
}

trait AsyncReadUnpin: tokio::io::AsyncRead + Unpin {}
impl<T: tokio::io::AsyncRead + Unpin> AsyncReadUnpin for T {}

// --- flood (messages without replies) ------------------------------------------

/// Waits until the server's CPU time stops growing for `quiet`; returns when it
/// last grew and its CPU (process, main thread) then.
async fn wait_quiet(pid: u32, quiet: Duration) -> (Instant, f64, f64) {
    // Found once: scanning /proc every 10 ms would load the generator's CPU.
    let tree = procfs::process_tree(pid);
    let read = || {
        let u = procfs::tree_usage(&tree, false);
        (u.cpu, u.php_cpu)
    };
    let (mut last, mut main) = read();
    let mut changed = Instant::now();
    let give_up = Instant::now() + Duration::from_secs(120);
    loop {
        sleep(Duration::from_millis(10)).await;
        let (c, m) = read();
        let now = Instant::now();
        if c != last {
            last = c;
            main = m;
            changed = now;
        } else if now - changed >= quiet || now >= give_up {
            return (changed, last, main);
        }
    }
}

/// Sends messages on every connection as fast as the server reads them, for
/// `secs` or until `cap` messages in all; returns the streams and the number sent.
async fn flood_burst(
    streams: Vec<TcpStream>,
    frames: &Rc<Vec<u8>>,
    per_write: u64,
    secs: Duration,
    cap: u64,
) -> io::Result<(Vec<TcpStream>, u64)> {
    let sent = Rc::new(Cell::new(0u64));
    let until = Instant::now() + secs;
    let handles: Vec<JoinHandle<io::Result<TcpStream>>> = streams
        .into_iter()
        .map(|mut s| {
            let (frames, sent) = (frames.clone(), sent.clone());
            spawn_local(async move {
                while Instant::now() < until && sent.get() + per_write <= cap {
                    s.write_all(&frames).await?;
                    sent.set(sent.get() + per_write);
                }
                Ok(s)
            })
        })
        .collect();
    let mut back = Vec::with_capacity(handles.len());
    for h in handles {
        back.push(h.await.map_err(io::Error::other)??);
    }
    Ok((back, sent.get()))
}

async fn flood(o: &Opts) -> io::Result<String> {
    let pid = o
        .pid
        .ok_or_else(|| io::Error::other("flood needs --pid (it watches the server's CPU)"))?;
    let conns = connect_many(o.addr, o.conns, false, 64).await?;
    let streams: Vec<TcpStream> = conns.into_iter().map(|ws| ws.stream).collect();
    let per_write = 64u64;
    let mut batch = BytesMut::new();
    let payload = vec![b'x'; o.size];
    for _ in 0..per_write {
        frame::put_frame(&mut batch, 0x80 | OP_TEXT, &payload, Some(MASK));
    }
    let frames = Rc::new(batch.to_vec());
    let quiet = Duration::from_millis(200);

    // Warm-up: a smaller burst, then let the server finish it.
    let (streams, _) = flood_burst(streams, &frames, per_write, o.warmup, o.max_msgs / 2).await?;
    let (_, c0, m0) = wait_quiet(pid, quiet).await;
    let g0 = procfs::self_cpu();
    let t0 = Instant::now();
    let (streams, sent) = flood_burst(streams, &frames, per_write, o.duration, o.max_msgs).await?;
    let send_secs = t0.elapsed().as_secs_f64();
    // Every message sent is processed once the server has gone quiet.
    let (t1, c1, m1) = wait_quiet(pid, quiet).await;
    let g1 = procfs::self_cpu();
    drop(streams);
    let w = Window {
        processes: procfs::process_tree(pid).len(),
        secs: t1.saturating_duration_since(t0).as_secs_f64(),
        server_cpu: Some(c1 - c0),
        main_cpu: Some(m1 - m0),
        gen_cpu: g1 - g0,
    };
    let ctx = Ctx::default();
    let extra = [
        ("conns", o.conns.to_string()),
        ("size", o.size.to_string()),
        ("send_secs", format!("{send_secs:.3}")),
    ];
    Ok(report(o, &ctx, &w, sent, &extra))
}

// --- idle connections -----------------------------------------------------------

async fn idle(o: &Opts) -> io::Result<String> {
    let pid = o
        .pid
        .ok_or_else(|| io::Error::other("idle needs --pid (it reads the server's RSS)"))?;
    // Every process of the server: workers hold the connections.
    let mem = || procfs::tree_usage(&procfs::process_tree(pid), true);
    // Warm-up: some connections opened and closed, so first-use costs of the
    // accept and handshake paths are not counted as per-connection memory.
    drop(connect_many(o.addr, 100, false, 50).await?);
    sleep(Duration::from_millis(500)).await;
    let before = mem();
    let t0 = Instant::now();
    let conns = connect_many(o.addr, o.conns, false, 256).await?;
    let connect_secs = t0.elapsed().as_secs_f64();
    // Let the server settle (its onOpen callbacks, any lazy allocations).
    sleep(Duration::from_secs(1)).await;
    let (c0, m0, _) = server_cpu(o);
    sleep(Duration::from_secs(1)).await;
    let (c1, m1, _) = server_cpu(o);
    let after = mem();
    let per_conn = |b: u64, a: u64| (a as f64 - b as f64) / o.conns as f64;
    let fields = [
        format!("label={}", o.label),
        format!("mode={}", o.mode),
        format!("conns={}", o.conns),
        format!("processes={}", after.processes),
        format!("rss_before_kib={}", before.rss_kib),
        format!("rss_after_kib={}", after.rss_kib),
        format!(
            "rss_kib_per_conn={:.3}",
            per_conn(before.rss_kib, after.rss_kib)
        ),
        format!(
            "pss_kib_per_conn={:.3}",
            per_conn(before.pss_kib, after.pss_kib)
        ),
        format!("connect_secs={connect_secs:.3}"),
        format!(
            "idle_cpu_pct={:.1}",
            c0.zip(c1).map(|(a, b)| (b - a) * 100.0).unwrap_or(0.0)
        ),
        format!(
            "idle_main_cpu_pct={:.1}",
            m0.zip(m1).map(|(a, b)| (b - a) * 100.0).unwrap_or(0.0)
        ),
        "errors=0".to_string(),
    ];
    drop(conns);
    eprintln!("loadgen {}: {}", o.label, fields[2..].join(" "));
    Ok(fields.join(" "))
}

// --- handshakes -------------------------------------------------------------------

/// Connect, upgrade, close handshake, and wait for the server's FIN (so the
/// server, which closes first, keeps the TIME_WAIT and our ports stay free).
async fn one_handshake(addr: SocketAddr, ctx: &Ctx) -> io::Result<()> {
    let t = Instant::now();
    let Ws {
        mut stream,
        mut rbuf,
        ..
    } = connect_ws(addr, false).await?;
    let upgraded = Instant::now();
    let mut close = BytesMut::new();
    frame::put_frame(
        &mut close,
        0x80 | OP_CLOSE,
        &1000u16.to_be_bytes(),
        Some(MASK),
    );
    stream.write_all(&close).await?;
    loop {
        if let Some(h) = frame::parse_head(&rbuf) {
            if h.frame_len().is_some_and(|n| rbuf.len() >= n) {
                if h.opcode != OP_CLOSE {
                    return Err(io::Error::other("expected the close reply"));
                }
                break;
            }
        }
        fill(&mut stream, &mut rbuf).await?;
    }
    let closed = Instant::now();
    let mut sink = [0u8; 256];
    while stream.read(&mut sink).await? > 0 {}
    if ctx.measuring() {
        let done = Instant::now();
        ctx.ops.set(ctx.ops.get() + 1);
        ctx.lat.borrow_mut().push((upgraded - t).as_nanos() as u64);
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        ctx.close_wait_us
            .set(ctx.close_wait_us.get() + us(closed - upgraded));
        ctx.fin_wait_us
            .set(ctx.fin_wait_us.get() + us(done - closed));
    }
    Ok(())
}

async fn handshakes(o: &Opts) -> io::Result<String> {
    let ctx = Rc::new(Ctx::default());
    let handles: Vec<_> = (0..o.parallel)
        .map(|_| {
            let (ctx, addr) = (ctx.clone(), o.addr);
            spawn_local(async move {
                while !ctx.stopped() {
                    if let Err(e) = timeout(Duration::from_secs(5), one_handshake(addr, &ctx))
                        .await
                        .unwrap_or_else(|_| Err(io::Error::other("handshake timed out")))
                    {
                        ctx.error(e);
                        sleep(Duration::from_millis(10)).await;
                    }
                }
            })
        })
        .collect();
    let w = measured_window(o, &ctx).await;
    join_all(handles).await;
    let ops = ctx.ops.get();
    let avg = |sum: f64| format!("{:.1}", sum / ops.max(1) as f64);
    let extra = [
        ("parallel", o.parallel.to_string()),
        ("close_wait_us", avg(ctx.close_wait_us.get())),
        ("fin_wait_us", avg(ctx.fin_wait_us.get())),
    ];
    Ok(report(o, &ctx, &w, ops, &extra))
}
