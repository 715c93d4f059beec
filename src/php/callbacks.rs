//! User callbacks: registration by event name and guarded invocation.
//!
//! A callback is resolved once when registered (zend_is_callable_ex fills a
//! call cache) and then called with zend_call_known_function: no re-resolution
//! and no allocation per event on the hot path.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

use ext_php_rs::ffi::{zend_call_known_function, zend_fcall_info_cache, zend_is_callable_ex};
use ext_php_rs::types::Zval;
use ext_php_rs::zend::{try_catch, ExecutorGlobals};

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
    // Appended last: `ev` indexes the entries above.
    "beforehandshakeresponse",
];

/// Most arguments any event passes (onWorkerError: server, id, pid, code, signal).
const MAX_ARGS: usize = 5;

/// ZEND_ACC_CALL_VIA_TRAMPOLINE: `__call` handlers get a one-shot trampoline
/// that cannot be cached.
const CALL_VIA_TRAMPOLINE: u32 = 1 << 18;

/// A callable with its resolved call cache.
pub struct Callback {
    /// Keeps the closure/object/array alive for as long as the cache is used.
    callable: Zval,
    fcc: Option<zend_fcall_info_cache>,
}

impl Callback {
    pub fn new(callable: &Zval) -> Callback {
        let callable = callable.shallow_clone();
        // SAFETY: plain call-cache resolution on a live zval; trampolines are
        // refused below because their cache is single-use.
        let fcc = unsafe {
            let mut fcc: zend_fcall_info_cache = std::mem::zeroed();
            let ok = zend_is_callable_ex(
                std::ptr::from_ref(&callable).cast_mut(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
                &mut fcc,
                std::ptr::null_mut(),
            );
            let cacheable = ok
                && !fcc.function_handler.is_null()
                && (*fcc.function_handler).common.fn_flags & CALL_VIA_TRAMPOLINE == 0;
            cacheable.then_some(fcc)
        };
        Callback { callable, fcc }
    }

    pub fn zval(&self) -> Zval {
        self.callable.shallow_clone()
    }
}

/// One slot per name in [`EVENTS`], so the event loop finds a callback by
/// index instead of hashing a name for every event.
pub struct Callbacks {
    slots: RefCell<[Option<Rc<Callback>>; EVENTS.len()]>,
}

/// Slot index of an event name (lower case); None for unknown names.
pub fn event_index(event: &str) -> Option<usize> {
    EVENTS.iter().position(|e| *e == event)
}

impl Callbacks {
    /// Stores `cb` for `event` (already lower-cased); false for unknown names.
    pub fn set(&self, event: &str, cb: &Zval) -> bool {
        match event_index(event) {
            Some(i) => {
                self.slots.borrow_mut()[i] = Some(Rc::new(Callback::new(cb)));
                true
            }
            None => false,
        }
    }

    /// The callback, kept alive by the Rc while it runs even if `on()` replaces it.
    pub fn get(&self, event: &str) -> Option<Rc<Callback>> {
        self.at(event_index(event)?)
    }

    pub fn at(&self, index: usize) -> Option<Rc<Callback>> {
        self.slots.borrow()[index].clone()
    }

    pub fn has(&self, event: &str) -> bool {
        self.get(event).is_some()
    }
}

/// Slot indices of the events the loop dispatches most.
pub mod ev {
    pub const MESSAGE: usize = 15;
    pub const OPEN: usize = 14;
    pub const CLOSE: usize = 12;
    pub const REQUEST: usize = 16;
    pub const RECEIVE: usize = 10;
    pub const CONNECT: usize = 9;
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

/// Calls a callback (up to four arguments on the fast path).
pub fn call(cb: &Callback, args: &[&Zval]) -> Outcome {
    let result = try_catch(AssertUnwindSafe(|| invoke(cb, args)));
    match result {
        Err(_) => Outcome::Bailout,
        Ok(ret) => {
            if ExecutorGlobals::has_exception() {
                match handle_pending_exception() {
                    Pending::Exit => Outcome::Exit,
                    Pending::None => Outcome::Threw,
                }
            } else {
                Outcome::Returned(ret)
            }
        }
    }
}

fn invoke(cb: &Callback, args: &[&Zval]) -> Zval {
    if args.len() > MAX_ARGS {
        return invoke_any(cb, args);
    }
    // The usual case: the parameters on the stack, no allocation.
    let mut params: [Zval; MAX_ARGS] = std::array::from_fn(|_| Zval::new());
    for (slot, arg) in params.iter_mut().zip(args) {
        *slot = arg.shallow_clone();
    }
    call_with(cb, args, &mut params[..args.len()])
}

/// Calls a callback with any number of arguments and no guard: an exception
/// stays pending and a fatal error unwinds past the caller (coroutine entry
/// points, where the Fiber itself catches both).
pub fn invoke_any(cb: &Callback, args: &[&Zval]) -> Zval {
    let mut params: Vec<Zval> = args.iter().map(|a| a.shallow_clone()).collect();
    call_with(cb, args, &mut params)
}

/// `params` are `args` copied for the engine's call frame.
fn call_with(cb: &Callback, args: &[&Zval], params: &mut [Zval]) -> Zval {
    let mut retval = Zval::new();
    match &cb.fcc {
        Some(fcc) => {
            // SAFETY: the cache was resolved from `cb.callable`, which is alive;
            // the engine copies the parameters into the call frame.
            unsafe {
                zend_call_known_function(
                    fcc.function_handler,
                    fcc.object,
                    fcc.called_scope,
                    &mut retval,
                    params.len() as u32,
                    params.as_mut_ptr(),
                    std::ptr::null_mut(),
                );
            }
        }
        None => {
            let dynargs: Vec<&dyn ext_php_rs::convert::IntoZvalDyn> = args
                .iter()
                .map(|a| *a as &dyn ext_php_rs::convert::IntoZvalDyn)
                .collect();
            if let Ok(r) = cb.callable.try_call(dynargs) {
                retval = r;
            }
        }
    }
    retval
}

impl Default for Callbacks {
    fn default() -> Self {
        Callbacks {
            slots: RefCell::new(std::array::from_fn(|_| None)),
        }
    }
}

// The hot indices must name their events (checked at compile time: the
// extension crate has no unit-test harness).
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
const _: () = assert!(same(EVENTS[ev::MESSAGE], "message"));
const _: () = assert!(same(EVENTS[ev::OPEN], "open"));
const _: () = assert!(same(EVENTS[ev::CLOSE], "close"));
const _: () = assert!(same(EVENTS[ev::REQUEST], "request"));
const _: () = assert!(same(EVENTS[ev::RECEIVE], "receive"));
