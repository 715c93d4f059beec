//! `Swoole\Table`: a fixed-size hash table of typed rows in one shared region.
//!
//! Layout (no pointers, only indexes, so every process can map it anywhere):
//!
//! ```text
//! [header 64 B][bucket rows: size][overflow rows: size * conflict_proportion]
//! row = lock u32 | next u32 | meta u8 | key 63 B | column data
//! ```
//!
//! A key hashes (PHP's DJBX33A, as Swoole does, so iteration order matches
//! Swoole's) to one bucket row; keys colliding there are chained through
//! overflow rows taken from a free list. The bucket row's lock word guards
//! the bucket and its whole chain; it holds the pid of the holder, so a
//! process that died holding it is recognised and the lock taken over.
//! Column data is read and written only under that lock, so concurrent
//! writers from any number of processes never see a torn row.
//!
//! Per row this costs 72 bytes of header plus the columns (strings: one to
//! four length bytes plus their capacity, unpadded); Swoole's row costs 88
//! bytes plus columns (strings: four length bytes plus capacity rounded to 8),
//! plus 8 bytes of pointer per bucket and 24 per overflow row.

use std::io;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{pid, process_gone, SharedRegion};

/// Keys longer than this are cut to it (Swoole's SW_TABLE_KEY_SIZE - 1).
pub const KEY_MAX: usize = 63;
/// Largest row count (Swoole's SW_TABLE_MAX_ROW_SIZE).
pub const MAX_ROWS: u32 = 0x8000_0000;
const MIN_CONFLICT: f32 = 0.2;
/// A lock held this long is taken over (its holder is presumed stuck), as in Swoole.
const FORCE_UNLOCK: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int = 1,
    Float = 2,
    String = 3,
}

impl ColumnType {
    pub fn from_swoole(n: i64) -> Option<ColumnType> {
        match n {
            1 => Some(ColumnType::Int),
            2 => Some(ColumnType::Float),
            3 => Some(ColumnType::String),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    /// Longest string the column holds (strings only).
    pub capacity: usize,
    offset: usize,
    /// Bytes of the string length prefix: 1, 2 or 4.
    len_bytes: usize,
}

impl Column {
    fn width(&self) -> usize {
        match self.ty {
            ColumnType::Int | ColumnType::Float => 8,
            ColumnType::String => self.len_bytes + self.capacity,
        }
    }
}

/// A value to store: the PHP side converts to the column's type first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
}

/// Rows and columns declared before `create()`.
#[derive(Debug, Clone)]
pub struct TableSpec {
    size: u32,
    conflict_proportion: f32,
    columns: Vec<Column>,
    data_size: usize,
}

impl TableSpec {
    /// Swoole's rounding: a power of two, at least 64, at most 2^31 rows;
    /// the conflict proportion kept within [0.2, 1].
    pub fn new(size: u32, conflict_proportion: f32) -> TableSpec {
        let size = if size >= MAX_ROWS {
            MAX_ROWS
        } else {
            size.max(64).next_power_of_two()
        };
        let p = if conflict_proportion > 1.0 {
            1.0
        } else if conflict_proportion >= MIN_CONFLICT {
            conflict_proportion
        } else {
            MIN_CONFLICT
        };
        TableSpec {
            size,
            conflict_proportion: p,
            columns: Vec::new(),
            data_size: 0,
        }
    }

    pub fn size(&self) -> u32 {
        self.size
    }

    /// Adds a column; strings hold `size` bytes rounded up to 8, as in Swoole.
    pub fn add_column(&mut self, name: &str, ty: ColumnType, size: usize) {
        // (lengths are stored in at most 32 bits; no memory holds more anyway)
        let capacity = match ty {
            ColumnType::String => (size.min(u32::MAX as usize - 7) + 7) & !7,
            _ => 0,
        };
        let len_bytes = match capacity {
            0..=0xff => 1,
            0x100..=0xffff => 2,
            _ => 4,
        };
        let col = Column {
            name: name.to_owned(),
            ty,
            capacity,
            offset: self.data_size,
            len_bytes,
        };
        self.data_size = self.data_size.saturating_add(col.width());
        self.columns.push(col);
    }

    /// Overflow rows for colliding keys (Swoole computes it in float too).
    fn pool_rows(&self) -> u32 {
        let total = (self.size as f32 * (1.0 + self.conflict_proportion)) as u64;
        (total - self.size as u64) as u32
    }

    fn row_size(&self) -> usize {
        self.data_size.saturating_add(DATA + 3) & !3
    }

    /// Bytes the shared region of this table takes (None: more than exists).
    pub fn memory_size(&self) -> Option<usize> {
        (self.size as usize + self.pool_rows() as usize)
            .checked_mul(self.row_size())?
            .checked_add(HEADER)
    }

    /// Maps the shared region. Its pages cost nothing until rows are used.
    pub fn create(self) -> io::Result<Table> {
        let len = self
            .memory_size()
            .ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))?;
        let region = SharedRegion::new(len)?;
        Ok(Table {
            pool_rows: self.pool_rows(),
            row_size: self.row_size(),
            mask: self.size as u64 - 1,
            spec: self,
            region,
        })
    }
}

// Header offsets.
const POOL_LOCK: usize = 0;
const POOL_FREE: usize = 4; // first free overflow row + 1 (0: none)
const POOL_BUMP: usize = 8; // overflow rows ever handed out
const POOL_USED: usize = 12;
const ROW_NUM: usize = 16;
const CONFLICT_MAX_LEVEL: usize = 20;
const CONFLICT_COUNT: usize = 24;
const INSERT_COUNT: usize = 32;
const UPDATE_COUNT: usize = 40;
const DELETE_COUNT: usize = 48;
const HEADER: usize = 64;

// Row offsets.
const LOCK: usize = 0;
const NEXT: usize = 4; // overflow row index + 1 (0: end of chain)
const META: usize = 8; // 0: empty, else key length + 1
const KEY: usize = 9;
const DATA: usize = KEY + KEY_MAX; // 72

pub struct Table {
    spec: TableSpec,
    region: SharedRegion,
    row_size: usize,
    pool_rows: u32,
    mask: u64,
}

/// Counters for `stats()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableStats {
    pub num: u32,
    pub conflict_count: u64,
    pub conflict_max_level: u32,
    pub insert_count: u64,
    pub update_count: u64,
    pub delete_count: u64,
    pub available_slice_num: u32,
    pub total_slice_num: u32,
}

/// Where a `foreach` is: bucket, then position in its chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    bucket: u64,
    depth: u32,
}

/// A row's key and column data, read under its lock or copied out.
pub struct RowRef<'a> {
    columns: &'a [Column],
    pub key: &'a [u8],
    data: &'a [u8],
}

impl<'a> RowRef<'a> {
    pub fn value(&self, col: usize) -> Value<'a> {
        let c = &self.columns[col];
        let d = &self.data[c.offset..c.offset + c.width()];
        match c.ty {
            ColumnType::Int => Value::Int(i64::from_ne_bytes(d[..8].try_into().unwrap())),
            ColumnType::Float => Value::Float(f64::from_ne_bytes(d[..8].try_into().unwrap())),
            ColumnType::String => {
                let n = read_len(&d[..c.len_bytes]).min(c.capacity);
                Value::Str(&d[c.len_bytes..c.len_bytes + n])
            }
        }
    }
}

/// A row being written, under its lock.
pub struct RowMut<'a> {
    columns: &'a [Column],
    data: &'a mut [u8],
}

impl RowMut<'_> {
    pub fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            columns: self.columns,
            key: &[],
            data: self.data,
        }
    }

    /// Stores `v` (which must match the column's type); a string longer than
    /// the column is cut to fit and false returned.
    pub fn set(&mut self, col: usize, v: Value<'_>) -> bool {
        let c = &self.columns[col];
        let d = &mut self.data[c.offset..c.offset + c.width()];
        match (c.ty, v) {
            (ColumnType::Int, Value::Int(i)) => d[..8].copy_from_slice(&i.to_ne_bytes()),
            (ColumnType::Float, Value::Float(f)) => d[..8].copy_from_slice(&f.to_ne_bytes()),
            (ColumnType::String, Value::Str(s)) => {
                let n = s.len().min(c.capacity);
                write_len(&mut d[..c.len_bytes], n);
                d[c.len_bytes..c.len_bytes + n].copy_from_slice(&s[..n]);
                return n == s.len();
            }
            (ty, v) => panic!("value {v:?} for a {ty:?} column"),
        }
        true
    }

    /// Zero numbers, empty strings.
    pub fn clear(&mut self) {
        self.data.fill(0);
    }
}

fn read_len(b: &[u8]) -> usize {
    let mut buf = [0u8; 4];
    buf[..b.len()].copy_from_slice(b);
    u32::from_le_bytes(buf) as usize
}

fn write_len(b: &mut [u8], n: usize) {
    let n = n as u32;
    let len = b.len();
    b.copy_from_slice(&n.to_le_bytes()[..len]);
}

/// PHP's string hash (DJBX33A), which Swoole's table uses for buckets.
pub fn php_hash(key: &[u8]) -> u64 {
    let mut h: u64 = 5381;
    for &c in key {
        h = h.wrapping_mul(33).wrapping_add(c as u64);
    }
    h | 0x8000_0000_0000_0000
}

/// Swoole stores and compares only the first 63 bytes of a key.
pub fn clamp_key(key: &[u8]) -> &[u8] {
    &key[..key.len().min(KEY_MAX)]
}

/// Takes a lock word (0: free, else the holder's pid), spinning, then
/// yielding; a holder that no longer exists, or that held it longer than
/// any table operation can, loses it.
fn lock_word(w: &AtomicU32) {
    let me = pid();
    if w.compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
    {
        return;
    }
    let mut since: Option<Instant> = None;
    loop {
        for _ in 0..64 {
            if w.load(Ordering::Relaxed) == 0
                && w.compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            std::hint::spin_loop();
        }
        let holder = w.load(Ordering::Relaxed);
        if holder != 0 && holder != me && process_gone(holder) {
            if w.compare_exchange(holder, me, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
            continue;
        }
        let start = *since.get_or_insert_with(Instant::now);
        if start.elapsed() > FORCE_UNLOCK {
            w.store(me, Ordering::Release);
            std::sync::atomic::fence(Ordering::Acquire);
            return;
        }
        std::thread::yield_now();
    }
}

fn unlock_word(w: &AtomicU32) {
    w.store(0, Ordering::Release);
}

/// Releases a bucket lock when dropped (also on unwinding).
struct Held<'a>(&'a AtomicU32);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        unlock_word(self.0);
    }
}

impl Table {
    pub fn columns(&self) -> &[Column] {
        &self.spec.columns
    }

    /// The column called `name`, if any.
    pub fn column_index(&self, name: &[u8]) -> Option<usize> {
        self.spec
            .columns
            .iter()
            .position(|c| c.name.as_bytes() == name)
    }

    pub fn size(&self) -> u32 {
        self.spec.size
    }

    pub fn memory_size(&self) -> usize {
        self.region.len()
    }

    pub fn count(&self) -> u32 {
        self.atomic32(ROW_NUM).load(Ordering::Relaxed)
    }

    fn atomic32(&self, off: usize) -> &AtomicU32 {
        // SAFETY: `off` is a 4-aligned offset inside the region (header or a
        // row start; rows are 4-aligned), which lives as long as self.
        unsafe { &*(self.region.as_ptr().add(off) as *const AtomicU32) }
    }

    fn atomic64(&self, off: usize) -> &AtomicU64 {
        // SAFETY: 8-aligned header offset.
        unsafe { &*(self.region.as_ptr().add(off) as *const AtomicU64) }
    }

    /// Offset of row `i` (buckets first, then overflow rows).
    fn row(&self, i: u64) -> usize {
        HEADER + i as usize * self.row_size
    }

    fn pool_row(&self, link: u32) -> usize {
        self.row(self.spec.size as u64 + link as u64 - 1)
    }

    // The accessors below read and write plain (non-atomic) row fields: only
    // ever under the bucket's lock.

    fn byte(&self, off: usize) -> u8 {
        // SAFETY: inside the region.
        unsafe { *self.region.as_ptr().add(off) }
    }

    fn set_byte(&self, off: usize, v: u8) {
        // SAFETY: inside the region; the caller holds the lock guarding it.
        unsafe { *self.region.as_ptr().add(off) = v }
    }

    fn u32_at(&self, off: usize) -> u32 {
        // SAFETY: inside the region.
        unsafe { (self.region.as_ptr().add(off) as *const u32).read_unaligned() }
    }

    fn set_u32(&self, off: usize, v: u32) {
        // SAFETY: inside the region; the caller holds the lock guarding it.
        unsafe { (self.region.as_ptr().add(off) as *mut u32).write_unaligned(v) }
    }

    fn slice(&self, off: usize, len: usize) -> &[u8] {
        // SAFETY: inside the region; read under the guarding lock.
        unsafe { std::slice::from_raw_parts(self.region.as_ptr().add(off), len) }
    }

    #[allow(clippy::mut_from_ref)]
    fn slice_mut(&self, off: usize, len: usize) -> &mut [u8] {
        // SAFETY: inside the region; the caller holds the guarding lock, so
        // nobody else touches these bytes while the slice lives.
        unsafe { std::slice::from_raw_parts_mut(self.region.as_ptr().add(off), len) }
    }

    fn key_of(&self, row: usize) -> Option<&[u8]> {
        match self.byte(row + META) {
            0 => None,
            m => Some(self.slice(row + KEY, m as usize - 1)),
        }
    }

    fn row_ref(&self, row: usize) -> RowRef<'_> {
        RowRef {
            columns: &self.spec.columns,
            key: self.key_of(row).unwrap_or(&[]),
            data: self.slice(row + DATA, self.spec.data_size),
        }
    }

    fn init_row(&self, row: usize, key: &[u8]) {
        self.set_u32(row + NEXT, 0);
        self.set_byte(row + META, key.len() as u8 + 1);
        self.slice_mut(row + KEY, key.len()).copy_from_slice(key);
        self.slice_mut(row + DATA, self.spec.data_size).fill(0);
    }

    /// Locks the bucket of `key`. As in Swoole, the bucket comes from the whole
    /// key while only its first 63 bytes are stored and compared.
    fn lock_bucket(&self, key: &[u8]) -> (usize, Held<'_>) {
        let b = self.row(php_hash(key) & self.mask);
        let w = self.atomic32(b + LOCK);
        lock_word(w);
        (b, Held(w))
    }

    /// The row holding `key` in the chain starting at bucket `b`, and how
    /// deep it is; or the last row of the chain (None if the bucket is empty).
    fn find(&self, b: usize, key: &[u8]) -> Result<usize, Option<(usize, u32)>> {
        if self.key_of(b).is_none() {
            return Err(None);
        }
        let (mut row, mut level) = (b, 1);
        loop {
            if self.key_of(row) == Some(key) {
                return Ok(row);
            }
            match self.u32_at(row + NEXT) {
                0 => return Err(Some((row, level))),
                link => {
                    row = self.pool_row(link);
                    level += 1;
                }
            }
        }
    }

    /// Calls `f` with the row of `key` (cut to 63 bytes), under its lock.
    pub fn get<R>(&self, key: &[u8], f: impl FnOnce(RowRef<'_>) -> R) -> Option<R> {
        let (b, _held) = self.lock_bucket(key);
        let key = clamp_key(key);
        self.find(b, key).ok().map(|row| f(self.row_ref(row)))
    }

    pub fn exists(&self, key: &[u8]) -> bool {
        self.get(key, |_| ()).is_some()
    }

    /// Calls `f` with the row of `key`, made (zeroed) if new (the bool says
    /// so), under its lock. None: the table is full.
    pub fn upsert<R>(&self, key: &[u8], f: impl FnOnce(RowMut<'_>, bool) -> R) -> Option<R> {
        let (b, _held) = self.lock_bucket(key);
        let key = clamp_key(key);
        let (row, new) = match self.find(b, key) {
            Ok(row) => (row, false),
            Err(None) => {
                self.init_row(b, key);
                (b, true)
            }
            Err(Some((last, level))) => {
                let link = self.alloc_pool_row()?;
                let row = self.pool_row(link);
                self.init_row(row, key);
                self.set_u32(last + NEXT, link);
                self.atomic64(CONFLICT_COUNT)
                    .fetch_add(1, Ordering::Relaxed);
                self.atomic32(CONFLICT_MAX_LEVEL)
                    .fetch_max(level, Ordering::Relaxed);
                (row, true)
            }
        };
        if new {
            self.atomic32(ROW_NUM).fetch_add(1, Ordering::Relaxed);
            self.atomic64(INSERT_COUNT).fetch_add(1, Ordering::Relaxed);
        } else {
            self.atomic64(UPDATE_COUNT).fetch_add(1, Ordering::Relaxed);
        }
        let data = self.slice_mut(row + DATA, self.spec.data_size);
        Some(f(
            RowMut {
                columns: &self.spec.columns,
                data,
            },
            new,
        ))
    }

    /// Removes `key`; false if it was not there. A bucket row whose key goes
    /// takes over the first chained row, so an empty bucket means an empty chain.
    pub fn del(&self, key: &[u8]) -> bool {
        let (b, _held) = self.lock_bucket(key);
        let key = clamp_key(key);
        let Ok(row) = self.find(b, key) else {
            return false;
        };
        let next = self.u32_at(row + NEXT);
        if row == b {
            if next == 0 {
                self.set_byte(b + META, 0);
            } else {
                let moved = self.pool_row(next);
                let len = self.row_size - META;
                let src = self.slice(moved + META, len).to_vec();
                self.slice_mut(b + META, len).copy_from_slice(&src);
                self.set_u32(b + NEXT, self.u32_at(moved + NEXT));
                self.free_pool_row(next);
            }
        } else {
            // unlink: find the row pointing at `row`
            let mut prev = b;
            loop {
                let link = self.u32_at(prev + NEXT);
                if self.pool_row(link) == row {
                    self.set_u32(prev + NEXT, next);
                    self.free_pool_row(link);
                    break;
                }
                prev = self.pool_row(link);
            }
        }
        self.atomic32(ROW_NUM).fetch_sub(1, Ordering::Relaxed);
        self.atomic64(DELETE_COUNT).fetch_add(1, Ordering::Relaxed);
        true
    }

    fn alloc_pool_row(&self) -> Option<u32> {
        let w = self.atomic32(POOL_LOCK);
        lock_word(w);
        let _held = Held(w);
        let free = self.u32_at(POOL_FREE);
        let link = if free != 0 {
            let row = self.pool_row(free);
            self.set_u32(POOL_FREE, self.u32_at(row + NEXT));
            free
        } else {
            let bump = self.u32_at(POOL_BUMP);
            if bump == self.pool_rows {
                return None;
            }
            self.set_u32(POOL_BUMP, bump + 1);
            bump + 1
        };
        self.set_u32(POOL_USED, self.u32_at(POOL_USED) + 1);
        Some(link)
    }

    fn free_pool_row(&self, link: u32) {
        let w = self.atomic32(POOL_LOCK);
        lock_word(w);
        let _held = Held(w);
        let row = self.pool_row(link);
        self.set_byte(row + META, 0);
        self.set_u32(row + NEXT, self.u32_at(POOL_FREE));
        self.set_u32(POOL_FREE, link);
        self.set_u32(POOL_USED, self.u32_at(POOL_USED) - 1);
    }

    pub fn stats(&self) -> TableStats {
        let w = self.atomic32(POOL_LOCK);
        lock_word(w);
        let used = self.u32_at(POOL_USED);
        unlock_word(w);
        TableStats {
            num: self.count(),
            conflict_count: self.atomic64(CONFLICT_COUNT).load(Ordering::Relaxed),
            conflict_max_level: self.atomic32(CONFLICT_MAX_LEVEL).load(Ordering::Relaxed),
            insert_count: self.atomic64(INSERT_COUNT).load(Ordering::Relaxed),
            update_count: self.atomic64(UPDATE_COUNT).load(Ordering::Relaxed),
            delete_count: self.atomic64(DELETE_COUNT).load(Ordering::Relaxed),
            available_slice_num: self.pool_rows - used,
            total_slice_num: self.pool_rows,
        }
    }

    /// The next row of a `foreach`, copied out (key, column data), in
    /// Swoole's order: bucket by bucket, each chain from its head. Rows
    /// changed meanwhile by other processes are seen or not, never torn.
    pub fn next_row(&self, cursor: &mut Cursor) -> Option<RowCopy> {
        while cursor.bucket <= self.mask {
            let b = self.row(cursor.bucket);
            let w = self.atomic32(b + LOCK);
            lock_word(w);
            let _held = Held(w);
            let mut row = b;
            let mut found = self.key_of(b).is_some();
            for _ in 0..cursor.depth {
                if !found {
                    break;
                }
                match self.u32_at(row + NEXT) {
                    0 => found = false,
                    link => row = self.pool_row(link),
                }
            }
            if found {
                let copy = RowCopy {
                    key: self.key_of(row).unwrap_or(&[]).to_vec(),
                    data: self.slice(row + DATA, self.spec.data_size).to_vec(),
                };
                if self.u32_at(row + NEXT) == 0 {
                    cursor.bucket += 1;
                    cursor.depth = 0;
                } else {
                    cursor.depth += 1;
                }
                return Some(copy);
            }
            cursor.bucket += 1;
            cursor.depth = 0;
        }
        None
    }

    /// Reads a copied row with this table's columns.
    pub fn view<'a>(&'a self, copy: &'a RowCopy) -> RowRef<'a> {
        RowRef {
            columns: &self.spec.columns,
            key: &copy.key,
            data: &copy.data,
        }
    }
}

/// A row copied out for iteration.
#[derive(Debug, Clone)]
pub struct RowCopy {
    pub key: Vec<u8>,
    data: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::super::{in_child, wait_child};
    use super::*;

    fn table(size: u32) -> Table {
        let mut s = TableSpec::new(size, 0.2);
        s.add_column("id", ColumnType::Int, 0);
        s.add_column("score", ColumnType::Float, 0);
        s.add_column("name", ColumnType::String, 10);
        s.create().unwrap()
    }

    fn put(t: &Table, key: &str, id: i64, name: &str) -> Option<bool> {
        t.upsert(key.as_bytes(), |mut r, _| {
            r.set(0, Value::Int(id));
            r.set(2, Value::Str(name.as_bytes()))
        })
    }

    fn id(t: &Table, key: &str) -> Option<i64> {
        t.get(key.as_bytes(), |r| match r.value(0) {
            Value::Int(i) => i,
            _ => unreachable!(),
        })
    }

    #[test]
    fn sizes_round_like_swoole() {
        assert_eq!(TableSpec::new(0, 0.2).size(), 64);
        assert_eq!(TableSpec::new(65, 0.2).size(), 128);
        assert_eq!(TableSpec::new(1024, 0.2).size(), 1024);
        assert_eq!(TableSpec::new(u32::MAX, 0.2).size(), MAX_ROWS);
        let s = TableSpec::new(1024, 0.0);
        assert_eq!(s.pool_rows(), 204);
        assert_eq!(TableSpec::new(1024, 5.0).pool_rows(), 1024);
    }

    #[test]
    fn set_get_update_delete() {
        let t = table(64);
        assert_eq!(put(&t, "a", 1, "alice"), Some(true));
        assert_eq!(id(&t, "a"), Some(1));
        assert_eq!(put(&t, "a", 2, "bob"), Some(true));
        assert_eq!(id(&t, "a"), Some(2));
        assert_eq!(t.count(), 1);
        assert!(t.del(b"a"));
        assert!(!t.del(b"a"));
        assert_eq!(id(&t, "a"), None);
        assert_eq!(t.count(), 0);
        let s = t.stats();
        assert_eq!((s.insert_count, s.update_count, s.delete_count), (1, 1, 1));
    }

    #[test]
    fn long_strings_are_cut_and_reported() {
        let t = table(64);
        // capacity 10 rounds to 16
        assert_eq!(put(&t, "k", 1, "0123456789abcdef"), Some(true));
        assert_eq!(put(&t, "k", 1, "0123456789abcdefX"), Some(false));
        let name = t.get(b"k", |r| match r.value(2) {
            Value::Str(s) => s.to_vec(),
            _ => unreachable!(),
        });
        assert_eq!(name.unwrap(), b"0123456789abcdef");
    }

    #[test]
    fn long_keys_are_cut_to_63_bytes_but_hashed_whole() {
        let t = table(64);
        let long = "k".repeat(100);
        put(&t, &long, 7, "x");
        assert_eq!(id(&t, &long), Some(7));
        // the stored key is the first 63 bytes
        let mut cur = Cursor::default();
        assert_eq!(
            t.next_row(&mut cur).unwrap().key,
            "k".repeat(63).into_bytes()
        );
        // a key with the same 63 bytes matches only if it lands in the same bucket
        for other in ["k".repeat(63), "k".repeat(80)] {
            let same_bucket =
                php_hash(other.as_bytes()) & t.mask == php_hash(long.as_bytes()) & t.mask;
            assert_eq!(id(&t, &other).is_some(), same_bucket, "{}", other.len());
        }
    }

    #[test]
    fn a_full_table_refuses_without_touching_other_rows() {
        let t = table(64); // 64 buckets + 12 overflow rows
        let mut stored = Vec::new();
        for i in 0..10_000 {
            let k = format!("key-{i}");
            match put(&t, &k, i, "v") {
                Some(_) => stored.push((k, i)),
                None => break,
            }
        }
        assert!(stored.len() <= 76 && stored.len() > 12, "{}", stored.len());
        assert_eq!(t.stats().available_slice_num, 0);
        for (k, i) in &stored {
            assert_eq!(id(&t, k), Some(*i), "{k}");
        }
        assert_eq!(t.count() as usize, stored.len());
    }

    #[test]
    fn chains_survive_deleting_heads_and_middles() {
        let t = table(64);
        // fill well past the bucket count so chains form
        let keys: Vec<String> = (0..70).map(|i| format!("k{i}")).collect();
        let kept: Vec<&String> = keys
            .iter()
            .filter(|k| put(&t, k, 1, "").is_some())
            .collect();
        for (n, k) in kept.iter().enumerate() {
            if n % 2 == 0 {
                assert!(t.del(k.as_bytes()));
            }
        }
        for (n, k) in kept.iter().enumerate() {
            assert_eq!(t.exists(k.as_bytes()), n % 2 == 1, "{k}");
        }
        // freed overflow rows are reused
        let before = t.stats().available_slice_num;
        for (n, k) in kept.iter().enumerate() {
            if n % 2 == 0 {
                put(&t, k, 2, "");
            }
        }
        assert!(t.stats().available_slice_num <= before);
        assert_eq!(t.count() as usize, kept.len());
    }

    #[test]
    fn iteration_sees_every_row_once() {
        let t = table(64);
        let mut want: Vec<Vec<u8>> = Vec::new();
        for i in 0..70 {
            let k = format!("r{i}");
            if put(&t, &k, i, "").is_some() {
                want.push(k.into_bytes());
            }
        }
        let mut cur = Cursor::default();
        let mut got = Vec::new();
        while let Some(row) = t.next_row(&mut cur) {
            got.push(row.key.clone());
        }
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn threads_incrementing_one_row_lose_nothing() {
        let t = table(64);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..20_000 {
                        t.upsert(b"n", |mut r, _| {
                            let Value::Int(v) = r.as_ref().value(0) else {
                                unreachable!()
                            };
                            r.set(0, Value::Int(v + 1));
                        });
                    }
                });
            }
        });
        assert_eq!(id(&t, "n"), Some(80_000));
    }

    #[test]
    fn processes_share_rows_and_never_tear_them() {
        let t = table(1024);
        // every writer stores rows whose id and name agree; readers check that
        let kids: Vec<_> = (0..3)
            .map(|w| {
                let t = &t;
                in_child(move || {
                    for i in 0..20_000i64 {
                        let k = format!("row{}", i % 50);
                        let v = i * 3 + w;
                        put(t, &k, v, &v.to_string());
                        t.upsert(b"counter", |mut r, _| {
                            let Value::Int(c) = r.as_ref().value(0) else {
                                unreachable!()
                            };
                            r.set(0, Value::Int(c + 1));
                        });
                        let ok = t
                            .get(k.as_bytes(), |r| match (r.value(0), r.value(2)) {
                                (Value::Int(a), Value::Str(s)) => a.to_string().as_bytes() == s,
                                _ => false,
                            })
                            .unwrap_or(false);
                        if !ok {
                            return 1;
                        }
                    }
                    0
                })
            })
            .collect();
        for k in kids {
            assert_eq!(wait_child(k), 0, "a child saw a torn row");
        }
        assert_eq!(id(&t, "counter"), Some(60_000));
        assert_eq!(t.count(), 51);
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over() {
        let t = table(64);
        put(&t, "x", 1, "");
        let b = t.row(php_hash(b"x") & t.mask);
        let child = in_child(|| {
            lock_word(t.atomic32(b + LOCK));
            0 // exits holding the row lock
        });
        assert_eq!(wait_child(child), 0);
        assert_eq!(id(&t, "x"), Some(1));
    }

    #[test]
    fn absurd_column_sizes_fail_to_create_instead_of_overflowing() {
        let mut s = TableSpec::new(u32::MAX, 1.0);
        for _ in 0..4 {
            s.add_column("s", ColumnType::String, usize::MAX);
        }
        assert!(s.memory_size().is_none());
        assert!(s.create().is_err());
        // no overflow, but no machine has that much memory either
        let mut s = TableSpec::new(1 << 20, 1.0);
        s.add_column("s", ColumnType::String, usize::MAX);
        assert!(s.memory_size().is_some());
        assert!(s.create().is_err());
    }

    #[test]
    fn memory_beats_swoole_for_a_million_rows() {
        let mut s = TableSpec::new(1_000_000, 0.2);
        s.add_column("i", ColumnType::Int, 0);
        s.add_column("f", ColumnType::Float, 0);
        s.add_column("s", ColumnType::String, 32);
        // Swoole 6.2.1: rows * (88 + 8 + 8 + 36) + buckets * 8 + overflow * 24 + 48
        let rows = 1_048_576u64 + 209_715;
        let swoole = rows * 140 + 1_048_576 * 8 + 209_715 * 24 + 48;
        let ours = s.memory_size().unwrap() as u64;
        assert!(ours < swoole, "ours {ours} vs Swoole {swoole}");
    }
}
