//! The PHP face: classes, constants and the event loop that calls user callbacks.

mod callbacks;
mod channel;
mod client;
mod constants;
mod coroutine;
mod errors;
mod event;
mod event_loop;
mod frame;
mod hooks;
mod info;
mod library;
mod log;
mod reactor;
mod request;
mod server;
mod settings;
mod stream_hook;
mod timer;
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
    let module = timer::register(event::register(channel::register(hooks::register(module))));
    constants::register(coroutine::register(client::register(module)))
}

/// MINIT: classes the class builder registers directly (not Rust-backed).
extern "C" fn module_startup(_ty: i32, _module: i32) -> i32 {
    let ok = errors::register_exception_class()
        .and_then(|()| errors::register_error_class())
        .and_then(|()| timer::register_iterator_classes())
        .and_then(|()| coroutine::register_context_class());
    match ok {
        Ok(()) => 0,
        Err(_) => -1,
    }
}
