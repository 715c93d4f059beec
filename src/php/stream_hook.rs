//! The TCP and UNIX stream hooks (`SWOOLE_HOOK_TCP`, `SWOOLE_HOOK_UNIX`):
//! PHP's `tcp://` and `unix://` transports are wrapped so that a socket
//! stream read inside a coroutine waits for data by suspending the coroutine
//! instead of blocking the thread in poll(2). Everything built on PHP streams
//! (`stream_socket_client`, `fsockopen`, phpredis, mysqlnd) inherits it.
//!
//! The transport factory is PHP's own; only the stream's ops table is swapped
//! for a copy whose `read` first waits for readability the coroutine way (with
//! the stream's own timeout) and then calls PHP's read, which finds the data
//! there; `write` likewise waits for room when the socket buffer is full,
//! and a connect is PHP's asynchronous connect followed by a coroutine wait
//! for the handshake. Outside a coroutine, or with the hook off, PHP's own
//! code runs unchanged.

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::raw::{c_char, c_int, c_long, c_void};
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use super::reactor;

pub const HOOK_TCP: i64 = 2;
pub const HOOK_UNIX: i64 = 8;

/// PHP's `php_stream_ops` (main/php_streams.h).
#[repr(C)]
#[derive(Clone, Copy)]
struct StreamOps {
    write: Option<unsafe extern "C" fn(*mut Stream, *const c_char, usize) -> isize>,
    read: Option<unsafe extern "C" fn(*mut Stream, *mut c_char, usize) -> isize>,
    close: *const c_void,
    flush: *const c_void,
    label: *const c_char,
    seek: *const c_void,
    cast: *const c_void,
    stat: *const c_void,
    set_option: Option<unsafe extern "C" fn(*mut Stream, c_int, c_int, *mut c_void) -> c_int>,
}

/// The head of PHP's `php_stream`: the two fields used here.
#[repr(C)]
struct Stream {
    ops: *const StreamOps,
    abstract_: *mut NetData,
}

/// PHP's `php_netstream_data_t` (main/php_network.h).
#[repr(C)]
struct NetData {
    socket: c_int,
    is_blocked: c_char,
    timeout: libc::timeval,
    timeout_event: c_char,
    ownsize: usize,
}

type Factory = unsafe extern "C" fn(
    proto: *const c_char,
    protolen: usize,
    resourcename: *const c_char,
    resourcenamelen: usize,
    persistent_id: *const c_char,
    options: c_int,
    flags: c_int,
    timeout: *mut libc::timeval,
    context: *mut c_void,
) -> *mut Stream;

extern "C" {
    fn php_stream_xport_register(protocol: *const c_char, factory: Factory) -> c_int;
    fn php_stream_xport_get_hash() -> *mut ext_php_rs::ffi::HashTable;
}

thread_local! {
    /// Original factories by transport name.
    static FACTORIES: RefCell<HashMap<&'static str, Factory>> = RefCell::new(HashMap::new());
    /// Our ops copies, by the original ops they wrap (leaked: they live as long as streams).
    static OPS: RefCell<HashMap<usize, &'static StreamOps>> = RefCell::new(HashMap::new());
}

fn original_ops_of(ours: *const StreamOps) -> Option<&'static StreamOps> {
    OPS.with(|o| {
        o.borrow()
            .iter()
            .find(|(_, v)| std::ptr::eq(**v, ours))
            .map(|(k, _)| {
                // SAFETY: keys are pointers to PHP's static ops tables.
                unsafe { &*(*k as *const StreamOps) }
            })
    })
}

fn our_ops_for(orig: *const StreamOps) -> Option<&'static StreamOps> {
    if orig.is_null() {
        return None;
    }
    Some(OPS.with(|o| {
        *o.borrow_mut().entry(orig as usize).or_insert_with(|| {
            // SAFETY: PHP's static ops table.
            let mut copy = unsafe { *orig };
            copy.read = Some(hooked_read);
            copy.write = Some(hooked_write);
            copy.set_option = Some(hooked_set_option);
            Box::leak(Box::new(copy))
        })
    }))
}

fn factory_for(name: &str) -> Option<Factory> {
    FACTORIES.with(|f| f.borrow().get(name).copied())
}

macro_rules! wrapper {
    ($fn_name:ident, $proto:literal) => {
        unsafe extern "C" fn $fn_name(
            proto: *const c_char,
            protolen: usize,
            resourcename: *const c_char,
            resourcenamelen: usize,
            persistent_id: *const c_char,
            options: c_int,
            flags: c_int,
            timeout: *mut libc::timeval,
            context: *mut c_void,
        ) -> *mut Stream {
            let Some(orig) = factory_for($proto) else {
                return std::ptr::null_mut();
            };
            let stream = orig(
                proto,
                protolen,
                resourcename,
                resourcenamelen,
                persistent_id,
                options,
                flags,
                timeout,
                context,
            );
            if !stream.is_null() {
                if let Some(ours) = our_ops_for((*stream).ops) {
                    (*stream).ops = ours;
                }
            }
            stream
        }
    };
}

wrapper!(tcp_factory, "tcp");
wrapper!(unix_factory, "unix");

fn hooked(kind: i64) -> bool {
    super::hooks::flags() & kind != 0
}

/// Installs the wrapped transports (once); the flags decide at read time.
pub fn install() {
    if FACTORIES.with(|f| !f.borrow().is_empty()) {
        return;
    }
    // SAFETY: PHP's transport table, read at request time on the PHP thread.
    let ht = unsafe { php_stream_xport_get_hash() };
    if ht.is_null() {
        return;
    }
    for (name, ours) in [
        ("tcp", tcp_factory as Factory),
        ("unix", unix_factory as Factory),
    ] {
        // SAFETY: the table maps names to factory pointers.
        let p = unsafe {
            ext_php_rs::ffi::zend_hash_str_find_ptr_lc(ht, name.as_ptr().cast(), name.len())
        };
        if p.is_null() {
            continue;
        }
        // SAFETY: the stored pointer is a transport factory.
        let orig: Factory = unsafe { std::mem::transmute::<*mut c_void, Factory>(p) };
        FACTORIES.with(|f| f.borrow_mut().insert(name, orig));
        let cname = std::ffi::CString::new(name).expect("no NUL");
        // SAFETY: registers a factory with PHP's signature.
        unsafe { php_stream_xport_register(cname.as_ptr(), ours) };
    }
}

/// RSHUTDOWN: PHP's own factories go back.
pub fn uninstall() {
    let saved = FACTORIES.with(|f| std::mem::take(&mut *f.borrow_mut()));
    for (name, orig) in saved {
        let cname = std::ffi::CString::new(name).expect("no NUL");
        // SAFETY: re-registers the factory found at install time.
        unsafe { php_stream_xport_register(cname.as_ptr(), orig) };
    }
}

/// Whether `fd` is ready for `events` now.
fn ready_now(fd: RawFd, events: libc::c_short) -> bool {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    unsafe { libc::poll(&mut p, 1, 0) == 1 }
}

/// Suspends the coroutine until `fd` is ready for `interest` or `limit`
/// passes; false on timeout.
fn wait_ready(fd: RawFd, interest: Interest, limit: Option<Duration>) -> Option<bool> {
    // SAFETY: a duplicate the future owns, so the runtime's registration never
    // touches the stream's own fd.
    let dup = unsafe { libc::dup(fd) };
    if dup < 0 {
        return None;
    }
    // SAFETY: a fresh fd nothing else owns.
    let own = unsafe { OwnedFd::from_raw_fd(dup) };
    // Registration needs the runtime entered; the guard must be gone before
    // the coroutine suspends (guards are per thread and strictly nested).
    let afd = {
        let _rt = reactor::runtime().enter();
        #[allow(deprecated)]
        AsyncFd::with_interest(own, interest).ok()?
    };
    reactor::wait(async move {
        let ready = async {
            if let Ok(mut g) = afd.ready(interest).await {
                g.clear_ready();
            }
        };
        match limit {
            Some(t) => tokio::time::timeout(t, ready).await.is_ok(),
            None => {
                ready.await;
                true
            }
        }
    })
}

/// The stream's socket and timeout when a call should wait the coroutine
/// way: inside one of our coroutines, hook on, a blocking socket stream.
unsafe fn coroutine_wait_params(stream: *mut Stream) -> Option<(RawFd, Option<Duration>)> {
    let sock = (*stream).abstract_;
    if sock.is_null()
        || (*sock).is_blocked == 0
        || (*sock).socket < 0
        || !(hooked(HOOK_TCP) || hooked(HOOK_UNIX))
        || reactor::current_own().is_none()
    {
        return None;
    }
    let tv = (*sock).timeout;
    let limit = (tv.tv_sec >= 0).then(|| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as c_long as u64)
    });
    Some(((*sock).socket, limit))
}

unsafe extern "C" fn hooked_read(stream: *mut Stream, buf: *mut c_char, count: usize) -> isize {
    let Some(read) = original_ops_of((*stream).ops).and_then(|o| o.read) else {
        return -1;
    };
    if let Some((fd, limit)) = coroutine_wait_params(stream) {
        if !ready_now(fd, libc::POLLIN) {
            match wait_ready(fd, Interest::READABLE, limit) {
                Some(true) => {}
                Some(false) => {
                    // As PHP's own read on timeout: -1 (fread() gives false), timed_out set.
                    (*(*stream).abstract_).timeout_event = 1;
                    return -1;
                }
                None => return -1,
            }
        }
    }
    read(stream, buf, count)
}

/// PHP's `php_stream_xport_param` (main/streams/php_stream_transport.h),
/// flattened (same layout: the nested structs are 8-aligned).
#[repr(C)]
struct XportParam {
    op: c_int,
    bits: libc::c_uint,
    name: *mut c_char,
    namelen: usize,
    timeout: *mut libc::timeval,
    addr: *mut libc::sockaddr,
    buf: *mut c_char,
    buflen: usize,
    addrlen: libc::socklen_t,
    backlog: c_int,
    flags: c_int,
    client: *mut Stream,
    out_addr: *mut libc::sockaddr,
    out_addrlen: libc::socklen_t,
    textaddr: *mut ext_php_rs::ffi::zend_string,
    error_text: *mut ext_php_rs::ffi::zend_string,
    returncode: c_int,
    error_code: c_int,
}

const STREAM_XPORT_OP_CONNECT: c_int = 1;
const STREAM_XPORT_OP_CONNECT_ASYNC: c_int = 4;

/// A connect inside a coroutine: PHP's asynchronous connect (non-blocking,
/// EINPROGRESS), then the coroutine waits for the socket to become writable
/// within the connect timeout, and the socket goes back to blocking mode.
unsafe fn coroutine_connect(
    stream: *mut Stream,
    set_option: unsafe extern "C" fn(*mut Stream, c_int, c_int, *mut c_void) -> c_int,
    option: c_int,
    value: c_int,
    xp: *mut XportParam,
) -> c_int {
    (*xp).op = STREAM_XPORT_OP_CONNECT_ASYNC;
    let r = set_option(stream, option, value, xp.cast());
    (*xp).op = STREAM_XPORT_OP_CONNECT;
    let sock = (*stream).abstract_;
    if sock.is_null() || (*sock).socket < 0 {
        return r;
    }
    let fd = (*sock).socket;
    // PHP's transport answers 1 for "connection pending".
    let in_progress = (*xp).returncode == 1;
    let mut err = 0;
    if in_progress {
        let tv = if (*xp).timeout.is_null() {
            None
        } else {
            Some(*(*xp).timeout)
        };
        let limit = tv.filter(|t| t.tv_sec >= 0).map(|t| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        });
        err = match wait_ready(fd, Interest::WRITABLE, limit) {
            Some(true) => {
                let mut e: c_int = 0;
                let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
                libc::getsockopt(
                    fd,
                    libc::SOL_SOCKET,
                    libc::SO_ERROR,
                    (&raw mut e).cast(),
                    &mut len,
                );
                e
            }
            Some(false) => libc::ETIMEDOUT,
            None => libc::ECANCELED,
        };
    }
    // Blocking again, as PHP's own connect leaves it.
    let flags = libc::fcntl(fd, libc::F_GETFL);
    if flags >= 0 {
        libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
    }
    if err != 0 {
        (*xp).returncode = -1;
        (*xp).error_code = err;
        if (*xp).bits & 0b100 != 0 && (*xp).error_text.is_null() {
            let msg = std::io::Error::from_raw_os_error(err).to_string();
            let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
            (*xp).error_text = ext_php_rs::types::ZendStr::new(&msg, false).into_raw();
        }
        return 0;
    }
    if in_progress {
        (*xp).returncode = 0;
        (*xp).error_code = 0;
    }
    r
}

/// PHP's own set_option. Transport calls (bind, connect, ...) run with PHP's
/// ops table back in place: that code tells unix from inet sockets by
/// comparing `stream->ops`. Accept keeps ours, so accepted streams (made with
/// the listening stream's ops) are hooked too.
unsafe extern "C" fn hooked_set_option(
    stream: *mut Stream,
    option: c_int,
    value: c_int,
    ptr: *mut c_void,
) -> c_int {
    const PHP_STREAM_OPTION_XPORT_API: c_int = 7;
    const STREAM_XPORT_OP_ACCEPT: c_int = 3;
    let ours = (*stream).ops;
    let Some(orig) = original_ops_of(ours) else {
        return -1;
    };
    let Some(set_option) = orig.set_option else {
        // PHP_STREAM_OPTION_RETURN_NOTIMPL
        return -2;
    };
    // The op is the first field of php_stream_xport_param.
    let swap = option == PHP_STREAM_OPTION_XPORT_API
        && !ptr.is_null()
        && *ptr.cast::<c_int>() != STREAM_XPORT_OP_ACCEPT;
    if !swap {
        return set_option(stream, option, value, ptr);
    }
    (*stream).ops = orig;
    let xp = ptr.cast::<XportParam>();
    let r = if (*xp).op == STREAM_XPORT_OP_CONNECT
        && (hooked(HOOK_TCP) || hooked(HOOK_UNIX))
        && reactor::current_own().is_some()
    {
        coroutine_connect(stream, set_option, option, value, xp)
    } else {
        set_option(stream, option, value, ptr)
    };
    (*stream).ops = ours;
    r
}

/// A write waits (the coroutine way) only while the socket buffer is full.
unsafe extern "C" fn hooked_write(stream: *mut Stream, buf: *const c_char, count: usize) -> isize {
    let Some(write) = original_ops_of((*stream).ops).and_then(|o| o.write) else {
        return -1;
    };
    if let Some((fd, limit)) = coroutine_wait_params(stream) {
        if !ready_now(fd, libc::POLLOUT) {
            match wait_ready(fd, Interest::WRITABLE, limit) {
                Some(true) => {}
                Some(false) => {
                    // Timed out: nothing written, timed_out set (fwrite() gives false).
                    (*(*stream).abstract_).timeout_event = 1;
                    return -1;
                }
                None => return -1,
            }
        }
    }
    write(stream, buf, count)
}
