//! `Swoole\Server\Port`: one more listening port of a server
//! (`$server->listen()` / `addListener()`), served by the same engine and the
//! same PHP loop. A port without set() speaks what the server speaks; set()
//! chooses (`open_http_protocol` / `open_websocket_protocol`, else raw TCP with
//! onReceive). Events of its connections go to the callbacks given to its on(),
//! and to the server's for events it has none for, as in Swoole.

use std::cell::{Cell, RefCell};
use std::net::TcpListener;
use std::rc::Rc;

use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::args::Str;
use super::callbacks::{Callbacks, EVENTS};
use super::errors::warn;

/// Port settings that mean something here; others are kept in `$port->setting`
/// and warned about once.
const PORT_SETTINGS: &[&str] = &["open_http_protocol", "open_websocket_protocol"];

pub struct PortState {
    pub host: String,
    pub port: u16,
    pub sock_type: i64,
    /// Bound at listen() (so a busy port fails there), served from start().
    pub listener: RefCell<Option<TcpListener>>,
    pub callbacks: Callbacks,
    setting: RefCell<Option<Zval>>,
    /// HTTP/WebSocket or raw TCP as set() chose; None: as the server.
    http_protocol: Cell<Option<bool>>,
}

impl PortState {
    pub fn new(host: &str, port: u16, sock_type: i64, listener: TcpListener) -> PortState {
        PortState {
            host: host.to_string(),
            port,
            sock_type,
            listener: RefCell::new(Some(listener)),
            callbacks: Callbacks::default(),
            setting: RefCell::new(None),
            http_protocol: Cell::new(None),
        }
    }

    /// Whether the port speaks HTTP/WebSocket, given what the server speaks.
    pub fn http_protocol(&self, server_http: bool) -> bool {
        self.http_protocol.get().unwrap_or(server_http)
    }

    /// SWOOLE_SSL in the socket type.
    pub fn ssl(&self) -> bool {
        self.sock_type & 512 != 0
    }
}

#[php_class]
#[php(name = "Swoole\\Server\\Port")]
pub struct Port {
    state: Rc<PortState>,
}

impl Port {
    pub fn new(state: Rc<PortState>) -> Port {
        Port { state }
    }
}

#[php_impl]
impl Port {
    /// Protocol settings for this port only; the server's are not inherited
    /// once set() is called (open_http_protocol / open_websocket_protocol
    /// default to false then: raw TCP).
    pub fn set(&self, settings: &ZendHashTable) {
        let flag = |name: &str| settings.get(name).is_some_and(Zval::is_true);
        self.state.http_protocol.set(Some(
            flag("open_http_protocol") || flag("open_websocket_protocol"),
        ));
        let mut merged = self.state.setting.borrow_mut();
        let target = merged.get_or_insert_with(Zval::new_array);
        for (k, v) in settings.iter() {
            let key = k.to_string();
            if !PORT_SETTINGS.contains(&key.as_str()) {
                warn(&format!("unsupported port setting '{key}' is ignored"));
            }
            if let Some(arr) = target.array_mut() {
                let _ = arr.insert(key.as_str(), v.shallow_clone());
            }
        }
    }

    pub fn on(&self, event_name: Str, callback: &Zval) -> bool {
        let event = event_name.lossy();
        let name = event.to_ascii_lowercase();
        if !EVENTS.contains(&name.as_str()) {
            warn(&format!("unknown event types[{event}]"));
            return false;
        }
        if !callback.is_callable() {
            warn(&format!(
                "function '{}' is not callable",
                callback.coerce_to_string().unwrap_or_default()
            ));
            return false;
        }
        self.state.callbacks.set(&name, callback)
    }

    #[php(name = "getCallback")]
    pub fn get_callback(&self, event_name: Str) -> Zval {
        self.state
            .callbacks
            .get(&event_name.lossy().to_ascii_lowercase())
            .map(|cb| cb.zval())
            .unwrap_or_default()
    }

    #[php(getter, name = "host")]
    pub fn get_host(&self) -> String {
        self.state.host.clone()
    }

    #[php(getter, name = "port")]
    pub fn get_port(&self) -> i64 {
        i64::from(self.state.port)
    }

    #[php(getter, name = "type")]
    pub fn get_type(&self) -> i64 {
        self.state.sock_type
    }

    #[php(getter, name = "ssl")]
    pub fn get_ssl(&self) -> bool {
        self.state.ssl()
    }

    #[php(getter, name = "setting")]
    pub fn get_setting(&self) -> Zval {
        self.state
            .setting
            .borrow()
            .as_ref()
            .map_or_else(Zval::new, Zval::shallow_clone)
    }
}
