//! `Swoole\Timer`, the `swoole_timer_*` functions and `Swoole\Timer\Iterator`;
//! also what `$server->tick()/after()/clearTimer()` (Swoole 4) call. Timers
//! live in the reactor of the PHP thread that made them.

use std::rc::Rc;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::{Duration, Instant};

use ext_php_rs::builders::{ClassBuilder, ModuleBuilder};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ClassEntry;

use super::args::Int;
use super::callbacks::Callback;
use super::errors::warn;
use super::reactor;
use super::values::{array_zval, bool_zval, long_zval};

/// When the first timer of the process was made: `exec_msec` counts from it.
fn base() -> Instant {
    thread_local! { static BASE: Instant = Instant::now(); }
    BASE.with(|b| *b)
}

fn type_error(msg: String) {
    let _ = ext_php_rs::exception::PhpException::new(msg, 0, ext_php_rs::zend::ce::type_error())
        .throw();
}

fn type_name(z: &Zval) -> &'static str {
    if z.is_null() {
        "null"
    } else if z.is_array() {
        "array"
    } else if z.is_object() {
        "object"
    } else {
        "string"
    }
}

/// `tick`/`after`: the timer id, or false with Swoole's warning.
pub fn add(func: &str, ms: &Zval, callback: &Zval, params: &[&Zval], repeat: bool) -> Zval {
    let mut ret = Zval::new();
    ret.set_bool(false);
    let Some(ms) = super::values::zval_long(ms) else {
        type_error(format!(
            "{func}(): Argument #1 ($ms) must be of type int, {} given",
            type_name(ms)
        ));
        return ret;
    };
    if !callback.is_callable() {
        type_error(format!(
            "{func}(): Argument #2 ($callback) must be a valid callback, {}",
            match callback.str() {
                Some(name) => format!("function \"{name}\" not found or invalid function name"),
                None => "no array or string given".to_string(),
            }
        ));
        return ret;
    }
    if ms < 1 {
        warn("Timer must be greater than or equal to 1");
        return ret;
    }
    let _ = base();
    let args = params.iter().map(|p| p.shallow_clone()).collect();
    let id = reactor::add_timer(
        Duration::from_millis(ms as u64),
        repeat,
        Rc::new(Callback::new(callback)),
        args,
    );
    ret.set_long(id as i64);
    ret
}

pub fn clear(id: i64) -> bool {
    id > 0 && reactor::clear_timer(id as u64)
}

fn exists(id: i64) -> bool {
    id > 0 && reactor::with_timer(id as u64, |_| ()).is_some()
}

fn info(id: i64) -> Zval {
    let mut ret = Zval::new();
    if id <= 0 {
        return ret;
    }
    let Some(z) = reactor::with_timer(id as u64, |t| {
        let mut ht = ZendHashTable::new();
        let exec_msec = t.deadline.saturating_duration_since(base()).as_millis() as i64;
        let _ = ht.insert("exec_msec", long_zval(exec_msec));
        let _ = ht.insert("exec_count", long_zval(t.exec_count as i64));
        let interval = t.interval.map_or(0, |d| d.as_millis() as i64);
        let _ = ht.insert("interval", long_zval(interval));
        let _ = ht.insert("round", long_zval(t.round as i64));
        let _ = ht.insert("removed", bool_zval(false));
        array_zval(ht)
    }) else {
        return ret;
    };
    ret = z;
    ret
}

fn stats() -> Zval {
    let mut ht = ZendHashTable::new();
    let _ = ht.insert("initialized", bool_zval(true));
    let _ = ht.insert("num", long_zval(reactor::timer_ids().len() as i64));
    let _ = ht.insert("round", long_zval(reactor::get().round.get() as i64));
    array_zval(ht)
}

static ITERATOR: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

extern "C" {
    static spl_ce_ArrayIterator: *mut ext_php_rs::ffi::zend_class_entry;
}

fn array_iterator() -> &'static ClassEntry {
    // SAFETY: SPL is always built in and registered before extensions load.
    unsafe { &*spl_ce_ArrayIterator.cast::<ClassEntry>() }
}

/// `Swoole\Timer\Iterator` (and `Swoole\Coroutine\Iterator`): ArrayIterators.
pub fn register_iterator_classes() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new("Swoole\\Timer\\Iterator")
        .extends((array_iterator, "ArrayIterator"))
        .registration(|ce, _| ITERATOR.store(ce, Ordering::Release))
        .register()?;
    ClassBuilder::new("Swoole\\Coroutine\\Iterator")
        .extends((array_iterator, "ArrayIterator"))
        .registration(|ce, _| CO_ITERATOR.store(ce, Ordering::Release))
        .register()
}

static CO_ITERATOR: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

/// An iterator object of class `ce` over `ids`.
fn iterator_of(ce: &AtomicPtr<ClassEntry>, ids: Vec<u64>) -> Zval {
    let mut ht = ZendHashTable::new();
    for id in ids {
        let _ = ht.push(id as i64);
    }
    let arr = array_zval(ht);
    let ce = ce.load(Ordering::Acquire);
    // SAFETY: set at MINIT to a class that lives as long as PHP.
    let ce = if ce.is_null() {
        array_iterator()
    } else {
        unsafe { &*ce }
    };
    let Ok(obj) = ext_php_rs::convert::IntoZval::into_zval(ce.new(), false) else {
        return arr;
    };
    let _ = obj.try_call_method("__construct", vec![&arr]);
    obj
}

pub fn coroutine_iterator(ids: Vec<u64>) -> Zval {
    iterator_of(&CO_ITERATOR, ids)
}

/// `Swoole\Timer`.
#[php_class]
#[php(name = "Swoole\\Timer")]
#[derive(Default)]
pub struct Timer;

#[php_impl]
impl Timer {
    pub fn tick(ms: &Zval, callback: &Zval, params: &[&Zval]) -> Zval {
        add("Swoole\\Timer::tick", ms, callback, params, true)
    }

    pub fn after(ms: &Zval, callback: &Zval, params: &[&Zval]) -> Zval {
        add("Swoole\\Timer::after", ms, callback, params, false)
    }

    pub fn exists(timer_id: Int) -> bool {
        let timer_id = timer_id.0;
        exists(timer_id)
    }

    pub fn info(timer_id: Int) -> Zval {
        let timer_id = timer_id.0;
        info(timer_id)
    }

    pub fn stats() -> Zval {
        stats()
    }

    pub fn list() -> Zval {
        iterator_of(&ITERATOR, reactor::timer_ids())
    }

    pub fn clear(timer_id: Int) -> bool {
        let timer_id = timer_id.0;
        clear(timer_id)
    }

    #[php(name = "clearAll")]
    pub fn clear_all() -> bool {
        reactor::clear_all_timers();
        true
    }
}

#[php_function]
#[php(name = "swoole_timer_tick")]
pub fn swoole_timer_tick(ms: &Zval, callback: &Zval, params: &[&Zval]) -> Zval {
    add("swoole_timer_tick", ms, callback, params, true)
}

#[php_function]
#[php(name = "swoole_timer_after")]
pub fn swoole_timer_after(ms: &Zval, callback: &Zval, params: &[&Zval]) -> Zval {
    add("swoole_timer_after", ms, callback, params, false)
}

#[php_function]
#[php(name = "swoole_timer_exists")]
pub fn swoole_timer_exists(timer_id: i64) -> bool {
    exists(timer_id)
}

#[php_function]
#[php(name = "swoole_timer_info")]
pub fn swoole_timer_info(timer_id: i64) -> Zval {
    info(timer_id)
}

#[php_function]
#[php(name = "swoole_timer_list")]
pub fn swoole_timer_list() -> Zval {
    iterator_of(&ITERATOR, reactor::timer_ids())
}

#[php_function]
#[php(name = "swoole_timer_stats")]
pub fn swoole_timer_stats() -> Zval {
    stats()
}

#[php_function]
#[php(name = "swoole_timer_clear")]
pub fn swoole_timer_clear(timer_id: i64) -> bool {
    clear(timer_id)
}

#[php_function]
#[php(name = "swoole_timer_clear_all")]
pub fn swoole_timer_clear_all() -> bool {
    reactor::clear_all_timers();
    true
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<Timer>()
        .function(wrap_function!(swoole_timer_tick))
        .function(wrap_function!(swoole_timer_after))
        .function(wrap_function!(swoole_timer_exists))
        .function(wrap_function!(swoole_timer_info))
        .function(wrap_function!(swoole_timer_list))
        .function(wrap_function!(swoole_timer_stats))
        .function(wrap_function!(swoole_timer_clear))
        .function(wrap_function!(swoole_timer_clear_all))
}
