//! Shared helpers of the benchmark binaries: reading a process's CPU time and
//! memory from /proc, and a small command-line parser.

use std::collections::HashMap;
use std::str::FromStr;

/// CPU time of a process or thread, from /proc.
pub mod procfs {
    use std::fs;

    /// Clock ticks per second (the unit of utime/stime).
    pub fn clk_tck() -> f64 {
        // SAFETY: sysconf has no preconditions.
        let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if t > 0 {
            t as f64
        } else {
            100.0
        }
    }

    /// utime + stime in seconds from a `stat` file's text.
    fn stat_cpu(text: &str) -> Option<f64> {
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        let rest = &text[text.rfind(')')? + 1..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        // f[0] is field 3 (state); utime is field 14, stime field 15.
        let utime: u64 = f.get(11)?.parse().ok()?;
        let stime: u64 = f.get(12)?.parse().ok()?;
        Some((utime + stime) as f64 / clk_tck())
    }

    /// CPU seconds (user + system) the whole process has used: every thread.
    pub fn process_cpu(pid: u32) -> Option<f64> {
        stat_cpu(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    }

    /// CPU seconds of one thread of `pid`.
    pub fn thread_cpu(pid: u32, tid: u32) -> Option<f64> {
        stat_cpu(&fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?)
    }

    /// CPU seconds of the calling process.
    pub fn self_cpu() -> f64 {
        fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|t| stat_cpu(&t))
            .unwrap_or(0.0)
    }

    /// Resident set size in KiB (VmRSS of /proc/PID/status).
    pub fn vm_rss_kib(pid: u32) -> Option<u64> {
        let text = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Raises the soft limit on open files to the hard limit.
    pub fn raise_nofile() -> u64 {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain syscalls on a local struct.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return 0;
            }
            if lim.rlim_cur < lim.rlim_max {
                lim.rlim_cur = lim.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
        lim.rlim_cur
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn parses_stat_with_odd_command_names() {
            let line = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1 2 3";
            let tck = super::clk_tck();
            assert_eq!(super::stat_cpu(line), Some(300.0 / tck));
        }
    }
}

/// `--key value` and `--flag` arguments after a positional mode.
pub struct Args {
    pub positional: Vec<String>,
    named: HashMap<String, Option<String>>,
}

impl Args {
    pub fn parse() -> Args {
        Self::from_args(std::env::args().skip(1))
    }

    pub fn from_args(it: impl IntoIterator<Item = String>) -> Args {
        let mut positional = Vec::new();
        let mut named = HashMap::new();
        let mut it = it.into_iter().peekable();
        while let Some(a) = it.next() {
            if let Some(key) = a.strip_prefix("--") {
                if let Some((k, v)) = key.split_once('=') {
                    named.insert(k.to_string(), Some(v.to_string()));
                } else if it.peek().is_some_and(|n| !n.starts_with("--")) {
                    named.insert(key.to_string(), it.next());
                } else {
                    named.insert(key.to_string(), None);
                }
            } else {
                positional.push(a);
            }
        }
        Args { positional, named }
    }

    pub fn flag(&self, key: &str) -> bool {
        self.named.contains_key(key)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.named.get(key).and_then(|v| v.as_deref())
    }

    /// A parsed value, or `default`; exits with a message on a bad value.
    pub fn get<T: FromStr>(&self, key: &str, default: T) -> T {
        match self.str(key) {
            None => default,
            Some(v) => v.parse().unwrap_or_else(|_| {
                eprintln!("invalid value for --{key}: {v}");
                std::process::exit(2)
            }),
        }
    }
}
