//! Swoole-style log lines (`[time *pid.0]\tWARNING\tmessage`) honouring
//! `log_file` and `log_level`. Without a log file they go to standard output,
//! as Swoole's do.

use std::io::Write;

use swoole_rs_engine::bridge::LogLevel;

#[derive(Debug, Clone, Default)]
pub struct LogSettings {
    pub file: Option<String>,
    /// Lowest level written (SWOOLE_LOG_*); Swoole's default is INFO.
    pub level: Option<i64>,
    /// strftime format of the time in each line (log_date_format).
    pub date_format: Option<String>,
    /// SWOOLE_LOG_ROTATION_*: the file name gets the month, day, hour or
    /// minute as a suffix, so a new file starts each period (log_rotation).
    pub rotation: i64,
}

impl LogSettings {
    pub fn write(&self, level: LogLevel, message: &str) {
        if (level as i64) < self.level.unwrap_or(LogLevel::Info as i64) {
            return;
        }
        let name = match level {
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
            LogLevel::Info => "INFO",
            LogLevel::Notice => "NOTICE",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
        };
        let line = format!(
            "[{} *{}.0]\t{name}\t{message}\n",
            local_time(self.date_format.as_deref().unwrap_or("%Y-%m-%d %H:%M:%S")),
            std::process::id()
        );
        match &self.file {
            Some(path) => {
                let suffix = match self.rotation {
                    1 => Some("%Y%m"),
                    2 => Some("%Y%m%d"),
                    3 => Some("%Y%m%d%H"),
                    4 => Some("%Y%m%d%H%M"),
                    _ => None,
                };
                let path = match suffix {
                    Some(f) => format!("{path}.{}", local_time(f)),
                    None => path.clone(),
                };
                if let Ok(mut f) = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                {
                    let _ = f.write_all(line.as_bytes());
                }
            }
            None => {
                let _ = std::io::stdout().write_all(line.as_bytes());
            }
        }
    }
}

/// The local time formatted with strftime's `format`.
fn local_time(format: &str) -> String {
    let Ok(format) = std::ffi::CString::new(format) else {
        return String::new();
    };
    // SAFETY: localtime_r fills the zeroed struct we own; strftime writes at
    // most the buffer's length.
    unsafe {
        let t = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        let mut buf = [0u8; 256];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), format.as_ptr(), &tm);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}
