//! Coroutines from PHP: `Swoole\Coroutine\run()` (alias `Co\run()`), `go()`,
//! `defer()`, `Swoole\Coroutine` (alias `Co`), `Swoole\Coroutine\System` and
//! `Swoole\Coroutine\Context`. The scheduling itself is the reactor's
//! ([`super::reactor`]); client I/O waits through [`wait`].
//!
//! As in Swoole: `go()` runs the new coroutine until it first waits; outside
//! every loop it then finishes in the loop that runs at the end of the script
//! (or in the next `Co\run()` / `Swoole\Event::wait()`). An uncaught exception
//! in a coroutine is reported like one in a server callback and everything
//! else goes on; only the main coroutine of `Co\run()` lets its exception out
//! of `run()` (Swoole ends the process there).

use std::rc::Rc;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::Duration;

use ext_php_rs::builders::{ClassBuilder, ModuleBuilder};
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};
use ext_php_rs::zend::{ClassEntry, ExecutorGlobals};

use super::args::{Bool, Float, Int};
use super::callbacks::Callback;
use super::errors::{swoole_error, warn};
use super::reactor::{self, Kind, Leg, LoopEnd, Policy, Wake};
use super::values::{array_zval, bool_zval, long_zval};

pub use super::reactor::wait;

fn check_callable(func: &Zval, what: &str) -> bool {
    if func.is_callable() {
        return true;
    }
    let _ = ext_php_rs::exception::PhpException::new(
        format!("{what}Argument #1 ($func) must be a valid callback"),
        0,
        ext_php_rs::zend::ce::type_error(),
    )
    .throw();
    false
}

/// `Swoole\Coroutine\run(callable $fn, ...$args): bool`.
fn run_impl(func: &Zval, args: &[&Zval]) -> bool {
    if !check_callable(func, "") {
        return false;
    }
    if reactor::running().is_some() {
        warn("eventLoop has already been created, unable to start Swoole\\Coroutine\\Scheduler");
        return false;
    }
    reactor::begin(Kind::Run);
    let args = args.iter().map(|a| a.shallow_clone()).collect();
    let first = match reactor::spawn(Rc::new(Callback::new(func)), args, Policy::Propagate, None) {
        Ok((_, leg)) => leg,
        Err(()) => Leg::Threw,
    };
    match reactor::run_loop(Kind::Run, first) {
        LoopEnd::Done => true,
        LoopEnd::Bailout => {
            // SAFETY: re-raises the fatal error PHP was unwinding from.
            unsafe { ext_php_rs::zend::bailout() }
        }
        LoopEnd::Exit | LoopEnd::Threw => false,
    }
}

/// `go(callable $fn, ...$args): int|false` and `Swoole\Coroutine::create()`.
fn go_impl(func: &Zval, args: &[&Zval]) -> Zval {
    let mut ret = Zval::new();
    ret.set_bool(false);
    if !check_callable(func, "") {
        return ret;
    }
    if reactor::running().is_none() {
        reactor::note_work_now();
    }
    let args = args.iter().map(|a| a.shallow_clone()).collect();
    match reactor::spawn(Rc::new(Callback::new(func)), args, Policy::Report, None) {
        Ok((cid, Leg::Ok)) => ret.set_long(cid as i64),
        Ok((cid, _)) => {
            // exit() or a fatal error: it is pending and unwinds the caller.
            ret.set_long(cid as i64);
        }
        Err(()) => {}
    }
    ret
}

/// The running coroutine's id, or -1 outside coroutines.
fn current_cid() -> i64 {
    match reactor::current() {
        0 => -1,
        c => c as i64,
    }
}

/// `cid` or, when 0, the running coroutine.
fn target(cid: Option<i64>) -> Option<u64> {
    match cid.unwrap_or(0) {
        0 => (reactor::current() != 0).then(|| reactor::current()),
        c if c > 0 => Some(c as u64),
        _ => None,
    }
}

/// Sleeps: inside a coroutine only that coroutine waits; elsewhere the PHP
/// thread sleeps. False when the sleep was cancelled.
pub fn sleep(d: Duration) -> bool {
    match reactor::suspend(Some(d), false, |_| {}) {
        Some(Wake::TimedOut | Wake::Woken) => true,
        Some(Wake::Cancelled | Wake::Destroyed) => false,
        None => {
            std::thread::sleep(d);
            true
        }
    }
}

fn sleep_seconds(seconds: f64) -> bool {
    if !(seconds.is_finite() && seconds >= 0.0) {
        warn("Timer must be greater than or equal to 0");
        return false;
    }
    sleep(Duration::from_secs_f64(seconds))
}

fn outside_coroutine() {
    swoole_error("API must be called in the coroutine");
}

/// A backtrace array: debug_backtrace() for the running coroutine,
/// ReflectionFiber::getTrace() for a suspended one.
fn backtrace(cid: u64, options: i64, limit: i64) -> Option<Zval> {
    if cid == reactor::current() {
        let f = ZendCallable::try_from_name("debug_backtrace").ok()?;
        return f.try_call(vec![&options, &limit]).ok();
    }
    let fiber = reactor::fiber_of(cid)?;
    let ce = ClassEntry::try_find("ReflectionFiber")?;
    let refl = ce.new().into_zval(false).ok()?;
    let _ = refl.try_call_method("__construct", vec![&fiber]);
    let trace = refl.try_call_method("getTrace", vec![&options]).ok()?;
    if limit > 0 {
        let f = ZendCallable::try_from_name("array_slice").ok()?;
        return f.try_call(vec![&trace, &0_i64, &limit]).ok();
    }
    Some(trace)
}

/// A backtrace as PHP prints one (`#0 file(line): func()`).
pub fn backtrace_string(cid: u64) -> String {
    let Some(trace) = backtrace(cid, 2, 32) else {
        return String::new();
    };
    let Some(frames) = trace.array() else {
        return String::new();
    };
    let mut out = String::new();
    let mut i = 0;
    for (_, frame) in frames.iter() {
        let Some(f) = frame.array() else { continue };
        let s = |k: &str| f.get(k).and_then(Zval::string).unwrap_or_default();
        // The machinery under every coroutine is not the script's.
        let func = s("function");
        if (s("class") == "Fiber" && func == "suspend") || func == "Swoole\\Coroutine\\__main" {
            continue;
        }
        let place = match f.get("line").and_then(Zval::long) {
            Some(line) => format!("{}({line})", s("file")),
            None => "[internal function]".to_string(),
        };
        out.push_str(&format!(
            "#{i} {place}: {}{}{func}()\n",
            s("class"),
            s("type")
        ));
        i += 1;
    }
    out.trim_end().to_string()
}

static CONTEXT: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

extern "C" {
    static spl_ce_ArrayObject: *mut ext_php_rs::ffi::zend_class_entry;
}

fn array_object() -> &'static ClassEntry {
    // SAFETY: SPL is built in and registered before extensions load.
    unsafe { &*spl_ce_ArrayObject.cast::<ClassEntry>() }
}

/// MINIT: `Swoole\Coroutine\Context` (an ArrayObject per coroutine).
pub fn register_context_class() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new("Swoole\\Coroutine\\Context")
        .extends((array_object, "ArrayObject"))
        .registration(|ce, _| CONTEXT.store(ce, Ordering::Release))
        .register()
}

fn new_context() -> Option<Zval> {
    let ce = CONTEXT.load(Ordering::Acquire);
    // SAFETY: set at MINIT to a class that lives as long as PHP.
    let ce = if ce.is_null() {
        array_object()
    } else {
        unsafe { &*ce }
    };
    let obj = ce.new().into_zval(false).ok()?;
    let _ = obj.try_call_method("__construct", vec![]);
    Some(obj)
}

fn stats() -> Zval {
    let mut ht = ZendHashTable::new();
    let io = reactor::io_counter().get() as i64;
    for (k, v) in [
        ("event_num", io),
        ("signal_listener_num", 0),
        ("aio_task_num", 0),
        ("aio_worker_num", 0),
        ("aio_queue_size", 0),
        ("c_stack_size", 2 * 1024 * 1024),
        ("coroutine_num", reactor::count() as i64),
        ("coroutine_peak_num", reactor::peak() as i64),
        ("coroutine_last_cid", reactor::last_cid() as i64),
    ] {
        let _ = ht.insert(k, long_zval(v));
    }
    array_zval(ht)
}

fn defer_impl(callback: &Zval) {
    if !callback.is_callable() {
        let _ = ext_php_rs::exception::PhpException::new(
            "Swoole\\Coroutine::defer(): Argument #1 ($callback) must be a valid callback".into(),
            0,
            ext_php_rs::zend::ce::type_error(),
        )
        .throw();
        return;
    }
    if !reactor::push_defer(callback) {
        outside_coroutine();
    }
}

#[php_function]
#[php(name = "Swoole\\Coroutine\\run")]
pub fn swoole_coroutine_run(func: &Zval, args: &[&Zval]) -> bool {
    run_impl(func, args)
}

#[php_function]
#[php(name = "Co\\run")]
pub fn co_run(func: &Zval, args: &[&Zval]) -> bool {
    run_impl(func, args)
}

#[php_function]
#[php(name = "go")]
pub fn swoole_go(func: &Zval, args: &[&Zval]) -> Zval {
    go_impl(func, args)
}

#[php_function]
#[php(name = "swoole_coroutine_create")]
pub fn swoole_coroutine_create(func: &Zval, args: &[&Zval]) -> Zval {
    go_impl(func, args)
}

#[php_function]
#[php(name = "defer")]
pub fn swoole_defer(callback: &Zval) {
    defer_impl(callback);
}

#[php_function]
#[php(name = "swoole_coroutine_defer")]
pub fn swoole_coroutine_defer(callback: &Zval) {
    defer_impl(callback);
}

/// The Fiber function of every coroutine (internal: not for scripts).
#[php_function]
#[php(name = "Swoole\\Coroutine\\__main")]
pub fn swoole_coroutine_main(cid: i64) {
    reactor::coroutine_main(cid);
}

/// `Swoole\Coroutine` (alias `Co`).
#[php_class]
#[php(name = "Swoole\\Coroutine")]
#[derive(Default)]
pub struct Coroutine;

#[php_impl]
impl Coroutine {
    pub fn create(func: &Zval, args: &[&Zval]) -> Zval {
        go_impl(func, args)
    }

    pub fn defer(callback: &Zval) {
        defer_impl(callback);
    }

    /// Options: `enable_coroutine` and `hook_flags` take effect; the others
    /// are accepted.
    pub fn set(options: &ZendHashTable) {
        for (key, value) in options.iter() {
            match key.to_string().as_str() {
                "enable_coroutine" => reactor::set_callback_coroutines(value.coerce_to_bool()),
                "hook_flags" => {
                    if let Some(f) = value.coerce_to_long() {
                        super::hooks::set_flags(f);
                    }
                }
                _ => {}
            }
        }
    }

    #[php(name = "getOptions")]
    pub fn get_options() -> Zval {
        let mut ht = ZendHashTable::new();
        let _ = ht.insert(
            "enable_coroutine",
            bool_zval(reactor::callback_coroutines()),
        );
        let _ = ht.insert("hook_flags", long_zval(super::hooks::flags()));
        array_zval(ht)
    }

    pub fn exists(cid: Int) -> bool {
        let cid = cid.0;
        cid > 0 && reactor::exists(cid as u64)
    }

    /// Suspends the running coroutine until `Co::resume()`.
    #[php(name = "yield")]
    pub fn yield_() -> bool {
        match reactor::suspend(None, true, |_| {}) {
            Some(w) => w == Wake::Woken,
            None => {
                outside_coroutine();
                false
            }
        }
    }

    pub fn suspend() -> bool {
        Self::yield_()
    }

    pub fn resume(cid: Int) -> bool {
        let cid = cid.0;
        if cid <= 0 {
            warn("you can not resume the coroutine which is in IO operation or non-existent");
            return false;
        }
        if reactor::resume_yielded(cid as u64) {
            return true;
        }
        warn("you can not resume the coroutine which is in IO operation or non-existent");
        false
    }

    #[php(optional = throw_exception)]
    pub fn cancel(cid: Int, throw_exception: Option<Bool>) -> bool {
        let (cid, throw_exception) = (cid.0, throw_exception.map(|b| b.0));
        let _ = throw_exception;
        if cid <= 0 || !reactor::exists(cid as u64) {
            return false;
        }
        if cid as u64 == reactor::current() {
            warn("can not cancel self");
            return false;
        }
        reactor::cancel(cid as u64)
    }

    /// Waits until the coroutines `cid_array` have ended; false on timeout.
    #[php(optional = timeout)]
    pub fn join(cid_array: &ext_php_rs::types::ZendHashTable, timeout: Option<Float>) -> bool {
        let timeout = timeout.map(|t| t.0);
        let cids: Vec<u64> = cid_array
            .values()
            .filter_map(|v| v.coerce_to_long())
            .filter(|c| *c > 0)
            .map(|c| c as u64)
            .collect();
        let limit = timeout
            .filter(|t| *t > 0.0 && t.is_finite())
            .map(Duration::from_secs_f64);
        if cids.contains(&reactor::current()) {
            warn("can not join self");
            return false;
        }
        match reactor::join(&cids, limit) {
            Some(done) => done,
            None => {
                outside_coroutine();
                false
            }
        }
    }

    #[php(name = "isCanceled")]
    pub fn is_canceled() -> bool {
        reactor::is_cancelled(reactor::current())
    }

    #[php(name = "getCid")]
    pub fn get_cid() -> i64 {
        current_cid()
    }

    #[php(name = "getuid")]
    pub fn getuid() -> i64 {
        current_cid()
    }

    #[php(name = "getPcid", optional = cid)]
    pub fn get_pcid(cid: Option<Int>) -> Zval {
        let cid = cid.map(|c| c.0);
        let mut ret = Zval::new();
        ret.set_bool(false);
        if let Some(p) = target(cid).and_then(reactor::parent) {
            ret.set_long(p);
        }
        ret
    }

    #[php(name = "getContext", optional = cid)]
    pub fn get_context(cid: Option<Int>) -> Zval {
        let cid = cid.map(|c| c.0);
        target(cid)
            .and_then(|c| reactor::context(c, new_context))
            .unwrap_or_default()
    }

    #[php(name = "getElapsed", optional = cid)]
    pub fn get_elapsed(cid: Option<Int>) -> i64 {
        let cid = cid.map(|c| c.0);
        target(cid).and_then(reactor::elapsed_ms).unwrap_or(-1)
    }

    #[php(name = "getBackTrace", optional = cid)]
    pub fn get_back_trace(cid: Option<Int>, options: Option<Int>, limit: Option<Int>) -> Zval {
        let (cid, options, limit) = (cid.map(|c| c.0), options.map(|c| c.0), limit.map(|c| c.0));
        let mut ret = Zval::new();
        ret.set_bool(false);
        let Some(c) = target(cid).filter(|c| reactor::exists(*c)) else {
            return ret;
        };
        backtrace(c, options.unwrap_or(1), limit.unwrap_or(0)).unwrap_or(ret)
    }

    #[php(name = "printBackTrace", optional = cid)]
    pub fn print_back_trace(cid: Option<Int>, options: Option<Int>, limit: Option<Int>) {
        let (cid, options, limit) = (cid.map(|c| c.0), options.map(|c| c.0), limit.map(|c| c.0));
        let _ = (options, limit);
        if let Some(c) = target(cid).filter(|c| reactor::exists(*c)) {
            ext_php_rs::php_print!("{}\n", backtrace_string(c));
        }
    }

    pub fn list() -> Zval {
        super::timer::coroutine_iterator(reactor::list())
    }

    #[php(name = "listCoroutines")]
    pub fn list_coroutines() -> Zval {
        super::timer::coroutine_iterator(reactor::list())
    }

    pub fn stats() -> Zval {
        stats()
    }

    /// Sleeps without blocking other coroutines.
    pub fn sleep(seconds: Float) -> bool {
        sleep_seconds(seconds.0)
    }
}

/// `Swoole\Coroutine\System`: the part of it this extension has.
#[php_class]
#[php(name = "Swoole\\Coroutine\\System")]
#[derive(Default)]
pub struct System;

#[php_impl]
impl System {
    pub fn sleep(seconds: Float) -> bool {
        sleep_seconds(seconds.0)
    }
}

extern "C" {
    fn zend_register_class_alias_ex(
        name: *const std::os::raw::c_char,
        name_len: usize,
        ce: *mut ext_php_rs::ffi::zend_class_entry,
        persistent: bool,
    ) -> std::os::raw::c_int;
}

/// A class by name, without running autoloaders.
fn find_class(name: &str) -> Option<&'static ClassEntry> {
    ExecutorGlobals::get().class_table()?;
    let mut name = ext_php_rs::types::ZendStr::new(name, false);
    const ZEND_FETCH_CLASS_NO_AUTOLOAD: u32 = 0x80;
    // SAFETY: a live string; the class table exists.
    unsafe {
        ext_php_rs::ffi::zend_lookup_class_ex(
            &raw mut *name,
            std::ptr::null_mut(),
            ZEND_FETCH_CLASS_NO_AUTOLOAD,
        )
        .as_ref()
    }
}

/// Registers `alias` for a class as PHP's `class_alias()` does; nothing if
/// the name is taken.
pub fn class_alias(alias: &str, class: &str) {
    if find_class(alias).is_some() {
        return;
    }
    if let Some(ce) = find_class(class) {
        // SAFETY: a registered class entry and a name that outlives the call.
        unsafe {
            zend_register_class_alias_ex(
                alias.as_ptr().cast(),
                alias.len(),
                std::ptr::from_ref(ce).cast_mut(),
                false,
            );
        }
    }
}

/// RINIT: class aliases go in per request (ext-php-rs registers our classes
/// after the module's own MINIT hook runs, so they cannot go in at MINIT),
/// then the classes Swoole writes in PHP. (The module's one RINIT calls it.)
pub(super) extern "C" fn request_startup(_ty: i32, _module: i32) -> i32 {
    class_alias("Co", "Swoole\\Coroutine");
    class_alias("Co\\Http\\Client", "Swoole\\Coroutine\\Http\\Client");
    class_alias("Co\\Channel", "Swoole\\Coroutine\\Channel");
    class_alias("chan", "Swoole\\Coroutine\\Channel");
    class_alias("Co\\System", "Swoole\\Coroutine\\System");
    class_alias("Co\\Context", "Swoole\\Coroutine\\Context");
    super::library::load();
    class_alias("Co\\WaitGroup", "Swoole\\Coroutine\\WaitGroup");
    class_alias("Co\\Barrier", "Swoole\\Coroutine\\Barrier");
    0
}

/// RSHUTDOWN: the reactor lets go of every PHP value it holds.
extern "C" fn request_shutdown(_ty: i32, _module: i32) -> i32 {
    reactor::request_shutdown();
    super::hooks::request_shutdown();
    0
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<Coroutine>()
        .class::<System>()
        .function(wrap_function!(swoole_coroutine_run))
        .function(wrap_function!(co_run))
        .function(wrap_function!(swoole_go))
        .function(wrap_function!(swoole_coroutine_create))
        .function(wrap_function!(swoole_defer))
        .function(wrap_function!(swoole_coroutine_defer))
        .function(wrap_function!(swoole_coroutine_main))
        .request_shutdown_function(request_shutdown)
}
