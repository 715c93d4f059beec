//! The PHP face: classes, constants and the event loop that calls user callbacks.

mod callbacks;
mod client;
mod closing;
mod constants;
mod coroutine;
mod errors;
mod event_loop;
mod frame;
mod info;
mod log;
mod request;
mod server;
mod settings;
mod upload;
mod values;

use ext_php_rs::builders::ModuleBuilder;

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    // The module is `swoole_rs`, so it never clashes with a real Swoole install.
    let module = module
        .name("swoole_rs")
        .info_function(info::module_info)
        .startup_function(module_startup)
        .class::<frame::Frame>()
        .class::<frame::CloseFrame>()
        .class::<request::Request>()
        .class::<request::Response>()
        .class::<server::Server>()
        .class::<server::HttpServer>()
        .class::<server::WebSocketServer>();
    constants::register(coroutine::register(client::register(module)))
}

/// MINIT: classes the class builder registers directly (not Rust-backed).
extern "C" fn module_startup(_ty: i32, _module: i32) -> i32 {
    match errors::register_exception_class() {
        Ok(()) => 0,
        Err(_) => -1,
    }
}
