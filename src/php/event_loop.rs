//! The PHP thread's loop inside `start()`: drain events in batches, call the
//! user's callbacks, run deferred callables, until the engine reports Stopped.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::Arc;

use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use std::sync::atomic::Ordering;
use swoole_rs_engine::bridge::Event;
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::handshake::Refusal;

use swoole_rs_engine::server::{Engine, Wiring};
use swoole_rs_engine::session::Outgoing;
use swoole_rs_engine::workers::node::{Node, MODE_BASE, MODE_PROCESS};
use swoole_rs_engine::workers::registry::{WORKER_BUSY, WORKER_IDLE};

use super::callbacks::{call, ev, Callback, Outcome};
use super::closing::REACTOR_SERVER_CLOSE;
use super::errors::swoole_exception;
use super::frame::new_frame_object;
use super::reactor;
use super::request::{new_request_object, new_response_object, ResponseKind};
use super::server::ServerCore;
use super::values::{bytes_zval, long_zval};

/// What the loop does after a callback.
pub enum Flow {
    Continue,
    Stopped,
    Exit,
    Bailout,
}

impl From<&Outcome> for Flow {
    fn from(o: &Outcome) -> Flow {
        match o {
            Outcome::Exit => Flow::Exit,
            Outcome::Bailout => Flow::Bailout,
            _ => Flow::Continue,
        }
    }
}

impl Flow {
    pub fn goes_on(&self) -> bool {
        matches!(self, Flow::Continue)
    }
}

/// Calls the callback registered for `name` (if any) with `args`.
pub fn call_event(core: &ServerCore, name: &str, args: &[&Zval]) -> Flow {
    match core.callbacks.get(name) {
        Some(cb) => after(core, call(&cb, args)),
        None => Flow::Continue,
    }
}

/// The worker's loop: hands this process's events to PHP until the server
/// stops or this worker leaves (reload, max_request).
/// `inline_io`: this process's connections are served by the reactor's
/// runtime on this thread (SWOOLE_BASE), which the loop drives while it waits.
pub fn serve(
    core: &ServerCore,
    server: &Zval,
    node: &Arc<Node>,
    max_request: u64,
    inline_io: bool,
) -> Flow {
    let slot = node
        .registry
        .as_ref()
        .filter(|_| node.worker_id >= 0)
        .map(|r| r.worker(node.worker_id as usize));
    // SWOOLE_PROCESS workers count the connection events they take, so the
    // master can hand what a dying worker never took to its replacement.
    let counts_taken = node.mode == MODE_PROCESS && node.worker_id >= 0;
    let mut batch = VecDeque::new();
    loop {
        reactor::wait_events(&node.events, &mut batch, inline_io);
        if let Some(w) = slot {
            w.status.store(WORKER_BUSY, Ordering::Relaxed);
        }
        while let Some(event) = batch.pop_front() {
            let counts = matches!(
                event,
                Event::Message { .. }
                    | Event::Request { .. }
                    | Event::Receive { .. }
                    | Event::Open { .. }
                    | Event::Handshake { .. }
            );
            if let Some(w) = slot {
                if counts_taken && event.fd().is_some() {
                    w.taken.fetch_add(1, Ordering::Release);
                }
                if counts {
                    w.requests.fetch_add(1, Ordering::Relaxed);
                }
            }
            let flow = dispatch(core, server, node, event);
            if counts && max_request > 0 && core.request_count.get() >= max_request {
                node.leave();
            }
            if !flow.goes_on() {
                return flow;
            }
        }
        // Timers and coroutines that are due.
        let flow = Flow::from(&reactor::run_due());
        if !flow.goes_on() {
            return flow;
        }
        if let Some(w) = slot {
            w.status.store(WORKER_IDLE, Ordering::Relaxed);
        }
    }
}

/// Ends start() after the loop: exit() and fatal errors carry on unwinding.
pub fn finish(flow: Flow) -> PhpResult<bool> {
    match flow {
        Flow::Exit => Ok(false),
        // SAFETY: re-raises the fatal error PHP was unwinding from.
        Flow::Bailout => unsafe { ext_php_rs::zend::bailout() },
        _ => Ok(true),
    }
}

pub fn run_single(
    core: &ServerCore,
    server: &Zval,
    listener: TcpListener,
    config: ServerConfig,
) -> PhpResult<bool> {
    let mut config = config;
    if !core.procs.borrow().reactor_num_set {
        // Swoole's worker does its own I/O: so does this one, on the PHP thread.
        config.reactor_num = 0;
    }
    let node_config = config.clone();
    let mut wiring = Wiring::local(true);
    wiring.runtime = Some(reactor::runtime());
    let engine = Engine::start_wired(listener, config, wiring)
        .map_err(|e| swoole_exception(format!("failed to start the server: {e}")))?;
    let shared = engine.shared().clone();
    let node = Arc::new(
        Node::new(MODE_BASE, 0, 1, shared.events.clone(), Some(shared), None)
            .with_config(node_config),
    );
    core.set_running(Some(node.clone()));
    core.set_worker(0, std::process::id() as i64);
    core.start_ports(&engine);

    reactor::server_started();
    let worker_id = long_zval(0);
    let mut flow = call_event(core, "start", &[server]);
    if flow.goes_on() {
        flow = call_event(core, "workerstart", &[server, &worker_id]);
    }
    if flow.goes_on() {
        flow = serve(core, server, &node, 0, true);
    }
    reactor::server_stopped(matches!(flow, Flow::Stopped));
    match flow {
        Flow::Exit | Flow::Bailout => {
            // exit() or a fatal error inside a callback: close everything now.
            drop(engine);
            core.set_running(None);
            finish(flow)
        }
        _ => {
            if call_event(core, "workerstop", &[server, &worker_id]).goes_on() {
                call_event(core, "shutdown", &[server]);
            }
            drop(engine);
            Ok(true)
        }
    }
}

/// Runs deferred callables once a callback has returned.
fn after(core: &ServerCore, outcome: Outcome) -> Flow {
    let flow = Flow::from(&outcome);
    if !matches!(flow, Flow::Continue) {
        return flow;
    }
    loop {
        let deferred = core.take_deferred();
        if deferred.is_empty() {
            return Flow::Continue;
        }
        for cb in deferred {
            let f = Flow::from(&call(&Callback::new(&cb), &[]));
            if !matches!(f, Flow::Continue) {
                return f;
            }
        }
    }
}

/// Hands a non-connection event (a log line, the stop) to its handler.
pub fn dispatch_other(core: &ServerCore, server: &Zval, node: &Arc<Node>, event: Event) -> Flow {
    dispatch(core, server, node, event)
}

fn dispatch(core: &ServerCore, server: &Zval, node: &Arc<Node>, event: Event) -> Flow {
    core.dispatch_count.set(core.dispatch_count.get() + 1);
    // The handshake counts as a request, as in Swoole 6 (max_request).
    if matches!(
        event,
        Event::Message { .. }
            | Event::Request { .. }
            | Event::Receive { .. }
            | Event::Open { .. }
            | Event::Handshake { .. }
    ) {
        core.request_count.set(core.request_count.get() + 1);
    }
    match event {
        Event::Stopped | Event::Leave => Flow::Stopped,
        Event::PipeMessage {
            src_worker_id,
            data,
        } => {
            let data = bytes_zval(&data);
            call_event(
                core,
                "pipemessage",
                &[server, &long_zval(src_worker_id), &data],
            )
        }
        Event::Log { level, message } => {
            core.log.borrow().write(level, &message);
            Flow::Continue
        }
        // Once stopping, messages still queued are not handed out (as in Swoole):
        // their connections are already being closed.
        Event::Message { .. } if node.is_stopping() => Flow::Continue,
        // Nothing reaches PHP after a connection's onClose.
        Event::Message { fd, .. } if core.closing.is_reported(fd) => Flow::Continue,
        Event::Message { fd, frame } => match core.callbacks.at(ev::MESSAGE) {
            Some(cb) => {
                let frame = new_frame_object(fd, &frame);
                after(core, reactor::call(&cb, &[server, &frame]))
            }
            None => Flow::Continue,
        },
        Event::Open { fd, request } => match core.callbacks.at(ev::OPEN) {
            Some(cb) => {
                let req = new_request_object(fd, &request);
                after(core, reactor::call(&cb, &[server, &req]))
            }
            None => Flow::Continue,
        },
        Event::Flush { fd } => {
            // Every earlier event of this fd has been handled: its close may go on.
            node.flushed(fd);
            Flow::Continue
        }
        Event::Close {
            fd,
            websocket,
            by_server,
        } => {
            // Chosen while the session (and so its port) is still known.
            let cb = if !websocket && core.callbacks.has("disconnect") {
                core.callbacks.get("disconnect")
            } else {
                core.callback_for(fd, "close", ev::CLOSE)
            };
            // Gone for PHP from here on: exist() is false inside onClose.
            node.forget(fd);
            if !core.closing.take_pending(fd) {
                return Flow::Continue;
            }
            let reactor = if by_server { REACTOR_SERVER_CLOSE } else { 0 };
            match cb {
                Some(cb) => after(
                    core,
                    reactor::call(&cb, &[server, &long_zval(fd as i64), &long_zval(reactor)]),
                ),
                None => Flow::Continue,
            }
        }
        Event::Connect { fd } => match core.callback_for(fd, "connect", ev::CONNECT) {
            Some(cb) => after(
                core,
                reactor::call(&cb, &[server, &long_zval(fd as i64), &long_zval(0)]),
            ),
            None => Flow::Continue,
        },
        Event::Receive { fd, data } => match core.callback_for(fd, "receive", ev::RECEIVE) {
            Some(cb) => {
                let data = bytes_zval(&data);
                after(
                    core,
                    reactor::call(&cb, &[server, &long_zval(fd as i64), &long_zval(0), &data]),
                )
            }
            None => Flow::Continue,
        },
        Event::Request { fd, request } => {
            let Some(cb) = core.callbacks.at(ev::REQUEST) else {
                return Flow::Continue;
            };
            let kind = ResponseKind::Http {
                keep_alive: request.keep_alive(),
            };
            let req = new_request_object(fd, &request);
            let mut response = new_response_object(fd, node, kind, &request);
            let resp_zval = {
                let mut z = Zval::new();
                z.set_object(&mut response.std);
                z
            };
            // When the callback's coroutine ends: no end() gets an empty 500, as
            // in Swoole, so the client never hangs.
            let done = move |_: &Outcome| {
                if !response.is_ended() {
                    response.status(500, None);
                    response.end(None);
                }
            };
            after(
                core,
                reactor::call_then(&cb, &[&req, &resp_zval], Some(Box::new(done))),
            )
        }
        Event::Handshake { fd, request } if !core.callbacks.has("handshake") => {
            // Swoole's own handshake with onBeforeHandShakeResponse, then onOpen.
            let (outcome, opened) =
                super::handshake::with_before_response(core, server, node, fd, &request);
            let flow = outcome.map_or(Flow::Continue, |o| after(core, o));
            if opened && matches!(flow, Flow::Continue) {
                return dispatch(core, server, node, Event::Open { fd, request });
            }
            flow
        }
        Event::Handshake { fd, request } => {
            let Some(cb) = core.callbacks.get("handshake") else {
                return Flow::Continue;
            };
            let req = new_request_object(fd, &request);
            let mut response = new_response_object(fd, node, ResponseKind::Handshake, &request);
            let resp_zval = {
                let mut z = Zval::new();
                z.set_object(&mut response.std);
                z
            };
            let node = node.clone();
            let done = move |outcome: &Outcome| {
                // `return false` refuses the handshake even after a response was sent.
                let refused = matches!(outcome, Outcome::Returned(r) if r.is_false());
                if refused && response.is_ended() {
                    let _ = node.send(fd, Outgoing::End);
                } else if !response.is_ended() {
                    let _ = node.send(
                        fd,
                        Outgoing::HandshakeDone {
                            response: Refusal::BadRequest.response(),
                            upgraded: false,
                        },
                    );
                }
            };
            after(
                core,
                reactor::call_then(&cb, &[&req, &resp_zval], Some(Box::new(done))),
            )
        }
    }
}
