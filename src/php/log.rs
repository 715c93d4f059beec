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
            local_time(),
            std::process::id()
        );
        match &self.file {
            Some(path) => {
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

/// "2026-11-21 21:46:08" in local time.
fn local_time() -> String {
    // SAFETY: localtime_r fills the zeroed struct we own.
    unsafe {
        let t = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            tm.tm_year + 1900,
            tm.tm_mon + 1,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec
        )
    }
}
