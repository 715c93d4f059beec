//! `Swoole\Table`: the PHP face of the engine's shared-memory table
//! (`swoole_rs_engine::shm::table`). Declared columns, then `create()` maps
//! the shared region; a table created before the server starts is shared by
//! every worker process.
//!
//! Values are converted to the column types before a row is locked, so no PHP
//! code (a `__toString`) ever runs while another process may be waiting.

use std::cell::RefCell;

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, ZendObject, Zval};
use ext_php_rs::zend::ce;
use swoole_rs_engine::bridge::LogLevel;
use swoole_rs_engine::shm::table::{
    self as shm, ColumnType, Cursor, RowCopy, RowRef, TableSpec, Value,
};

use super::args::{Float, Int, Str};
use super::errors::warn;
use super::frame::prop;
use super::log::LogSettings;
use super::values::{array_zval, bool_zval, bytes_zval, double_zval, long_zval};

enum State {
    Declaring(TableSpec),
    Created(shm::Table),
    Destroyed,
}

/// Where a `foreach` over the table is, and the row it is on.
#[derive(Default)]
struct Iteration {
    cursor: Cursor,
    current: Option<RowCopy>,
}

#[php_class]
#[php(name = "Swoole\\Table")]
#[php(implements(ce = ce::iterator, stub = "\\Iterator"))]
#[php(implements(ce = ce::countable, stub = "\\Countable"))]
#[php(modifier = table_modifier)]
pub struct Table {
    state: RefCell<State>,
    iter: RefCell<Iteration>,
}

fn table_modifier(b: ClassBuilder) -> ClassBuilder {
    b.property(prop("size", Zval::null))
        .property(prop("memorySize", Zval::null))
}

const NOT_CREATED: &str = "table is not created or has been destroyed";
/// What Swoole says about a destroyed table.
const DESTROYED: &str = "must call constructor first";

/// A key as Swoole's `string $key` takes it: strings as they are, numbers and
/// bools converted (with no allocation for the common integer key).
fn with_key<R>(arg: &str, key: &Zval, f: impl FnOnce(&[u8]) -> R) -> PhpResult<R> {
    let key = key.dereference();
    if let Some(s) = key.zend_str() {
        return Ok(f(s.as_bytes()));
    }
    if let Some(n) = key.long() {
        let mut buf = [0u8; 20];
        return Ok(f(format_long(n, &mut buf)));
    }
    if key.is_double() || key.is_bool() || key.is_null() {
        let s = key.coerce_to_string().unwrap_or_default();
        return Ok(f(s.as_bytes()));
    }
    Err(PhpException::new(
        format!(
            "Swoole\\Table::{arg}(): Argument #1 ($key) must be of type string, {} given",
            type_name(key)
        ),
        0,
        ce::type_error(),
    ))
}

fn type_name(z: &Zval) -> &'static str {
    if z.is_array() {
        "array"
    } else if z.is_object() {
        "object"
    } else {
        "resource"
    }
}

fn format_long(mut n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let neg = n < 0;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10).unsigned_abs() as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        // i64::MIN has 19 digits, so there is room for the sign
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// A PHP value converted to a column's type, as Swoole's zval_get_* do.
enum Owned<'a> {
    Int(i64),
    Float(f64),
    Str(std::borrow::Cow<'a, [u8]>),
}

impl Owned<'_> {
    fn value(&self) -> Value<'_> {
        match self {
            Owned::Int(i) => Value::Int(*i),
            Owned::Float(f) => Value::Float(*f),
            Owned::Str(s) => Value::Str(s),
        }
    }
}

fn convert(ty: ColumnType, z: &Zval) -> Owned<'_> {
    let z = z.dereference();
    match ty {
        ColumnType::Int => Owned::Int(z.coerce_to_long().unwrap_or(0)),
        ColumnType::Float => Owned::Float(z.coerce_to_double().unwrap_or(0.0)),
        ColumnType::String => match z.zend_str() {
            Some(s) => Owned::Str(s.as_bytes().into()),
            None => Owned::Str(z.coerce_to_string().unwrap_or_default().into_bytes().into()),
        },
    }
}

fn value_zval(v: Value<'_>) -> Zval {
    match v {
        Value::Int(i) => long_zval(i),
        Value::Float(f) => double_zval(f),
        Value::Str(s) => bytes_zval(s),
    }
}

fn row_array(t: &shm::Table, row: &RowRef<'_>) -> Zval {
    let mut ht = ZendHashTable::with_capacity(t.columns().len() as u32);
    for (i, c) in t.columns().iter().enumerate() {
        let _ = ht.insert(c.name.as_str(), value_zval(row.value(i)));
    }
    array_zval(ht)
}

/// Swoole logs (not warns) a cut string, from its row writer.
fn log_cut_string(key: &[u8], column: &str) {
    LogSettings::default().write(
        LogLevel::Warning,
        &format!(
            "TableRow::set_value(): [key={},field={column}]string value is too long",
            String::from_utf8_lossy(shm::clamp_key(key))
        ),
    );
}

impl Table {
    /// Runs `f` on the created table; a table not created (or destroyed) is
    /// an error, as in Swoole (there a fatal one).
    fn created<R>(&self, f: impl FnOnce(&shm::Table) -> PhpResult<R>) -> PhpResult<R> {
        match &*self.state.borrow() {
            State::Created(t) => f(t),
            State::Declaring(_) => Err(PhpException::new(NOT_CREATED.into(), 0, ce::error())),
            State::Destroyed => Err(PhpException::new(DESTROYED.into(), 0, ce::error())),
        }
    }

    fn add(
        &self,
        name: &str,
        key: &Zval,
        column: &str,
        by: Option<&Zval>,
        up: bool,
    ) -> PhpResult<Zval> {
        self.created(|t| {
            with_key(name, key, |key| {
                let Some(col) = t.column_index(column.as_bytes()) else {
                    warn(&format!("column[{column}] does not exist"));
                    return bool_zval(false);
                };
                let ty = t.columns()[col].ty;
                if ty == ColumnType::String {
                    warn(&format!("can't execute '{name}' on a string type column"));
                    return bool_zval(false);
                }
                let by = by.map(|z| z.dereference());
                let done = t.upsert(key, |mut row, _new| match ty {
                    ColumnType::Float => {
                        let d = by.map_or(1.0, |z| z.coerce_to_double().unwrap_or(0.0));
                        let Value::Float(v) = row.as_ref().value(col) else {
                            unreachable!()
                        };
                        let v = if up { v + d } else { v - d };
                        row.set(col, Value::Float(v));
                        double_zval(v)
                    }
                    _ => {
                        let d = by.map_or(1, |z| z.coerce_to_long().unwrap_or(0));
                        let Value::Int(v) = row.as_ref().value(col) else {
                            unreachable!()
                        };
                        let v = if up {
                            v.wrapping_add(d)
                        } else {
                            v.wrapping_sub(d)
                        };
                        row.set(col, Value::Int(v));
                        long_zval(v)
                    }
                });
                done.unwrap_or_else(|| {
                    warn("unable to allocate memory");
                    bool_zval(false)
                })
            })
        })
    }

    fn set_props(obj: &mut ZendObject, size: i64, memory: i64) {
        let _ = obj.set_property("size", long_zval(size));
        let _ = obj.set_property("memorySize", long_zval(memory));
    }
}

#[php_impl]
impl Table {
    const TYPE_INT: i64 = 1;
    const TYPE_STRING: i64 = 3;
    const TYPE_FLOAT: i64 = 2;

    #[php(optional = conflict_proportion)]
    pub fn __construct(table_size: Int, conflict_proportion: Option<Float>) -> Self {
        let table_size = table_size.0;
        let conflict_proportion = conflict_proportion.map_or(0.2, |c| c.0);
        // Swoole takes the size as a 32-bit unsigned number.
        let spec = TableSpec::new(table_size as u32, conflict_proportion as f32);
        Table {
            state: RefCell::new(State::Declaring(spec)),
            iter: RefCell::default(),
        }
    }

    #[php(optional = size)]
    pub fn column(&self, name: Str, r#type: Int, size: Option<Int>) -> bool {
        let (name, r#type, size) = (name.lossy(), r#type.0, size.map_or(0, |s| s.0));
        let ty = ColumnType::from_swoole(r#type);
        if ty == Some(ColumnType::String) && size < 1 {
            warn("the length of string type values has to be more than zero");
            return false;
        }
        let mut state = self.state.borrow_mut();
        let State::Declaring(spec) = &mut *state else {
            warn("unable to add column after table has been created");
            return false;
        };
        let Some(ty) = ty else {
            LogSettings::default().write(
                LogLevel::Warning,
                "Table::add_column(): unknown column type",
            );
            return false;
        };
        spec.add_column(&name, ty, size.max(0) as usize);
        true
    }

    pub fn create(self_: &mut ZendClassObject<Table>) -> PhpResult<bool> {
        let mut state = self_.state.borrow_mut();
        let State::Declaring(spec) = &*state else {
            return Err(PhpException::new(
                "unable to allocate memory".into(),
                0,
                ce::error(),
            ));
        };
        let table = spec
            .clone()
            .create()
            .map_err(|_| PhpException::new("unable to allocate memory".into(), 0, ce::error()))?;
        let (size, memory) = (table.size() as i64, table.memory_size() as i64);
        *state = State::Created(table);
        drop(state);
        Table::set_props(&mut self_.std, size, memory);
        Ok(true)
    }

    /// Unmaps the table in this process (other processes keep their mapping).
    pub fn destroy(&self) -> PhpResult<bool> {
        self.created(|_| Ok(()))?;
        *self.state.borrow_mut() = State::Destroyed;
        *self.iter.borrow_mut() = Iteration::default();
        Ok(true)
    }

    pub fn set(&self, key: &Zval, value: &ZendHashTable) -> PhpResult<bool> {
        self.created(|t| {
            with_key("set", key, |key| {
                if key.len() > shm::KEY_MAX {
                    warn(&format!(
                        "key[{}] is too long",
                        String::from_utf8_lossy(key)
                    ));
                }
                // Convert first, then lock (see the module comment).
                let mut vals: Vec<(usize, Owned)> = Vec::with_capacity(t.columns().len());
                for (col, c) in t.columns().iter().enumerate() {
                    if let Some(z) = value.get(c.name.as_str()) {
                        vals.push((col, convert(c.ty, z)));
                    }
                }
                let mut cut = Vec::new(); // columns whose string was cut
                let stored = t.upsert(key, |mut row, _new| {
                    for (col, v) in &vals {
                        if !row.set(*col, v.value()) {
                            cut.push(*col);
                        }
                    }
                });
                for col in cut {
                    log_cut_string(key, &t.columns()[col].name);
                }
                if stored.is_none() {
                    warn(&format!(
                        "failed to set('{}'), unable to allocate memory",
                        String::from_utf8_lossy(key)
                    ));
                    return false;
                }
                true
            })
        })
    }

    pub fn get(&self, key: &Zval, field: Option<&Zval>) -> PhpResult<Zval> {
        self.created(|t| {
            let field = match field.map(|f| f.dereference()).filter(|f| !f.is_null()) {
                None => None,
                Some(f) => match f.zend_str() {
                    Some(s) => Some(t.column_index(s.as_bytes())),
                    None => {
                        Some(t.column_index(f.coerce_to_string().unwrap_or_default().as_bytes()))
                    }
                },
            };
            with_key("get", key, |key| {
                t.get(key, |row| match field {
                    None => row_array(t, &row),
                    Some(Some(col)) => value_zval(row.value(col)),
                    Some(None) => bool_zval(false),
                })
                .unwrap_or_else(|| bool_zval(false))
            })
        })
    }

    pub fn count(&self) -> i64 {
        match &*self.state.borrow() {
            State::Created(t) => t.count() as i64,
            _ => 0,
        }
    }

    pub fn del(&self, key: &Zval) -> PhpResult<bool> {
        self.created(|t| with_key("del", key, |key| t.del(key)))
    }

    pub fn delete(&self, key: &Zval) -> PhpResult<bool> {
        self.created(|t| with_key("delete", key, |key| t.del(key)))
    }

    pub fn exists(&self, key: &Zval) -> PhpResult<bool> {
        self.created(|t| with_key("exists", key, |key| t.exists(key)))
    }

    pub fn exist(&self, key: &Zval) -> PhpResult<bool> {
        self.created(|t| with_key("exist", key, |key| t.exists(key)))
    }

    #[php(optional = incrby)]
    pub fn incr(&self, key: &Zval, column: Str, incrby: Option<&Zval>) -> PhpResult<Zval> {
        self.add("incr", key, &column.lossy(), incrby, true)
    }

    #[php(optional = incrby)]
    pub fn decr(&self, key: &Zval, column: Str, incrby: Option<&Zval>) -> PhpResult<Zval> {
        self.add("decr", key, &column.lossy(), incrby, false)
    }

    pub fn get_size(&self) -> i64 {
        match &*self.state.borrow() {
            State::Declaring(s) => s.size() as i64,
            State::Created(t) => t.size() as i64,
            State::Destroyed => 0,
        }
    }

    /// Bytes of shared memory the table maps (0 before create()).
    pub fn get_memory_size(&self) -> i64 {
        match &*self.state.borrow() {
            State::Created(t) => t.memory_size() as i64,
            _ => 0,
        }
    }

    pub fn stats(&self) -> Zval {
        let state = self.state.borrow();
        let State::Created(t) = &*state else {
            return bool_zval(false);
        };
        let s = t.stats();
        let mut ht = ZendHashTable::new();
        for (k, v) in [
            ("num", s.num as i64),
            ("conflict_count", s.conflict_count as i64),
            ("conflict_max_level", s.conflict_max_level as i64),
            ("insert_count", s.insert_count as i64),
            ("update_count", s.update_count as i64),
            ("delete_count", s.delete_count as i64),
            ("available_slice_num", s.available_slice_num as i64),
            ("total_slice_num", s.total_slice_num as i64),
        ] {
            let _ = ht.insert(k, long_zval(v));
        }
        array_zval(ht)
    }

    pub fn rewind(&self) -> PhpResult<()> {
        self.created(|t| {
            let mut it = self.iter.borrow_mut();
            it.cursor = Cursor::default();
            it.current = t.next_row(&mut it.cursor);
            Ok(())
        })
    }

    pub fn valid(&self) -> PhpResult<bool> {
        self.created(|_| Ok(self.iter.borrow().current.is_some()))
    }

    pub fn next(&self) -> PhpResult<()> {
        self.created(|t| {
            let mut it = self.iter.borrow_mut();
            it.current = t.next_row(&mut it.cursor);
            Ok(())
        })
    }

    pub fn current(&self) -> PhpResult<Zval> {
        self.created(|t| {
            let it = self.iter.borrow();
            Ok(match &it.current {
                Some(row) => row_array(t, &t.view(row)),
                None => Zval::null(),
            })
        })
    }

    pub fn key(&self) -> PhpResult<Zval> {
        self.created(|_| {
            Ok(match &self.iter.borrow().current {
                Some(row) => bytes_zval(&row.key),
                None => Zval::null(),
            })
        })
    }
}
