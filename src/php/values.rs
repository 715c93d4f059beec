//! Small conversions between Rust data and Zvals.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};

/// A PHP string holding exactly these bytes (binary safe).
pub fn bytes_zval(b: &[u8]) -> Zval {
    let mut z = Zval::new();
    z.set_zend_string(ZendStr::new(b, false));
    z
}

pub fn long_zval(v: i64) -> Zval {
    let mut z = Zval::new();
    z.set_long(v);
    z
}

pub fn bool_zval(v: bool) -> Zval {
    let mut z = Zval::new();
    z.set_bool(v);
    z
}

pub fn double_zval(v: f64) -> Zval {
    let mut z = Zval::new();
    z.set_double(v);
    z
}

pub fn array_zval(ht: ZBox<ZendHashTable>) -> Zval {
    let mut z = Zval::new();
    z.set_hashtable(ht);
    z
}

/// The bytes of a string Zval, or its string conversion for scalars.
pub fn zval_bytes(z: &Zval) -> Option<Vec<u8>> {
    let z = z.dereference();
    if let Some(s) = z.zend_str() {
        return Some(s.as_bytes().to_vec());
    }
    if z.is_null() {
        return Some(Vec::new());
    }
    z.coerce_to_string().map(String::into_bytes)
}

/// Integer value with PHP's loose conversion (numeric strings, bools, floats).
pub fn zval_long(z: &Zval) -> Option<i64> {
    z.dereference().coerce_to_long()
}

/// Decodes `%XX` and `+` as PHP's urldecode does.
pub fn url_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Parses a query string into a PHP array the way `parse_str` does for the
/// common forms: `a=1&b=2`, `a[]=1&a[]=2`, `a[k]=v`.
pub fn parse_query(q: &str) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = String::from_utf8_lossy(&url_decode(k)).into_owned();
        let val = bytes_zval(&url_decode(v));
        insert_php_key(&mut ht, &key, val);
    }
    ht
}

/// Inserts `val` under a PHP-style key (`name`, `name[]`, `name[sub]`).
fn insert_php_key(ht: &mut ZendHashTable, key: &str, val: Zval) {
    match key.find('[') {
        Some(open) if open > 0 && key.ends_with(']') => {
            let base = &key[..open];
            let sub = &key[open + 1..key.len() - 1];
            if ht.get(base).map(|z| !z.is_array()).unwrap_or(true) {
                let _ = ht.insert(base, ZendHashTable::new());
            }
            if let Some(inner) = ht.get_mut(base).and_then(|z| z.array_mut()) {
                let _ = if sub.is_empty() {
                    inner.push(val)
                } else if let Ok(n) = sub.parse::<i64>() {
                    inner.insert_at_index(n, val)
                } else {
                    inner.insert(sub, val)
                };
            }
        }
        _ => {
            let _ = ht.insert(key, val);
        }
    }
}

/// Parses a Cookie header into name => value.
pub fn parse_cookies(header: &str) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::new();
    for part in header.split(';') {
        let part = part.trim();
        if let Some((k, v)) = part.split_once('=') {
            if !k.is_empty() {
                let _ = ht.insert(k.trim(), bytes_zval(&url_decode(v.trim())));
            }
        }
    }
    ht
}
