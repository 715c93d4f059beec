//! Scalar arguments parsed the way PHP's own internal functions parse them.
//!
//! ext-php-rs converts typed arguments strictly (an `i64` parameter refuses
//! `"5"`, `true` or `5.0`), while every Swoole method takes its scalars through
//! PHP's zpp: in a caller without `declare(strict_types=1)` bools, floats and
//! numeric strings convert (with PHP's deprecations for lossy floats and for
//! null), and anything else is a `TypeError` with PHP's own text; a strict
//! caller gets strict types. [`Int`], [`Float`], [`Bool`] and [`Str`] are the
//! parameter types that do this, by calling the engine's own conversion
//! functions (`zend_parse_arg_*_slow`, which check the caller's strictness), so
//! the rules are PHP's and cannot drift. Reflection shows them as `int`,
//! `float`, `bool` and `string` (`?int` inside `Option`).

use std::ffi::{c_char, CStr, CString};

use ext_php_rs::convert::FromZval;
use ext_php_rs::ffi::{self, zend_string, zval};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::Zval;

extern "C" {
    fn zend_parse_arg_long_slow(arg: *mut zval, dest: *mut i64, arg_num: u32) -> bool;
    fn zend_parse_arg_double_slow(arg: *mut zval, dest: *mut f64, arg_num: u32) -> bool;
    fn zend_parse_arg_bool_slow(arg: *mut zval, dest: *mut bool, arg_num: u32) -> bool;
    fn zend_parse_arg_str_slow(arg: *mut zval, dest: *mut *mut zend_string, arg_num: u32) -> bool;
    fn zend_argument_type_error(arg_num: u32, format: *const c_char, ...);
    fn zend_zval_type_name(arg: *const zval) -> *const c_char;
}

/// An `int` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int(pub i64);

/// A `float` parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Float(pub f64);

/// A `bool` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bool(pub bool);

/// A `string` parameter, binary safe.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Str(pub Vec<u8>);

impl Str {
    /// The text, with invalid UTF-8 replaced (names, hosts, header keys).
    pub fn lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

/// Where the argument sits in the running internal call: its 1-based number
/// and whether its declared type allows null.
fn position(arg: &Zval) -> (u32, bool) {
    // SAFETY: these are the engine's globals and the frame of the internal
    // function being called right now; ext-php-rs hands us the argument zvals
    // in place in that frame, so the pointer difference is the argument index.
    unsafe {
        let ex = (*ffi::ext_php_rs_executor_globals()).current_execute_data;
        let Some(ex) = ex.as_mut() else {
            return (0, false);
        };
        let n_args = ex.This.u2.num_args as usize;
        let Some(first) = ex.zend_call_arg(0) else {
            return (0, false);
        };
        let first = std::ptr::from_mut(first) as usize;
        let this = std::ptr::from_ref(arg) as usize;
        let size = std::mem::size_of::<zval>();
        if this < first || !(this - first).is_multiple_of(size) || (this - first) / size >= n_args {
            return (0, false);
        }
        let index = (this - first) / size;
        let func = ex.func;
        let nullable = func.as_ref().is_some_and(|f| {
            let common = &f.common;
            (index as u32) < common.num_args
                && !common.arg_info.is_null()
                && (*common.arg_info.add(index)).type_.type_mask & 0x2 != 0
        });
        (index as u32 + 1, nullable)
    }
}

fn exception_pending() -> bool {
    // SAFETY: reading a pointer field of the engine's globals.
    unsafe { !(*ffi::ext_php_rs_executor_globals()).exception.is_null() }
}

/// Throws PHP's "must be of type int, array given" for this argument, unless
/// the conversion already raised something (a deprecation turned exception).
fn type_error(arg: &Zval, num: u32, nullable: bool, ty: &str) {
    if exception_pending() {
        return;
    }
    let ty = if nullable {
        format!("?{ty}")
    } else {
        ty.to_string()
    };
    // SAFETY: zend_zval_type_name returns a static or class-owned C string.
    let given = unsafe { CStr::from_ptr(zend_zval_type_name(arg)) };
    let msg = format!("must be of type {ty}, {} given", given.to_string_lossy());
    let msg = CString::new(msg).unwrap_or_default();
    // SAFETY: the format is a literal "%s" with one C string argument.
    unsafe { zend_argument_type_error(num, c"%s".as_ptr(), msg.as_ptr()) };
}

/// Runs one of the engine's `zend_parse_arg_*_slow` conversions on an argument
/// that is not already of the wanted type. `None` means a TypeError (or a
/// deprecation turned exception) is now pending; `Some(None)` is an explicit
/// null for a nullable parameter, which `Option<T>` turns into `None`.
fn convert<T: Default>(
    arg: &Zval,
    ty: &str,
    parse: impl FnOnce(*mut zval, &mut T, u32) -> bool,
) -> Option<Option<T>> {
    let (num, nullable) = position(arg);
    if nullable && arg.is_null() {
        return Some(None);
    }
    let mut out = T::default();
    // The conversion may replace a string argument by its converted copy, so
    // it works on a copy of the zval, never on the caller's value.
    let mut copy = arg.shallow_clone();
    if parse(std::ptr::from_mut(&mut copy), &mut out, num) && !exception_pending() {
        return Some(Some(out));
    }
    type_error(arg, num, nullable, ty);
    None
}

impl FromZval<'_> for Int {
    const TYPE: DataType = DataType::Long;

    fn from_zval(zval: &Zval) -> Option<Self> {
        if let Some(v) = zval.long() {
            return Some(Int(v));
        }
        // SAFETY: PHP's own conversion on a zval we own.
        let v = convert(zval, "int", |z, out: &mut i64, n| unsafe {
            zend_parse_arg_long_slow(z, out, n)
        })?;
        v.map(Int)
    }
}

impl FromZval<'_> for Float {
    const TYPE: DataType = DataType::Double;

    fn from_zval(zval: &Zval) -> Option<Self> {
        if let Some(v) = zval.double() {
            return Some(Float(v));
        }
        // SAFETY: PHP's own conversion on a zval we own.
        let v = convert(zval, "float", |z, out: &mut f64, n| unsafe {
            zend_parse_arg_double_slow(z, out, n)
        })?;
        v.map(Float)
    }
}

impl FromZval<'_> for Bool {
    const TYPE: DataType = DataType::Bool;

    fn from_zval(zval: &Zval) -> Option<Self> {
        if let Some(v) = zval.bool() {
            return Some(Bool(v));
        }
        // SAFETY: PHP's own conversion on a zval we own.
        let v = convert(zval, "bool", |z, out: &mut bool, n| unsafe {
            zend_parse_arg_bool_slow(z, out, n)
        })?;
        v.map(Bool)
    }
}

impl FromZval<'_> for Str {
    const TYPE: DataType = DataType::String;

    fn from_zval(zval: &Zval) -> Option<Self> {
        if let Some(s) = zval.zend_str() {
            return Some(Str(s.as_bytes().to_vec()));
        }
        // The converted string lives in the copy `convert` makes, so its bytes
        // are taken inside the callback, before that copy is released.
        let v = convert(zval, "string", |z, out: &mut Vec<u8>, n| {
            let mut s: *mut zend_string = std::ptr::null_mut();
            // SAFETY: PHP's own conversion; `s` points into `z` when it succeeds.
            let ok = unsafe { zend_parse_arg_str_slow(z, &mut s, n) };
            if ok {
                // SAFETY: a live zend_string owned by `z`.
                if let Some(s) = unsafe { s.as_ref() } {
                    out.extend_from_slice(s.as_bytes());
                }
            }
            ok
        })?;
        v.map(Str)
    }
}
