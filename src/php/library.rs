//! The classes Swoole itself writes in PHP (its bundled library):
//! `Swoole\Coroutine\WaitGroup` and `Swoole\Coroutine\Barrier`, compiled
//! once per request at RINIT, on top of Channel and Co::yield/resume.

use std::os::raw::{c_char, c_int};

extern "C" {
    fn zend_eval_stringl(
        s: *const c_char,
        len: usize,
        retval: *mut ext_php_rs::ffi::zval,
        name: *const c_char,
    ) -> c_int;
}

const SOURCE: &str = r#"
namespace Swoole\Coroutine;

class WaitGroup
{
    protected Channel $chan;
    protected int $count = 0;
    protected bool $waiting = false;

    public function __construct(int $delta = 0)
    {
        $this->chan = new Channel(1);
        if ($delta > 0) {
            $this->add($delta);
        }
    }

    public function add(int $delta = 1): void
    {
        if ($this->waiting) {
            throw new \BadMethodCallException('WaitGroup misuse: add called concurrently with wait');
        }
        $count = $this->count + $delta;
        if ($count < 0) {
            throw new \InvalidArgumentException('WaitGroup misuse: negative counter');
        }
        $this->count = $count;
    }

    public function done(): void
    {
        $count = $this->count - 1;
        if ($count < 0) {
            throw new \BadMethodCallException('WaitGroup misuse: negative counter');
        }
        $this->count = $count;
        if ($count === 0 && $this->waiting) {
            $this->chan->push(true);
        }
    }

    public function wait(float $timeout = -1.0): bool
    {
        if ($this->waiting) {
            throw new \BadMethodCallException('WaitGroup misuse: reused before previous wait has returned');
        }
        if ($this->count > 0) {
            $this->waiting = true;
            $done = $this->chan->pop($timeout);
            $this->waiting = false;
            return $done;
        }
        return true;
    }

    public function count(): int
    {
        return $this->count;
    }
}

final class Barrier
{
    private int $cid = -1;
    private $timer = -1;
    private static array $cancel_list = [];

    public function __destruct()
    {
        if ($this->timer !== -1) {
            \Swoole\Timer::clear($this->timer);
            if (isset(self::$cancel_list[$this->cid])) {
                unset(self::$cancel_list[$this->cid]);
                return;
            }
        }
        if ($this->cid !== -1 && $this->cid !== \Swoole\Coroutine::getCid()) {
            \Swoole\Coroutine::resume($this->cid);
        } else {
            self::$cancel_list[$this->cid] = true;
        }
    }

    public static function make(): self
    {
        return new self();
    }

    public static function wait(Barrier &$barrier, float $timeout = -1.0): void
    {
        if ($barrier->cid !== -1) {
            throw new \Swoole\Exception('The barrier is waiting, cannot wait again.');
        }
        $cid = \Swoole\Coroutine::getCid();
        $barrier->cid = $cid;
        if ($timeout > 0 && ($timeout_ms = (int) ($timeout * 1000)) > 0) {
            $barrier->timer = \Swoole\Timer::after($timeout_ms, function () use ($cid) {
                self::$cancel_list[$cid] = true;
                \Swoole\Coroutine::resume($cid);
            });
        }
        $barrier = null;
        if (!isset(self::$cancel_list[$cid])) {
            \Swoole\Coroutine::yield();
        } else {
            unset(self::$cancel_list[$cid]);
        }
    }
}
"#;

/// Declares the library classes (RINIT).
pub fn load() {
    // SAFETY: valid code and name; the executor is active at RINIT. No
    // return value: the code is compiled as statements, not an expression.
    unsafe {
        zend_eval_stringl(
            SOURCE.as_ptr().cast(),
            SOURCE.len(),
            std::ptr::null_mut(),
            c"Swoole library".as_ptr(),
        );
    }
}
