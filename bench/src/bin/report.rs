//! Turns the result lines of a `bench/run` into Markdown tables.
//!
//!   report RESULTS_FILE
//!
//! Each line of the file is `server=NAME scenario=NAME key=value...` (what
//! loadgen prints, prefixed by bench/run). Servers: `swoole-rs` and `baseline`.

use std::collections::HashMap;
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq)]
enum Target {
    None,
    /// swoole-rs CPU per operation at most this times the baseline's.
    CpuRatio(f64),
    /// swoole-rs throughput at least this times the baseline's.
    RateRatio(f64),
    /// swoole-rs RSS per idle connection at most this many KiB.
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
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "echo-64",
        title: "Echo 64 B, 64 conns, pipeline W=16",
        unit: "msg/s",
        op: "msg",
        target: Target::CpuRatio(1.15),
    },
    Scenario {
        name: "echo-16k",
        title: "Echo 16 KiB, 64 conns, pipeline W=16",
        unit: "msg/s",
        op: "msg",
        target: Target::CpuRatio(1.15),
    },
    Scenario {
        name: "pingpong-64",
        title: "Ping-pong 64 B, 64 conns",
        unit: "msg/s",
        op: "msg",
        target: Target::None,
    },
    Scenario {
        name: "empty-64",
        title: "Empty onMessage 64 B, 64 conns (no reply)",
        unit: "msg/s",
        op: "msg",
        target: Target::None,
    },
    Scenario {
        name: "broadcast-1000",
        title: "Broadcast 64 B, 1000 receivers + sender",
        unit: "deliveries/s",
        op: "delivery",
        target: Target::CpuRatio(1.2),
    },
    Scenario {
        name: "broadcast-100",
        title: "Broadcast 64 B, 100 receivers + sender",
        unit: "deliveries/s",
        op: "delivery",
        target: Target::CpuRatio(1.2),
    },
    Scenario {
        name: "deflate-1k",
        title: "Compressed echo ~1 KiB JSON, 64 conns, W=16",
        unit: "msg/s",
        op: "msg",
        target: Target::None,
    },
    Scenario {
        name: "handshake",
        title: "Handshakes (connect, upgrade, close), 32 parallel",
        unit: "conn/s",
        op: "conn",
        target: Target::RateRatio(0.8),
    },
    Scenario {
        name: "idle-10k",
        title: "Idle connections: 10,000",
        unit: "",
        op: "conn",
        target: Target::RssKib(4.0),
    },
];

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
    let s = if a >= 1000.0 {
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
    };
    s
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

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: report RESULTS_FILE");
        std::process::exit(2)
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("report: {path}: {e}");
        std::process::exit(1)
    });
    let rows = parse(&text);
    let merged: HashMap<(String, String), Row> = {
        let mut groups: HashMap<(String, String), Vec<&Row>> = HashMap::new();
        for r in &rows {
            if let (Some(sv), Some(sc)) = (r.get("server"), r.get("scenario")) {
                groups.entry((sv.clone(), sc.clone())).or_default().push(r);
            }
        }
        groups
            .into_iter()
            .map(|(k, runs)| (k, median_row(&runs)))
            .collect()
    };
    let find =
        |server: &str, scenario: &str| merged.get(&(server.to_string(), scenario.to_string()));
    let mut names: Vec<&str> = SCENARIOS
        .iter()
        .map(|s| s.name)
        .filter(|n| {
            rows.iter()
                .any(|r| r.get("scenario").map(String::as_str) == Some(n))
        })
        .collect();
    for r in &rows {
        if let Some(n) = r.get("scenario") {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }

    let mut out = String::new();
    out.push_str("| Scenario | Throughput swoole-rs | Throughput baseline | Ratio | CPU per op swoole-rs | CPU per op baseline | Ratio | Target |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for name in &names {
        let sc = SCENARIOS.iter().find(|s| s.name == *name);
        let title = sc.map_or(*name, |s| s.title);
        let (unit, op, target) =
            sc.map_or(("op/s", "op", Target::None), |s| (s.unit, s.op, s.target));
        let (p, b) = (find("swoole-rs", name), find("baseline", name));
        if *name == "idle-10k" || p.and_then(|r| r.get("rss_kib_per_conn")).is_some() {
            let (pr, br) = (num(p, "rss_kib_per_conn"), num(b, "rss_kib_per_conn"));
            let rr = ratio(pr, br);
            let verdict = match (target, pr) {
                (Target::RssKib(max), Some(v)) => {
                    format!(
                        "≤ {max} KiB/conn: {}",
                        if v <= max { "ok" } else { "**missed**" }
                    )
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {title} | — | — | — | {} RSS/{op} | {} RSS/{op} | {} | {verdict} |",
                opt(pr, " KiB"),
                opt(br, " KiB"),
                opt(rr, "x"),
            );
            continue;
        }
        let (pt, bt) = (num(p, "rate"), num(b, "rate"));
        let (pc, bc) = (num(p, "cpu_us_per_op"), num(b, "cpu_us_per_op"));
        let (tr, cr) = (ratio(pt, bt), ratio(pc, bc));
        let verdict = if failed(p) || failed(b) {
            "**run failed**".to_string()
        } else {
            match target {
                Target::CpuRatio(max) => format!(
                    "CPU ≤ {max}x: {}",
                    cr.map_or("—", |r| if r <= max { "ok" } else { "**missed**" })
                ),
                Target::RateRatio(min) => format!(
                    "throughput ≥ {min}x: {}",
                    tr.map_or("—", |r| if r >= min { "ok" } else { "**missed**" })
                ),
                _ => String::new(),
            }
        };
        let _ = writeln!(
            out,
            "| {title} | {} | {} | {} | {} | {} | {} | {verdict} |",
            opt(pt, &format!(" {unit}")),
            opt(bt, &format!(" {unit}")),
            opt(tr, "x"),
            opt(pc, &format!(" µs/{op}")),
            opt(bc, &format!(" µs/{op}")),
            opt(cr, "x"),
        );
    }

    let runs = merged
        .values()
        .filter_map(|r| r.get("runs")?.parse::<usize>().ok())
        .max()
        .unwrap_or(1);
    if runs > 1 {
        let _ = writeln!(out, "\nEach figure is the median of {runs} runs.");
    }
    out.push_str("\nDetails (swoole-rs / baseline). Latency: request to reply; for broadcast, send to the last connection receiving it; for handshakes, connect to the 101 response. Main thread: the PHP thread (the baseline's event-loop thread); I/O: the engine's tokio threads.\n\n");
    out.push_str("| Scenario | Latency p50 µs | p99 µs | max µs | Main thread µs/op | I/O threads µs/op | Server CPU % | Loadgen CPU % |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for name in &names {
        let (p, b) = (find("swoole-rs", name), find("baseline", name));
        let pair = |k: &str| format!("{} / {}", opt(num(p, k), ""), opt(num(b, k), ""));
        if num(p, "rss_kib_per_conn").is_some() {
            let _ = writeln!(
                out,
                "| {name} | — | — | — | — | — | {} (idle) | — |",
                pair("idle_cpu_pct")
            );
            continue;
        }
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            pair("p50_us"),
            pair("p99_us"),
            pair("max_us"),
            pair("main_us_per_op"),
            pair("io_us_per_op"),
            pair("server_cpu_pct"),
            pair("gen_cpu_pct"),
        );
    }
    let errors: Vec<String> = rows
        .iter()
        .filter(|r| r.get("error").is_some() || r.get("errors").is_some_and(|e| e != "0"))
        .map(|r| {
            format!(
                "{} / {}: {} errors",
                r.get("server").map_or("?", |s| s),
                r.get("scenario").map_or("?", |s| s),
                r.get("errors").map_or("run failed", |s| s)
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
