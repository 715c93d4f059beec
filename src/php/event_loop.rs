//! The PHP thread's loop inside `start()`: drain events in batches, call the
//! user's callbacks, run deferred callables, until the engine reports Stopped.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::Arc;

use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendObject, Zval};
use swoole_rs_engine::bridge::Event;
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::handshake::Refusal;
use swoole_rs_engine::server::{Engine, Shared};
use swoole_rs_engine::session::Outgoing;

use super::callbacks::{call, ev, Callback, Outcome};
use super::errors::swoole_exception;
use super::frame::new_frame_object;
use super::reactor;
use super::request::{new_request_object, new_response_object, ResponseKind};
use super::server::ServerCore;
use super::values::{bytes_zval, long_zval};

/// What the loop does after a callback.
enum Flow {
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

pub fn run(
    core: &ServerCore,
    this: &mut ZendObject,
    listener: TcpListener,
    config: ServerConfig,
) -> PhpResult<bool> {
    let engine = Engine::start(listener, config, true)
        .map_err(|e| swoole_exception(format!("failed to start the server: {e}")))?;
    let shared = engine.shared().clone();
    core.set_running(Some(shared.clone()));
    let mut server = Zval::new();
    server.set_object(this);

    reactor::server_started();
    let mut flow = Flow::Continue;
    if let Some(cb) = core.callbacks.get("start") {
        flow = after(core, call(&cb, &[&server]));
    }
    if matches!(flow, Flow::Continue) {
        if let Some(cb) = core.callbacks.get("workerstart") {
            flow = after(core, reactor::call(&cb, &[&server, &long_zval(0)]));
        }
    }

    let mut batch = VecDeque::new();
    while matches!(flow, Flow::Continue) {
        reactor::wait_events(&shared.events, &mut batch);
        while let Some(event) = batch.pop_front() {
            flow = dispatch(core, &server, &shared, event);
            if !matches!(flow, Flow::Continue) {
                break;
            }
        }
        if matches!(flow, Flow::Continue) {
            flow = Flow::from(&reactor::run_due());
        }
    }
    reactor::server_stopped(matches!(flow, Flow::Stopped));

    match flow {
        Flow::Exit => {
            // exit() inside a callback: close everything now and let PHP exit.
            drop(engine);
            Ok(false)
        }
        Flow::Bailout => {
            drop(engine);
            core.set_running(None);
            // SAFETY: re-raises the fatal error PHP was unwinding from.
            unsafe { ext_php_rs::zend::bailout() }
        }
        _ => {
            for name in ["workerstop", "shutdown"] {
                if let Some(cb) = core.callbacks.get(name) {
                    let worker_id = long_zval(0);
                    let args: &[&Zval] = if name == "workerstop" {
                        &[&server, &worker_id]
                    } else {
                        &[&server]
                    };
                    if !matches!(after(core, call(&cb, args)), Flow::Continue) {
                        break;
                    }
                }
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

fn dispatch(core: &ServerCore, server: &Zval, shared: &Arc<Shared>, event: Event) -> Flow {
    core.dispatch_count.set(core.dispatch_count.get() + 1);
    if matches!(
        event,
        Event::Message { .. } | Event::Request { .. } | Event::Receive { .. }
    ) {
        core.request_count.set(core.request_count.get() + 1);
    }
    match event {
        Event::Stopped => Flow::Stopped,
        Event::Log { level, message } => {
            core.log.borrow().write(level, &message);
            Flow::Continue
        }
        // Once stopping, messages still queued are not handed out (as in Swoole):
        // their connections are already being closed.
        Event::Message { .. } if shared.is_stopping() => Flow::Continue,
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
        Event::Close { fd, websocket } => {
            // Gone for PHP from here on: exist() is false inside onClose.
            shared.sessions.remove(fd);
            let cb = if !websocket && core.callbacks.has("disconnect") {
                core.callbacks.get("disconnect")
            } else {
                core.callbacks.at(ev::CLOSE)
            };
            match cb {
                Some(cb) => after(
                    core,
                    reactor::call(&cb, &[server, &long_zval(fd as i64), &long_zval(0)]),
                ),
                None => Flow::Continue,
            }
        }
        Event::Connect { fd } => match core.callbacks.get("connect") {
            Some(cb) => after(
                core,
                reactor::call(&cb, &[server, &long_zval(fd as i64), &long_zval(0)]),
            ),
            None => Flow::Continue,
        },
        Event::Receive { fd, data } => match core.callbacks.at(ev::RECEIVE) {
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
            let mut response = new_response_object(fd, shared, kind, &request);
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
        Event::Handshake { fd, request } => {
            let Some(cb) = core.callbacks.get("handshake") else {
                return Flow::Continue;
            };
            let req = new_request_object(fd, &request);
            let mut response = new_response_object(fd, shared, ResponseKind::Handshake, &request);
            let resp_zval = {
                let mut z = Zval::new();
                z.set_object(&mut response.std);
                z
            };
            let shared = shared.clone();
            let done = move |outcome: &Outcome| {
                // `return false` refuses the handshake even after a response was sent.
                let refused = matches!(outcome, Outcome::Returned(r) if r.is_false());
                if refused && response.is_ended() {
                    if let Some(s) = shared.sessions.get(fd) {
                        let _ = s.send(Outgoing::End);
                    }
                } else if !response.is_ended() {
                    if let Some(s) = shared.sessions.get(fd) {
                        let _ = s.send(Outgoing::HandshakeDone {
                            response: Refusal::BadRequest.response(),
                            upgraded: false,
                        });
                    }
                }
            };
            after(
                core,
                reactor::call_then(&cb, &[&req, &resp_zval], Some(Box::new(done))),
            )
        }
    }
}
