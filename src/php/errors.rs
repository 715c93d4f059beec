//! Reporting to PHP: warnings in Swoole's wording, and uncaught exceptions from
//! callbacks reported the way PHP reports them, without ending the server.

use std::os::raw::c_int;

use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::zend_object;
use ext_php_rs::flags::ErrorType;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::zend::ce;
use ext_php_rs::zend::ClassEntry;
use ext_php_rs::zend::ExecutorGlobals;

extern "C" {
    fn zend_exception_error(ex: *mut zend_object, severity: c_int) -> c_int;
    fn zend_is_unwind_exit(ex: *const zend_object) -> bool;
}

const E_ERROR: c_int = 1;

/// `Swoole\Exception`, thrown where Swoole throws it (bind failures, start()
/// misuse). A plain subclass of `\Exception` built with the class builder (not
/// a Rust-backed class), so user code can `new` and `throw` it like any exception.
static SWOOLE_EXCEPTION: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

pub fn register_exception_class() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new("Swoole\\Exception")
        .extends((ce::exception, "\\Exception"))
        .registration(|ce, _| SWOOLE_EXCEPTION.store(ce, Ordering::Release))
        .register()
}

pub fn swoole_exception(msg: impl Into<String>) -> PhpException {
    swoole_exception_code(msg, 0)
}

pub fn swoole_exception_code(msg: impl Into<String>, code: i32) -> PhpException {
    let ce = SWOOLE_EXCEPTION.load(Ordering::Acquire);
    // SAFETY: set once at module startup to a class entry that lives as long as PHP.
    let ce = if ce.is_null() {
        ce::exception()
    } else {
        unsafe { &*ce }
    };
    PhpException::new(msg.into(), code, ce)
}

/// `Swoole\Error` (an `\Error`), thrown where Swoole throws it (coroutine
/// APIs called outside a coroutine).
static SWOOLE_ERROR: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

pub fn register_error_class() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new("Swoole\\Error")
        .extends((ce::error, "\\Error"))
        .registration(|ce, _| SWOOLE_ERROR.store(ce, Ordering::Release))
        .register()
}

/// Throws `Swoole\Error($msg)`.
pub fn swoole_error(msg: &str) {
    let ce = SWOOLE_ERROR.load(Ordering::Acquire);
    // SAFETY: set once at module startup to a class entry that lives as long as PHP.
    let ce = if ce.is_null() {
        ce::error()
    } else {
        unsafe { &*ce }
    };
    let _ = PhpException::new(msg.into(), 0, ce).throw();
}

/// `PHP Warning:  Class::method(): message`.
pub fn warn(msg: &str) {
    ext_php_rs::error::php_error(&ErrorType::Warning, msg);
}

/// What a callback left behind.
pub enum Pending {
    None,
    /// `exit()` or `die()`: stop the server and let PHP finish exiting.
    Exit,
}

/// Deals with an exception a callback left pending: `exit()` is left in place
/// for PHP to finish; anything else is printed as PHP prints an uncaught
/// exception ("PHP Fatal error:  Uncaught ...") and cleared, so the server goes on.
pub fn handle_pending_exception() -> Pending {
    let ex = ExecutorGlobals::get().exception;
    if ex.is_null() {
        return Pending::None;
    }
    // SAFETY: `ex` is the live pending exception object.
    if unsafe { zend_is_unwind_exit(ex) } {
        return Pending::Exit;
    }
    if let Some(mut ex) = ExecutorGlobals::take_exception() {
        let status = ExecutorGlobals::get().exit_status;
        // SAFETY: the exception is owned here; E_DONT_BAIL keeps the fatal
        // message from ending the request.
        unsafe { zend_exception_error(&mut *ex, E_ERROR | E_DONT_BAIL) };
        // A reported exception does not make the whole script fail.
        ExecutorGlobals::get_mut().exit_status = status;
    }
    Pending::None
}

const E_DONT_BAIL: c_int = 1 << 15;
