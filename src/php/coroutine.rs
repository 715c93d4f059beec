//! Coroutines: `Swoole\Coroutine\run()` (alias `Co\run()`), `go()`,
//! `Swoole\Coroutine::create()/getCid()/sleep()` (class alias `Co`), and
//! [`wait`], the one place where PHP code waits for client I/O.
//!
//! A coroutine is a PHP `Fiber`. `run()` starts its callable as the first
//! coroutine and then schedules: when a coroutine waits for I/O (a client's
//! `upgrade()`, `recv()`, ..., or `Coroutine::sleep()`), the I/O future goes to
//! a tokio `LocalSet` and the fiber suspends; `run()` drives the runtime until
//! some future completes and resumes the fiber that waited for it. `run()`
//! returns once every coroutine has finished. Outside `run()` (or inside a
//! Fiber the script created itself) waiting simply blocks the PHP thread.
//!
//! The runtime is a current-thread tokio runtime, created on first use and
//! kept for the life of the process; the server's engine has its own.
//!
//! Differences from Swoole, by design: `go()` outside `run()` runs the new
//! coroutine (and everything it starts) to completion before returning, as if
//! wrapped in `run()`; an uncaught exception in a coroutine ends `run()` and
//! is thrown from it (Swoole ends the process).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::rc::{Rc, Weak};
use std::sync::OnceLock;
use std::time::Duration;

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::convert::{IntoZval, IntoZvalDyn};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendObject, Zval};
use ext_php_rs::zend::{ClassEntry, ExecutorGlobals};
use tokio::runtime::Runtime;
use tokio::sync::Notify;
use tokio::task::LocalSet;

use super::args::Float;
use super::errors::warn;

/// The runtime every client operation runs on.
pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("swoole-rs-client")
            .build()
            .expect("cannot create the client runtime")
    })
}

/// Coroutines of the running `run()`.
struct Scheduler {
    local: LocalSet,
    /// Coroutines whose I/O finished, in order.
    ready: Rc<RefCell<VecDeque<u64>>>,
    wake: Rc<Notify>,
    /// Fiber objects of live coroutines.
    fibers: RefCell<HashMap<u64, Zval>>,
    /// I/O futures not finished yet.
    pending: Rc<Cell<usize>>,
    /// The coroutine running now; 0 outside every coroutine.
    current: Cell<u64>,
    next_id: Cell<u64>,
}

thread_local! {
    static SCHED: RefCell<Option<Rc<Scheduler>>> = const { RefCell::new(None) };
}

fn scheduler() -> Option<Rc<Scheduler>> {
    SCHED.with(|s| s.borrow().clone())
}

fn exception_pending() -> bool {
    !ExecutorGlobals::get().exception.is_null()
}

/// Calls a static method of `Fiber` (`suspend`, `getCurrent`).
fn fiber_static(method: &str) -> Option<Zval> {
    let f = ZendCallable::try_from_name(&format!("Fiber::{method}")).ok()?;
    f.try_call(vec![]).ok()
}

fn fiber_object_id(z: &Zval) -> Option<u32> {
    z.object().map(ZendObject::get_id)
}

/// Waits for `fut` the way the caller's context allows: inside a coroutine
/// of `run()` the coroutine suspends and others run meanwhile; anywhere else
/// the PHP thread blocks on the runtime. `None` when the coroutine was
/// destroyed while it waited (an exception is then pending: return at once).
pub fn wait<F>(fut: F) -> Option<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    if let Some(s) = scheduler() {
        let cid = s.current.get();
        if cid != 0 && in_own_fiber(&s, cid) {
            return wait_in_coroutine(s, cid, fut);
        }
    }
    Some(runtime().block_on(fut))
}

/// Whether the running Fiber is the coroutine's own (not one the script
/// created inside it, which we must not suspend).
fn in_own_fiber(s: &Scheduler, cid: u64) -> bool {
    let own = s.fibers.borrow().get(&cid).and_then(fiber_object_id);
    let running = fiber_static("getCurrent")
        .as_ref()
        .and_then(fiber_object_id);
    own.is_some() && own == running
}

fn wait_in_coroutine<F>(s: Rc<Scheduler>, cid: u64, fut: F) -> Option<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let slot: Rc<RefCell<Option<F::Output>>> = Rc::new(RefCell::new(None));
    let (slot2, ready, wake) = (slot.clone(), s.ready.clone(), s.wake.clone());
    let pending = Pending::new(&s.pending);
    let task = s.local.spawn_local(async move {
        let _pending = pending;
        let out = fut.await;
        *slot2.borrow_mut() = Some(out);
        ready.borrow_mut().push_back(cid);
        wake.notify_one();
    });
    // Nothing of the scheduler is held while other coroutines run.
    let weak: Weak<Scheduler> = Rc::downgrade(&s);
    drop(s);
    loop {
        fiber_static("suspend");
        if exception_pending() {
            // Destroyed while suspended (or the scheduler was torn down).
            task.abort();
            return None;
        }
        if let Some(out) = slot.borrow_mut().take() {
            return Some(out);
        }
        if weak.upgrade().is_none() {
            task.abort();
            return None;
        }
        // Resumed by someone else than the scheduler: wait on.
    }
}

/// Counts an I/O future as pending while it lives.
struct Pending(Rc<Cell<usize>>);

impl Pending {
    fn new(count: &Rc<Cell<usize>>) -> Self {
        count.set(count.get() + 1);
        Pending(count.clone())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// How a scheduler run ended.
enum End {
    Done,
    /// An exception (or exit()) is pending: stop and let it propagate.
    Exception,
}

/// Starts `func(...args)` as a coroutine of `s`; returns its id. It runs
/// until it first waits (or finishes), like Swoole's `go()`.
fn spawn(s: &Rc<Scheduler>, func: &Zval, args: &[&Zval]) -> Result<u64, End> {
    let Some(ce) = ClassEntry::try_find("Fiber") else {
        warn("Fiber is not available");
        return Err(End::Exception);
    };
    let Ok(fiber) = ce.new().into_zval(false) else {
        return Err(End::Exception);
    };
    let _ = fiber.try_call_method("__construct", vec![func]);
    if exception_pending() {
        return Err(End::Exception);
    }
    let cid = s.next_id.get();
    s.next_id.set(cid + 1);
    s.fibers.borrow_mut().insert(cid, fiber.shallow_clone());
    let prev = s.current.replace(cid);
    let params: Vec<&dyn IntoZvalDyn> = args.iter().map(|a| *a as &dyn IntoZvalDyn).collect();
    let _ = fiber.try_call_method("start", params);
    s.current.set(prev);
    finish_if_done(s, cid, &fiber);
    if exception_pending() {
        return Err(End::Exception);
    }
    Ok(cid)
}

fn finish_if_done(s: &Scheduler, cid: u64, fiber: &Zval) {
    let done = exception_pending()
        || fiber
            .try_call_method("isTerminated", vec![])
            .ok()
            .is_some_and(|z| z.is_true());
    if done {
        let gone = s.fibers.borrow_mut().remove(&cid);
        drop(gone);
    }
}

/// Runs coroutines until every one has finished.
fn schedule(s: &Rc<Scheduler>) -> End {
    loop {
        loop {
            let next = s.ready.borrow_mut().pop_front();
            let Some(cid) = next else { break };
            let fiber = s.fibers.borrow().get(&cid).map(Zval::shallow_clone);
            let Some(fiber) = fiber else { continue };
            let prev = s.current.replace(cid);
            let _ = fiber.try_call_method("resume", vec![]);
            s.current.set(prev);
            finish_if_done(s, cid, &fiber);
            if exception_pending() {
                return End::Exception;
            }
        }
        if s.fibers.borrow().is_empty() {
            return End::Done;
        }
        if s.pending.get() == 0 && s.ready.borrow().is_empty() {
            // Suspended by something else than a wait (Fiber::suspend() in
            // user code): nothing will ever resume them.
            warn("all coroutines are suspended and none waits for I/O: deadlock");
            return End::Done;
        }
        let wake = s.wake.clone();
        runtime().block_on(s.local.run_until(async move { wake.notified().await }));
    }
}

/// Runs `func(...args)` and every coroutine it starts to completion, with a
/// new scheduler. `Err` when one is running already.
fn run_scheduler(func: &Zval, args: &[&Zval]) -> Result<(u64, End), ()> {
    if scheduler().is_some() {
        return Err(());
    }
    let s = Rc::new(Scheduler {
        local: LocalSet::new(),
        ready: Rc::default(),
        wake: Rc::new(Notify::new()),
        fibers: RefCell::default(),
        pending: Rc::default(),
        current: Cell::new(0),
        next_id: Cell::new(1),
    });
    SCHED.with(|slot| *slot.borrow_mut() = Some(s.clone()));
    let outcome = match spawn(&s, func, args) {
        Ok(cid) => (cid, schedule(&s)),
        Err(e) => (0, e),
    };
    // Tear down outside every borrow: destroying a suspended Fiber runs PHP
    // code in it, which may come back here (and finds no scheduler).
    SCHED.with(|slot| slot.borrow_mut().take());
    let fibers = std::mem::take(&mut *s.fibers.borrow_mut());
    drop(s);
    drop(fibers);
    Ok(outcome)
}

fn check_callable(func: &Zval) -> bool {
    if func.is_callable() {
        return true;
    }
    let _ = ext_php_rs::exception::PhpException::new(
        "Argument #1 ($func) must be a valid callback".into(),
        0,
        ext_php_rs::zend::ce::type_error(),
    )
    .throw();
    false
}

/// `Swoole\Coroutine\run(callable $fn, ...$args): bool`.
fn run_impl(func: &Zval, args: &[&Zval]) -> bool {
    if !check_callable(func) {
        return false;
    }
    match run_scheduler(func, args) {
        Ok((_, End::Done)) => true,
        Ok((_, End::Exception)) => false,
        Err(()) => {
            warn(
                "eventLoop has already been created, unable to start Swoole\\Coroutine\\Scheduler",
            );
            false
        }
    }
}

/// `go(callable $fn, ...$args): int|false` and `Swoole\Coroutine::create()`.
fn go_impl(func: &Zval, args: &[&Zval]) -> Zval {
    let mut ret = Zval::new();
    if !check_callable(func) {
        ret.set_bool(false);
        return ret;
    }
    match scheduler() {
        Some(s) => match spawn(&s, func, args) {
            Ok(cid) => ret.set_long(cid as i64),
            Err(_) => ret.set_bool(false),
        },
        None => match run_scheduler(func, args) {
            Ok((cid, End::Done)) => ret.set_long(cid as i64),
            _ => ret.set_bool(false),
        },
    }
    ret
}

/// The running coroutine's id, or -1 outside coroutines.
fn current_cid() -> i64 {
    match scheduler() {
        Some(s) if s.current.get() != 0 => s.current.get() as i64,
        _ => -1,
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

/// `Swoole\Coroutine` (alias `Co`): the static helpers that go with `run()`.
#[php_class]
#[php(name = "Swoole\\Coroutine")]
#[derive(Default)]
pub struct Coroutine;

#[php_impl]
impl Coroutine {
    pub fn create(func: &Zval, args: &[&Zval]) -> Zval {
        go_impl(func, args)
    }

    #[php(name = "getCid")]
    pub fn get_cid() -> i64 {
        current_cid()
    }

    #[php(name = "getuid")]
    pub fn getuid() -> i64 {
        current_cid()
    }

    /// Sleeps without blocking other coroutines.
    pub fn sleep(seconds: Float) -> bool {
        let seconds = seconds.0;
        if !(seconds.is_finite() && seconds >= 0.0) {
            warn("Timer must be greater than or equal to 0");
            return false;
        }
        let d = Duration::from_secs_f64(seconds);
        wait(async move { tokio::time::sleep(d).await }).is_some()
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
/// after the module's own MINIT hook runs, so they cannot go in at MINIT).
pub(super) extern "C" fn request_startup(_ty: i32, _module: i32) -> i32 {
    class_alias("Co", "Swoole\\Coroutine");
    class_alias("Co\\Http\\Client", "Swoole\\Coroutine\\Http\\Client");
    0
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<Coroutine>()
        .function(wrap_function!(swoole_coroutine_run))
        .function(wrap_function!(co_run))
        .function(wrap_function!(swoole_go))
}
