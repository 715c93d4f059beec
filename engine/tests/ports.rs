//! Extra listening ports (`$server->listen()`): one engine, one event queue,
//! each port with its own protocol.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use swoole_rs_engine::bridge::Event;
use swoole_rs_engine::config::ServerConfig;
use swoole_rs_engine::server::{bind, shutdown, Engine, PortSettings};

/// Events until `done` says so (or 5 s pass).
fn events_until(engine: &Engine, mut done: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let mut all = Vec::new();
    let mut batch = VecDeque::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        engine
            .shared()
            .events
            .drain_into(&mut batch, Some(Duration::from_millis(20)));
        for e in batch.drain(..) {
            let stop = done(&e);
            all.push(e);
            if stop {
                return all;
            }
        }
    }
    panic!("timed out; events so far: {all:?}");
}

#[test]
fn a_raw_tcp_port_next_to_the_websocket_port() {
    let main = bind("127.0.0.1", 0).unwrap();
    let main_port = main.local_addr().unwrap().port();
    let config = ServerConfig {
        reactor_num: 1,
        ..ServerConfig::default()
    };
    let engine = Engine::start(main, config, false).unwrap();
    let extra = bind("127.0.0.1", 0).unwrap();
    let extra_port = extra.local_addr().unwrap().port();
    let raw = PortSettings {
        http_protocol: false,
        ssl: false,
    };
    engine.listen(extra, raw).unwrap();

    // The extra port hands raw bytes over, tagged with its own local port.
    let mut tcp = TcpStream::connect(("127.0.0.1", extra_port)).unwrap();
    tcp.write_all(b"ping").unwrap();
    let events = events_until(&engine, |e| matches!(e, Event::Receive { .. }));
    let Some(Event::Receive { fd, data }) = events.last() else {
        unreachable!()
    };
    assert_eq!(&data[..], b"ping");
    let session = engine.shared().sessions.get(*fd).unwrap();
    assert_eq!(session.local.port(), extra_port);

    // The main port still speaks HTTP: a plain GET gets the 400 page.
    let mut http = TcpStream::connect(("127.0.0.1", main_port)).unwrap();
    http.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    http.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = [0u8; 12];
    http.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 400");

    // Shutdown stops both ports' accept loops, and the stop is reported once.
    shutdown(engine.shared());
    drop(tcp);
    drop(http);
    let events = events_until(&engine, |e| matches!(e, Event::Stopped));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::Stopped))
            .count(),
        1
    );
    let refused = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        TcpStream::connect(("127.0.0.1", extra_port)).is_err()
    });
    assert!(refused, "the extra port still accepts after shutdown");
}
