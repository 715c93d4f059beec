//! `$server->set([...])`: PHP array to the engine's typed `ServerConfig`.

use std::collections::HashSet;

use ext_php_rs::types::{ZendHashTable, Zval};
use swoole_rs_engine::config::{ProcessConfig, ServerConfig};

use std::time::Duration;

use super::errors::warn;
use super::log::LogSettings;
use super::values::zval_long;
use swoole_rs_engine::workers::registry::MAX_WORKERS;

/// Swoole settings that are accepted but change nothing here; they are not
/// warned about.
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    // Kept by ServerCore::set() itself (a callable).
    "dispatch_func",
    "task_worker_num",
    "max_coroutine",
    "open_tcp_nodelay",
    "tcp_fastopen",
    "backlog",
    "send_yield",
    "open_http_protocol",
    "open_websocket_protocol",
    "open_http2_protocol",
    "enable_reuse_port",
    "reload_async",
    "display_errors",
];

/// Applies one `set()` call to `config`. Returns nothing: bad values warn.
pub fn apply(
    config: &mut ServerConfig,
    procs: &mut ProcessConfig,
    log: &mut LogSettings,
    settings: &ZendHashTable,
    warned: &mut HashSet<String>,
) {
    for (key, value) in settings.iter() {
        let key = key.to_string();
        let v: &Zval = value.dereference();
        let as_bool = || v.coerce_to_bool();
        let as_usize = |name: &str| match zval_long(v) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => {
                warn(&format!("invalid value for setting '{name}'"));
                None
            }
        };
        match key.as_str() {
            "package_max_length" => {
                if let Some(n) = as_usize(&key) {
                    config.package_max_length = n.max(1);
                }
            }
            "websocket_subprotocol" => {
                config.websocket_subprotocol = v.coerce_to_string().filter(|s| !s.is_empty());
            }
            // The PHP thread's reactor: callbacks in coroutines, runtime hooks.
            "enable_coroutine" => super::reactor::set_callback_coroutines(as_bool()),
            "hook_flags" => {
                if let Some(f) = zval_long(v) {
                    super::hooks::set_flags(f);
                }
            }
            "websocket_compression" => config.websocket_compression = as_bool(),
            "open_websocket_close_frame" => config.open_websocket_close_frame = as_bool(),
            "open_websocket_ping_frame" => config.open_websocket_ping_frame = as_bool(),
            "open_websocket_pong_frame" => config.open_websocket_pong_frame = as_bool(),
            "max_connection" | "max_conn" => {
                if let Some(n) = as_usize(&key) {
                    config.max_connection = n.max(1);
                }
            }
            "buffer_output_size" | "socket_buffer_size" => {
                if let Some(n) = as_usize(&key) {
                    config.buffer_output_size = n.max(1);
                }
            }
            "reactor_num" => {
                if let Some(n) = as_usize(&key) {
                    config.reactor_num = n.clamp(1, 256);
                    procs.reactor_num_set = true;
                }
            }
            "worker_num" => match zval_long(v) {
                Some(n) if n >= 1 => {
                    let max = (swoole_rs_engine::config::usable_cpus() as i64 * 1000)
                        .min(MAX_WORKERS as i64);
                    if n > max {
                        warn(&format!(
                            "worker_num must be less than {max}, {n} given: using {max}"
                        ));
                    }
                    procs.worker_num = n.min(max) as u32;
                }
                _ => warn(&format!(
                    "worker_num must be greater than 0, {} given",
                    v.coerce_to_string().unwrap_or_default()
                )),
            },
            "max_request" => {
                if let Some(n) = as_usize(&key) {
                    procs.max_request = n as u64;
                }
            }
            "max_request_grace" => {
                if let Some(n) = as_usize(&key) {
                    procs.max_request_grace = Some(n as u64);
                }
            }
            "dispatch_mode" => match zval_long(v) {
                Some(m @ (1..=5 | 7)) => procs.dispatch_mode = m as u32,
                _ => warn(&format!(
                    "dispatch_mode {} is not supported (1, 2, 3, 4, 5, 7, or a dispatch_func)",
                    v.coerce_to_string().unwrap_or_default()
                )),
            },
            "max_wait_time" => {
                if let Some(secs) = v.coerce_to_double().filter(|s| *s > 0.0) {
                    procs.max_wait_time = Duration::from_secs_f64(secs);
                }
            }
            "daemonize" => procs.daemonize = as_bool(),
            "pid_file" => procs.pid_file = v.coerce_to_string().filter(|s| !s.is_empty()),
            "ssl_cert_file" => config.ssl_cert_file = v.coerce_to_string(),
            "ssl_key_file" => config.ssl_key_file = v.coerce_to_string(),
            "log_file" => log.file = v.coerce_to_string().filter(|s| !s.is_empty()),
            "log_level" => log.level = zval_long(v),
            "log_date_format" => log.date_format = v.coerce_to_string().filter(|s| !s.is_empty()),
            "log_rotation" => log.rotation = zval_long(v).unwrap_or(0),
            "heartbeat_check_interval" => {
                if let Some(secs) = v.coerce_to_double().filter(|s| *s >= 0.0) {
                    config.heartbeat_check_interval = Duration::from_secs_f64(secs);
                }
            }
            "heartbeat_idle_time" => {
                if let Some(secs) = v.coerce_to_double().filter(|s| *s > 0.0) {
                    config.heartbeat_idle_time = Some(Duration::from_secs_f64(secs));
                }
            }
            k if ACCEPTED_WITHOUT_EFFECT.contains(&k) => {}
            _ => {
                if warned.insert(key.clone()) {
                    warn(&format!("unsupported option '{key}' is ignored"));
                }
            }
        }
    }
}
