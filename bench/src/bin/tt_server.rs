//! A plain tokio-tungstenite server, sharing nothing with swoole-rs's design:
//! the comparison that keeps a cost of our architecture from hiding in both the
//! swoole-rs and the engine-baseline columns.
//!
//!   tt_server [--host 127.0.0.1] [--port 9501] [--mode echo|broadcast|empty]
//!
//! echo:      every message goes back to its sender: the echo of
//!            tokio-tungstenite's own examples/echo-server.rs (`forward`: replies
//!            are fed and flushed when no further message is ready).
//! broadcast: every message goes to every connection (the sender too), each
//!            through that connection's queue and writer task, as in its
//!            examples/server.rs.
//! empty:     messages are read and dropped.
//!
//! tokio-tungstenite's default settings (no permessage-deflate: it has none),
//! tokio's default multi-threaded runtime (one worker per CPU the process may
//! use), TCP_NODELAY on every connection as the swoole-rs engine sets it.
//! SIGTERM ends it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{future, SinkExt, StreamExt, TryStreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use swoole_rs_bench::Args;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Echo,
    Broadcast,
    Empty,
}

/// Every connection's outgoing queue, for broadcast.
type Peers = Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<Message>>>>;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let host = args.str("host").unwrap_or("127.0.0.1").to_string();
    let port: u16 = args.get("port", 9501);
    let mode = match args.str("mode").unwrap_or("echo") {
        "echo" => Mode::Echo,
        "broadcast" => Mode::Broadcast,
        "empty" => Mode::Empty,
        other => {
            eprintln!("tt_server: unknown mode {other} (echo, broadcast, empty)");
            std::process::exit(2);
        }
    };
    swoole_rs_bench::procfs::raise_nofile();
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .unwrap_or_else(|e| {
            eprintln!("tt_server: cannot listen on {host}:{port}: {e}");
            std::process::exit(1);
        });
    let peers: Peers = Arc::default();
    let next_id = AtomicU64::new(0);
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            // Out of descriptors and the like: keep serving the others.
            Err(_) => continue,
        };
        let _ = stream.set_nodelay(true);
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let peers = peers.clone();
        tokio::spawn(async move {
            match mode {
                Mode::Echo => echo(stream).await,
                Mode::Broadcast => broadcast(stream, id, peers).await,
                Mode::Empty => empty(stream).await,
            }
        });
    }
}

async fn echo(stream: TcpStream) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (write, read) = ws.split();
    // Pings are answered and the close handshake completed by tungstenite itself.
    let _ = read
        .try_filter(|m| future::ready(m.is_text() || m.is_binary()))
        .forward(write)
        .await;
}

async fn empty(stream: TcpStream) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    while let Some(Ok(_)) = ws.next().await {}
}

async fn broadcast(stream: TcpStream, id: u64, peers: Peers) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut read) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    peers.lock().unwrap().insert(id, tx);
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if sink.feed(m).await.is_err() {
                return;
            }
            // Whatever else is queued goes out in the same write.
            while let Ok(m) = rx.try_recv() {
                if sink.feed(m).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(m)) = read.next().await {
        if m.is_text() || m.is_binary() {
            for peer in peers.lock().unwrap().values() {
                let _ = peer.send(m.clone());
            }
        }
    }
    peers.lock().unwrap().remove(&id);
    writer.abort();
}
