//! The engine: a tokio runtime that accepts connections and runs one task each.

use std::io;
use std::net::{SocketAddr, TcpListener as StdListener, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::{TcpListener, UnixStream};
use tokio::runtime::Runtime;
use tokio::sync::Notify;

use crate::bridge::{Event, EventQueue, EventSink, LogLevel};
use crate::config::ServerConfig;
use crate::connection::Conn;
use crate::session::{status, Outgoing, Session, Sessions};
use crate::signals::SignalGuard;
use crate::tls::Tls;
use crate::workers::registry::Registry;

/// Counters for `$server->stats()`.
#[derive(Default)]
pub struct Stats {
    pub accept_count: AtomicU64,
    pub close_count: AtomicU64,
    pub rejected_count: AtomicU64,
}

/// State shared by the engine's tasks and the PHP side.
pub struct Shared {
    pub config: ServerConfig,
    pub sessions: Sessions,
    /// This process's PHP queue (logs and the Stopped event always land here).
    pub events: Arc<EventQueue>,
    /// Where connection events go: `events`, or the router to worker processes.
    sink: Arc<dyn EventSink>,
    /// The server-wide registry and this process's owner id in it
    /// (multi-process servers only).
    registry: Option<(Arc<Registry>, u32)>,
    pub stats: Stats,
    pub start_time: f64,
    stopping: AtomicBool,
    /// Connections are dropped without ceremony (shutdown ran out of time).
    forced: AtomicBool,
    stop_accepting: Notify,
    /// Connection tasks still running.
    live: AtomicUsize,
}

impl Shared {
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    pub(crate) fn is_forced(&self) -> bool {
        self.forced.load(Ordering::Acquire)
    }

    pub(crate) fn emit(&self, event: Event) {
        self.sink.push(event);
    }

    /// The connection's onClose has run: it is gone for everyone.
    pub fn forget(&self, fd: crate::bridge::Fd) {
        self.sessions.remove(fd);
        if let Some((r, _)) = &self.registry {
            r.remove(fd);
        }
    }
}

enum Rt {
    Owned(Runtime),
    Borrowed(&'static Runtime),
}

impl Rt {
    fn get(&self) -> &Runtime {
        match self {
            Rt::Owned(rt) => rt,
            Rt::Borrowed(rt) => rt,
        }
    }
}

/// How an engine is connected to the rest of the server.
pub struct Wiring {
    pub events: Arc<EventQueue>,
    pub sink: Arc<dyn EventSink>,
    /// SIGINT/SIGTERM start a graceful shutdown until the engine is dropped.
    pub handle_signals: bool,
    pub registry: Option<(Arc<Registry>, u32)>,
    /// With `reactor_num` 0: the current-thread runtime the caller drives.
    pub runtime: Option<&'static Runtime>,
}

impl Wiring {
    /// One process: events go to this process's queue.
    pub fn local(handle_signals: bool) -> Wiring {
        let events = EventQueue::new();
        Wiring {
            sink: events.clone(),
            events,
            handle_signals,
            registry: None,
            runtime: None,
        }
    }
}

/// Binds a listening socket (in the constructor, as Swoole does, so a busy
/// port fails early). IPv6 addresses bind v6-only, like Swoole's SOCK_TCP6.
pub fn bind(host: &str, port: u16) -> io::Result<StdListener> {
    let addr: SocketAddr = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port),
        Err(_) => (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address"))?,
    };
    let domain = socket2::Domain::for_address(addr);
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Raises the soft limit on open files towards the hard limit (as far as
/// max_connection needs), so a shell's default 1024 does not cap the server.
fn raise_fd_limit(max_connection: usize) {
    // SAFETY: plain getrlimit/setrlimit on a struct we own.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        let want = (max_connection as libc::rlim_t)
            .saturating_add(64)
            .min(lim.rlim_max);
        if want > lim.rlim_cur {
            lim.rlim_cur = want;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// What one listening port speaks: the main port's comes from the
/// ServerConfig, an extra port (`$server->listen()`) has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSettings {
    /// HTTP and WebSocket; raw TCP (onReceive) when false.
    pub http_protocol: bool,
    /// TLS, with the server's certificate (ssl_cert_file, ssl_key_file).
    pub ssl: bool,
}

/// A running server.
pub struct Engine {
    /// I/O threads of its own, or (inline I/O, reactor_num 0) a current-thread
    /// runtime of the caller's that the caller drives while it waits.
    runtime: Option<Rt>,
    shared: Arc<Shared>,
    _signals: Option<SignalGuard>,
}

impl Engine {
    /// Starts serving `listener` on a new runtime. With `handle_signals`,
    /// SIGINT/SIGTERM start a graceful shutdown until the engine is dropped.
    pub fn start(
        listener: StdListener,
        config: ServerConfig,
        handle_signals: bool,
    ) -> io::Result<Engine> {
        Self::start_wired(listener, config, Wiring::local(handle_signals))
    }

    /// Loads what the settings name (the TLS certificate and key), so a bad
    /// setting fails before any worker process exists.
    pub fn prepare(config: &mut ServerConfig) -> io::Result<()> {
        if config.ssl && config.tls.is_none() {
            let (Some(cert), Some(key)) = (&config.ssl_cert_file, &config.ssl_key_file) else {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "SWOOLE_SSL needs the ssl_cert_file and ssl_key_file settings",
                ));
            };
            config.tls = Some(crate::tls::load_config(cert, key)?);
        }
        Ok(())
    }

    pub fn start_wired(
        listener: StdListener,
        mut config: ServerConfig,
        wiring: Wiring,
    ) -> io::Result<Engine> {
        let handle_signals = wiring.handle_signals;
        Self::prepare(&mut config)?;
        raise_fd_limit(config.max_connection);
        // reactor_num 0: no I/O threads; the caller's thread runs the I/O on
        // its runtime whenever it waits for events, as a Swoole worker does.
        let runtime = match wiring.runtime {
            Some(rt) if config.reactor_num == 0 => Rt::Borrowed(rt),
            _ => Rt::Owned(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(config.reactor_num.max(1))
                    .thread_name("swoole-rs-io")
                    .enable_all()
                    .build()?,
            ),
        };
        let shared = Arc::new(Shared {
            config,
            sessions: Sessions::default(),
            events: wiring.events,
            sink: wiring.sink,
            registry: wiring.registry,
            stats: Stats::default(),
            start_time: crate::http::unix_time(),
            stopping: AtomicBool::new(false),
            forced: AtomicBool::new(false),
            stop_accepting: Notify::new(),
            live: AtomicUsize::new(0),
        });
        listener.set_nonblocking(true)?;
        let rt = runtime.get();
        let listener = {
            let _guard = rt.enter();
            TcpListener::from_std(listener)?
        };
        let main_port = PortSettings {
            http_protocol: shared.config.http_protocol,
            ssl: shared.config.tls.is_some(),
        };
        rt.spawn(accept_loop(shared.clone(), listener, main_port));
        if !shared.config.heartbeat_check_interval.is_zero() {
            rt.spawn(heartbeat(shared.clone()));
        }
        let signals = if handle_signals {
            let (guard, read) = SignalGuard::install()?;
            let read = {
                let _guard = rt.enter();
                UnixStream::from_std(read)?
            };
            rt.spawn(watch_signals(shared.clone(), read));
            Some(guard)
        } else {
            None
        };
        Ok(Engine {
            runtime: Some(runtime),
            shared,
            _signals: signals,
        })
    }

    /// Serves one more listening socket (`$server->listen()`) on the same
    /// runtime, sessions and event queue, speaking what `port` says.
    pub fn listen(&self, listener: StdListener, port: PortSettings) -> io::Result<()> {
        let Some(runtime) = self.runtime.as_ref().map(Rt::get) else {
            return Err(io::Error::other("the engine has stopped"));
        };
        listener.set_nonblocking(true)?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let shared = self.shared.clone();
        runtime.spawn(async move { accept_connections(&shared, listener, port).await });
        Ok(())
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The process is going down (a fatal error or exit() in PHP): every
    /// WebSocket client gets a close frame with `code` (1011), the others a
    /// hang-up, written within a short grace period.
    pub fn abort(&self, code: u16) {
        let sessions = self.shared.sessions.all();
        for s in &sessions {
            let item = if s.status() == status::ACTIVE {
                Outgoing::Close {
                    code,
                    reason: Bytes::new(),
                }
            } else {
                Outgoing::End
            };
            let _ = s.send(item);
        }
        let deadline = std::time::Instant::now() + Duration::from_millis(300);
        while sessions
            .iter()
            .any(|s| s.queued_bytes() > 0 && !s.has_ended())
            && std::time::Instant::now() < deadline
        {
            match &self.runtime {
                Some(Rt::Borrowed(rt)) => {
                    rt.block_on(async { tokio::time::sleep(Duration::from_millis(2)).await })
                }
                _ => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    }

    /// Begins a graceful stop: no new connections, WebSocket clients get a
    /// close frame with `code`, everything queued is still written; then an
    /// `Event::Stopped` arrives.
    pub fn shutdown(&self) {
        shutdown(&self.shared);
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shared.forced.store(true, Ordering::Release);
        match self.runtime.take() {
            Some(Rt::Owned(rt)) => rt.shutdown_timeout(Duration::from_millis(500)),
            // The runtime lives on: end this engine's tasks on it now.
            Some(Rt::Borrowed(rt)) => {
                shutdown(&self.shared);
                for s in self.shared.sessions.all() {
                    s.seal();
                    s.kick();
                }
                let shared = self.shared.clone();
                rt.block_on(async move {
                    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
                    while shared.live.load(Ordering::Acquire) > 0
                        && tokio::time::Instant::now() < deadline
                    {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                });
            }
            None => {}
        }
    }
}

pub fn shutdown(shared: &Arc<Shared>) {
    if shared.stopping.swap(true, Ordering::AcqRel) {
        return;
    }
    // Every port's accept loop (each checks `stopping` too, so none misses it).
    shared.stop_accepting.notify_waiters();
    for s in shared.sessions.all() {
        close_for_shutdown(&s);
    }
}

fn close_for_shutdown(s: &Session) {
    let item = if s.status() == status::ACTIVE {
        Outgoing::Close {
            code: 1001,
            reason: Bytes::new(),
        }
    } else {
        Outgoing::End
    };
    let _ = s.send(item);
}

/// Accepts on the main port until the server stops, then waits for every
/// connection to finish and reports the stop.
async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, port: PortSettings) {
    accept_connections(&shared, listener, port).await;
    // Wait for every connection to finish its goodbye, then report the stop.
    let grace = shared.config.close_timeout + Duration::from_secs(1);
    let deadline = tokio::time::Instant::now() + grace;
    while shared.live.load(Ordering::Acquire) > 0 {
        if tokio::time::Instant::now() >= deadline && !shared.is_forced() {
            shared.forced.store(true, Ordering::Release);
            for s in shared.sessions.all() {
                s.seal();
                s.kick();
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    shared.emit(Event::Stopped);
}

/// Accepts connections on one port until the server stops accepting.
async fn accept_connections(shared: &Arc<Shared>, listener: TcpListener, port: PortSettings) {
    loop {
        let stop = shared.stop_accepting.notified();
        tokio::pin!(stop);
        stop.as_mut().enable();
        if shared.is_stopping() {
            break;
        }
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            // Out of descriptors and the like: back off instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let total = match &shared.registry {
            Some((r, _)) => r.count(),
            None => shared.sessions.len(),
        };
        if total >= shared.config.max_connection {
            // Refused at once (the socket drops here); logged once per server.
            if let Some((r, _)) = &shared.registry {
                r.counters().abort_count.fetch_add(1, Ordering::Relaxed);
            }
            if shared.stats.rejected_count.fetch_add(1, Ordering::Relaxed) == 0 {
                shared.events.push(Event::Log {
                    level: LogLevel::Warning,
                    message: format!(
                        "too many connections [now: {}], max_connection is {}: new connections are refused",
                        shared.sessions.len(),
                        shared.config.max_connection
                    ),
                });
            }
            continue;
        }
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().unwrap_or(peer);
        // Multi-process servers take ids from the shared registry: unique server-wide.
        let (fd, slot) = match &shared.registry {
            Some((r, owner)) => match r.insert(*owner, peer, local, crate::http::unix_time()) {
                Some((fd, slot)) => (fd, Some((r.clone(), slot))),
                None => continue,
            },
            None => (shared.sessions.next_fd(), None),
        };
        let mut session = Session::new(fd, peer, local, shared.config.buffer_output_size);
        if let Some((r, slot)) = slot {
            session = session.with_registry(r, slot);
        }
        let session = Arc::new(session);
        shared.sessions.insert(session.clone());
        shared.stats.accept_count.fetch_add(1, Ordering::Relaxed);
        if let Some((r, _)) = &shared.registry {
            r.counters().accept_count.fetch_add(1, Ordering::Relaxed);
        }
        shared.live.fetch_add(1, Ordering::AcqRel);
        if shared.config.emit_connect {
            shared.emit(Event::Connect { fd });
        }
        let shared = shared.clone();
        let tls = match shared.config.tls.as_ref().filter(|_| port.ssl) {
            Some(cfg) => match Tls::new(cfg) {
                Ok(t) => Some(Box::new(t)),
                Err(_) => {
                    shared.forget(fd);
                    shared.live.fetch_sub(1, Ordering::AcqRel);
                    continue;
                }
            },
            None => None,
        };
        tokio::spawn(async move {
            let (websocket, by_server) = Conn::new(shared.clone(), session.clone(), stream, tls)
                .speaking(port.http_protocol)
                .run()
                .await;
            session.set_ended();
            // The session stays in the table (sealed) until the consumer handles
            // Event::Close, so the fd stays valid for PHP until its onClose.
            shared.stats.close_count.fetch_add(1, Ordering::Relaxed);
            if let Some((r, _)) = &shared.registry {
                r.counters().close_count.fetch_add(1, Ordering::Relaxed);
            }
            shared.emit(Event::Close {
                fd,
                websocket,
                by_server,
            });
            shared.live.fetch_sub(1, Ordering::AcqRel);
        });
    }
    drop(listener);
}

/// Closes connections that sent nothing for heartbeat_idle_time.
async fn heartbeat(shared: Arc<Shared>) {
    let interval = shared.config.heartbeat_check_interval;
    let idle = shared.config.heartbeat_idle_time.unwrap_or(interval * 2);
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if shared.is_stopping() {
            return;
        }
        let now = crate::http::unix_time();
        for s in shared.sessions.all() {
            if now - s.last_recv() >= idle.as_secs_f64() && !s.is_sealed() {
                close_for_shutdown(&s);
            }
        }
    }
}

async fn watch_signals(shared: Arc<Shared>, read: UnixStream) {
    let mut b = [0u8; 16];
    loop {
        if read.readable().await.is_err() {
            return;
        }
        match read.try_read(&mut b) {
            Ok(0) => return,
            Ok(_) => shutdown(&shared),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}
