//! Hand-written call handlers for the hottest shared-memory methods.
//!
//! ext-php-rs runs every method inside a `zend_try` (a `setjmp`) so that a PHP
//! fatal error cannot jump over Rust frames. `$atomic->add()` itself costs a
//! few nanoseconds, so that guard would make it slower than Swoole's. These
//! handlers do the common case (`$this` initialised, integer arguments or
//! none) with nothing that can raise an error, and pass every other call
//! (wrong types, wrong counts) to the generated handler, which reports it as
//! usual. They are put in place of the generated ones at the first request,
//! once the classes exist.

use std::sync::{Once, OnceLock};

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi::{zend_execute_data, zend_hash_str_find, zval, ZEND_INTERNAL_FUNCTION};
use ext_php_rs::types::{ZendClassObject, ZendObject, Zval};
use ext_php_rs::zend::{ClassEntry, ExecuteData};

use super::atomic::{Atomic, AtomicLong};

type Handler = unsafe extern "C" fn(*mut zend_execute_data, *mut zval);

/// The object behind `$this`, if it is a constructed `T`. Objects of `T`
/// (and of PHP subclasses of it) are the only ones with `T`'s handlers, so
/// that check alone proves the layout.
#[inline(always)]
unsafe fn this<'a, T: RegisteredClass>(ex: *mut zend_execute_data) -> Option<&'a T> {
    let obj = (*(ex as *const ExecuteData)).This.object()?;
    if !std::ptr::eq(obj.handlers, T::get_metadata().handlers()) {
        return None;
    }
    let offset = std::mem::offset_of!(ZendClassObject<T>, std);
    let co = (obj as *const ZendObject)
        .cast::<u8>()
        .sub(offset)
        .cast::<ZendClassObject<T>>();
    (*co).obj.as_ref()
}

/// Argument `i` (0-based) of a call taking at most `max`: `default` when not
/// passed; None (so: the generated handler) for more arguments or a non-integer.
#[inline(always)]
unsafe fn long_arg(ex: *mut zend_execute_data, i: usize, max: u32, default: i64) -> Option<i64> {
    let passed = (*ex).This.u2.num_args;
    if passed > max {
        return None;
    }
    if i as u32 >= passed {
        return Some(default);
    }
    // ZEND_CALL_ARG: the arguments follow the frame, in zval-sized slots.
    let slot = std::mem::size_of::<zend_execute_data>().div_ceil(std::mem::size_of::<zval>());
    let arg = (ex as *const Zval).add(slot + i);
    (*arg).long()
}

/// One fast handler: `$name(ex, rv)` computes a long for `$ty` or falls back.
macro_rules! fast {
    ($name:ident, $orig:ident, $ty:ty, |$obj:ident, $ex:ident| $body:expr) => {
        static $orig: OnceLock<Handler> = OnceLock::new();

        unsafe extern "C" fn $name(ex: *mut zend_execute_data, rv: *mut zval) {
            let $ex = ex;
            let done = this::<$ty>(ex).and_then(|$obj| $body);
            match (done, $orig.get()) {
                (Some(v), _) => (*(rv as *mut Zval)).set_long(v),
                (None, Some(orig)) => orig(ex, rv),
                (None, None) => {}
            }
        }
    };
}

fast!(atomic_add, ATOMIC_ADD, Atomic, |a, ex| {
    long_arg(ex, 0, 1, 1).map(|v| a.add_php(v))
});
fast!(atomic_sub, ATOMIC_SUB, Atomic, |a, ex| {
    long_arg(ex, 0, 1, 1).map(|v| a.sub_php(v))
});
fast!(atomic_get, ATOMIC_GET, Atomic, |a, ex| {
    long_arg(ex, 0, 0, 0).map(|_| a.get_php())
});
fast!(long_add, LONG_ADD, AtomicLong, |a, ex| {
    long_arg(ex, 0, 1, 1).map(|v| a.add_php(v))
});
fast!(long_sub, LONG_SUB, AtomicLong, |a, ex| {
    long_arg(ex, 0, 1, 1).map(|v| a.sub_php(v))
});
fast!(long_get, LONG_GET, AtomicLong, |a, ex| {
    long_arg(ex, 0, 0, 0).map(|_| a.get_php())
});

/// Replaces method `name` (lower case) of `ce` with `fast`, keeping the
/// generated handler in `orig` for the calls `fast` passes on.
unsafe fn patch(ce: &ClassEntry, name: &str, fast: Handler, orig: &OnceLock<Handler>) {
    let table = std::ptr::addr_of!(ce.function_table).cast_mut();
    let zv = zend_hash_str_find(table, name.as_ptr().cast(), name.len());
    if zv.is_null() {
        return;
    }
    let func = (*zv).value.ptr as *mut ext_php_rs::ffi::zend_function;
    if func.is_null() || u32::from((*func).type_) != ZEND_INTERNAL_FUNCTION {
        return;
    }
    let handler = &mut (*func).internal_function.handler;
    if let Some(generated) = *handler {
        if orig.set(generated).is_ok() {
            *handler = Some(fast);
        }
    }
}

static INSTALL: Once = Once::new();

/// RINIT: installs the handlers once per process.
pub extern "C" fn request_startup(_ty: i32, _module: i32) -> i32 {
    INSTALL.call_once(|| {
        let atomic = Atomic::get_metadata().ce();
        let long = AtomicLong::get_metadata().ce();
        // SAFETY: at request start the classes are registered and their
        // function tables no longer change; only this thread runs PHP.
        unsafe {
            patch(atomic, "add", atomic_add, &ATOMIC_ADD);
            patch(atomic, "sub", atomic_sub, &ATOMIC_SUB);
            patch(atomic, "get", atomic_get, &ATOMIC_GET);
            patch(long, "add", long_add, &LONG_ADD);
            patch(long, "sub", long_sub, &LONG_SUB);
            patch(long, "get", long_get, &LONG_GET);
        }
    });
    0
}
