//! Typed server settings. The PHP side parses `$server->set([...])` into this
//! once; the engine never sees PHP values.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest message (after reassembly and decompression) or HTTP body.
    pub package_max_length: usize,
    /// Value for Sec-WebSocket-Protocol in the handshake response.
    pub websocket_subprotocol: Option<String>,
    /// Negotiate permessage-deflate when the client offers it.
    pub websocket_compression: bool,
    /// Hand close frames to onMessage as CloseFrame objects.
    pub open_websocket_close_frame: bool,
    /// Hand ping frames to onMessage; no automatic pong then.
    pub open_websocket_ping_frame: bool,
    /// Hand pong frames to onMessage.
    pub open_websocket_pong_frame: bool,
    /// Whether the PHP side has an onRequest callback (else: the 400 page).
    pub has_request_handler: bool,
    /// Whether the PHP side decides handshakes itself (onHandShake).
    pub has_handshake_handler: bool,
    /// Report accepted connections (onConnect).
    pub emit_connect: bool,
    /// Serve plain HTTP and WebSocket (false for a raw `Swoole\Server`).
    pub http_protocol: bool,
    /// Refuse connections beyond this many.
    pub max_connection: usize,
    /// Per-connection bytes queued for writing before push() fails.
    pub buffer_output_size: usize,
    /// Time a client gets to answer our close frame.
    pub close_timeout: Duration,
    /// Time a client gets to send a complete request head.
    pub handshake_timeout: Duration,
    /// Largest HTTP request head.
    pub max_header_size: usize,
    /// How often idle connections are looked for (heartbeat_check_interval); off when zero.
    pub heartbeat_check_interval: Duration,
    /// A connection silent this long is closed (heartbeat_idle_time; default twice the interval).
    pub heartbeat_idle_time: Option<Duration>,
    /// Serve wss:// (SWOOLE_SSL) with this PEM certificate chain and key.
    pub ssl: bool,
    pub ssl_cert_file: Option<String>,
    pub ssl_key_file: Option<String>,
    /// The loaded TLS configuration (set by Engine::start from the files).
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
    /// Tokio worker threads.
    pub reactor_num: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            package_max_length: 2 * 1024 * 1024,
            websocket_subprotocol: None,
            websocket_compression: false,
            open_websocket_close_frame: false,
            open_websocket_ping_frame: false,
            open_websocket_pong_frame: false,
            has_request_handler: false,
            has_handshake_handler: false,
            emit_connect: false,
            http_protocol: true,
            max_connection: 100_000,
            buffer_output_size: 4 * 1024 * 1024,
            close_timeout: Duration::from_secs(3),
            handshake_timeout: Duration::from_secs(30),
            max_header_size: 64 * 1024,
            heartbeat_check_interval: Duration::ZERO,
            heartbeat_idle_time: None,
            ssl: false,
            ssl_cert_file: None,
            ssl_key_file: None,
            tls: None,
            reactor_num: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        }
    }
}

/// How the server runs as processes (Swoole's mode and worker settings).
#[derive(Debug, Clone)]
pub struct ProcessConfig {
    /// SWOOLE_BASE (1) or SWOOLE_PROCESS (2).
    pub mode: i64,
    pub worker_num: u32,
    /// A worker is replaced after this many requests (0: never).
    pub max_request: u64,
    /// Up to this many more, at random, so workers do not restart together.
    pub max_request_grace: Option<u64>,
    /// PROCESS mode: how events are spread over workers (1-5, 7).
    pub dispatch_mode: u32,
    /// How long a worker asked to stop may take before it is killed.
    pub max_wait_time: Duration,
    /// Whether `reactor_num` was set (else one I/O thread per BASE worker).
    pub reactor_num_set: bool,
    pub daemonize: bool,
    pub pid_file: Option<String>,
}

/// CPUs this process may use: its affinity mask and cgroup quota (Rust's
/// available_parallelism reads both), not every online CPU.
pub fn usable_cpus() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
}

impl Default for ProcessConfig {
    fn default() -> Self {
        ProcessConfig {
            mode: 1,
            worker_num: usable_cpus(),
            max_request: 0,
            max_request_grace: None,
            dispatch_mode: 2,
            max_wait_time: Duration::from_secs(3),
            reactor_num_set: false,
            daemonize: false,
            pid_file: None,
        }
    }
}
