//! `Swoole\Event` (and the `swoole_event_*` functions): the reactor's loop
//! from PHP (`wait`, `exit`, `defer`, `cycle`, `dispatch`) and watched file
//! descriptors (`add/set/del/isset/write`) with read/write callbacks.
//!
//! A watched fd is a tokio `AsyncFd` task on the reactor's `LocalSet`: when
//! the fd becomes ready it queues the fd and wakes the loop, which calls the
//! callback with the stream. After each callback a zero-timeout poll(2)
//! queues the fd again if it is still ready, so callbacks see level-triggered
//! readiness as in Swoole.

use std::collections::{HashMap, VecDeque};
use std::os::fd::RawFd;
use std::os::raw::{c_char, c_int, c_void};
use std::rc::Rc;

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::task::JoinHandle;

use super::args::{Bool, Int};
use super::callbacks::{self, Callback, Outcome};
use super::errors::warn;
use super::reactor::{self, Kind, LoopEnd};

pub const EVENT_READ: i64 = 512;
pub const EVENT_WRITE: i64 = 1024;

extern "C" {
    fn php_file_le_stream() -> c_int;
    fn php_file_le_pstream() -> c_int;
    fn zend_fetch_resource2_ex(
        res: *mut ext_php_rs::ffi::zval,
        name: *const c_char,
        t1: c_int,
        t2: c_int,
    ) -> *mut c_void;
    fn _php_stream_cast(
        stream: *mut c_void,
        castas: c_int,
        ret: *mut *mut c_void,
        show_err: c_int,
    ) -> c_int;
}

const PHP_STREAM_AS_FD_FOR_SELECT: c_int = 3;
const PHP_STREAM_CAST_INTERNAL: c_int = 0x2000_0000;

struct Watch {
    /// The stream or socket as given: passed to the callbacks, kept alive.
    sock: Zval,
    read: Option<Rc<Callback>>,
    write: Option<Rc<Callback>>,
    events: i64,
    task: JoinHandle<()>,
    queued: i64,
}

/// The watched fds and the readiness the loop has still to deliver.
#[derive(Default)]
pub struct Watchers {
    map: HashMap<RawFd, Watch>,
    ready: VecDeque<(RawFd, i64)>,
}

impl Watchers {
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }
}

/// The fd behind a stream resource, a socket, or an int.
fn fd_of(sock: &Zval) -> Option<RawFd> {
    if let Some(n) = sock.long() {
        return (n >= 0).then_some(n as RawFd);
    }
    if sock.is_resource() {
        let mut z = sock.shallow_clone();
        // SAFETY: a live resource zval; the type check is done by zend.
        unsafe {
            let stream = zend_fetch_resource2_ex(
                &mut z,
                c"stream".as_ptr(),
                php_file_le_stream(),
                php_file_le_pstream(),
            );
            if stream.is_null() {
                return None;
            }
            let mut fd: c_int = -1;
            let ok = _php_stream_cast(
                stream,
                PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                (&raw mut fd).cast(),
                0,
            );
            return (ok == 0 && fd >= 0).then_some(fd);
        }
    }
    // ext-sockets' Socket object.
    if sock
        .object()
        .is_some_and(|o| o.get_class_name().ok().as_deref() == Some("Socket"))
    {
        let f = ext_php_rs::types::ZendCallable::try_from_name("socket_export_stream").ok()?;
        let stream = f.try_call(vec![sock]).ok()?;
        return fd_of(&stream);
    }
    None
}

/// The watch's own duplicate of the stream's fd: registered with the
/// runtime under its own number, so a new watch on the same stream (set())
/// never collides with the old one, and closed with the watch.
struct Raw(std::os::fd::OwnedFd);

impl std::os::fd::AsRawFd for Raw {
    fn as_raw_fd(&self) -> RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.0)
    }
}

fn interest(events: i64) -> Option<Interest> {
    match (events & EVENT_READ != 0, events & EVENT_WRITE != 0) {
        (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
        (true, false) => Some(Interest::READABLE),
        (false, true) => Some(Interest::WRITABLE),
        (false, false) => None,
    }
}

/// Queues `fd` for the loop (once per kind until delivered).
fn queue(fd: RawFd, kind: i64) {
    let r = reactor::get();
    let mut w = r.watchers().borrow_mut();
    if let Some(watch) = w.map.get_mut(&fd) {
        if watch.queued & kind == 0 && watch.events & kind != 0 {
            watch.queued |= kind;
            w.ready.push_back((fd, kind));
        }
    }
}

fn spawn_watch(fd: RawFd, events: i64) -> Option<JoinHandle<()>> {
    let r = reactor::get();
    let want = interest(events)?;
    let _guard = reactor::runtime().enter();
    // SAFETY: duplicates a live fd; the copy is owned by the watch.
    let dup = unsafe { libc::dup(fd) };
    if dup < 0 {
        return None;
    }
    // SAFETY: `dup` is a fresh fd nothing else owns.
    let own = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(dup) };
    #[allow(deprecated)]
    let afd = AsyncFd::with_interest(Raw(own), want).ok()?;
    let wake = r.io_wake();
    Some(r.local().spawn_local(async move {
        loop {
            let kinds = tokio::select! {
                g = afd.readable(), if events & EVENT_READ != 0 => g.map(|mut g| { g.clear_ready(); EVENT_READ }),
                g = afd.writable(), if events & EVENT_WRITE != 0 => g.map(|mut g| { g.clear_ready(); EVENT_WRITE }),
            };
            let Ok(kind) = kinds else { return };
            queue(fd, kind);
            wake.notify_one();
        }
    }))
}

/// Whether `fd` is ready for `kind` right now (zero-timeout poll).
fn still_ready(fd: RawFd, kind: i64) -> bool {
    let ev = if kind == EVENT_READ {
        libc::POLLIN
    } else {
        libc::POLLOUT
    };
    let mut p = libc::pollfd {
        fd,
        events: ev,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n == 1 && p.revents & (ev | libc::POLLHUP | libc::POLLERR) != 0
}

/// Delivers the readiness queued so far: one callback per entry.
pub fn dispatch_ready() -> Outcome {
    let r = reactor::get();
    let n = r.watchers().borrow().ready.len();
    for _ in 0..n {
        let Some((fd, kind)) = r.watchers().borrow_mut().ready.pop_front() else {
            break;
        };
        let (cb, sock) = {
            let mut w = r.watchers().borrow_mut();
            let Some(watch) = w.map.get_mut(&fd) else {
                continue;
            };
            watch.queued &= !kind;
            let cb = if kind == EVENT_READ {
                watch.read.clone()
            } else {
                watch.write.clone()
            };
            (cb, watch.sock.shallow_clone())
        };
        if let Some(cb) = cb {
            match callbacks::call(&cb, &[&sock]) {
                o @ (Outcome::Exit | Outcome::Bailout) => return o,
                _ => {}
            }
        }
        if still_ready(fd, kind) {
            queue(fd, kind);
        }
    }
    Outcome::Returned(Zval::new())
}

fn check_cb(cb: Option<&Zval>, n: u32, name: &str) -> Result<Option<Rc<Callback>>, ()> {
    match cb {
        None => Ok(None),
        Some(z) if z.is_null() => Ok(None),
        Some(z) if z.is_callable() => Ok(Some(Rc::new(Callback::new(z)))),
        Some(_) => {
            let _ = ext_php_rs::exception::PhpException::new(
                format!("Argument #{n} (${name}) must be a valid callback or null"),
                0,
                ext_php_rs::zend::ce::type_error(),
            )
            .throw();
            Err(())
        }
    }
}

fn add_impl(sock: &Zval, read: Option<&Zval>, write: Option<&Zval>, events: Option<i64>) -> Zval {
    let mut ret = Zval::new();
    ret.set_bool(false);
    let Ok(read) = check_cb(read, 2, "read_callback") else {
        return ret;
    };
    let Ok(write) = check_cb(write, 3, "write_callback") else {
        return ret;
    };
    let events = events.unwrap_or(EVENT_READ);
    let Some(fd) = fd_of(sock) else {
        warn("unknown fd type");
        return ret;
    };
    if events & EVENT_READ != 0 && read.is_none() || events & EVENT_WRITE != 0 && write.is_none() {
        warn(&format!(
            "{} callback is not set",
            if read.is_none() { "read" } else { "write" }
        ));
        return ret;
    }
    let r = reactor::get();
    if r.watchers().borrow().map.contains_key(&fd) {
        warn(&format!(
            "socket#{fd} has already been added to the reactor"
        ));
        return ret;
    }
    let Some(task) = spawn_watch(fd, events) else {
        warn(&format!("failed to add events[fd={fd}] to the reactor"));
        return ret;
    };
    r.watchers().borrow_mut().map.insert(
        fd,
        Watch {
            sock: sock.shallow_clone(),
            read,
            write,
            events,
            task,
            queued: 0,
        },
    );
    reactor::note_work_now();
    ret.set_long(fd as i64);
    ret
}

fn set_impl(sock: &Zval, read: Option<&Zval>, write: Option<&Zval>, events: Option<i64>) -> bool {
    let Some(fd) = fd_of(sock) else {
        warn("unknown fd type");
        return false;
    };
    let r = reactor::get();
    if !r.watchers().borrow().map.contains_key(&fd) {
        warn(&format!("socket#{fd} is not found in the reactor"));
        return false;
    }
    let Ok(read) = check_cb(read, 2, "read_callback") else {
        return false;
    };
    let Ok(write) = check_cb(write, 3, "write_callback") else {
        return false;
    };
    let old_task = {
        let mut w = r.watchers().borrow_mut();
        let watch = w.map.get_mut(&fd).expect("checked");
        if read.is_some() {
            watch.read = read;
        }
        if write.is_some() {
            watch.write = write;
        }
        match events {
            Some(e) if e != 0 => watch.events = e,
            _ => {}
        }
        (watch.events, watch.read.is_some(), watch.write.is_some())
    };
    let (events, has_read, has_write) = old_task;
    if events & EVENT_READ != 0 && !has_read || events & EVENT_WRITE != 0 && !has_write {
        warn(&format!(
            "{} callback is not set",
            if has_read { "write" } else { "read" }
        ));
        return false;
    }
    // The interest changed: a new watch task (the old one is aborted).
    let Some(task) = spawn_watch(fd, events) else {
        return false;
    };
    let mut w = r.watchers().borrow_mut();
    if let Some(watch) = w.map.get_mut(&fd) {
        let old = std::mem::replace(&mut watch.task, task);
        old.abort();
    }
    true
}

fn del_impl(sock: &Zval) -> bool {
    let Some(fd) = fd_of(sock) else {
        warn("unknown fd type");
        return false;
    };
    let r = reactor::get();
    let gone = r.watchers().borrow_mut().map.remove(&fd);
    match gone {
        Some(w) => {
            w.task.abort();
            r.watchers().borrow_mut().ready.retain(|(f, _)| *f != fd);
            drop(w);
            true
        }
        None => {
            warn(&format!("socket#{fd} is not found in the reactor"));
            false
        }
    }
}

fn isset_impl(sock: &Zval, events: Option<i64>) -> bool {
    let events = events.unwrap_or(EVENT_READ | EVENT_WRITE);
    let Some(fd) = fd_of(sock) else {
        return false;
    };
    reactor::get()
        .watchers()
        .borrow()
        .map
        .get(&fd)
        .is_some_and(|w| w.events & events != 0)
}

/// Drops every watch (RSHUTDOWN, server end).
pub fn clear_all() {
    let r = reactor::get();
    let map = std::mem::take(&mut r.watchers().borrow_mut().map);
    r.watchers().borrow_mut().ready.clear();
    for (_, w) in map {
        w.task.abort();
        drop(w);
    }
}

/// `Event::wait()`: runs the loop until nothing is left in it.
fn wait_impl() {
    if reactor::running().is_some() || reactor::is_dead() {
        return;
    }
    match reactor::run_loop(Kind::Wait, reactor::Leg::Ok) {
        LoopEnd::Bailout => {
            // SAFETY: re-raises the fatal error PHP was unwinding from.
            unsafe { ext_php_rs::zend::bailout() }
        }
        LoopEnd::Threw | LoopEnd::Exit | LoopEnd::Done => {}
    }
}

fn write_impl(sock: &Zval, data: &Zval) -> bool {
    // Swoole buffers and writes when writable; a blocking write of the whole
    // buffer gives the same result for the sizes scripts use here.
    let Some(fd) = fd_of(sock) else {
        warn("unknown fd type");
        return false;
    };
    let Some(bytes) = super::values::zval_bytes(data) else {
        return false;
    };
    let mut off = 0;
    while off < bytes.len() {
        // SAFETY: writes from a live buffer to an fd the script owns.
        let n = unsafe { libc::write(fd, bytes[off..].as_ptr().cast(), bytes.len() - off) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::WouldBlock {
                let mut p = libc::pollfd {
                    fd,
                    events: libc::POLLOUT,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                unsafe { libc::poll(&mut p, 1, -1) };
                continue;
            }
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        off += n as usize;
    }
    true
}

/// `Swoole\Event`.
#[php_class]
#[php(name = "Swoole\\Event")]
#[derive(Default)]
pub struct SwooleEvent;

#[php_impl]
impl SwooleEvent {
    #[php(optional = read_callback)]
    pub fn add(
        fd: &Zval,
        read_callback: Option<&Zval>,
        write_callback: Option<&Zval>,
        events: Option<Int>,
    ) -> Zval {
        add_impl(fd, read_callback, write_callback, events.map(|e| e.0))
    }

    pub fn del(fd: &Zval) -> bool {
        del_impl(fd)
    }

    #[php(optional = read_callback)]
    pub fn set(
        fd: &Zval,
        read_callback: Option<&Zval>,
        write_callback: Option<&Zval>,
        events: Option<Int>,
    ) -> bool {
        set_impl(fd, read_callback, write_callback, events.map(|e| e.0))
    }

    #[php(name = "isset", optional = events)]
    pub fn isset_(fd: &Zval, events: Option<Int>) -> bool {
        isset_impl(fd, events.map(|e| e.0))
    }

    /// Runs one round of the loop without waiting.
    pub fn dispatch() -> bool {
        !matches!(reactor::run_due(), Outcome::Exit | Outcome::Bailout)
    }

    pub fn defer(callback: &Zval) -> bool {
        if !callback.is_callable() {
            let _ = ext_php_rs::exception::PhpException::new(
                "Swoole\\Event::defer(): Argument #1 ($callback) must be a valid callback".into(),
                0,
                ext_php_rs::zend::ce::type_error(),
            )
            .throw();
            return false;
        }
        reactor::defer(callback);
        true
    }

    #[php(optional = before)]
    pub fn cycle(callback: &Zval, before: Option<Bool>) -> bool {
        let before = before.map(|b| b.0);
        if callback.is_null() {
            if !reactor::has_cycle() {
                warn("cycle callback is not set");
                return false;
            }
            reactor::set_cycle(None, false);
            return true;
        }
        if !callback.is_callable() {
            let _ = ext_php_rs::exception::PhpException::new(
                "Swoole\\Event::cycle(): Argument #1 ($callback) must be a valid callback or null"
                    .into(),
                0,
                ext_php_rs::zend::ce::type_error(),
            )
            .throw();
            return false;
        }
        reactor::set_cycle(
            Some(Rc::new(Callback::new(callback))),
            before.unwrap_or(false),
        );
        reactor::note_work_now();
        true
    }

    pub fn write(fd: &Zval, data: &Zval) -> bool {
        write_impl(fd, data)
    }

    pub fn wait() {
        wait_impl();
    }

    /// Registered with register_shutdown_function: a plain script's loop.
    pub fn rshutdown() {
        wait_impl();
    }

    pub fn exit() {
        reactor::request_exit();
    }
}

#[php_function]
#[php(name = "swoole_event_add", optional = read_callback)]
pub fn swoole_event_add(
    fd: &Zval,
    read_callback: Option<&Zval>,
    write_callback: Option<&Zval>,
    events: Option<Int>,
) -> Zval {
    add_impl(fd, read_callback, write_callback, events.map(|e| e.0))
}

#[php_function]
#[php(name = "swoole_event_set", optional = read_callback)]
pub fn swoole_event_set(
    fd: &Zval,
    read_callback: Option<&Zval>,
    write_callback: Option<&Zval>,
    events: Option<Int>,
) -> bool {
    set_impl(fd, read_callback, write_callback, events.map(|e| e.0))
}

#[php_function]
#[php(name = "swoole_event_del")]
pub fn swoole_event_del(fd: &Zval) -> bool {
    del_impl(fd)
}

#[php_function]
#[php(name = "swoole_event_isset", optional = events)]
pub fn swoole_event_isset(fd: &Zval, events: Option<Int>) -> bool {
    isset_impl(fd, events.map(|e| e.0))
}

#[php_function]
#[php(name = "swoole_event_wait")]
pub fn swoole_event_wait() {
    wait_impl();
}

#[php_function]
#[php(name = "swoole_event_exit")]
pub fn swoole_event_exit() {
    reactor::request_exit();
}

#[php_function]
#[php(name = "swoole_event_defer")]
pub fn swoole_event_defer(callback: &Zval) -> bool {
    SwooleEvent::defer(callback)
}

#[php_function]
#[php(name = "swoole_event_cycle", optional = before)]
pub fn swoole_event_cycle(callback: &Zval, before: Option<Bool>) -> bool {
    SwooleEvent::cycle(callback, before)
}

#[php_function]
#[php(name = "swoole_event_write")]
pub fn swoole_event_write(fd: &Zval, data: &Zval) -> bool {
    write_impl(fd, data)
}

#[php_function]
#[php(name = "swoole_event_dispatch")]
pub fn swoole_event_dispatch() -> bool {
    SwooleEvent::dispatch()
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<SwooleEvent>()
        .function(wrap_function!(swoole_event_add))
        .function(wrap_function!(swoole_event_set))
        .function(wrap_function!(swoole_event_del))
        .function(wrap_function!(swoole_event_isset))
        .function(wrap_function!(swoole_event_wait))
        .function(wrap_function!(swoole_event_exit))
        .function(wrap_function!(swoole_event_defer))
        .function(wrap_function!(swoole_event_cycle))
        .function(wrap_function!(swoole_event_write))
        .function(wrap_function!(swoole_event_dispatch))
}
