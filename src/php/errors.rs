//! Reporting to PHP: warnings in Swoole's wording, and uncaught exceptions from
//! callbacks reported the way PHP reports them, without ending the server.

use std::os::raw::c_int;

use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::zend_object;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;
use ext_php_rs::zend::ExecutorGlobals;

extern "C" {
    fn zend_exception_error(ex: *mut zend_object, severity: c_int) -> c_int;
    fn zend_is_unwind_exit(ex: *const zend_object) -> bool;
}

const E_ERROR: c_int = 1;

/// `Swoole\Exception`, thrown where Swoole throws it (bind failures, start() misuse).
#[php_class]
#[php(name = "Swoole\\Exception")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct SwooleException;

#[php_impl]
impl SwooleException {}

pub fn swoole_exception(msg: impl Into<String>) -> PhpException {
    PhpException::from_class::<SwooleException>(msg.into())
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
