//! `Swoole\Atomic`, `Swoole\Atomic\Long` and `Swoole\Lock`: counters and locks
//! in shared memory (`swoole_rs_engine::shm`), shared by every worker process
//! when made before the server starts.

use std::time::Duration;

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendClassObject;
use swoole_rs_engine::shm::atomic::{Atomic32, Atomic64};
use swoole_rs_engine::shm::lock::{LockKind, ShmLock};

use super::args::{Float, Int};
use super::errors::{swoole_exception, swoole_exception_code};
use super::frame::prop;
use super::values::long_zval;

fn alloc_failure(_: std::io::Error) -> PhpException {
    swoole_exception("global memory allocation failure")
}

#[php_class]
#[php(name = "Swoole\\Atomic")]
pub struct Atomic {
    inner: Atomic32,
}

/// The operations as PHP sees them (PHP integers in and out), shared by the
/// methods below and the hand-written handlers in `fast.rs`.
impl Atomic {
    pub fn add_php(&self, v: i64) -> i64 {
        self.inner.add(v as u32) as i64
    }

    pub fn sub_php(&self, v: i64) -> i64 {
        self.inner.sub(v as u32) as i64
    }

    pub fn get_php(&self) -> i64 {
        self.inner.get() as i64
    }
}

#[php_impl]
impl Atomic {
    #[php(optional = value)]
    pub fn __construct(value: Option<Int>) -> PhpResult<Self> {
        let value = value.map_or(0, |v| v.0);
        Ok(Atomic {
            inner: Atomic32::new(value as u32).map_err(alloc_failure)?,
        })
    }

    #[php(optional = add_value)]
    pub fn add(&self, add_value: Option<Int>) -> i64 {
        self.add_php(add_value.map_or(1, |v| v.0))
    }

    #[php(optional = sub_value)]
    pub fn sub(&self, sub_value: Option<Int>) -> i64 {
        self.sub_php(sub_value.map_or(1, |v| v.0))
    }

    pub fn get(&self) -> i64 {
        self.get_php()
    }

    pub fn set(&self, value: Int) {
        self.inner.set(value.0 as u32)
    }

    /// Sleeps until wakeup() when the value is 0 (at most `$timeout` seconds;
    /// 0 or less: no limit); a value of 1 is consumed at once.
    #[php(optional = timeout)]
    pub fn wait(&self, timeout: Option<Float>) -> bool {
        let timeout = timeout.map_or(1.0, |t| t.0);
        let limit = (timeout > 0.0)
            .then(|| Duration::try_from_secs_f64(timeout).ok())
            .flatten();
        self.inner.wait(limit)
    }

    #[php(optional = count)]
    pub fn wakeup(&self, count: Option<Int>) -> bool {
        let count = count.map_or(1, |c| c.0);
        self.inner.wakeup(count.clamp(0, i32::MAX as i64) as i32)
    }

    pub fn cmpset(&self, cmp_value: Int, new_value: Int) -> bool {
        self.inner.cmpset(cmp_value.0 as u32, new_value.0 as u32)
    }
}

#[php_class]
#[php(name = "Swoole\\Atomic\\Long")]
pub struct AtomicLong {
    inner: Atomic64,
}

impl AtomicLong {
    pub fn add_php(&self, v: i64) -> i64 {
        self.inner.add(v)
    }

    pub fn sub_php(&self, v: i64) -> i64 {
        self.inner.sub(v)
    }

    pub fn get_php(&self) -> i64 {
        self.inner.get()
    }
}

#[php_impl]
impl AtomicLong {
    #[php(optional = value)]
    pub fn __construct(value: Option<Int>) -> PhpResult<Self> {
        Ok(AtomicLong {
            inner: Atomic64::new(value.map_or(0, |v| v.0)).map_err(alloc_failure)?,
        })
    }

    #[php(optional = add_value)]
    pub fn add(&self, add_value: Option<Int>) -> i64 {
        self.inner.add(add_value.map_or(1, |v| v.0))
    }

    #[php(optional = sub_value)]
    pub fn sub(&self, sub_value: Option<Int>) -> i64 {
        self.inner.sub(sub_value.map_or(1, |v| v.0))
    }

    pub fn get(&self) -> i64 {
        self.inner.get()
    }

    pub fn set(&self, value: Int) {
        self.inner.set(value.0)
    }

    pub fn cmpset(&self, cmp_value: Int, new_value: Int) -> bool {
        self.inner.cmpset(cmp_value.0, new_value.0)
    }
}

#[php_class]
#[php(name = "Swoole\\Lock")]
#[php(modifier = lock_modifier)]
pub struct Lock {
    inner: ShmLock,
}

fn lock_modifier(b: ClassBuilder) -> ClassBuilder {
    b.property(prop("errCode", || long_zval(0)))
}

/// PHP's LOCK_EX.
const LOCK_EX: i64 = 2;

#[php_impl]
impl Lock {
    const MUTEX: i64 = LockKind::Mutex as i64;
    const RWLOCK: i64 = LockKind::RwLock as i64;
    const SPINLOCK: i64 = LockKind::SpinLock as i64;

    #[php(optional = r#type)]
    pub fn __construct(r#type: Option<Int>) -> PhpResult<Self> {
        let r#type = r#type.map_or(3, |t| t.0);
        let kind = LockKind::from_swoole(r#type)
            // Swoole's message, unformatted as Swoole throws it, with the type as code.
            .ok_or_else(|| swoole_exception_code("lock type[%d] is not support", r#type as i32))?;
        Ok(Lock {
            inner: ShmLock::new(kind).map_err(alloc_failure)?,
        })
    }

    /// LOCK_EX (default) or LOCK_SH (read lock of an RWLOCK), with LOCK_NB to
    /// try once; `$timeout` seconds (at least 0.001) to give up after.
    #[php(optional = operation)]
    pub fn lock(
        self_: &mut ZendClassObject<Lock>,
        operation: Option<Int>,
        timeout: Option<Float>,
    ) -> bool {
        let operation = operation.map_or(LOCK_EX, |o| o.0);
        let timeout = timeout.map_or(-1.0, |t| t.0);
        // Swoole converts to whole milliseconds; below 1 ms waits for ever.
        let ms = (timeout * 1000.0) as i64;
        let r = self_.inner.lock(operation, ms);
        result(self_, r)
    }

    pub fn unlock(self_: &mut ZendClassObject<Lock>) -> bool {
        let r = self_.inner.unlock();
        result(self_, r)
    }
}

/// Swoole's convention: true, or false with the error number in `errCode`.
fn result(self_: &mut ZendClassObject<Lock>, r: i32) -> bool {
    if r != 0 {
        let _ = self_.std.set_property("errCode", long_zval(r as i64));
    }
    r == 0
}
