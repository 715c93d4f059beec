//! Swoole's own WebSocket handshake, done on the PHP thread when the server has
//! an onBeforeHandShakeResponse callback (and no onHandShake): the callback
//! gets `($server, $request, $response)` with the 101 about to be sent, and may
//! add headers or cookies to it. Without that callback the engine answers the
//! handshake itself, without PHP.

use std::sync::Arc;

use ext_php_rs::types::Zval;
use swoole_rs_engine::handshake;
use swoole_rs_engine::http::HttpRequest;
use swoole_rs_engine::session::Outgoing;
use swoole_rs_engine::workers::node::Node;

use super::args::{Bool, Str};
use super::callbacks::{call, Outcome};
use super::request::{new_request_object, new_response_object, ResponseKind};
use super::server::ServerCore;
use super::values::bytes_zval;

/// Answers the handshake of `fd`; returns the callback's outcome (for the
/// event loop's exit/exception handling) and whether the connection opened,
/// in which case onOpen follows.
pub fn with_before_response(
    core: &ServerCore,
    server: &Zval,
    node: &Arc<Node>,
    fd: u64,
    request: &Arc<HttpRequest>,
) -> (Option<Outcome>, bool) {
    if node.conn(fd).is_none() {
        return (None, false);
    }
    if let Err(refusal) = handshake::validate(request) {
        let _ = node.send(
            fd,
            Outgoing::HandshakeDone {
                response: refusal.response(),
                upgraded: false,
            },
        );
        return (None, false);
    }
    let req = new_request_object(fd, request);
    let mut response = new_response_object(fd, node, ResponseKind::Handshake, request);
    response.status(101, None);
    if let Some(p) = &node.config.websocket_subprotocol {
        let name = Str(b"Sec-WebSocket-Protocol".to_vec());
        response.header(name, &bytes_zval(p.as_bytes()), Some(Bool(false)));
    }
    let mut resp_zval = Zval::new();
    resp_zval.set_object(&mut response.std);
    let outcome = core
        .callbacks
        .get("beforehandshakeresponse")
        .map(|cb| call(&cb, &[server, &req, &resp_zval]));
    // The callback only adds to the response; sending it is the server's job
    // (unless the callback ended it itself).
    if !response.is_ended() {
        response.end(None);
    }
    (outcome, response.upgraded())
}
