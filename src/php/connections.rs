//! `Swoole\Connection\Iterator`: what `$server->connections` is.
//!
//! `count()`, `foreach` (key: position, value: fd) and
//! `isset($server->connections[$fd])` / `$server->connections[$fd]`
//! (connection_info) as in Swoole. The fds are a snapshot taken when the
//! property is read; lookups by fd ask the server, so they are live.

use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::ce;

use super::server::core_of;
use super::values::bool_zval;

#[php_class]
#[php(name = "Swoole\\Connection\\Iterator")]
#[php(implements(ce = ce::iterator, stub = "\\Iterator"))]
#[php(implements(ce = ce::countable, stub = "\\Countable"))]
#[php(implements(ce = ce::arrayaccess, stub = "\\ArrayAccess"))]
pub struct ConnectionIterator {
    /// The server object (a counted reference), None when built by `new`.
    server: Option<Zval>,
    fds: Vec<u64>,
    pos: usize,
}

impl ConnectionIterator {
    /// An iterator over the server's connections now; `server` holds the
    /// server object while the server runs, None otherwise (no connections).
    pub fn snapshot(server: Option<Zval>) -> Self {
        let fds = server
            .as_ref()
            .and_then(|s| s.object())
            .and_then(core_of)
            .map(|core| core.connection_fds())
            .unwrap_or_default();
        ConnectionIterator {
            server,
            fds,
            pos: 0,
        }
    }

    fn fd_of(offset: &Zval) -> Option<i64> {
        let z = offset.dereference();
        z.long().or_else(|| z.coerce_to_long())
    }

    fn info(&self, fd: i64) -> Zval {
        self.server
            .as_ref()
            .and_then(|s| s.object())
            .and_then(core_of)
            .map_or_else(|| bool_zval(false), |core| core.connection_info(fd))
    }
}

#[php_impl]
impl ConnectionIterator {
    pub fn __construct() -> Self {
        ConnectionIterator::snapshot(None)
    }

    pub fn rewind(&mut self) {
        self.pos = 0;
    }

    pub fn next(&mut self) {
        self.pos += 1;
    }

    /// The fd at this position.
    pub fn current(&self) -> Zval {
        let mut z = Zval::new();
        if let Some(&fd) = self.fds.get(self.pos) {
            z.set_long(fd as i64);
        }
        z
    }

    pub fn key(&self) -> Zval {
        let mut z = Zval::new();
        if self.pos < self.fds.len() {
            z.set_long(self.pos as i64);
        }
        z
    }

    pub fn valid(&self) -> bool {
        self.pos < self.fds.len()
    }

    pub fn count(&self) -> i64 {
        self.fds.len() as i64
    }

    /// Whether `$fd` is a connection of the server now.
    pub fn offset_exists(&self, fd: &Zval) -> bool {
        Self::fd_of(fd).is_some_and(|fd| self.info(fd).is_array())
    }

    /// connection_info($fd), or false.
    pub fn offset_get(&self, fd: &Zval) -> Zval {
        Self::fd_of(fd).map_or_else(|| bool_zval(false), |fd| self.info(fd))
    }

    /// Read only, as in Swoole: writes are ignored.
    pub fn offset_set(&self, fd: &Zval, value: &Zval) {
        let _ = (fd, value);
    }

    pub fn offset_unset(&self, fd: &Zval) {
        let _ = fd;
    }
}
