//! Worker-to-worker links: each worker listens on its own abstract socket
//! and connects to the others when it first has something for them (a push
//! to a connection another worker owns, or sendMessage()).

use std::collections::HashMap;
use std::io;
use std::os::unix::net::UnixListener;
use std::sync::Arc;

use parking_lot::Mutex;

use super::ipc::{self, Link, Msg};

pub struct Peers {
    master_pid: i32,
    links: Mutex<HashMap<u32, Arc<Link>>>,
}

pub fn worker_name(id: u32) -> String {
    format!("w{id}")
}

impl Peers {
    /// Listens as worker `id`; `handler` gets every message other workers send
    /// (on the reader threads: it must not block on PHP).
    pub fn start(
        master_pid: i32,
        id: u32,
        handler: Arc<dyn Fn(Msg) + Send + Sync>,
    ) -> io::Result<Arc<Peers>> {
        let listener = ipc::listen(master_pid, &worker_name(id))?;
        std::thread::Builder::new()
            .name("swoole-rs-peers".into())
            .spawn(move || accept_loop(listener, handler))?;
        Ok(Arc::new(Peers {
            master_pid,
            links: Mutex::new(HashMap::new()),
        }))
    }

    /// Sends to worker `dst`, connecting (again) if needed.
    pub fn send(&self, dst: u32, msg: &Msg) -> io::Result<()> {
        let bytes = ipc::encode(msg);
        for _ in 0..2 {
            let known = self.links.lock().get(&dst).cloned();
            let link = match known {
                Some(l) => l,
                None => {
                    let s = ipc::connect(self.master_pid, &worker_name(dst))?;
                    let l = Arc::new(Link::new(s));
                    self.links.lock().insert(dst, l.clone());
                    l
                }
            };
            match link.send_raw(&bytes) {
                Ok(()) => return Ok(()),
                // The peer restarted: its old socket is gone; connect anew once.
                Err(_) => {
                    self.links.lock().remove(&dst);
                }
            }
        }
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "worker unreachable",
        ))
    }
}

fn accept_loop(listener: UnixListener, handler: Arc<dyn Fn(Msg) + Send + Sync>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let handler = handler.clone();
        let _ = std::thread::Builder::new()
            .name("swoole-rs-peer".into())
            .spawn(move || {
                let Ok(mut r) = ipc::reader(&stream) else {
                    return;
                };
                while let Ok(Some(msg)) = ipc::read_msg(&mut r) {
                    handler(msg);
                }
            });
    }
}
