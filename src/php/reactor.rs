//! The PHP thread's reactor: coroutines (PHP Fibers), timers, deferred
//! callables and the I/O futures coroutines wait for, plus the loop that runs
//! them when no server does.
//!
//! One reactor per thread, alive for the whole request. Three loops drive it:
//! the server's (`wait_events` + `run_due` around its event batches),
//! `Co\run()` and `Swoole\Event::wait()` (also run at the end of a plain
//! script, as Swoole does), which run until nothing is left in it.
//!
//! A coroutine is a Fiber whose function is [`coroutine_main`]: it calls the
//! user's callable, runs its `Co::defer` callables and reports an uncaught
//! exception (the main coroutine of `Co\run()` instead lets it out of
//! `run()`). A coroutine waits by [`suspend`]ing; whoever ends the wait calls
//! [`wake`] with the [`Waiter`] token, which puts it on the ready queue.
//!
//! Borrow rule: no `RefCell` of the reactor is held while PHP code runs.

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{zend_function, zend_object};
use ext_php_rs::types::{ZendObject, Zval};
use ext_php_rs::zend::{try_catch, ClassEntry, ExecutorGlobals};
use swoole_rs_engine::bridge::{Event, EventQueue};
use tokio::runtime::Runtime;
use tokio::sync::Notify;
use tokio::task::LocalSet;

use super::callbacks::{self, Callback, Outcome};
use super::errors::handle_pending_exception;
use super::values::long_zval;

extern "C" {
    fn zend_is_unwind_exit(ex: *const zend_object) -> bool;
    fn zend_is_graceful_exit(ex: *const zend_object) -> bool;
}

/// The current-thread runtime every coroutine I/O future runs on.
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

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    Woken,
    TimedOut,
    Cancelled,
    /// The coroutine is being destroyed (an exception is pending): return at once.
    Destroyed,
}

/// Identifies one wait of one coroutine; a stale token wakes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Waiter {
    pub cid: u64,
    seq: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Ready,
    /// Waiting; `yielded` when by `Co::yield()` (only `Co::resume()` wakes it).
    Suspended {
        seq: u64,
        yielded: bool,
    },
}

/// What to do with a coroutine's uncaught exception.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Report it as PHP reports an uncaught exception; everything goes on.
    Report,
    /// Leave it pending: it ends the loop and comes out of `Co\run()`.
    Propagate,
}

pub type Done = Box<dyn FnOnce(&Outcome)>;

struct Entry {
    cb: Rc<Callback>,
    args: Vec<Zval>,
    policy: Policy,
    on_done: Option<Done>,
}

struct Coro {
    fiber: Zval,
    entry: Option<Entry>,
    pcid: i64,
    state: State,
    seq: u64,
    wake: Wake,
    finished: bool,
    /// Waits of `Co::join()` on this coroutine, woken when it ends.
    joiners: Vec<Waiter>,
    context: Option<Zval>,
    defers: Vec<Zval>,
    started: Instant,
    cancelled: bool,
}

/// A timer's heap key: a user timer (id) or the timeout of a coroutine's wait.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    User(u64),
    Wait(Waiter),
}

pub struct UserTimer {
    pub deadline: Instant,
    pub interval: Option<Duration>,
    pub cb: Rc<Callback>,
    pub args: Vec<Zval>,
    pub exec_count: u64,
    pub round: u64,
}

/// Which loop is running the reactor.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Server,
    Run,
    Wait,
}

pub struct Reactor {
    coros: RefCell<BTreeMap<u64, Coro>>,
    ready: RefCell<VecDeque<u64>>,
    current: Cell<u64>,
    next_cid: Cell<u64>,
    peak: Cell<usize>,
    timers: RefCell<HashMap<u64, UserTimer>>,
    waits: RefCell<HashMap<Waiter, Instant>>,
    heap: RefCell<BinaryHeap<Reverse<(Instant, Key)>>>,
    next_timer: Cell<u64>,
    pub round: Cell<u64>,
    defers: RefCell<Vec<Zval>>,
    cycle: RefCell<Option<(Rc<Callback>, bool)>>,
    local: LocalSet,
    io_pending: Rc<Cell<usize>>,
    io_wake: Rc<Notify>,
    queue_notify: Arc<Notify>,
    running: Cell<Option<Kind>>,
    exit_requested: Cell<bool>,
    dead: Cell<bool>,
    shutdown_hook: Cell<bool>,
    /// Server and timer callbacks run in coroutines (`enable_coroutine`).
    callback_coroutines: Cell<bool>,
    /// Parked Fibers for reuse, and the id a resumed one runs next.
    pool: RefCell<Vec<Zval>>,
    handoff: Cell<u64>,
    /// Fds watched by `Swoole\Event::add()`.
    watchers: RefCell<super::event::Watchers>,
}

thread_local! {
    static REACTOR: Rc<Reactor> = Rc::new(Reactor::new());
}

pub fn get() -> Rc<Reactor> {
    REACTOR.with(Rc::clone)
}

impl Reactor {
    fn new() -> Reactor {
        Reactor {
            coros: RefCell::default(),
            ready: RefCell::default(),
            current: Cell::new(0),
            next_cid: Cell::new(1),
            peak: Cell::new(0),
            timers: RefCell::default(),
            waits: RefCell::default(),
            heap: RefCell::default(),
            next_timer: Cell::new(1),
            round: Cell::new(0),
            defers: RefCell::default(),
            cycle: RefCell::new(None),
            local: LocalSet::new(),
            io_pending: Rc::default(),
            io_wake: Rc::new(Notify::new()),
            queue_notify: Arc::new(Notify::new()),
            running: Cell::new(None),
            exit_requested: Cell::new(false),
            dead: Cell::new(false),
            shutdown_hook: Cell::new(false),
            callback_coroutines: Cell::new(true),
            pool: RefCell::default(),
            handoff: Cell::new(0),
            watchers: RefCell::default(),
        }
    }

    pub fn watchers(&self) -> &RefCell<super::event::Watchers> {
        &self.watchers
    }

    pub fn local(&self) -> &LocalSet {
        &self.local
    }

    pub fn io_wake(&self) -> Rc<Notify> {
        self.io_wake.clone()
    }
}

fn exception_pending() -> bool {
    !ExecutorGlobals::get().exception.is_null()
}

fn pending_is(check: unsafe extern "C" fn(*const zend_object) -> bool) -> bool {
    let ex = ExecutorGlobals::get().exception;
    // SAFETY: `ex` is the live pending exception when not null.
    !ex.is_null() && unsafe { check(ex) }
}

// ---------------------------------------------------------------------------
// Fibers

fn fiber_class() -> Option<&'static ClassEntry> {
    ClassEntry::try_find("Fiber")
}

thread_local! {
    /// `Fiber::start`, `resume`, `suspend`, looked up once.
    static FIBER_FNS: Cell<[*mut zend_function; 3]> = const { Cell::new([std::ptr::null_mut(); 3]) };
}

const START: usize = 0;
const RESUME: usize = 1;
const SUSPEND: usize = 2;

fn fiber_fn(which: usize) -> *mut zend_function {
    FIBER_FNS.with(|c| {
        let mut fns = c.get();
        if fns[which].is_null() {
            let Some(ce) = fiber_class() else {
                return std::ptr::null_mut();
            };
            for (i, name) in [c"start", c"resume", c"suspend"].iter().enumerate() {
                // SAFETY: the class's live function table; names are lower case.
                fns[i] = unsafe {
                    ext_php_rs::ffi::zend_hash_str_find_ptr_lc(
                        &raw const ce.function_table,
                        name.as_ptr(),
                        name.to_bytes().len(),
                    )
                }
                .cast();
            }
            c.set(fns);
        }
        fns[which]
    })
}

/// Calls a Fiber method by its cached handler: `obj` null for the static
/// `suspend`. The result is dropped; an exception stays pending.
fn fiber_call(which: usize, obj: Option<&Zval>, args: &mut [Zval]) {
    let f = fiber_fn(which);
    let Some(ce) = fiber_class() else { return };
    if f.is_null() {
        return;
    }
    let this = obj
        .and_then(Zval::object)
        .map_or(std::ptr::null_mut(), |o| std::ptr::from_ref(o).cast_mut());
    let mut ret = Zval::new();
    // SAFETY: a method of Fiber called on a Fiber object (or statically for
    // suspend) with owned argument zvals the engine copies.
    unsafe {
        ext_php_rs::ffi::zend_call_known_function(
            f,
            this,
            std::ptr::from_ref(ce).cast_mut(),
            &mut ret,
            args.len() as u32,
            args.as_mut_ptr(),
            std::ptr::null_mut(),
        );
    }
}

/// `Fiber::suspend()`.
fn fiber_suspend() {
    fiber_call(SUSPEND, None, &mut []);
}

/// The zend_object of the running Fiber, null outside fibers.
fn active_fiber() -> *const zend_object {
    ExecutorGlobals::get()
        .active_fiber
        .cast::<zend_object>()
        .cast_const()
}

fn object_ptr(z: &Zval) -> *const zend_object {
    z.object()
        .map_or(std::ptr::null(), |o| std::ptr::from_ref(o).cast())
}

// ---------------------------------------------------------------------------
// Coroutines

/// The running coroutine's id; 0 outside coroutines.
pub fn current() -> u64 {
    get().current.get()
}

/// The running coroutine, if the running Fiber is its own (not one the
/// script created inside it, which we must not suspend).
pub fn current_own() -> Option<u64> {
    let r = get();
    let cid = r.current.get();
    if cid == 0 {
        return None;
    }
    let own = r.coros.borrow().get(&cid).map(|c| object_ptr(&c.fiber))?;
    (own == active_fiber()).then_some(cid)
}

pub fn exists(cid: u64) -> bool {
    get().coros.borrow().contains_key(&cid)
}

pub fn count() -> usize {
    get().coros.borrow().len()
}

pub fn peak() -> usize {
    get().peak.get()
}

pub fn last_cid() -> u64 {
    get().next_cid.get() - 1
}

pub fn list() -> Vec<u64> {
    get().coros.borrow().keys().copied().collect()
}

pub fn parent(cid: u64) -> Option<i64> {
    get().coros.borrow().get(&cid).map(|c| c.pcid)
}

pub fn elapsed_ms(cid: u64) -> Option<i64> {
    get()
        .coros
        .borrow()
        .get(&cid)
        .map(|c| c.started.elapsed().as_millis() as i64)
}

/// The Fiber object of a coroutine (for backtraces).
pub fn fiber_of(cid: u64) -> Option<Zval> {
    get()
        .coros
        .borrow()
        .get(&cid)
        .map(|c| c.fiber.shallow_clone())
}

/// `Co::getContext()`: made on first use, gone with the coroutine.
pub fn context(cid: u64, make: impl FnOnce() -> Option<Zval>) -> Option<Zval> {
    let r = get();
    if let Some(c) = r.coros.borrow().get(&cid) {
        if let Some(ctx) = &c.context {
            return Some(ctx.shallow_clone());
        }
    } else {
        return None;
    }
    let ctx = make()?;
    if let Some(c) = r.coros.borrow_mut().get_mut(&cid) {
        c.context = Some(ctx.shallow_clone());
    }
    Some(ctx)
}

/// `Co::defer()`: false outside coroutines.
pub fn push_defer(cb: &Zval) -> bool {
    let r = get();
    let cid = r.current.get();
    let mut coros = r.coros.borrow_mut();
    let pushed = match coros.get_mut(&cid) {
        Some(c) => {
            c.defers.push(cb.shallow_clone());
            true
        }
        None => false,
    };
    pushed
}

pub fn set_callback_coroutines(on: bool) {
    get().callback_coroutines.set(on);
}

pub fn callback_coroutines() -> bool {
    get().callback_coroutines.get()
}

/// How the first leg of a coroutine (or a resumption) ended.
pub enum Leg {
    /// It suspended or finished normally.
    Ok,
    /// `exit()`: its exception is pending.
    Exit,
    /// A fatal error unwound the engine.
    Bailout,
    /// The main coroutine of `Co\run()` threw: the exception is pending.
    Threw,
}

impl Leg {
    pub fn into_outcome(self) -> Outcome {
        match self {
            Leg::Ok | Leg::Threw => Outcome::Returned(Zval::new()),
            Leg::Exit => Outcome::Exit,
            Leg::Bailout => Outcome::Bailout,
        }
    }
}

/// Starts `cb(...args)` as a new coroutine, run until it first waits or
/// finishes (as Swoole's `go()`). `on_done` runs inside the coroutine when
/// the callable has returned. `Err` only when Fiber is missing.
pub fn spawn(
    cb: Rc<Callback>,
    args: Vec<Zval>,
    policy: Policy,
    on_done: Option<Done>,
) -> Result<(u64, Leg), ()> {
    let r = get();
    let pooled = r.pool.borrow_mut().pop();
    let (fiber, fresh) = match pooled {
        Some(f) => (f, false),
        None => (new_fiber()?, true),
    };
    let cid = r.next_cid.get();
    r.next_cid.set(cid + 1);
    let pcid = match r.current.get() {
        0 => -1,
        p => p as i64,
    };
    r.coros.borrow_mut().insert(
        cid,
        Coro {
            fiber: fiber.shallow_clone(),
            entry: Some(Entry {
                cb,
                args,
                policy,
                on_done,
            }),
            pcid,
            state: State::Running,
            seq: 0,
            wake: Wake::Woken,
            finished: false,
            joiners: Vec::new(),
            context: None,
            defers: Vec::new(),
            started: Instant::now(),
            cancelled: false,
        },
    );
    let n = r.coros.borrow().len();
    if n > r.peak.get() {
        r.peak.set(n);
    }
    if !fresh {
        r.handoff.set(cid);
    }
    let leg = enter(&r, cid, &fiber, fresh);
    Ok((cid, leg))
}

/// A new Fiber running `Swoole\Coroutine\__main`.
fn new_fiber() -> Result<Zval, ()> {
    let Some(ce) = fiber_class() else {
        super::errors::warn("Fiber is not available");
        return Err(());
    };
    let fiber = ext_php_rs::convert::IntoZval::into_zval(ce.new(), false).map_err(|_| ())?;
    let main = Zval::try_from("Swoole\\Coroutine\\__main").map_err(|_| ())?;
    let _ = fiber.try_call_method("__construct", vec![&main]);
    if exception_pending() {
        return Err(());
    }
    Ok(fiber)
}

/// Runs one leg of coroutine `cid` (start or resume) in its fiber.
fn enter(r: &Rc<Reactor>, cid: u64, fiber: &Zval, start: bool) -> Leg {
    let prev = r.current.replace(cid);
    if let Some(c) = r.coros.borrow_mut().get_mut(&cid) {
        c.state = State::Running;
    }
    let result = try_catch(AssertUnwindSafe(|| {
        if start {
            fiber_call(START, Some(fiber), &mut [long_zval(cid as i64)]);
        } else {
            fiber_call(RESUME, Some(fiber), &mut []);
        }
    }));
    r.current.set(prev);
    let threw = exception_pending();
    let done = threw
        || result.is_err()
        || r.coros
            .borrow()
            .get(&cid)
            .is_none_or(|c| c.finished || c.state == State::Running);
    if done {
        let gone = r.coros.borrow_mut().remove(&cid);
        if let Some(c) = &gone {
            for w in c.joiners.clone() {
                wake(w, Wake::Woken);
            }
        }
        drop(gone);
    }
    if result.is_err() {
        if prev != 0 {
            // Nested in another coroutine: unwind that one too.
            // SAFETY: re-raises the fatal error PHP is unwinding from.
            unsafe { ext_php_rs::zend::bailout() }
        }
        return Leg::Bailout;
    }
    if pending_is(zend_is_unwind_exit) {
        return Leg::Exit;
    }
    if threw {
        return Leg::Threw;
    }
    Leg::Ok
}

/// The Fiber function of every coroutine: `Swoole\Coroutine\__main($cid)`.
/// After a coroutine ends its Fiber parks in the pool, suspended, and a later
/// coroutine resumes it with its own id ([`Reactor::handoff`]): a new Fiber
/// (an mmap'd stack, several calls) per server callback would cost more than
/// the callback itself.
pub fn coroutine_main(cid: i64) {
    let mut cid = cid as u64;
    loop {
        run_one(cid);
        if exception_pending() {
            return;
        }
        let r = get();
        let own = {
            let mut coros = r.coros.borrow_mut();
            let Some(c) = coros.get_mut(&cid) else { return };
            c.finished = true;
            c.fiber.shallow_clone()
        };
        if r.dead.get() || r.pool.borrow().len() >= POOL_MAX {
            return;
        }
        r.pool.borrow_mut().push(own);
        drop(r);
        fiber_suspend();
        if exception_pending() {
            // Destroyed while parked.
            return;
        }
        cid = get().handoff.get();
    }
}

/// Idle Fibers kept for reuse.
const POOL_MAX: usize = 512;

/// Runs coroutine `cid`'s callable, its defers and its `on_done`.
fn run_one(cid: u64) {
    let r = get();
    let entry = r
        .coros
        .borrow_mut()
        .get_mut(&cid)
        .and_then(|c| c.entry.take());
    let Some(Entry {
        cb,
        args,
        policy,
        on_done,
    }) = entry
    else {
        return;
    };
    let refs: Vec<&Zval> = args.iter().collect();
    let ret = callbacks::invoke_any(&cb, &refs);
    drop(refs);
    drop(args);
    let outcome = if !exception_pending() {
        Outcome::Returned(ret)
    } else if pending_is(zend_is_unwind_exit) {
        Outcome::Exit
    } else if pending_is(zend_is_graceful_exit) || policy == Policy::Propagate {
        Outcome::Threw
    } else {
        handle_pending_exception();
        Outcome::Threw
    };
    if !exception_pending() {
        run_coroutine_defers(&r, cid);
    }
    if let Some(done) = on_done {
        if !exception_pending() {
            done(&outcome);
        }
    }
    if exception_pending() {
        let mut coros = r.coros.borrow_mut();
        if let Some(c) = coros.get_mut(&cid) {
            c.finished = true;
        }
    }
}

fn run_coroutine_defers(r: &Rc<Reactor>, cid: u64) {
    loop {
        let next = r
            .coros
            .borrow_mut()
            .get_mut(&cid)
            .and_then(|c| c.defers.pop());
        let Some(cb) = next else { return };
        let outcome = callbacks::call(&Callback::new(&cb), &[]);
        if matches!(outcome, Outcome::Exit) {
            return;
        }
    }
}

/// Suspends the running coroutine until [`wake`] is called with the token
/// `register` receives (or `timeout` passes). `None` outside our coroutines.
pub fn suspend(
    timeout: Option<Duration>,
    yielded: bool,
    register: impl FnOnce(Waiter),
) -> Option<Wake> {
    let cid = current_own()?;
    let r = get();
    let waiter = {
        let mut coros = r.coros.borrow_mut();
        let c = coros.get_mut(&cid)?;
        c.seq += 1;
        c.state = State::Suspended {
            seq: c.seq,
            yielded,
        };
        c.wake = Wake::Woken;
        Waiter { cid, seq: c.seq }
    };
    if let Some(t) = timeout {
        let at = Instant::now() + t;
        r.waits.borrow_mut().insert(waiter, at);
        r.heap.borrow_mut().push(Reverse((at, Key::Wait(waiter))));
    }
    register(waiter);
    drop(r);
    fiber_suspend();
    let r = get();
    r.waits.borrow_mut().remove(&waiter);
    if exception_pending() {
        return Some(Wake::Destroyed);
    }
    let how = r
        .coros
        .borrow()
        .get(&cid)
        .map_or(Wake::Destroyed, |c| c.wake);
    Some(how)
}

/// Ends a wait: the coroutine runs again on the loop's next round. False when
/// the token is stale (the wait already ended).
pub fn wake(w: Waiter, how: Wake) -> bool {
    let r = get();
    let mut coros = r.coros.borrow_mut();
    let Some(c) = coros.get_mut(&w.cid) else {
        return false;
    };
    match c.state {
        State::Suspended { seq, .. } if seq == w.seq => {
            c.state = State::Ready;
            c.wake = how;
            drop(coros);
            r.ready.borrow_mut().push_back(w.cid);
            true
        }
        _ => false,
    }
}

/// `Co::join()`: waits until every coroutine of `cids` has ended. `None`
/// outside coroutines; `Some(false)` on timeout or cancel.
pub fn join(cids: &[u64], timeout: Option<Duration>) -> Option<bool> {
    current_own()?;
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let Some(&target) = cids.iter().find(|c| exists(**c)) else {
            return Some(true);
        };
        let left = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(l) if !l.is_zero() => Some(l),
                _ => return Some(false),
            },
            None => None,
        };
        let how = suspend(left, false, |w| {
            if let Some(c) = get().coros.borrow_mut().get_mut(&target) {
                c.joiners.push(w);
            }
        })?;
        if how != Wake::Woken {
            return Some(false);
        }
    }
}

/// `Co::cancel()`: ends the coroutine's current wait with `Cancelled`.
pub fn cancel(cid: u64) -> bool {
    let token = {
        let r = get();
        let mut coros = r.coros.borrow_mut();
        match coros.get_mut(&cid) {
            Some(c) => match c.state {
                State::Suspended { seq, .. } => {
                    c.cancelled = true;
                    Some(Waiter { cid, seq })
                }
                _ => None,
            },
            None => None,
        }
    };
    token.is_some_and(|w| wake(w, Wake::Cancelled))
}

pub fn is_cancelled(cid: u64) -> bool {
    get().coros.borrow().get(&cid).is_some_and(|c| c.cancelled)
}

/// `Co::resume()`: a coroutine suspended by `Co::yield()` runs again on the
/// loop's next round (not at once as in Swoole: PHP refuses Fiber switches
/// in some contexts, destructors among them, where Swoole's resume is used).
pub fn resume_yielded(cid: u64) -> bool {
    let token = {
        let r = get();
        let coros = r.coros.borrow();
        match coros.get(&cid).map(|c| c.state) {
            Some(State::Suspended { seq, yielded: true }) => Waiter { cid, seq },
            _ => return false,
        }
    };
    wake(token, Wake::Woken)
}

/// Runs the coroutines that are ready now (not those readied meanwhile).
fn run_ready(r: &Rc<Reactor>) -> Leg {
    let n = r.ready.borrow().len();
    for _ in 0..n {
        let Some(cid) = r.ready.borrow_mut().pop_front() else {
            break;
        };
        let fiber = match r.coros.borrow().get(&cid) {
            Some(c) if c.state == State::Ready => c.fiber.shallow_clone(),
            _ => continue,
        };
        match enter(r, cid, &fiber, false) {
            Leg::Ok => {}
            other => return other,
        }
    }
    Leg::Ok
}

/// Destroys every coroutine (their `finally` blocks run).
pub fn destroy_all() {
    let r = get();
    loop {
        let next = r.coros.borrow().keys().next().copied();
        let Some(cid) = next else { break };
        let gone = r.coros.borrow_mut().remove(&cid);
        // The Fiber's destructor runs PHP code, which may use the reactor.
        drop(gone);
        if exception_pending() {
            handle_pending_exception();
        }
    }
    r.ready.borrow_mut().clear();
    r.waits.borrow_mut().clear();
}

// ---------------------------------------------------------------------------
// Callbacks

/// Calls a server callback: in a coroutine of its own when `enable_coroutine`
/// is on. `on_done` sees how the callable ended, when it ends.
pub fn call_then(cb: &Rc<Callback>, args: &[&Zval], on_done: Option<Done>) -> Outcome {
    if !callback_coroutines() {
        let outcome = callbacks::call(cb, args);
        if let Some(done) = on_done {
            done(&outcome);
        }
        return outcome;
    }
    let args = args.iter().map(|a| a.shallow_clone()).collect();
    match spawn(cb.clone(), args, Policy::Report, on_done) {
        Ok((_, leg)) => leg.into_outcome(),
        Err(()) => Outcome::Threw,
    }
}

pub fn call(cb: &Rc<Callback>, args: &[&Zval]) -> Outcome {
    call_then(cb, args, None)
}

// ---------------------------------------------------------------------------
// Timers

pub fn add_timer(interval: Duration, repeat: bool, cb: Rc<Callback>, args: Vec<Zval>) -> u64 {
    let r = get();
    let id = r.next_timer.get();
    r.next_timer.set(id + 1);
    let deadline = Instant::now() + interval;
    r.timers.borrow_mut().insert(
        id,
        UserTimer {
            deadline,
            interval: repeat.then_some(interval),
            cb,
            args,
            exec_count: 0,
            round: r.round.get(),
        },
    );
    r.heap.borrow_mut().push(Reverse((deadline, Key::User(id))));
    note_work(&r);
    id
}

pub fn clear_timer(id: u64) -> bool {
    let gone = get().timers.borrow_mut().remove(&id);
    gone.is_some()
}

pub fn clear_all_timers() {
    let gone = std::mem::take(&mut *get().timers.borrow_mut());
    drop(gone);
}

pub fn with_timer<T>(id: u64, f: impl FnOnce(&UserTimer) -> T) -> Option<T> {
    get().timers.borrow().get(&id).map(f)
}

pub fn timer_ids() -> Vec<u64> {
    let mut ids: Vec<u64> = get().timers.borrow().keys().copied().collect();
    ids.sort_unstable();
    ids
}

/// The next deadline of a live timer; drops stale heap entries on the way.
fn next_deadline(r: &Reactor) -> Option<Instant> {
    let mut heap = r.heap.borrow_mut();
    while let Some(Reverse((at, key))) = heap.peek().copied() {
        let live = match key {
            Key::User(id) => r.timers.borrow().get(&id).is_some_and(|t| t.deadline == at),
            Key::Wait(w) => r.waits.borrow().contains_key(&w),
        };
        if live {
            return Some(at);
        }
        heap.pop();
    }
    None
}

/// How late a tick may fall behind its plan and still catch up.
const CATCH_UP: Duration = Duration::from_secs(1);

/// Fires every timer due by now.
fn run_timers(r: &Rc<Reactor>) -> Leg {
    let now = Instant::now();
    let mut due: Vec<(u64, bool, Rc<Callback>, Vec<Zval>)> = Vec::new();
    let mut later: Vec<(Instant, u64)> = Vec::new();
    loop {
        let Some(at) = next_deadline(r) else { break };
        if at > now {
            break;
        }
        let Some(Reverse((at, key))) = r.heap.borrow_mut().pop() else {
            break;
        };
        match key {
            Key::Wait(w) => {
                r.waits.borrow_mut().remove(&w);
                wake(w, Wake::TimedOut);
            }
            // A tick catching up fires once per round: the loop sees its
            // other timers, events and Event::exit() in between.
            Key::User(id) if due.iter().any(|d| d.0 == id) => later.push((at, id)),
            Key::User(id) => {
                let mut timers = r.timers.borrow_mut();
                let Some(t) = timers.get_mut(&id) else {
                    continue;
                };
                t.exec_count += 1;
                let mut args: Vec<Zval> = Vec::with_capacity(t.args.len() + 1);
                match t.interval {
                    Some(iv) => {
                        // From the planned time, not from now: no drift. A beat
                        // missed by a short stall (a busy callback, a loaded
                        // machine) still fires, at once; after a stall of more
                        // than a second the missed beats are skipped.
                        let mut next = t.deadline + iv;
                        if next + CATCH_UP <= now {
                            let behind = (now - next).as_nanos() / iv.as_nanos().max(1) + 1;
                            next += iv * behind as u32;
                        }
                        t.deadline = next;
                        r.heap.borrow_mut().push(Reverse((next, Key::User(id))));
                        args.push(long_zval(id as i64));
                        args.extend(t.args.iter().map(Zval::shallow_clone));
                        due.push((id, true, t.cb.clone(), args));
                    }
                    None => {
                        let t = timers.remove(&id).expect("present");
                        args.extend(t.args.iter().map(Zval::shallow_clone));
                        due.push((id, false, t.cb.clone(), args));
                    }
                }
            }
        }
    }
    for (at, id) in later {
        r.heap.borrow_mut().push(Reverse((at, Key::User(id))));
    }
    for (id, repeat, cb, args) in due {
        // A tick cleared by an earlier callback of this round does not fire,
        // nor does anything after Event::exit().
        if repeat && !r.timers.borrow().contains_key(&id) || r.exit_requested.get() {
            continue;
        }
        let leg = if callback_coroutines() {
            match spawn(cb, args, Policy::Report, None) {
                Ok((_, leg)) => leg,
                Err(()) => Leg::Ok,
            }
        } else {
            let refs: Vec<&Zval> = args.iter().collect();
            match callbacks::call(&cb, &refs) {
                Outcome::Exit => Leg::Exit,
                Outcome::Bailout => Leg::Bailout,
                _ => Leg::Ok,
            }
        };
        if !matches!(leg, Leg::Ok) {
            return leg;
        }
    }
    Leg::Ok
}

// ---------------------------------------------------------------------------
// Event::defer / Event::cycle

pub fn defer(cb: &Zval) {
    let r = get();
    r.defers.borrow_mut().push(cb.shallow_clone());
    note_work(&r);
}

pub fn set_cycle(cb: Option<Rc<Callback>>, before: bool) {
    *get().cycle.borrow_mut() = cb.map(|c| (c, before));
}

pub fn has_cycle() -> bool {
    get().cycle.borrow().is_some()
}

fn run_defers(r: &Rc<Reactor>) -> Leg {
    loop {
        let batch = std::mem::take(&mut *r.defers.borrow_mut());
        if batch.is_empty() {
            return Leg::Ok;
        }
        for cb in batch {
            match callbacks::call(&Callback::new(&cb), &[]) {
                Outcome::Exit => return Leg::Exit,
                Outcome::Bailout => return Leg::Bailout,
                _ => {}
            }
        }
    }
}

fn run_fds(_r: &Rc<Reactor>) -> Leg {
    match super::event::dispatch_ready() {
        Outcome::Exit => Leg::Exit,
        Outcome::Bailout => Leg::Bailout,
        _ => Leg::Ok,
    }
}

fn run_cycle(r: &Rc<Reactor>) -> Leg {
    let cb = r.cycle.borrow().as_ref().map(|(c, _)| c.clone());
    match cb.map(|cb| callbacks::call(&cb, &[])) {
        Some(Outcome::Exit) => Leg::Exit,
        Some(Outcome::Bailout) => Leg::Bailout,
        _ => Leg::Ok,
    }
}

// ---------------------------------------------------------------------------
// I/O futures

/// Waits for `fut` the way the caller's context allows: inside one of our
/// coroutines it suspends and others run meanwhile; anywhere else the PHP
/// thread blocks on the runtime. `None` when the coroutine was destroyed while
/// it waited (an exception is then pending: return at once).
pub fn wait<F>(fut: F) -> Option<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    if current_own().is_none() {
        return Some(runtime().block_on(fut));
    }
    let r = get();
    let slot: Rc<RefCell<Option<F::Output>>> = Rc::new(RefCell::new(None));
    let handle = RefCell::new(None);
    let how = suspend(None, false, |w| {
        let (slot, pending, wake_io) =
            (slot.clone(), Pending::new(&r.io_pending), r.io_wake.clone());
        *handle.borrow_mut() = Some(r.local.spawn_local(async move {
            let _pending = pending;
            let out = fut.await;
            *slot.borrow_mut() = Some(out);
            wake(w, Wake::Woken);
            wake_io.notify_one();
        }));
    });
    drop(r);
    let out = slot.borrow_mut().take();
    if out.is_none() || how != Some(Wake::Woken) {
        if let Some(h) = handle.borrow_mut().take() {
            h.abort();
        }
    }
    out
}

/// Counts an I/O future as pending while it lives.
pub struct Pending(Rc<Cell<usize>>);

impl Pending {
    pub fn new(count: &Rc<Cell<usize>>) -> Self {
        count.set(count.get() + 1);
        Pending(count.clone())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

pub fn io_counter() -> Rc<Cell<usize>> {
    get().io_pending.clone()
}

fn io_active(r: &Reactor) -> bool {
    r.io_pending.get() > 0 || !r.watchers.borrow().is_empty()
}

// ---------------------------------------------------------------------------
// Loops

/// Something was added while no loop runs: a plain script runs the loop at
/// its end, as Swoole does (`Swoole\Event::rshutdown`).
fn note_work(r: &Reactor) {
    if r.running.get().is_some() || r.shutdown_hook.get() {
        return;
    }
    r.shutdown_hook.set(true);
    if let Ok(f) = ext_php_rs::types::ZendCallable::try_from_name("register_shutdown_function") {
        let _ = f.try_call(vec![&"Swoole\\Event::rshutdown"]);
    }
}

pub fn note_work_now() {
    note_work(&get());
}

pub fn running() -> Option<Kind> {
    get().running.get()
}

/// Whether the next round has work without waiting.
fn runnable(r: &Reactor) -> bool {
    !r.ready.borrow().is_empty() || !r.defers.borrow().is_empty() || r.watchers.borrow().has_ready()
}

/// Whether the loop still has something to do (besides suspended coroutines).
fn has_work(r: &Reactor) -> bool {
    !r.ready.borrow().is_empty()
        || !r.defers.borrow().is_empty()
        || next_deadline(r).is_some()
        || io_active(r)
}

/// One round: ready coroutines, due timers, defers, the cycle callback.
fn round(r: &Rc<Reactor>) -> Leg {
    r.round.set(r.round.get() + 1);
    for step in [run_ready, run_timers, run_fds, run_defers] {
        match step(r) {
            Leg::Ok => {}
            other => return other,
        }
    }
    if r.cycle.borrow().is_some() {
        return run_cycle(r);
    }
    Leg::Ok
}

/// After each batch of server events: the reactor's round.
pub fn run_due() -> Outcome {
    let r = get();
    round(&r).into_outcome()
}

/// Where the server's loop waits: until events arrive, a timer is due or a
/// coroutine is ready. `inline_io`: the server's own connections run on this
/// thread's runtime (SWOOLE_BASE), so waiting always drives it.
pub fn wait_events(queue: &EventQueue, batch: &mut VecDeque<Event>, inline_io: bool) {
    let r = get();
    r.running.set(Some(Kind::Server));
    queue.set_notify(r.queue_notify.clone());
    let timeout = if runnable(&r) {
        Some(Duration::ZERO)
    } else {
        next_deadline(&r).map(|d| d.saturating_duration_since(Instant::now()))
    };
    if !inline_io && !io_active(&r) {
        queue.drain_into(batch, timeout);
        return;
    }
    if !queue.drain_into(batch, Some(Duration::ZERO)) {
        let notify = r.queue_notify.clone();
        idle_io(&r, timeout, Some(notify));
        queue.drain_into(batch, Some(Duration::ZERO));
    } else {
        idle_io(&r, Some(Duration::ZERO), None);
    }
}

/// The server's loop starts: from here on its loop runs the reactor
/// (`Co\run()` and `Event::wait()` inside callbacks refuse to start one).
pub fn server_started() {
    get().running.set(Some(Kind::Server));
}

/// The server's loop has ended: its timers and coroutines end with it
/// (coroutines are destroyed, running their `finally` blocks, only after a
/// clean stop; after exit() or a fatal error PHP's shutdown frees them).
pub fn server_stopped(clean: bool) {
    get().running.set(None);
    if clean {
        clear_all_timers();
        super::event::clear_all();
        destroy_all();
    } else {
        abandon();
    }
}

/// exit() or a fatal error: nothing of the reactor runs any more.
fn abandon() {
    let r = get();
    r.dead.set(true);
    clear_all_timers();
    super::event::clear_all();
    let defers = std::mem::take(&mut *r.defers.borrow_mut());
    drop(defers);
    let cycle = r.cycle.borrow_mut().take();
    drop(cycle);
}

/// Whether exit() or a fatal error ended a loop (no loop runs again).
pub fn is_dead() -> bool {
    get().dead.get()
}

/// Drives the I/O futures until one completes, `timeout` passes or `also`
/// is notified.
fn idle_io(r: &Reactor, timeout: Option<Duration>, also: Option<Arc<Notify>>) {
    let wake = r.io_wake.clone();
    runtime().block_on(r.local.run_until(async move {
        let sleep = async {
            match timeout {
                Some(t) if t.is_zero() => tokio::task::yield_now().await,
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let other = async {
            match also {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = sleep => {}
            _ = other => {}
        }
    }));
}

/// How a standalone loop ended.
pub enum LoopEnd {
    Done,
    Exit,
    Bailout,
    /// The main coroutine of `Co\run()` threw; the exception is pending.
    Threw,
}

/// A standalone loop starts (before its first coroutine runs).
pub fn begin(kind: Kind) {
    get().running.set(Some(kind));
}

/// Runs the reactor until nothing is left in it (or `Swoole\Event::exit()`).
/// `first` is how the loop's first coroutine started. Coroutines left
/// waiting for nothing get Swoole's deadlock report.
pub fn run_loop(kind: Kind, first: Leg) -> LoopEnd {
    let r = get();
    r.running.set(Some(kind));
    r.exit_requested.set(false);
    let mut leg = first;
    let end = loop {
        match leg {
            Leg::Ok => {}
            Leg::Exit => break LoopEnd::Exit,
            Leg::Bailout => break LoopEnd::Bailout,
            Leg::Threw => break LoopEnd::Threw,
        }
        if r.exit_requested.get() || !has_work(&r) {
            break LoopEnd::Done;
        }
        if !runnable(&r) {
            let deadline = next_deadline(&r);
            let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if io_active(&r) {
                idle_io(&r, timeout, None);
            } else if let Some(t) = timeout {
                std::thread::sleep(t);
            }
        }
        leg = round(&r);
    };
    r.running.set(None);
    r.exit_requested.set(false);
    match end {
        LoopEnd::Bailout | LoopEnd::Exit => abandon(),
        LoopEnd::Done => {
            if count() > 0 && !exception_pending() {
                report_deadlock();
                destroy_all();
            }
        }
        LoopEnd::Threw => {
            // Take the exception out while the others are destroyed.
            let ex = ExecutorGlobals::take_exception();
            destroy_all();
            if let Some(ex) = ex {
                rethrow(ex);
            }
        }
    }
    end
}

fn rethrow(ex: ZBox<ZendObject>) {
    let raw = ex.into_raw();
    let mut z = Zval::new();
    // SAFETY: `raw` is live; set_object adds a reference, the one the box
    // held is dropped, and zend_throw_exception_object takes the zval's.
    unsafe {
        z.set_object(&mut *raw);
        (*raw).gc.refcount -= 1;
        ext_php_rs::ffi::zend_throw_exception_object(&mut z);
    }
    std::mem::forget(z);
}

/// `Swoole\Event::exit()`: the running loop stops after this round.
pub fn request_exit() {
    get().exit_requested.set(true);
}

/// Swoole's deadlock report for coroutines nobody will ever wake.
fn report_deadlock() {
    let ids = list();
    let mut out = format!(
        "\n===================================================================\n [FATAL ERROR]: all coroutines (count: {}) are asleep - deadlock!\n===================================================================\n",
        ids.len()
    );
    for cid in ids {
        out.push_str(&format!(
            "\n [Coroutine-{cid}]\n--------------------------------------------------------------------\n{}\n",
            super::coroutine::backtrace_string(cid)
        ));
    }
    ext_php_rs::php_print!("{}", out);
}

/// RSHUTDOWN: drop every PHP value the reactor holds while PHP can still free them.
pub fn request_shutdown() {
    let r = get();
    r.running.set(None);
    destroy_all();
    clear_all_timers();
    super::event::clear_all();
    r.defers.borrow_mut().clear();
    r.cycle.borrow_mut().take();
    r.heap.borrow_mut().clear();
    let pool = std::mem::take(&mut *r.pool.borrow_mut());
    drop(pool);
    r.shutdown_hook.set(false);
    r.dead.set(false);
}
