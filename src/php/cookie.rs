//! `Set-Cookie` values as Swoole's `Response::cookie()` / `rawcookie()` write them.

use std::time::{SystemTime, UNIX_EPOCH};

/// The arguments of cookie()/rawcookie(), defaults applied.
pub struct CookieArgs {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
    pub expires: i64,
    pub path: Vec<u8>,
    pub domain: Vec<u8>,
    pub secure: bool,
    pub httponly: bool,
    pub samesite: Vec<u8>,
    pub priority: Vec<u8>,
    pub partitioned: bool,
}

/// The Set-Cookie value, or the warning Swoole gives for a bad name or value.
/// `raw` keeps the value as is (rawcookie); otherwise it is URL-encoded.
pub fn set_cookie_value(a: &CookieArgs, raw: bool) -> Result<String, &'static str> {
    if a.name.is_empty() {
        return Err("Cookie name cannot be empty");
    }
    if a.name.iter().any(|c| b"=,; \t\r\n\x0b\x0c".contains(c)) {
        return Err("Cookie names cannot contain any of the following '=,; \\t\\r\\n\\013\\014'");
    }
    if raw && a.value.iter().any(|c| b",; \t\r\n\x0b\x0c".contains(c)) {
        return Err("Cookie values cannot contain any of the following ',; \\t\\r\\n\\013\\014'");
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut out = text(&a.name);
    if a.value.is_empty() {
        // An empty value deletes the cookie.
        out.push_str("=deleted; expires=");
        out.push_str(&cookie_date(1));
        out.push_str("; Max-Age=0");
    } else {
        out.push('=');
        if raw {
            out.push_str(&text(&a.value));
        } else {
            out.push_str(&url_encode(&a.value));
        }
        if a.expires > 0 {
            out.push_str("; expires=");
            out.push_str(&cookie_date(a.expires));
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            out.push_str(&format!("; Max-Age={}", (a.expires - now).max(0)));
        }
    }
    for (name, v) in [("path", &a.path), ("domain", &a.domain)] {
        if !v.is_empty() {
            out.push_str(&format!("; {name}={}", text(v)));
        }
    }
    if a.secure {
        out.push_str("; secure");
    }
    if a.httponly {
        out.push_str("; httponly");
    }
    for (name, v) in [("samesite", &a.samesite), ("priority", &a.priority)] {
        if !v.is_empty() {
            out.push_str(&format!("; {name}={}", text(v)));
        }
    }
    if a.partitioned {
        out.push_str("; partitioned");
    }
    Ok(out)
}

/// PHP's urlencode(): letters, digits and `-_.` stay, space is `+`.
fn url_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for &c in b {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(c as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{c:02X}")),
        }
    }
    out
}

/// "Thu, 01-Jan-1970 00:00:01 GMT": the cookie date format ("D, d-M-Y H:i:s T").
fn cookie_date(ts: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = ts.div_euclid(86400);
    let secs = ts.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {:02}-{}-{} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}
