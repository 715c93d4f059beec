//! `$server->set([...])`: PHP array to the engine's typed `ServerConfig`.

use std::collections::HashSet;

use ext_php_rs::types::{ZendHashTable, Zval};
use swoole_rs_engine::config::ServerConfig;

use std::time::Duration;

use super::errors::warn;
use super::log::LogSettings;
use super::values::zval_long;

/// Swoole settings that are accepted but change nothing here (one process,
/// one PHP thread); they are not warned about.
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    "worker_num",
    "task_worker_num",
    "dispatch_mode",
    "daemonize",
    "max_request",
    "max_coroutine",
    "pid_file",
    "open_tcp_nodelay",
    "tcp_fastopen",
    "backlog",
    "send_yield",
    "open_http_protocol",
    "open_websocket_protocol",
    "open_http2_protocol",
    "enable_reuse_port",
    "reload_async",
    "max_wait_time",
    "log_rotation",
    "log_date_format",
    "display_errors",
];

/// Applies one `set()` call to `config`. Returns nothing: bad values warn.
pub fn apply(
    config: &mut ServerConfig,
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
                }
            }
            "ssl_cert_file" => config.ssl_cert_file = v.coerce_to_string(),
            "ssl_key_file" => config.ssl_key_file = v.coerce_to_string(),
            "log_file" => log.file = v.coerce_to_string().filter(|s| !s.is_empty()),
            "log_level" => log.level = zval_long(v),
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
