//! The PHP face: classes, constants and the event loop that calls user callbacks.

mod args;
mod atomic;
mod callbacks;
mod channel;
mod client;
mod closing;
mod connections;
mod constants;
mod cookie;
mod coroutine;
mod errors;
mod event;
mod event_loop;
mod fast;
mod frame;
mod handshake;
mod hooks;
mod info;
mod library;
mod log;
mod port;
mod process;
mod reactor;
mod request;
mod server;
mod settings;
mod stream_hook;
mod table;
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
        .class::<connections::ConnectionIterator>()
        .class::<frame::Frame>()
        .class::<frame::CloseFrame>()
        .class::<port::Port>()
        .class::<request::Request>()
        .class::<request::Response>()
        .class::<server::Server>()
        .class::<server::HttpServer>()
        .class::<server::WebSocketServer>()
        .class::<table::Table>()
        .class::<atomic::Atomic>()
        .class::<atomic::AtomicLong>()
        .class::<atomic::Lock>();
    let module = timer::register(event::register(channel::register(hooks::register(module))));
    constants::register(coroutine::register(client::register(module)))
        .request_startup_function(request_startup)
}

/// RINIT: what needs the classes registered (ext-php-rs registers them after
/// the module's own MINIT hook runs).
extern "C" fn request_startup(ty: i32, module: i32) -> i32 {
    coroutine::request_startup(ty, module) | fast::request_startup(ty, module)
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
