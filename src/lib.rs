//! swoole-rs: Swoole's WebSocket server API for PHP, served by a Rust engine.
//!
//! `php/` is the PHP face (the only code touching Zvals); the network core
//! and the event/command bridge live in the `swoole-rs-engine` crate.

#![cfg_attr(windows, feature(abi_vectorcall))]

mod php;

use ext_php_rs::prelude::*;

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    php::register(module)
}
