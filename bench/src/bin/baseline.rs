//! The pure-Rust ceiling: the same engine the PHP extension runs on, driven
//! from one thread exactly like the PHP side drives it (drain the event queue
//! in batches, act through sessions), with no PHP in between.
//!
//!   baseline [--host 127.0.0.1] [--port 9501] [--mode echo|broadcast|empty] [--compress]
//!
//! echo:      every message goes back to its sender (compressed when the
//!            connection negotiated permessage-deflate and --compress is on,
//!            like a PHP push with SWOOLE_WEBSOCKET_FLAG_COMPRESS).
//! broadcast: every message goes to every established connection, one push
//!            per connection, like `foreach ($server->connections as $fd)`.
//! empty:     messages are received and dropped (an empty onMessage).
//!
//! SIGINT/SIGTERM stop it gracefully.

use std::collections::VecDeque;

use swoole_rs_bench::Args;
use swoole_rs_engine::bridge::Event;
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::frame;
use swoole_rs_engine::server::{self, Engine};
use swoole_rs_engine::session::{status, Outgoing, Session};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Echo,
    Broadcast,
    Empty,
}

fn main() {
    let args = Args::parse();
    let host = args.str("host").unwrap_or("127.0.0.1").to_string();
    let port: u16 = args.get("port", 9501);
    let mode = match args.str("mode").unwrap_or("echo") {
        "echo" => Mode::Echo,
        "broadcast" => Mode::Broadcast,
        "empty" => Mode::Empty,
        other => {
            eprintln!("baseline: unknown mode {other} (echo, broadcast, empty)");
            std::process::exit(2);
        }
    };
    let compress = args.flag("compress");

    let listener = server::bind(&host, port).unwrap_or_else(|e| {
        eprintln!("baseline: cannot listen on {host}:{port}: {e}");
        std::process::exit(1);
    });
    // The same settings a PHP script gets from `new Swoole\WebSocket\Server`
    // (plus `websocket_compression => true` for the compressed echo).
    let config = ServerConfig {
        websocket_compression: compress,
        ..ServerConfig::default()
    };
    let engine = Engine::start(listener, config, true).unwrap_or_else(|e| {
        eprintln!("baseline: cannot start: {e}");
        std::process::exit(1);
    });
    let shared = engine.shared().clone();

    let mut batch = VecDeque::new();
    loop {
        shared.events.drain_into(&mut batch, None);
        while let Some(event) = batch.pop_front() {
            match event {
                Event::Message { fd, frame: f } => match mode {
                    Mode::Echo => {
                        if let Some(s) = pushable(shared.sessions.get(fd)) {
                            let first = 0x80 | f.opcode;
                            let item = if compress && s.compression() {
                                Outgoing::Compressed {
                                    first,
                                    payload: f.data,
                                }
                            } else {
                                Outgoing::Raw(frame::encode(first, &f.data))
                            };
                            let _ = s.send(item);
                        }
                    }
                    Mode::Broadcast => {
                        // One push per connection, each encoding its own frame,
                        // as `$server->push($fd, $data)` in a loop does.
                        for to in shared.sessions.fds() {
                            if let Some(s) = pushable(shared.sessions.get(to)) {
                                if !s.is_sealed() {
                                    let _ = s.send(Outgoing::Raw(frame::encode(
                                        0x80 | f.opcode,
                                        &f.data,
                                    )));
                                }
                            }
                        }
                    }
                    Mode::Empty => {}
                },
                // The earlier messages are answered: the close may go on.
                Event::Flush { fd } => {
                    if let Some(s) = shared.sessions.get(fd) {
                        s.flushed();
                    }
                }
                Event::Close { fd, .. } => {
                    shared.sessions.remove(fd);
                }
                Event::Stopped => return,
                _ => {}
            }
        }
    }
}

/// A session push() would accept: an established (or closing) WebSocket.
fn pushable(s: Option<std::sync::Arc<Session>>) -> Option<std::sync::Arc<Session>> {
    s.filter(|s| matches!(s.status(), status::ACTIVE | status::CLOSING))
}
