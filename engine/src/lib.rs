//! The network core of swoole-rs. No PHP in here: the extension drives it
//! through [`server::Engine`], [`bridge::EventQueue`] and [`session::Session`].

pub mod bridge;
pub mod client;
pub mod config;
pub mod connection;
pub mod deflate;
pub mod frame;
pub mod handshake;
pub mod http;
pub mod receiver;
pub mod server;
pub mod session;
pub mod shm;
pub mod signals;
pub mod tls;
pub mod workers;
