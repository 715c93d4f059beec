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
