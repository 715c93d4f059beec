//! `Swoole\WebSocket\Frame` and `Swoole\WebSocket\CloseFrame`.
//!
//! Their properties are ordinary declared PHP properties (not Rust fields), so
//! they take any value, var_dump in Swoole's order, and cost nothing to read.

use bytes::Bytes;
use ext_php_rs::builders::{ClassBuilder, ClassProperty};
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::flags::PropertyFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendObject, Zval};
use swoole_rs_engine::bridge::InFrame;
use swoole_rs_engine::deflate::{DeflateParams, PerMessageDeflate, Role};
use swoole_rs_engine::frame::{self as wire, flags};
use swoole_rs_engine::receiver::{self, UnpackError};

use super::args::{Int, Str};
use super::errors::warn;
use super::values::{bool_zval, bytes_zval, long_zval, zval_bytes, zval_long};

/// A public declared property with a default (shared by the classes whose
/// properties are plain PHP properties).
pub fn prop(name: &str, default: fn() -> Zval) -> ClassProperty {
    ClassProperty {
        name: name.into(),
        flags: PropertyFlags::Public,
        default: Some(Box::new(move || Ok(default()))),
        docs: &[],
        ty: None,
        nullable: true,
        readonly: false,
        default_stub: None,
    }
}

fn frame_props(b: ClassBuilder, opcode: i64) -> ClassBuilder {
    // As the manual prints a new frame: no data yet, and final unless told otherwise.
    b.property(prop("fd", || long_zval(0)))
        .property(prop("data", Zval::null))
        .property(if opcode == 1 {
            prop("opcode", || long_zval(1))
        } else {
            prop("opcode", || long_zval(8))
        })
        .property(prop("flags", || long_zval(flags::FIN as i64)))
        .property(prop("finish", || bool_zval(true)))
}

fn frame_modifier(b: ClassBuilder) -> ClassBuilder {
    frame_props(b, 1)
}

fn close_frame_modifier(b: ClassBuilder) -> ClassBuilder {
    frame_props(b, 8)
        .property(prop("code", || long_zval(1000)))
        .property(prop("reason", || bytes_zval(b"")))
}

#[php_class]
#[php(name = "Swoole\\WebSocket\\Frame")]
#[php(modifier = frame_modifier)]
pub struct Frame;

#[php_class]
#[php(name = "Swoole\\WebSocket\\CloseFrame")]
#[php(extends(Frame))]
#[php(modifier = close_frame_modifier)]
pub struct CloseFrame;

/// Shared behaviour of both classes (a method of a Rust parent class cannot be
/// called on a Rust child class, so each exposes its own).
macro_rules! frame_methods {
    ($ty:ident) => {
        #[php_impl]
        impl $ty {
            pub fn __construct() -> Self {
                $ty
            }

            pub fn __to_string(self_: &mut ZendClassObject<$ty>) -> Binary {
                let out = OutFrame::from_object(self_.get_mut_zend_obj())
                    .map(|f| f.encode().to_vec())
                    .unwrap_or_default();
                Binary(out)
            }

            #[php(optional = opcode)]
            pub fn pack(data: &Zval, opcode: Option<Int>, flags: Option<Int>) -> Binary {
                Binary(pack(data, opcode.map_or(1, |o| o.0), flags.map_or(1, |f| f.0)).to_vec())
            }

            pub fn unpack(data: Str) -> Zval {
                unpack(&bytes_zval(&data.0))
            }
        }
    };
}

frame_methods!(Frame);
frame_methods!(CloseFrame);

/// A binary-safe PHP string return value.
pub struct Binary(pub Vec<u8>);

impl ext_php_rs::convert::IntoZval for Binary {
    const TYPE: ext_php_rs::flags::DataType = ext_php_rs::flags::DataType::String;
    const NULLABLE: bool = false;
    fn set_zval(self, zv: &mut Zval, _persistent: bool) -> ext_php_rs::error::Result<()> {
        zv.set_zend_string(ext_php_rs::types::ZendStr::new(&self.0, false));
        Ok(())
    }
}

/// A frame to send, read from PHP arguments or a Frame object.
pub struct OutFrame {
    pub opcode: u8,
    pub flags: u8,
    pub payload: Vec<u8>,
}

impl OutFrame {
    /// From a Frame/CloseFrame object; None for other objects.
    pub fn from_object(obj: &ZendObject) -> Option<OutFrame> {
        let frame_ce = Frame::get_metadata().ce();
        if !obj.instance_of(frame_ce) {
            return None;
        }
        let get = |name: &str| obj.get_property::<&Zval>(name).ok();
        let opcode = get("opcode").and_then(zval_long).unwrap_or(1);
        let mut fl = get("flags")
            .and_then(zval_long)
            .unwrap_or(flags::FIN as i64) as u8;
        if let Some(fin) = get("finish").filter(|z| z.is_bool()) {
            if fin.is_true() {
                fl |= flags::FIN;
            } else {
                fl &= !flags::FIN;
            }
        }
        let is_close =
            obj.instance_of(CloseFrame::get_metadata().ce()) || opcode == wire::OP_CLOSE as i64;
        let payload = if is_close && obj.instance_of(CloseFrame::get_metadata().ce()) {
            let code = get("code").and_then(zval_long).unwrap_or(1000) as u16;
            let reason = get("reason").and_then(zval_bytes).unwrap_or_default();
            wire::close_payload(code, &reason)
        } else {
            get("data").and_then(zval_bytes).unwrap_or_default()
        };
        Some(OutFrame {
            opcode: opcode as u8,
            flags: fl,
            payload,
        })
    }

    /// From push()/pack() arguments: a string or a Frame object.
    pub fn from_args(data: &Zval, opcode: i64, flags: i64) -> Option<OutFrame> {
        let data = data.dereference();
        if let Some(obj) = data.object() {
            return OutFrame::from_object(obj);
        }
        Some(OutFrame {
            opcode: opcode as u8,
            flags: flags as u8,
            payload: zval_bytes(data)?,
        })
    }

    /// First header byte. COMPRESS and RSV1 are not set here: only the
    /// connection knows whether compression was negotiated.
    pub fn first_byte(&self) -> u8 {
        Self::header_byte(self.opcode, self.flags)
    }

    /// First header byte from an opcode and Swoole flags (RSV1 left to the connection).
    pub fn header_byte(opcode: u8, fl: u8) -> u8 {
        wire::first_byte(
            fl & flags::FIN != 0,
            false,
            fl & flags::RSV2 != 0,
            fl & flags::RSV3 != 0,
            opcode,
        )
    }

    pub fn wants_compression(&self) -> bool {
        self.flags & (flags::COMPRESS | flags::RSV1) != 0
    }

    /// Wire bytes as `pack()` gives them, compressed with a fresh context when asked.
    pub fn encode(&self) -> Bytes {
        let mut first = self.first_byte();
        let mut payload = std::borrow::Cow::Borrowed(&self.payload[..]);
        if self.wants_compression() {
            first |= 0x40;
            payload = std::borrow::Cow::Owned(compress_once(&self.payload));
        }
        let mask = (self.flags & flags::MASK != 0).then(rand_mask);
        let mut out = bytes::BytesMut::with_capacity(payload.len() + 14);
        wire::put_frame(&mut out, first, &payload, mask);
        out.freeze()
    }
}

fn rand_mask() -> [u8; 4] {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0x5a5a5a5a);
    (t ^ std::process::id().rotate_left(16)).to_le_bytes()
}

fn pack(data: &Zval, opcode: i64, flags: i64) -> Bytes {
    match OutFrame::from_args(data, opcode, flags) {
        Some(f) => f.encode(),
        None => Bytes::new(),
    }
}

/// `Server::unpack()`: one frame from bytes, or false with Swoole's warning.
fn unpack(data: &Zval) -> Zval {
    let Some(bytes) = zval_bytes(data) else {
        return bool_zval(false);
    };
    match receiver::unpack(&bytes, 64 * 1024 * 1024) {
        Ok((head, frame)) => {
            let mut z = new_frame_object(0, &frame);
            // unpack() reports the frame's own FIN bit.
            if let Some(obj) = z.object_mut() {
                let _ = obj.set_property("finish", head.fin);
            }
            z
        }
        Err(UnpackError::Incomplete { expected }) => {
            if bytes.len() >= 2 {
                warn_incomplete(expected, bytes.len());
            }
            bool_zval(false)
        }
        Err(UnpackError::BadCompressed) => bool_zval(false),
    }
}

fn warn_incomplete(expected: usize, actual: usize) {
    if expected > 0 {
        warn(&format!(
            "incomplete packet, expected length is {expected}, actual length is {actual}"
        ));
    } else {
        warn("incomplete packet");
    }
}

/// Builds the Frame (or CloseFrame) object onMessage receives.
///
/// This runs for every message, so the declared property slots are written
/// directly (their offsets are looked up once per class) instead of going
/// through the property handlers by name.
pub fn new_frame_object(fd: u64, f: &InFrame) -> Zval {
    let is_close = f.close.is_some();
    let mut obj = if is_close {
        ZendObject::from_class_object(ZendClassObject::new(CloseFrame))
    } else {
        ZendObject::from_class_object(ZendClassObject::new(Frame))
    };
    let slots = if is_close {
        close_frame_slots()
    } else {
        frame_slots()
    };
    let mut set = |i: usize, v: Zval| {
        // SAFETY: the offset is a declared property slot of this object's class
        // (resolved by name from the class entry); the old value is dropped.
        unsafe { *obj_prop(&mut obj, slots[i]) = v };
    };
    set(0, long_zval(fd as i64));
    set(1, bytes_zval(&f.data));
    set(2, long_zval(f.opcode as i64));
    set(3, long_zval(f.flags as i64));
    set(4, bool_zval(f.flags & flags::FIN != 0));
    if let Some((code, reason)) = &f.close {
        set(5, long_zval(*code as i64));
        set(6, bytes_zval(reason));
    }
    obj.into_zval(false).unwrap_or_default()
}

const PROP_NAMES: [&str; 7] = ["fd", "data", "opcode", "flags", "finish", "code", "reason"];

thread_local! {
    static FRAME_SLOTS: std::cell::OnceCell<[u32; 7]> = const { std::cell::OnceCell::new() };
    static CLOSE_FRAME_SLOTS: std::cell::OnceCell<[u32; 7]> = const { std::cell::OnceCell::new() };
}

fn frame_slots() -> [u32; 7] {
    FRAME_SLOTS.with(|c| *c.get_or_init(|| slots_of(Frame::get_metadata().ce())))
}

fn close_frame_slots() -> [u32; 7] {
    CLOSE_FRAME_SLOTS.with(|c| *c.get_or_init(|| slots_of(CloseFrame::get_metadata().ce())))
}

/// Byte offsets of the declared properties within an object of `ce`.
fn slots_of(ce: &ext_php_rs::zend::ClassEntry) -> [u32; 7] {
    let mut out = [0u32; 7];
    for (i, name) in PROP_NAMES.iter().enumerate() {
        let info = ce
            .properties_info
            .get(*name)
            // SAFETY: properties_info holds zend_property_info pointers.
            .and_then(|z| unsafe { z.ptr::<ext_php_rs::ffi::zend_property_info>() });
        // Frame has no code/reason: those stay 0 and are never written.
        if let Some(p) = info {
            // SAFETY: as above; the pointer is owned by the class entry.
            out[i] = unsafe { (*p).offset };
            // A declared slot always lies past the object header.
            assert!(out[i] as usize >= std::mem::offset_of!(ZendObject, properties_table));
        }
    }
    out
}

/// The property slot at `offset` bytes into the object (OBJ_PROP).
unsafe fn obj_prop(obj: &mut ZendObject, offset: u32) -> &mut Zval {
    debug_assert!(offset as usize >= std::mem::offset_of!(ZendObject, properties_table));
    &mut *std::ptr::from_mut(obj)
        .cast::<u8>()
        .add(offset as usize)
        .cast::<Zval>()
}

/// Compresses one message with a fresh context, for `pack()`.
fn compress_once(data: &[u8]) -> Vec<u8> {
    let mut d = PerMessageDeflate::new(DEFAULT_PARAMS, Role::Server);
    let mut out = Vec::new();
    d.compress(data, &mut out);
    out
}

const DEFAULT_PARAMS: DeflateParams = DeflateParams {
    server_no_context_takeover: false,
    client_no_context_takeover: false,
    server_max_window_bits: 15,
    client_max_window_bits: 15,
};
