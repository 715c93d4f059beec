//! SWOOLE_PROCESS master: hands each connection's events to one worker
//! process (dispatch_mode), in order, and applies what the workers send back.
//!
//! Each worker has a writer thread holding its socket. While a worker is
//! away (crashed, reloading, past max_request) its events wait in that
//! thread's queue and go to the replacement when it says hello, so nothing
//! queued for a connection is lost.

use std::collections::VecDeque;
use std::io::Write;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;

use super::ipc::{self, Msg};
use super::registry::{self, Registry};
use crate::bridge::{Event, EventQueue, EventSink, Fd};
use crate::server::Shared;

enum PortMsg {
    /// An encoded message; `tracked` ones (connection events) are kept until
    /// the worker has taken them, to redeliver after a crash.
    Out(Vec<u8>, bool),
    /// A worker said hello on this socket (numbered, so a late Detach of
    /// the previous worker's socket cannot drop the new one).
    Attach(u64, UnixStream),
    /// The worker is leaving: send LeaveOk after everything queued, then hold.
    Leave,
    /// The worker's socket closed.
    Detach(u64),
}

pub struct Router {
    ports: Vec<Mutex<Sender<PortMsg>>>,
    mode: u32,
    /// Connection → worker, for the modes that are not a function of the fd.
    sticky: Mutex<FxHashMap<Fd, u32>>,
    /// uid bound with bind() (dispatch_mode 5).
    bound: Mutex<FxHashMap<Fd, u64>>,
    next: AtomicUsize,
    local: Arc<EventQueue>,
    registry: Arc<Registry>,
    shared: OnceLock<Arc<Shared>>,
    /// A PHP dispatch_func decides: connection events go to the master's PHP
    /// thread, which calls it and then `forward()`s them.
    user_func: bool,
}

impl Router {
    pub fn new(
        worker_num: u32,
        mode: u32,
        user_func: bool,
        local: Arc<EventQueue>,
        registry: Arc<Registry>,
    ) -> Arc<Router> {
        let ports = (0..worker_num)
            .map(|id| {
                let (tx, rx) = channel::<PortMsg>();
                let registry = registry.clone();
                std::thread::Builder::new()
                    .name("swoole-rs-port".into())
                    .spawn(move || port_writer(rx, &registry.worker(id as usize).taken))
                    .expect("spawning a writer thread");
                Mutex::new(tx)
            })
            .collect();
        Arc::new(Router {
            ports,
            mode,
            sticky: Mutex::new(FxHashMap::default()),
            bound: Mutex::new(FxHashMap::default()),
            next: AtomicUsize::new(0),
            local,
            registry,
            shared: OnceLock::new(),
            user_func,
        })
    }

    /// Accepts the workers' connections on `listener` (made before forking).
    pub fn serve(self: &Arc<Self>, listener: UnixListener, shared: Arc<Shared>) {
        let _ = self.shared.set(shared);
        let me = self.clone();
        std::thread::Builder::new()
            .name("swoole-rs-master".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let me = me.clone();
                    let _ = std::thread::Builder::new()
                        .name("swoole-rs-worker-link".into())
                        .spawn(move || me.read_worker(stream));
                }
            })
            .expect("spawning the master's accept thread");
    }

    fn port(&self, id: u32, m: PortMsg) {
        let _ = self.ports[id as usize].lock().send(m);
    }

    fn read_worker(&self, stream: UnixStream) {
        let Ok(mut r) = ipc::reader(&stream) else {
            return;
        };
        let Ok(Some(Msg::Hello { worker_id })) = ipc::read_msg(&mut r) else {
            return;
        };
        if worker_id as usize >= self.ports.len() {
            return;
        }
        let Ok(w) = stream.try_clone() else { return };
        static LINKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let link_id = LINKS.fetch_add(1, Ordering::Relaxed);
        self.port(worker_id, PortMsg::Attach(link_id, w));
        let shared = self.shared.get().expect("serve() sets it").clone();
        while let Ok(Some(msg)) = ipc::read_msg(&mut r) {
            match msg {
                Msg::Send { fd, item } => {
                    if let Some(s) = shared.sessions.get(fd) {
                        let _ = s.send(item);
                    }
                }
                Msg::Forget { fd } => shared.forget(fd),
                Msg::Flushed { fd } => {
                    if let Some(s) = shared.sessions.get(fd) {
                        s.flushed();
                    }
                }
                Msg::Leaving => self.port(worker_id, PortMsg::Leave),
                Msg::Shutdown => crate::server::shutdown(&shared),
                Msg::Bind { fd, uid } => self.bind(fd, uid),
                _ => {}
            }
        }
        self.port(worker_id, PortMsg::Detach(link_id));
    }

    /// dispatch_mode 5: later events of `fd` go to the worker of `uid`.
    pub fn bind(&self, fd: Fd, uid: u64) {
        self.bound.lock().insert(fd, uid);
    }

    fn pick(&self, fd: Fd, event: &Event) -> u32 {
        let n = self.ports.len() as u32;
        let closing = matches!(event, Event::Close { .. });
        let target = match self.mode {
            // 2 (the default): fd modulo the worker count, nothing to remember.
            2 => (fd % n as u64) as u32,
            5 => match self.bound.lock().get(&fd) {
                Some(uid) => (uid % n as u64) as u32,
                None => (fd % n as u64) as u32,
            },
            _ => {
                let mut sticky = self.sticky.lock();
                *sticky.entry(fd).or_insert_with(|| self.choose(fd))
            }
        };
        if closing {
            self.sticky.lock().remove(&fd);
            self.bound.lock().remove(&fd);
        }
        target
    }

    /// A worker for a new connection (modes 1, 3, 4, 7).
    fn choose(&self, fd: Fd) -> u32 {
        let n = self.ports.len();
        match self.mode {
            // Client IP hash.
            4 => {
                let ip = self
                    .registry
                    .get(fd)
                    .map(|r| r.peer.ip().to_string())
                    .unwrap_or_default();
                let h = ip
                    .bytes()
                    .fold(5381u64, |h, b| h.wrapping_mul(33) ^ b as u64);
                (h % n as u64) as u32
            }
            // Preemptive: an idle worker if there is one, else round robin.
            3 | 7 => {
                let start = self.next.fetch_add(1, Ordering::Relaxed);
                (0..n)
                    .map(|i| (start + i) % n)
                    .find(|&i| {
                        self.registry.worker(i).status.load(Ordering::Acquire)
                            == registry::WORKER_IDLE
                    })
                    .unwrap_or(start % n) as u32
            }
            // 1: round robin.
            _ => (self.next.fetch_add(1, Ordering::Relaxed) % n) as u32,
        }
    }

    /// Tells every worker the server stopped, after everything queued for it.
    pub fn stop_workers(&self) {
        let bytes = ipc::encode(&Msg::Event(Event::Stopped));
        for id in 0..self.ports.len() as u32 {
            self.port(id, PortMsg::Out(bytes.clone(), false));
        }
    }
}

impl Router {
    /// Hands `event` to worker `id` (after the dispatch_func chose it).
    pub fn forward(&self, id: u32, event: Event) {
        if (id as usize) < self.ports.len() {
            self.port(id, PortMsg::Out(ipc::encode(&Msg::Event(event)), true));
        }
    }

    pub fn worker_num(&self) -> u32 {
        self.ports.len() as u32
    }
}

impl EventSink for Router {
    fn push(&self, event: Event) {
        match event.fd() {
            Some(_) if self.user_func => self.local.push(event),
            Some(fd) => {
                let id = self.pick(fd, &event);
                self.port(id, PortMsg::Out(ipc::encode(&Msg::Event(event)), true));
            }
            None => self.local.push(event),
        }
    }
}

fn port_writer(rx: std::sync::mpsc::Receiver<PortMsg>, taken: &AtomicU64) {
    let mut link: Option<(u64, UnixStream)> = None;
    // Not yet written, in order.
    let mut pending: VecDeque<(Vec<u8>, bool)> = VecDeque::new();
    // Written to the current (or last) worker but maybe not taken by it yet;
    // `base` is its `taken` count when it attached.
    let mut sent: VecDeque<Vec<u8>> = VecDeque::new();
    let mut base = taken.load(Ordering::Acquire);
    let forget_taken = |sent: &mut VecDeque<Vec<u8>>, base: &mut u64| {
        let now = taken.load(Ordering::Acquire);
        let n = now.saturating_sub(*base).min(sent.len() as u64);
        sent.drain(..n as usize);
        *base += n;
    };
    let flush = |link: &mut Option<(u64, UnixStream)>,
                 pending: &mut VecDeque<(Vec<u8>, bool)>,
                 sent: &mut VecDeque<Vec<u8>>| {
        while let Some((_, s)) = link.as_mut() {
            let Some((b, _)) = pending.front() else { break };
            if s.write_all(b).is_err() {
                // Whatever was not written goes to the next worker.
                *link = None;
                break;
            }
            let (b, tracked) = pending.pop_front().expect("front exists");
            if tracked {
                sent.push_back(b);
            }
        }
    };
    for m in rx {
        match m {
            PortMsg::Out(b, tracked) => {
                pending.push_back((b, tracked));
                forget_taken(&mut sent, &mut base);
                flush(&mut link, &mut pending, &mut sent);
            }
            PortMsg::Attach(id, s) => {
                // What the previous worker never took (it died holding it)
                // goes first to this one.
                forget_taken(&mut sent, &mut base);
                while let Some(b) = sent.pop_back() {
                    pending.push_front((b, true));
                }
                base = taken.load(Ordering::Acquire);
                link = Some((id, s));
                flush(&mut link, &mut pending, &mut sent);
            }
            PortMsg::Leave => {
                if let Some((_, mut s)) = link.take() {
                    let _ = s.write_all(&ipc::encode(&Msg::LeaveOk));
                }
            }
            PortMsg::Detach(id) => {
                if link.as_ref().is_some_and(|(cur, _)| *cur == id) {
                    link = None;
                }
            }
        }
    }
}
