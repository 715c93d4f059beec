//! `php --ri swoole_rs` / phpinfo(): what this build does and its defaults.

use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};
use swoole_rs_engine::config::ServerConfig;

pub extern "C" fn module_info(_module: *mut ModuleEntry) {
    let d = ServerConfig::default();
    info_table_start!();
    info_table_row!("swoole_rs", "enabled");
    info_table_row!("Version", env!("CARGO_PKG_VERSION"));
    // Recorded by build.rs.
    info_table_row!("Source revision", env!("SWOOLE_RS_REVISION"));
    info_table_row!("Built for PHP", env!("SWOOLE_RS_PHP_VERSION"));
    info_table_row!("PHP API (built against)", env!("SWOOLE_RS_PHP_API"));
    info_table_row!(
        "Swoole API",
        "6.2.1 (WebSocket\\Server, Http\\Server, Server)"
    );
    info_table_row!(
        "I/O threads (reactor_num default)",
        d.reactor_num.to_string()
    );
    info_table_row!("permessage-deflate", "enabled (websocket_compression)");
    info_table_row!("TLS (SWOOLE_SSL)", "rustls (ssl_cert_file, ssl_key_file)");
    info_table_row!(
        "package_max_length default",
        d.package_max_length.to_string()
    );
    info_table_row!(
        "buffer_output_size default",
        d.buffer_output_size.to_string()
    );
    info_table_row!("max_connection default", d.max_connection.to_string());
    info_table_row!(
        "handshake timeout (s)",
        d.handshake_timeout.as_secs().to_string()
    );
    info_table_row!("max request head (bytes)", d.max_header_size.to_string());
    info_table_end!();
}
