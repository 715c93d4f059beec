//! `Swoole\Runtime` and the runtime hooks (TCP and UNIX streams: see
//! [`super::stream_hook`]). With `SWOOLE_HOOK_SLEEP` on,
//! `sleep()`, `usleep()`, `time_nanosleep()` and `time_sleep_until()` called
//! inside a coroutine suspend only that coroutine. Their internal handlers
//! are replaced while hooks are on; outside a coroutine (or with arguments
//! PHP itself would refuse or convert) the original handler runs, so results,
//! warnings and errors are exactly PHP's own.

use std::cell::{Cell, RefCell};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::ffi::{zend_execute_data, zend_function, zif_handler, zval};
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::ExecutorGlobals;

use super::args::Int;
use super::reactor;

pub const HOOK_SLEEP: i64 = 512;
pub const HOOK_ALL: i64 = 2_143_285_247;

thread_local! {
    static FLAGS: Cell<i64> = const { Cell::new(0) };
    /// Replaced functions and their original handlers.
    static SAVED: RefCell<Vec<(*mut zend_function, zif_handler)>> = const { RefCell::new(Vec::new()) };
}

pub fn flags() -> i64 {
    FLAGS.with(Cell::get)
}

fn sleep_hooked() -> bool {
    flags() & HOOK_SLEEP != 0
}

/// Sets the hook flags; installs the replaced handlers on first use.
pub fn set_flags(f: i64) {
    FLAGS.with(|c| c.set(f));
    if f & HOOK_SLEEP != 0 {
        install();
    }
    if f & (super::stream_hook::HOOK_TCP | super::stream_hook::HOOK_UNIX) != 0 {
        super::stream_hook::install();
    }
}

fn original(f: *mut zend_function) -> zif_handler {
    SAVED.with(|s| {
        s.borrow()
            .iter()
            .find(|(p, _)| *p == f)
            .and_then(|(_, h)| *h)
    })
}

fn install() {
    if SAVED.with(|s| !s.borrow().is_empty()) {
        return;
    }
    let table: [(
        &str,
        unsafe extern "C" fn(*mut zend_execute_data, *mut zval),
    ); 4] = [
        ("sleep", hooked_sleep),
        ("usleep", hooked_usleep),
        ("time_nanosleep", hooked_time_nanosleep),
        ("time_sleep_until", hooked_time_sleep_until),
    ];
    let eg = ExecutorGlobals::get();
    let Some(ft) = eg.function_table() else {
        return;
    };
    let ft: *const ext_php_rs::types::ZendHashTable = ft;
    drop(eg);
    for (name, handler) in table {
        // SAFETY: the live function table; internal functions' entries are
        // plain zend_internal_function structs we may retarget.
        unsafe {
            let f = ext_php_rs::ffi::zend_hash_str_find_ptr_lc(
                ft.cast(),
                name.as_ptr().cast(),
                name.len(),
            )
            .cast::<zend_function>();
            if f.is_null() || (*f).type_ != 1 {
                continue;
            }
            let old = (*f).internal_function.handler;
            SAVED.with(|s| s.borrow_mut().push((f, old)));
            (*f).internal_function.handler = Some(handler);
        }
    }
}

/// RSHUTDOWN: the original handlers go back, hooks off.
pub fn request_shutdown() {
    FLAGS.with(|c| c.set(0));
    super::stream_hook::uninstall();
    let saved = SAVED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    for (f, h) in saved {
        // SAFETY: the entries found at install time, still registered.
        unsafe { (*f).internal_function.handler = h };
    }
}

/// The call's arguments (zend's ZEND_CALL_ARG layout).
unsafe fn args<'a>(ex: *mut zend_execute_data) -> &'a [Zval] {
    let n = (*ex).This.u2.num_args as usize;
    let slot = std::mem::size_of::<zend_execute_data>().div_ceil(std::mem::size_of::<zval>());
    let first = ex.cast::<zval>().add(slot).cast::<Zval>();
    std::slice::from_raw_parts(first, n)
}

unsafe fn call_original(ex: *mut zend_execute_data, rv: *mut zval) {
    let f = (*ex).func;
    if let Some(h) = original(f) {
        h(ex, rv);
    }
}

/// Sleeps in the coroutine; false when not in one of ours (then the
/// original handler must run).
fn co_sleep(d: Duration) -> bool {
    if !sleep_hooked() || reactor::current_own().is_none() {
        return false;
    }
    super::coroutine::sleep(d);
    true
}

unsafe extern "C" fn hooked_sleep(ex: *mut zend_execute_data, rv: *mut zval) {
    let a = args(ex);
    if let [s] = a {
        if let Some(n) = s.long().filter(|n| *n >= 0) {
            if co_sleep(Duration::from_secs(n as u64)) {
                (*rv.cast::<Zval>()).set_long(0);
                return;
            }
        }
    }
    call_original(ex, rv);
}

unsafe extern "C" fn hooked_usleep(ex: *mut zend_execute_data, rv: *mut zval) {
    let a = args(ex);
    if let [s] = a {
        if let Some(n) = s.long().filter(|n| *n >= 0) {
            if co_sleep(Duration::from_micros(n as u64)) {
                return;
            }
        }
    }
    call_original(ex, rv);
}

unsafe extern "C" fn hooked_time_nanosleep(ex: *mut zend_execute_data, rv: *mut zval) {
    let a = args(ex);
    if let [s, ns] = a {
        if let (Some(s), Some(ns)) = (s.long(), ns.long()) {
            if s >= 0 && (0..1_000_000_000).contains(&ns) {
                let d = Duration::from_secs(s as u64) + Duration::from_nanos(ns as u64);
                if co_sleep(d) {
                    (*rv.cast::<Zval>()).set_bool(true);
                    return;
                }
            }
        }
    }
    call_original(ex, rv);
}

unsafe extern "C" fn hooked_time_sleep_until(ex: *mut zend_execute_data, rv: *mut zval) {
    let a = args(ex);
    if let [t] = a {
        let target = t.double().or_else(|| t.long().map(|n| n as f64));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        if let Some(target) = target.filter(|t| *t > now) {
            if co_sleep(Duration::from_secs_f64(target - now)) {
                (*rv.cast::<Zval>()).set_bool(true);
                return;
            }
        }
    }
    call_original(ex, rv);
}

fn enable(flags: &Zval) -> bool {
    let f = if let Some(b) = flags.bool() {
        if b {
            HOOK_ALL
        } else {
            0
        }
    } else {
        flags.coerce_to_long().unwrap_or(HOOK_ALL)
    };
    set_flags(f);
    true
}

/// `Swoole\Runtime`.
#[php_class]
#[php(name = "Swoole\\Runtime")]
#[derive(Default)]
pub struct Runtime;

#[php_impl]
impl Runtime {
    #[php(name = "enableCoroutine", optional = flags)]
    pub fn enable_coroutine(flags: Option<&Zval>) -> bool {
        match flags {
            Some(f) => enable(f),
            None => {
                set_flags(HOOK_ALL);
                true
            }
        }
    }

    #[php(name = "getHookFlags")]
    pub fn get_hook_flags() -> i64 {
        flags()
    }

    #[php(name = "setHookFlags")]
    pub fn set_hook_flags(flags: Int) -> bool {
        let flags = flags.0;
        set_flags(flags);
        true
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<Runtime>()
}
