//! `start()`: the server's processes (Swoole's SWOOLE_BASE and SWOOLE_PROCESS
//! modes) and the PHP callbacks each of them runs.
//!
//! One process when SWOOLE_BASE has one worker and no max_request (as in
//! Swoole); otherwise a manager forks the workers and restarts them. The
//! engine's `workers` module does the forking, the registry and the links;
//! this module decides who runs which callbacks.

use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendObject, Zval};
use swoole_rs_engine::bridge::{Event, EventQueue, LogLevel};
use swoole_rs_engine::config::{ProcessConfig, ServerConfig};
use swoole_rs_engine::server::{Engine, Wiring};
use swoole_rs_engine::signals::SignalGuard;
use swoole_rs_engine::workers::ipc::{self, Link, Msg};
use swoole_rs_engine::workers::manager::{has_threads, ManagerHooks, Role, Supervisor};
use swoole_rs_engine::workers::node::{Node, MODE_BASE, MODE_PROCESS};
use swoole_rs_engine::workers::peers::Peers;
use swoole_rs_engine::workers::registry::{Registry, WORKER_EXIT, WORKER_IDLE};
use swoole_rs_engine::workers::router::Router;
use swoole_rs_engine::workers::{forward_reload_signals, ignore_sigpipe};

use super::callbacks::{call, Callback, Outcome};
use super::errors::swoole_exception;
use super::errors::warn;
use super::event_loop::{call_event, dispatch_other, finish, run_single, serve, Flow};
use super::reactor;
use super::server::ServerCore;
use super::values::{bytes_zval, long_zval, zval_long};

/// Owner id of the connections a SWOOLE_PROCESS master holds in the registry.
const MASTER_OWNER: u32 = u32::MAX - 1;

fn pid() -> i64 {
    std::process::id() as i64
}

pub fn start(
    core: &ServerCore,
    this: &mut ZendObject,
    listener: TcpListener,
    config: ServerConfig,
) -> PhpResult<bool> {
    let mut server = Zval::new();
    server.set_object(this);
    let procs = core.procs.borrow().clone();
    if procs.daemonize {
        daemonize(core.log.borrow().file.as_deref());
    }
    core.master_pid.set(pid());
    let pid_file = procs.pid_file.clone();
    if let Some(path) = &pid_file {
        if let Err(e) = std::fs::write(path, pid().to_string()) {
            warn(&format!("failed to write pid_file '{path}': {e}"));
        }
    }
    let result = run(core, &server, listener, config, procs);
    // Only the master gets here (workers leave through exit), unless exit()
    // or a fatal error is unwinding a worker: then the file is not ours.
    if let Some(path) = &pid_file {
        if pid() == core.master_pid.get() {
            let _ = std::fs::remove_file(path);
        }
    }
    result
}

fn run(
    core: &ServerCore,
    server: &Zval,
    listener: TcpListener,
    config: ServerConfig,
    procs: ProcessConfig,
) -> PhpResult<bool> {
    let mut config = config;
    Engine::prepare(&mut config)
        .map_err(|e| swoole_exception(format!("failed to start the server: {e}")))?;
    let single = procs.mode == MODE_BASE && procs.worker_num == 1 && procs.max_request == 0;
    if single {
        core.manager_pid.set(0);
        return run_single(core, server, listener, config);
    }
    if has_threads() {
        // Forking now would copy a process whose other threads are gone.
        warn("this process already runs threads (a coroutine or client used before start()?): running one worker without a manager");
        return run_single(core, server, listener, config);
    }
    ignore_sigpipe();
    let registry = Registry::create(config.max_connection.saturating_mul(2))
        .map_err(|e| swoole_exception(format!("failed to create shared memory: {e}")))?;
    registry.set_master_pid(pid() as i32);
    let ctx = Ctx {
        core,
        server,
        registry,
        procs,
        close_timeout: config.close_timeout,
        config: config.clone(),
    };
    if ctx.procs.mode == MODE_PROCESS {
        run_process(&ctx, listener, config)
    } else {
        run_base(&ctx, listener, config)
    }
}

struct Ctx<'a> {
    core: &'a ServerCore,
    server: &'a Zval,
    registry: Arc<Registry>,
    procs: ProcessConfig,
    close_timeout: Duration,
    /// The settings as the workers see them.
    config: ServerConfig,
}

impl Ctx<'_> {
    fn supervisor(&self, forward_term: bool) -> Supervisor {
        Supervisor {
            registry: self.registry.clone(),
            worker_num: self.procs.worker_num,
            forward_term,
            max_wait: self.procs.max_wait_time,
            stop_wait: self.procs.max_wait_time + self.close_timeout + Duration::from_secs(1),
        }
    }

    /// A node for the master or the manager (no connections of its own).
    fn bare_node(&self, mode: i64) -> Arc<Node> {
        Arc::new(Node::new(
            mode,
            -1,
            self.procs.worker_num,
            EventQueue::new(),
            None,
            Some(self.registry.clone()),
        ))
    }
}

/// SWOOLE_BASE: this process is the master and the manager; each worker
/// accepts on the shared listening socket and serves its own connections.
fn run_base(ctx: &Ctx, listener: TcpListener, config: ServerConfig) -> PhpResult<bool> {
    let core = ctx.core;
    core.manager_pid.set(pid());
    ctx.registry.set_manager_pid(pid() as i32);
    core.set_running(Some(ctx.bare_node(MODE_BASE)));
    let flow = call_event(core, "start", &[ctx.server]);
    if !flow.goes_on() {
        return finish(flow);
    }
    call_event(core, "managerstart", &[ctx.server]);
    match ctx.supervisor(true).supervise(&mut Hooks(ctx)) {
        Role::Worker(id) => base_worker(ctx, id, listener, config),
        Role::Done => {
            call_event(core, "managerstop", &[ctx.server]);
            call_event(core, "shutdown", &[ctx.server]);
            core.set_running(None);
            Ok(true)
        }
    }
}

fn base_worker(
    ctx: &Ctx,
    id: u32,
    listener: TcpListener,
    mut config: ServerConfig,
) -> PhpResult<bool> {
    if !ctx.procs.reactor_num_set {
        // The worker does its own I/O on its PHP thread, as Swoole's does.
        config.reactor_num = 0;
    }
    let events = EventQueue::new();
    let wiring = Wiring {
        events: events.clone(),
        sink: events.clone(),
        handle_signals: true,
        registry: Some((ctx.registry.clone(), id)),
        runtime: Some(reactor::runtime()),
    };
    let node_config = config.clone();
    let engine = match Engine::start_wired(listener, config, wiring) {
        Ok(e) => e,
        Err(e) => {
            ctx.core.log.borrow().write(
                LogLevel::Error,
                &format!("worker#{id} failed to start: {e}"),
            );
            // SAFETY: leaving a forked worker that never ran PHP code.
            unsafe { libc::_exit(1) }
        }
    };
    let shared = engine.shared().clone();
    let (to_sessions, to_queue) = (shared.clone(), events.clone());
    let handler = Arc::new(move |msg: Msg| match msg {
        Msg::Send { fd, item } => {
            if let Some(s) = to_sessions.sessions.get(fd) {
                let _ = s.send(item);
            }
        }
        Msg::Pipe { src, data } => to_queue.push(Event::PipeMessage {
            src_worker_id: src,
            data,
        }),
        _ => {}
    });
    let peers = Peers::start(ctx.registry.master_pid(), id, handler).ok();
    let node = Node::new(
        MODE_BASE,
        id as i64,
        ctx.procs.worker_num,
        events,
        Some(shared),
        Some(ctx.registry.clone()),
    )
    .with_config(node_config)
    .with_links(None, peers);
    ctx.core.start_ports(&engine);
    let result = worker_main(ctx, Arc::new(node), true);
    if !matches!(result, Ok(true)) {
        // A fatal error or exit(): the clients learn it from a 1011 close.
        engine.abort(1011);
    }
    drop(engine);
    match result {
        // Ended normally: the worker process ends here.
        Ok(true) => exit_worker(),
        // exit() or a fatal error: PHP ends the process with its status.
        other => other,
    }
}

/// SWOOLE_PROCESS: the master holds every connection on its I/O threads; a
/// manager (forked first, while the master has no threads) runs the workers.
fn run_process(ctx: &Ctx, listener: TcpListener, config: ServerConfig) -> PhpResult<bool> {
    let core = ctx.core;
    let master_pid = pid() as i32;
    let ipc_listener = ipc::listen(master_pid, "m")
        .map_err(|e| swoole_exception(format!("failed to create the worker socket: {e}")))?;
    // SAFETY: no threads run here (checked above).
    let manager = unsafe { libc::fork() };
    if manager < 0 {
        return Err(swoole_exception("fork() failed for the manager process"));
    }
    if manager == 0 {
        drop(ipc_listener);
        drop(listener);
        // SAFETY: the manager does not outlive the master.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) };
        core.manager_pid.set(pid());
        ctx.registry.set_manager_pid(pid() as i32);
        core.set_running(Some(ctx.bare_node(MODE_PROCESS)));
        call_event(core, "managerstart", &[ctx.server]);
        return match ctx.supervisor(false).supervise(&mut Hooks(ctx)) {
            Role::Worker(id) => process_worker(ctx, id),
            Role::Done => {
                call_event(core, "managerstop", &[ctx.server]);
                exit_worker()
            }
        };
    }
    core.manager_pid.set(manager as i64);
    ctx.registry.set_manager_pid(manager);
    forward_reload_signals(manager);

    let local = EventQueue::new();
    let user_dispatch = core.dispatch_func.borrow().clone();
    let router = Router::new(
        ctx.procs.worker_num,
        ctx.procs.dispatch_mode,
        user_dispatch.is_some(),
        local.clone(),
        ctx.registry.clone(),
    );
    let wiring = Wiring {
        events: local.clone(),
        sink: router.clone(),
        handle_signals: true,
        registry: Some((ctx.registry.clone(), MASTER_OWNER)),
        runtime: None,
    };
    let engine = Engine::start_wired(listener, config, wiring)
        .map_err(|e| swoole_exception(format!("failed to start the server: {e}")))?;
    core.start_ports(&engine);
    router.serve(ipc_listener, engine.shared().clone());
    let node = Arc::new(Node::new(
        MODE_PROCESS,
        -1,
        ctx.procs.worker_num,
        local,
        Some(engine.shared().clone()),
        Some(ctx.registry.clone()),
    ));
    core.set_running(Some(node.clone()));
    let mut flow = call_event(core, "start", &[ctx.server]);
    if flow.goes_on() {
        // The master's own queue carries log lines and, at the end, Stopped.
        reactor::server_started();
        flow = match &user_dispatch {
            Some(func) => dispatch_loop(core, ctx.server, &node, &router, func),
            None => serve(core, ctx.server, &node, 0, false),
        };
        reactor::server_stopped(matches!(flow, Flow::Stopped));
    }
    // Every connection is closed and its close handed to its worker: now the
    // workers may stop, after those events.
    ctx.registry.set_stopping();
    router.stop_workers();
    wait_for(
        manager,
        ctx.procs.max_wait_time + ctx.close_timeout + Duration::from_secs(2),
    );
    drop(engine);
    if !flow.goes_on() && !matches!(flow, Flow::Stopped) {
        core.set_running(None);
        return finish(flow);
    }
    call_event(core, "shutdown", &[ctx.server]);
    core.set_running(None);
    Ok(true)
}

fn process_worker(ctx: &Ctx, id: u32) -> PhpResult<bool> {
    let master_pid = ctx.registry.master_pid();
    let deadline = Instant::now() + Duration::from_secs(10);
    let stream = loop {
        match ipc::connect(master_pid, "m") {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            // SAFETY: leaving a forked worker that never ran PHP code.
            Err(_) => unsafe { libc::_exit(1) },
        }
    };
    let link = Arc::new(Link::new(
        stream.try_clone().expect("cloning a Unix socket"),
    ));
    let _ = link.send(&Msg::Hello { worker_id: id });
    let events = EventQueue::new();
    let queue = events.clone();
    std::thread::Builder::new()
        .name("swoole-rs-from-master".into())
        .spawn(move || {
            let Ok(mut r) = ipc::reader(&stream) else {
                return;
            };
            loop {
                match ipc::read_msg(&mut r) {
                    Ok(Some(Msg::Event(e))) => queue.push(e),
                    Ok(Some(Msg::LeaveOk)) => {
                        queue.push(Event::Leave);
                        return;
                    }
                    Ok(Some(_)) => {}
                    // The master is gone: nothing more will come.
                    _ => {
                        queue.push(Event::Stopped);
                        return;
                    }
                }
            }
        })
        .expect("spawning the worker's reader thread");
    let to_queue = events.clone();
    let handler = Arc::new(move |msg: Msg| {
        if let Msg::Pipe { src, data } = msg {
            to_queue.push(Event::PipeMessage {
                src_worker_id: src,
                data,
            });
        }
    });
    let peers = Peers::start(master_pid, id, handler).ok();
    let node = Arc::new(
        Node::new(
            MODE_PROCESS,
            id as i64,
            ctx.procs.worker_num,
            events,
            None,
            Some(ctx.registry.clone()),
        )
        .with_config(ctx.config.clone())
        .with_links(Some(link), peers),
    );
    // SIGTERM (reload, stop) lets the worker leave after what is queued;
    // Ctrl-C's SIGINT is the master's business.
    let guard = SignalGuard::install().ok().map(|(guard, read)| {
        let node = node.clone();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut read = read;
            let _ = read.set_nonblocking(false);
            let mut b = [0u8; 1];
            if matches!(read.read(&mut b), Ok(1)) {
                node.leave();
            }
        });
        guard
    });
    // SAFETY: ignoring SIGINT in this worker.
    unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
    let result = worker_main(ctx, node, false);
    drop(guard);
    match result {
        // Ended normally: the worker process ends here.
        Ok(true) => exit_worker(),
        // exit() or a fatal error: PHP ends the process with its status.
        other => other,
    }
}

/// onWorkerStart, the loop, onWorkerStop. Ok when the worker ends normally;
/// exit() and fatal errors return to PHP so they end the process as PHP does.
fn worker_main(ctx: &Ctx, node: Arc<Node>, inline_io: bool) -> PhpResult<bool> {
    let core = ctx.core;
    let id = node.worker_id;
    core.set_worker(id, pid());
    core.request_count.set(0);
    core.dispatch_count.set(0);
    let slot = ctx.registry.worker(id as usize);
    slot.requests.store(0, Ordering::Relaxed);
    slot.status.store(WORKER_IDLE, Ordering::Release);
    core.set_running(Some(node.clone()));
    let limit = match ctx.procs.max_request {
        0 => 0,
        n => n + random_below(ctx.procs.max_request_grace.unwrap_or(n / 2) + 1),
    };
    let worker_id = long_zval(id);
    reactor::server_started();
    let mut flow = call_event(core, "workerstart", &[ctx.server, &worker_id]);
    if flow.goes_on() {
        flow = serve(core, ctx.server, &node, limit, inline_io);
    }
    reactor::server_stopped(matches!(flow, Flow::Stopped));
    if matches!(flow, Flow::Exit | Flow::Bailout) {
        core.set_running(None);
        return finish(flow);
    }
    call_event(core, "workerstop", &[ctx.server, &worker_id]);
    if node.is_leaving() || node.is_stopping() {
        slot.status.store(WORKER_EXIT, Ordering::Release);
    }
    core.set_running(None);
    Ok(true)
}

fn exit_worker() -> PhpResult<bool> {
    // SAFETY: a worker's life ends here; nothing after start() runs in it,
    // as in Swoole. Standard output is unbuffered in PHP's CLI.
    unsafe { libc::_exit(0) }
}

/// SWOOLE_PROCESS with a dispatch_func: the master's PHP thread asks it for
/// the worker of every connection event ($type 0 data, 4 close, 5 connect;
/// $data the first 8180 bytes), as Swoole does. An id out of range drops
/// the event with a warning (a close is still taken care of).
fn dispatch_loop(
    core: &ServerCore,
    server: &Zval,
    node: &Arc<Node>,
    router: &Arc<Router>,
    func: &Rc<Callback>,
) -> Flow {
    let n = router.worker_num() as i64;
    let mut last: HashMap<u64, u32> = HashMap::new();
    let mut batch = VecDeque::new();
    loop {
        reactor::wait_events(&node.events, &mut batch, false);
        while let Some(event) = batch.pop_front() {
            let Some(fd) = event.fd() else {
                let flow = dispatch_other(core, server, node, event);
                if !flow.goes_on() {
                    return flow;
                }
                continue;
            };
            // A barrier follows the events it comes after.
            if let (Event::Flush { .. }, Some(&id)) = (&event, last.get(&fd)) {
                router.forward(id, event);
                continue;
            }
            let (kind, data): (i64, &[u8]) = match &event {
                Event::Close { .. } => (4, &[]),
                Event::Connect { .. } | Event::Open { .. } | Event::Handshake { .. } => (5, &[]),
                Event::Message { frame, .. } => (0, &frame.data[..frame.data.len().min(8180)]),
                Event::Receive { data, .. } => (0, &data[..data.len().min(8180)]),
                Event::Request { request, .. } => {
                    (0, &request.body[..request.body.len().min(8180)])
                }
                _ => (0, &[]),
            };
            let args = [
                server,
                &long_zval(fd as i64),
                &long_zval(kind),
                &bytes_zval(data),
            ];
            let id = match call(func, &args) {
                Outcome::Returned(v) => zval_long(&v),
                Outcome::Exit => return Flow::Exit,
                Outcome::Bailout => return Flow::Bailout,
                Outcome::Threw => None,
            };
            match id.filter(|id| (0..n).contains(id)) {
                Some(id) => {
                    if matches!(event, Event::Close { .. }) {
                        last.remove(&fd);
                    } else {
                        last.insert(fd, id as u32);
                    }
                    router.forward(id as u32, event)
                }
                None => {
                    warn(&format!(
                        "invalid target worker id[{}] returned by dispatch_func, the event of connection[{fd}] is dropped",
                        id.map_or("none".to_string(), |i| i.to_string())
                    ));
                    if matches!(event, Event::Close { .. }) {
                        last.remove(&fd);
                        node.forget(fd);
                    }
                }
            }
        }
    }
}

/// What the manager reports, as PHP callbacks.
struct Hooks<'a, 'b>(&'a Ctx<'b>);

impl ManagerHooks for Hooks<'_, '_> {
    fn worker_error(&mut self, worker_id: u32, pid: i32, exit_code: i32, signal: i32) {
        let core = self.0.core;
        core.log.borrow().write(
            LogLevel::Warning,
            &format!(
                "Manager::wait_worker(): worker(pid={pid}, id={worker_id}) abnormal exit, status={exit_code}, signal={signal}"
            ),
        );
        call_event(
            core,
            "workererror",
            &[
                self.0.server,
                &long_zval(worker_id as i64),
                &long_zval(pid as i64),
                &long_zval(exit_code as i64),
                &long_zval(signal as i64),
            ],
        );
    }

    fn before_reload(&mut self) {
        call_event(self.0.core, "beforereload", &[self.0.server]);
    }

    fn after_reload(&mut self) {
        call_event(self.0.core, "afterreload", &[self.0.server]);
    }
}

/// Waits for `pid` to exit, killing it after `limit`.
fn wait_for(pid: i32, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let mut st = 0;
        // SAFETY: reaping our own child.
        let r = unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) };
        if r != 0 {
            return;
        }
        if Instant::now() >= deadline {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut st, 0);
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn random_below(n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let mut b = [0u8; 8];
    // SAFETY: getrandom into a buffer we own.
    unsafe { libc::getrandom(b.as_mut_ptr().cast(), 8, 0) };
    u64::from_le_bytes(b) % n
}

/// `daemonize`: detach from the terminal; output goes to the log file, if
/// any, else nowhere.
fn daemonize(log_file: Option<&str>) {
    // SAFETY: daemon(3) forks and setsid()s; the process has no threads yet.
    unsafe {
        if libc::daemon(1, 1) != 0 {
            return;
        }
        let path = std::ffi::CString::new(log_file.unwrap_or("/dev/null")).unwrap_or_default();
        let fd = libc::open(
            path.as_ptr(),
            libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT,
            0o644,
        );
        if fd >= 0 {
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
            libc::close(fd);
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY);
        if null >= 0 {
            libc::dup2(null, 0);
            libc::close(null);
        }
    }
}
