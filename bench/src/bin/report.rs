//! Turns the result lines of a `bench/run` into Markdown tables.
//!
//!   report RESULTS_FILE
//!
//! Each line of the file is `server=NAME scenario=NAME key=value...` (what
//! loadgen prints, prefixed by bench/run). Servers: `swoole-rs`, `tt` (the
//! plain tokio-tungstenite server) and `baseline` (the engine without PHP).
//! The headline ratio is swoole-rs / tokio-tungstenite: a server that shares
//! nothing with our design. swoole-rs / baseline comes second.

use std::collections::HashMap;
use std::fmt::Write as _;

const SWOOLE: &str = "swoole-rs";
const TT: &str = "tt";
const BASELINE: &str = "baseline";
/// Swoole itself, when bench/run was given its extension (SWOOLE_SO).
const REAL_SWOOLE: &str = "swoole";

#[derive(Clone, Copy, PartialEq)]
enum Target {
    None,
    /// swoole-rs CPU per operation at most this times tokio-tungstenite's.
    CpuVsTt(f64),
    /// swoole-rs throughput at least this times the baseline's.
    RateVsBaseline(f64),
    /// swoole-rs RSS per idle connection at most this many KiB (all processes).
    RssKib(f64),
}

struct Scenario {
    name: &'static str,
    title: &'static str,
    /// Unit of the throughput column.
    unit: &'static str,
    /// What "per op" means.
    op: &'static str,
    target: Target,
    /// Scenario whose tokio-tungstenite and baseline figures this one is
    /// compared with, when it runs swoole-rs only (same load, other settings).
    compare_with: Option<&'static str>,
    /// swoole-rs CPU per operation at most this times Swoole's in the same
    /// scenario (checked when Swoole ran).
    vs_swoole: Option<f64>,
}

const fn sc(
    name: &'static str,
    title: &'static str,
    unit: &'static str,
    op: &'static str,
    target: Target,
) -> Scenario {
    Scenario {
        name,
        title,
        unit,
        op,
        target,
        compare_with: None,
        vs_swoole: None,
    }
}

const fn cheaper(mut s: Scenario, max: f64) -> Scenario {
    s.vs_swoole = Some(max);
    s
}

const fn like(mut s: Scenario, other: &'static str) -> Scenario {
    s.compare_with = Some(other);
    s
}

// One line per scenario reads as a table.
#[rustfmt::skip]
const SCENARIOS: &[Scenario] = &[
    cheaper(sc("pingpong-64", "Ping-pong 64 B, 64 conns", "msg/s", "msg", Target::CpuVsTt(1.15)), 1.0),
    cheaper(sc("echo-64", "Echo 64 B, 64 conns, pipeline W=16", "msg/s", "msg", Target::CpuVsTt(1.0)), 1.0 / 3.0),
    cheaper(sc("echo-16k", "Echo 16 KiB, 64 conns, pipeline W=16", "msg/s", "msg", Target::CpuVsTt(1.0)), 1.0 / 3.0),
    cheaper(sc("broadcast-1000", "Broadcast 64 B, 1000 receivers + sender", "deliveries/s", "delivery", Target::CpuVsTt(1.2)), 1.0 / 3.0),
    cheaper(sc("broadcast-100", "Broadcast 64 B, 100 receivers + sender", "deliveries/s", "delivery", Target::CpuVsTt(1.2)), 1.0 / 3.0),
    sc("empty-64", "Empty onMessage 64 B, 64 conns (no reply)", "msg/s", "msg", Target::None),
    sc("deflate-1k", "Compressed echo ~1 KiB JSON, 64 conns, W=16", "msg/s", "msg", Target::None),
    sc("handshake", "Handshakes (connect, upgrade, close), 32 parallel", "conn/s", "conn", Target::RateVsBaseline(0.8)),
    sc("idle-10k", "Idle connections: 10,000", "", "conn", Target::RssKib(4.0)),
    cheaper(like(
        sc("process-pingpong", "SWOOLE_PROCESS, 1 worker: ping-pong 64 B, 64 conns", "msg/s", "msg", Target::None),
        "pingpong-64",
    ), 1.0),
    cheaper(like(
        sc("process-pingpong-2w", "SWOOLE_PROCESS, 2 workers: ping-pong 64 B, 64 conns", "msg/s", "msg", Target::None),
        "pingpong-64",
    ), 1.0),
    like(
        sc("process-echo", "SWOOLE_PROCESS, 1 worker: echo 64 B, 64 conns, W=16", "msg/s", "msg", Target::None),
        "echo-64",
    ),
    like(
        sc("idle-10k-process", "SWOOLE_PROCESS, 2 workers: 10,000 idle conns", "", "conn", Target::RssKib(4.0)),
        "idle-10k",
    ),
];

/// Blocking-callback scenarios: (mode, scenario with worker_num=1, with worker_num=4).
const PARALLEL: &[(&str, &str, &str)] = &[
    ("SWOOLE_BASE", "parallel-w1", "parallel-w4"),
    (
        "SWOOLE_PROCESS",
        "parallel-process-w1",
        "parallel-process-w4",
    ),
];
const PARALLEL_TARGET: f64 = 3.5;

type Row = HashMap<String, String>;

fn parse(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(r: Option<&Row>, k: &str) -> Option<f64> {
    r?.get(k)?.parse().ok()
}

/// Three significant digits, thousands grouped.
fn fmt(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    if a >= 1000.0 {
        let n = v.round() as i64;
        let digits = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        out
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn opt(v: Option<f64>, suffix: &str) -> String {
    v.map(|v| format!("{}{suffix}", fmt(v)))
        .unwrap_or_else(|| "—".into())
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// One row from repeated runs: the median of every numeric field; any error kept.
fn median_row(runs: &[&Row]) -> Row {
    let mut out = runs.last().map(|r| (*r).clone()).unwrap_or_default();
    for (k, v) in out.iter_mut() {
        let mut vals: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.get(k).and_then(|v| v.parse().ok()))
            .collect();
        if vals.len() != runs.len() || vals.is_empty() {
            continue;
        }
        vals.sort_by(f64::total_cmp);
        let n = vals.len();
        let m = if !n.is_multiple_of(2) {
            vals[n / 2]
        } else {
            (vals[n / 2 - 1] + vals[n / 2]) / 2.0
        };
        *v = m.to_string();
    }
    for r in runs {
        if let Some(e) = r.get("error") {
            out.insert("error".into(), e.clone());
        }
    }
    out.insert("runs".into(), runs.len().to_string());
    out
}

fn failed(r: Option<&Row>) -> bool {
    r.is_none_or(|r| r.get("error").is_some() || r.get("ops").is_some_and(|o| o == "0"))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

struct Results {
    rows: Vec<Row>,
    merged: HashMap<(String, String), Row>,
}

impl Results {
    fn new(text: &str) -> Results {
        let rows = parse(text);
        let mut groups: HashMap<(String, String), Vec<&Row>> = HashMap::new();
        for r in &rows {
            if let (Some(sv), Some(sc)) = (r.get("server"), r.get("scenario")) {
                groups.entry((sv.clone(), sc.clone())).or_default().push(r);
            }
        }
        let merged = groups
            .into_iter()
            .map(|(k, runs)| (k, median_row(&runs)))
            .collect();
        Results { rows, merged }
    }

    fn get(&self, server: &str, scenario: &str) -> Option<&Row> {
        self.merged.get(&(server.to_string(), scenario.to_string()))
    }

    fn has_server(&self, server: &str) -> bool {
        self.rows
            .iter()
            .any(|r| r.get("server").map(String::as_str) == Some(server))
    }

    fn ran(&self, scenario: &str) -> bool {
        self.rows
            .iter()
            .any(|r| r.get("scenario").map(String::as_str) == Some(scenario))
    }
}

/// One line of the main table: the figure of every server and the ratios.
fn figures_line(out: &mut String, label: &str, vals: &[Option<f64>], suffix: &str, target: &str) {
    // vals: swoole-rs, tokio-tungstenite, baseline[, Swoole]
    let mut cells: Vec<String> = vals.iter().map(|v| opt(*v, suffix)).collect();
    for other in &vals[1..] {
        cells.push(opt(ratio(vals[0], *other), "x"));
    }
    let _ = writeln!(out, "| {label} | {} | {target} |", cells.join(" | "));
}

/// The main table: every scenario swoole-rs ran, beside the other servers.
fn main_table(res: &Results, out: &mut String) {
    let with_swoole = res.has_server(REAL_SWOOLE);
    let mut servers = vec![SWOOLE, TT, BASELINE];
    let mut head = "| Scenario | swoole-rs | tokio-tungstenite | baseline |".to_string();
    if with_swoole {
        servers.push(REAL_SWOOLE);
        head.push_str(" Swoole |");
    }
    head.push_str(" swoole-rs / tokio-tungstenite | swoole-rs / baseline |");
    if with_swoole {
        head.push_str(" swoole-rs / Swoole |");
    }
    head.push_str(" Target (issue) |\n");
    out.push_str(&head);
    let figures = 2 * servers.len() - 1;
    let _ = writeln!(out, "|---|{}---|", "---:|".repeat(figures));
    for s in SCENARIOS.iter().filter(|s| res.ran(s.name)) {
        let other = s.compare_with.unwrap_or(s.name);
        // Swoole runs the same scenario (same PHP file and mode) as swoole-rs.
        let rows: Vec<Option<&Row>> = servers
            .iter()
            .map(|sv| match *sv {
                SWOOLE | REAL_SWOOLE => res.get(sv, s.name),
                _ => res.get(sv, other),
            })
            .collect();
        let p = rows[0];
        let title = match s.compare_with {
            Some(o) => format!("{} (tokio-tungstenite, baseline: {o})", s.title),
            None => s.title.to_string(),
        };
        let col = |k: &str| -> Vec<Option<f64>> { rows.iter().map(|r| num(*r, k)).collect() };
        if num(p, "rss_kib_per_conn").is_some() || s.unit.is_empty() {
            let target = match (s.target, num(p, "rss_kib_per_conn")) {
                (Target::RssKib(max), Some(v)) => {
                    format!("≤ {max} KiB/conn: {}", verdict(v <= max))
                }
                _ => String::new(),
            };
            let label = format!("{title}: RSS per conn");
            figures_line(out, &label, &col("rss_kib_per_conn"), " KiB", &target);
            continue;
        }
        let cpu = col("cpu_us_per_op");
        let rate = col("rate");
        let mut targets = Vec::new();
        if failed(p) {
            targets.push("**run failed**".to_string());
        } else {
            match s.target {
                Target::CpuVsTt(max) => targets.push(format!(
                    "CPU ≤ {max}x tokio-tungstenite: {}",
                    ratio(cpu[0], cpu[1]).map_or("—", |r| verdict(r <= max))
                )),
                Target::RateVsBaseline(min) => targets.push(format!(
                    "throughput ≥ {min}x baseline: {}",
                    ratio(rate[0], rate[2]).map_or("—", |r| verdict(r >= min))
                )),
                _ => {}
            }
            if let (Some(max), true) = (s.vs_swoole, with_swoole) {
                let r = ratio(cpu[0], cpu[3]).filter(|_| !failed(rows[3]));
                targets.push(if max < 1.0 {
                    format!(
                        "≥ 3x cheaper than Swoole: {}",
                        r.map_or("—", |r| verdict(r <= max))
                    )
                } else {
                    format!(
                        "CPU below Swoole's: {}",
                        r.map_or("—", |r| verdict(r < max))
                    )
                });
            }
        }
        let label = format!("{title}: CPU per {}", s.op);
        figures_line(out, &label, &cpu, " µs", &targets.join("; "));
        figures_line(out, "— throughput", &rate, &format!(" {}", s.unit), "");
    }
}

/// Latency, CPU split and load of every run, server by server.
fn details_table(res: &Results, out: &mut String) {
    out.push_str("| Scenario | Server | Latency p50 µs | p99 µs | PHP threads µs/op | Other threads µs/op | Server CPU % | Processes | Loadgen CPU % |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let names = SCENARIOS
        .iter()
        .map(|s| s.name)
        .chain(PARALLEL.iter().flat_map(|p| [p.1, p.2]));
    for name in names.filter(|n| res.ran(n)) {
        for server in [SWOOLE, REAL_SWOOLE, TT, BASELINE] {
            let Some(r) = res.get(server, name) else {
                continue;
            };
            let r = Some(r);
            let shown = match server {
                TT => "tokio-tungstenite",
                REAL_SWOOLE => "Swoole",
                _ => server,
            };
            let field = |k: &str| opt(num(r, k), "");
            let count = |k: &str| num(r, k).map_or("—".into(), |v| format!("{v:.0}"));
            // tokio-tungstenite has no PHP thread and no event-loop thread to
            // single out; Swoole's PHP shares its workers with its reactor.
            let (main, io) = if server == TT || server == REAL_SWOOLE {
                ("—".to_string(), "—".to_string())
            } else {
                (field("main_us_per_op"), field("io_us_per_op"))
            };
            if num(r, "rss_kib_per_conn").is_some() {
                let _ = writeln!(
                    out,
                    "| {name} | {shown} | Pss {} KiB/conn | — | — | — | {} (idle) | {} | — |",
                    field("pss_kib_per_conn"),
                    field("idle_cpu_pct"),
                    count("processes"),
                );
                continue;
            }
            let _ = writeln!(
                out,
                "| {name} | {shown} | {} | {} | {main} | {io} | {} | {} | {} |",
                field("p50_us"),
                field("p99_us"),
                field("server_cpu_pct"),
                count("processes"),
                field("gen_cpu_pct"),
            );
        }
    }
}

fn parallel_table(res: &Results, out: &mut String) {
    out.push_str(
        "| Server, mode | worker_num=1 | worker_num=4 | Ratio | p50 latency (1 / 4 workers) | Target |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---|\n");
    let servers = [(SWOOLE, "swoole-rs"), (REAL_SWOOLE, "Swoole")];
    for ((server, shown), (mode, one, four)) in servers
        .iter()
        .flat_map(|s| PARALLEL.iter().map(move |p| (s, p)))
    {
        let (a, b) = (res.get(server, one), res.get(server, four));
        if a.is_none() && b.is_none() {
            continue;
        }
        let (ra, rb) = (num(a, "rate"), num(b, "rate"));
        let r = ratio(rb, ra);
        let target = if a.is_none() || b.is_none() {
            String::new()
        } else if failed(a) || failed(b) {
            "**run failed**".to_string()
        } else {
            format!(
                "≥ {PARALLEL_TARGET}x: {}",
                r.map_or("—", |r| verdict(r >= PARALLEL_TARGET))
            )
        };
        let _ = writeln!(
            out,
            "| {shown}, {mode} | {} | {} | {} | {} / {} ms | {target} |",
            opt(ra, " msg/s"),
            opt(rb, " msg/s"),
            opt(r, "x"),
            opt(num(a, "p50_us").map(|v| v / 1000.0), ""),
            opt(num(b, "p50_us").map(|v| v / 1000.0), ""),
        );
    }
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: report RESULTS_FILE");
        std::process::exit(2)
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("report: {path}: {e}");
        std::process::exit(1)
    });
    let res = Results::new(&text);
    let mut out = String::new();
    main_table(&res, &mut out);
    let runs = res
        .merged
        .values()
        .filter_map(|r| r.get("runs")?.parse::<usize>().ok())
        .max()
        .unwrap_or(1);
    if runs > 1 {
        let _ = writeln!(out, "\nEach figure is the median of {runs} runs.");
    }
    if PARALLEL.iter().any(|p| res.ran(p.1) || res.ran(p.2)) {
        out.push_str("\nParallel workers: onMessage blocks 10 ms in a plain `usleep()`, then replies; 64 connections ping-pong; messages answered per second.\n\n");
        parallel_table(&res, &mut out);
    }
    out.push_str("\nDetails. Latency: request to reply; for broadcast, send to the last connection receiving it; for handshakes, connect to the 101 response. PHP threads: the main thread of every worker process (of the one process, when there is one; the baseline: its event-loop thread); other threads: the rest of the server's process tree (I/O threads, master, manager). CPU counts every process of the server.\n\n");
    details_table(&res, &mut out);
    let errors: Vec<String> = res
        .rows
        .iter()
        .filter(|r| r.get("error").is_some() || r.get("errors").is_some_and(|e| e != "0"))
        .map(|r| {
            format!(
                "{} / {}: {}",
                r.get("server").map_or("?", |s| s),
                r.get("scenario").map_or("?", |s| s),
                match (r.get("error"), r.get("errors")) {
                    (Some(e), _) if e != "1" => format!("run failed ({e})"),
                    (Some(_), _) => "run failed".to_string(),
                    (None, Some(n)) => format!("{n} errors"),
                    (None, None) => "run failed".to_string(),
                }
            )
        })
        .collect();
    if !errors.is_empty() {
        out.push_str("\nErrors: ");
        out.push_str(&errors.join("; "));
        out.push('\n');
    }
    print!("{out}");
}
