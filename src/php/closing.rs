//! Closes and onClose, as Swoole reports them: a close the server makes gets
//! `$reactorId` -1, and onClose for a `close()`/`disconnect()` called from
//! PHP has run by the time that call returns (the engine's later Close event
//! for the fd then calls nothing).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::ptr::NonNull;

use ext_php_rs::types::{ZendObject, Zval};
use swoole_rs_engine::bridge::Fd;

use super::callbacks::{call, ev, Callbacks, Outcome};
use super::values::long_zval;

/// Swoole's `$reactorId` for a close the server made.
pub const REACTOR_SERVER_CLOSE: i64 = -1;

/// Per-server state for onClose.
#[derive(Default)]
pub struct CloseState {
    /// The server object while start() runs, passed to callbacks.
    this: Cell<Option<NonNull<ZendObject>>>,
    /// Fds whose onClose already ran inside close()/disconnect().
    reported: RefCell<HashSet<Fd>>,
}

impl CloseState {
    pub fn set_server(&self, this: Option<&mut ZendObject>) {
        self.this.set(this.map(NonNull::from));
        if self.this.get().is_none() {
            self.reported.borrow_mut().clear();
        }
    }

    /// Whether onClose already ran for `fd`: its later events are dropped (a
    /// set that is empty unless a close from PHP is under way).
    pub fn is_reported(&self, fd: Fd) -> bool {
        let reported = self.reported.borrow();
        !reported.is_empty() && reported.contains(&fd)
    }

    /// Called for the engine's Close event: false when onClose already ran.
    pub fn take_pending(&self, fd: Fd) -> bool {
        !self.reported.borrow_mut().remove(&fd)
    }

    /// Runs onClose (or onDisconnect for a plain HTTP/TCP connection) now,
    /// for a close PHP just asked for.
    pub fn run_now(&self, callbacks: &Callbacks, fd: Fd, websocket: bool) {
        let Some(this) = self.this.get() else {
            return;
        };
        if !self.reported.borrow_mut().insert(fd) {
            return;
        }
        let Some(cb) = callback(callbacks, websocket) else {
            return;
        };
        let mut server = Zval::new();
        // SAFETY: the server object outlives start(), which clears the pointer.
        server.set_object(unsafe { &mut *this.as_ptr() });
        let args = [
            &server,
            &long_zval(fd as i64),
            &long_zval(REACTOR_SERVER_CLOSE),
        ];
        if let Outcome::Bailout = call(&cb, &args) {
            // SAFETY: re-raises the fatal error PHP was unwinding from; the
            // event loop's own guard catches it. An exit() stays pending and
            // unwinds through the PHP caller the same way.
            unsafe { ext_php_rs::zend::bailout() }
        }
    }
}

/// The callback a close calls.
pub fn callback(
    callbacks: &Callbacks,
    websocket: bool,
) -> Option<std::rc::Rc<super::callbacks::Callback>> {
    if !websocket && callbacks.has("disconnect") {
        callbacks.get("disconnect")
    } else {
        callbacks.at(ev::CLOSE)
    }
}
