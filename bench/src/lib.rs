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

    /// The fields of a `stat` file's text after the command name: `f[0]` is
    /// field 3 (state), so field N of proc(5) is `f[N - 3]`.
    fn stat_fields(text: &str) -> Option<Vec<&str>> {
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        Some(text[text.rfind(')')? + 1..].split_whitespace().collect())
    }

    fn ticks(f: &[&str], field: usize) -> Option<u64> {
        f.get(field - 3)?.parse().ok()
    }

    /// utime + stime in seconds from a `stat` file's text.
    fn stat_cpu(text: &str) -> Option<f64> {
        let f = stat_fields(text)?;
        Some((ticks(&f, 14)? + ticks(&f, 15)?) as f64 / clk_tck())
    }

    /// utime + stime + cutime + cstime in seconds: the process and its
    /// children that ended and were waited for.
    fn stat_cpu_with_reaped(text: &str) -> Option<f64> {
        let f = stat_fields(text)?;
        let t = ticks(&f, 14)? + ticks(&f, 15)? + ticks(&f, 16)? + ticks(&f, 17)?;
        Some(t as f64 / clk_tck())
    }

    /// Parent pid (field 4) of a `stat` file's text.
    fn stat_ppid(text: &str) -> Option<u32> {
        stat_fields(text)?.get(1)?.parse().ok()
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

    /// `root` and all its descendants, found through the parent links of
    /// every process in /proc. Parents come before their children.
    pub fn process_tree(root: u32) -> Vec<u32> {
        let mut links: Vec<(u32, u32)> = Vec::new();
        if let Ok(dir) = fs::read_dir("/proc") {
            for e in dir.flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                    continue;
                };
                // A process may end between readdir and read: skip it.
                if let Some(ppid) = fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|t| stat_ppid(&t))
                {
                    links.push((pid, ppid));
                }
            }
        }
        tree_from_links(root, &links)
    }

    fn tree_from_links(root: u32, links: &[(u32, u32)]) -> Vec<u32> {
        let mut tree = vec![root];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(links.iter().filter(|l| l.1 == parent).map(|l| l.0));
            i += 1;
        }
        tree
    }

    /// What a server's whole process tree uses at one moment.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct TreeUsage {
        /// CPU seconds of every process (all threads), plus the children they
        /// reaped (so a worker that exits and is waited for still counts).
        pub cpu: f64,
        /// CPU seconds of the threads that run PHP: the main thread of each
        /// process without children (the workers; the server itself when it
        /// is one process).
        pub php_cpu: f64,
        /// Summed VmRSS in KiB (pages shared after fork counted in each).
        pub rss_kib: u64,
        /// Summed Pss in KiB (shared pages split between their users).
        pub pss_kib: u64,
        pub processes: usize,
    }

    /// CPU and memory of the processes in `pids` (a `process_tree`).
    pub fn tree_usage(pids: &[u32], with_memory: bool) -> TreeUsage {
        let mut u = TreeUsage::default();
        let parents: Vec<u32> = pids
            .iter()
            .filter_map(|p| fs::read_to_string(format!("/proc/{p}/stat")).ok())
            .filter_map(|t| stat_ppid(&t))
            .collect();
        for &pid in pids {
            let Some(text) = fs::read_to_string(format!("/proc/{pid}/stat")).ok() else {
                continue;
            };
            u.processes += 1;
            u.cpu += stat_cpu_with_reaped(&text).unwrap_or(0.0);
            if !parents.contains(&pid) {
                u.php_cpu += thread_cpu(pid, pid).unwrap_or(0.0);
            }
            if with_memory {
                u.rss_kib += vm_rss_kib(pid).unwrap_or(0);
                u.pss_kib += pss_kib(pid).unwrap_or(0);
            }
        }
        u
    }

    /// Proportional set size in KiB (Pss of /proc/PID/smaps_rollup).
    pub fn pss_kib(pid: u32) -> Option<u64> {
        let text = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
        let line = text.lines().find(|l| l.starts_with("Pss:"))?;
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
            assert_eq!(super::stat_ppid(line), Some(1));
        }

        #[test]
        fn counts_reaped_children() {
            let line = "42 (x) S 7 42 42 0 -1 4194560 100 0 0 0 250 50 20 30 20 0 3 0 1 2 3";
            let tck = super::clk_tck();
            assert_eq!(super::stat_cpu_with_reaped(line), Some(350.0 / tck));
        }

        #[test]
        fn tree_follows_parent_links() {
            // 10 -> 11 -> 13, 10 -> 12; 20 is unrelated.
            let links = [(11, 10), (12, 10), (13, 11), (20, 1), (10, 1)];
            let mut t = super::tree_from_links(10, &links);
            t.sort();
            assert_eq!(t, vec![10, 11, 12, 13]);
        }

        #[test]
        fn this_process_is_its_own_tree() {
            let me = std::process::id();
            let t = super::process_tree(me);
            assert_eq!(t[0], me);
            let u = super::tree_usage(&t, true);
            assert!(u.processes >= 1 && u.rss_kib > 0);
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
