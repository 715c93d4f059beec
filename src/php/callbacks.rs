//! User callbacks: registration by event name and guarded invocation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use ext_php_rs::convert::IntoZvalDyn;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::try_catch;

use super::errors::{handle_pending_exception, Pending};

/// Event names `on()` accepts, lower-cased (Swoole's are case-insensitive).
pub const EVENTS: &[&str] = &[
    "start",
    "shutdown",
    "beforeshutdown",
    "workerstart",
    "workerstop",
    "workerexit",
    "workererror",
    "managerstart",
    "managerstop",
    "connect",
    "receive",
    "packet",
    "close",
    "disconnect",
    "open",
    "message",
    "request",
    "handshake",
    "task",
    "finish",
    "pipemessage",
    "beforereload",
    "afterreload",
];

#[derive(Default)]
pub struct Callbacks {
    map: RefCell<HashMap<String, Zval>>,
}

impl Callbacks {
    /// Stores `cb` for `event` (already lower-cased and known).
    pub fn set(&self, event: &str, cb: &Zval) {
        self.map
            .borrow_mut()
            .insert(event.to_string(), cb.shallow_clone());
    }

    /// A new reference to the callback, so it can be called while `on()` or
    /// anything else borrows the map.
    pub fn get(&self, event: &str) -> Option<Zval> {
        self.map.borrow().get(event).map(Zval::shallow_clone)
    }

    pub fn has(&self, event: &str) -> bool {
        self.map.borrow().contains_key(event)
    }

    pub fn clear(&self) {
        self.map.borrow_mut().clear();
    }
}

/// How a callback ended.
pub enum Outcome {
    Returned(Zval),
    /// It threw; the exception was reported and cleared.
    Threw,
    /// `exit()`: the exception that carries it is still pending.
    Exit,
    /// A fatal error unwound the engine (zend_bailout); PHP must go on unwinding.
    Bailout,
}

/// Calls a PHP callable with the given arguments.
pub fn call(cb: &Zval, args: Vec<&dyn IntoZvalDyn>) -> Outcome {
    let result = try_catch(AssertUnwindSafe(|| cb.try_call(args)));
    match result {
        Err(_) => Outcome::Bailout,
        Ok(Ok(ret)) => Outcome::Returned(ret),
        Ok(Err(_)) => match handle_pending_exception() {
            Pending::Exit => Outcome::Exit,
            Pending::None => Outcome::Threw,
        },
    }
}
