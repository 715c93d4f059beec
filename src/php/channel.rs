//! `Swoole\Coroutine\Channel` (short names `chan`, `Co\Channel`): a bounded
//! queue between coroutines. A pop on an empty channel (or a push on a full
//! one) suspends the coroutine until the other side arrives, the timeout
//! passes or the channel is closed.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::Duration;

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::args::Int;
use super::errors::swoole_error;
use super::reactor::{self, Waiter, Wake};
use super::values::{array_zval, long_zval};

pub const CHANNEL_OK: i64 = 0;
pub const CHANNEL_TIMEOUT: i64 = -1;
pub const CHANNEL_CLOSED: i64 = -2;
pub const CHANNEL_CANCELED: i64 = -3;

#[php_class]
#[php(name = "Swoole\\Coroutine\\Channel")]
pub struct Channel {
    #[php(prop)]
    pub capacity: i64,
    #[php(prop, name = "errCode")]
    pub err_code: i64,
    items: RefCell<VecDeque<Zval>>,
    consumers: RefCell<VecDeque<Waiter>>,
    producers: RefCell<VecDeque<Waiter>>,
    closed: Cell<bool>,
}

/// Negative means wait forever (Swoole's -1); 0 too, as in Swoole.
fn limit(timeout: Option<f64>) -> Option<Duration> {
    match timeout {
        Some(t) if t > 0.0 && t.is_finite() => Some(Duration::from_secs_f64(t.max(0.001))),
        _ => None,
    }
}

/// Wakes the first waiter whose wait is still on.
fn wake_one(list: &RefCell<VecDeque<Waiter>>) {
    loop {
        let next = list.borrow_mut().pop_front();
        match next {
            Some(w) => {
                if reactor::wake(w, Wake::Woken) {
                    return;
                }
            }
            None => return,
        }
    }
}

fn wake_all(list: &RefCell<VecDeque<Waiter>>) {
    let all = std::mem::take(&mut *list.borrow_mut());
    for w in all {
        reactor::wake(w, Wake::Woken);
    }
}

impl Channel {
    fn err_for(how: Wake) -> i64 {
        match how {
            Wake::TimedOut => CHANNEL_TIMEOUT,
            Wake::Cancelled | Wake::Destroyed => CHANNEL_CANCELED,
            Wake::Woken => CHANNEL_OK,
        }
    }
}

#[php_impl]
impl Channel {
    #[php(optional = size)]
    pub fn __construct(size: Option<Int>) -> Channel {
        let size = size.map(|s| s.0);
        Channel {
            capacity: size.unwrap_or(1).max(1),
            err_code: CHANNEL_OK,
            items: RefCell::default(),
            consumers: RefCell::default(),
            producers: RefCell::default(),
            closed: Cell::new(false),
        }
    }

    #[php(optional = timeout)]
    pub fn push(&mut self, data: &Zval, timeout: Option<f64>) -> bool {
        if reactor::current_own().is_none() {
            swoole_error("API must be called in the coroutine");
            return false;
        }
        loop {
            if self.closed.get() {
                self.err_code = CHANNEL_CLOSED;
                return false;
            }
            if (self.items.borrow().len() as i64) < self.capacity {
                break;
            }
            let mut me = None;
            let how = reactor::suspend(limit(timeout), false, |w| {
                me = Some(w);
                self.producers.borrow_mut().push_back(w);
            });
            match how {
                Some(Wake::Woken) => continue,
                Some(other) => {
                    self.producers.borrow_mut().retain(|w| Some(*w) != me);
                    self.err_code = Self::err_for(other);
                    return false;
                }
                None => return false,
            }
        }
        self.items.borrow_mut().push_back(data.shallow_clone());
        self.err_code = CHANNEL_OK;
        wake_one(&self.consumers);
        true
    }

    #[php(optional = timeout)]
    pub fn pop(&mut self, timeout: Option<f64>) -> Zval {
        let mut fail = Zval::new();
        fail.set_bool(false);
        if reactor::current_own().is_none() {
            swoole_error("API must be called in the coroutine");
            return fail;
        }
        loop {
            let item = self.items.borrow_mut().pop_front();
            if let Some(v) = item {
                self.err_code = CHANNEL_OK;
                wake_one(&self.producers);
                return v;
            }
            if self.closed.get() {
                self.err_code = CHANNEL_CLOSED;
                return fail;
            }
            let mut me = None;
            let how = reactor::suspend(limit(timeout), false, |w| {
                me = Some(w);
                self.consumers.borrow_mut().push_back(w);
            });
            match how {
                Some(Wake::Woken) => continue,
                Some(other) => {
                    self.consumers.borrow_mut().retain(|w| Some(*w) != me);
                    self.err_code = Self::err_for(other);
                    return fail;
                }
                None => return fail,
            }
        }
    }

    #[php(name = "isEmpty")]
    pub fn is_empty(&self) -> bool {
        self.items.borrow().is_empty()
    }

    #[php(name = "isFull")]
    pub fn is_full(&self) -> bool {
        self.items.borrow().len() as i64 >= self.capacity
    }

    pub fn length(&self) -> i64 {
        self.items.borrow().len() as i64
    }

    /// Wakes every waiter: pops return what is left, then false.
    pub fn close(&self) -> bool {
        if self.closed.replace(true) {
            return false;
        }
        wake_all(&self.consumers);
        wake_all(&self.producers);
        true
    }

    pub fn stats(&self) -> Zval {
        let mut ht = ZendHashTable::new();
        let _ = ht.insert(
            "consumer_num",
            long_zval(self.consumers.borrow().len() as i64),
        );
        let _ = ht.insert(
            "producer_num",
            long_zval(self.producers.borrow().len() as i64),
        );
        let _ = ht.insert("queue_num", long_zval(self.items.borrow().len() as i64));
        array_zval(ht)
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<Channel>()
}
