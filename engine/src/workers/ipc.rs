//! Messages between the processes of one server, over Unix stream sockets
//! in Linux's abstract namespace (no files to clean up): a length prefix and
//! a bincode body per message.

use std::io::{self, BufReader, Read, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener, UnixStream};

use bytes::Bytes;
use parking_lot::Mutex;

use crate::bridge::{Event, Fd};
use crate::session::Outgoing;

/// Largest message accepted (a push bigger than this could not be queued
/// anyway: buffer_output_size is far smaller by default).
const MAX_MESSAGE: usize = 1 << 30;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    /// First message on a connection: who is talking.
    Hello { worker_id: u32 },
    /// Master → worker (SWOOLE_PROCESS): an event for PHP.
    Event(Event),
    /// Write something to a connection its receiver owns.
    Send { fd: Fd, item: Outgoing },
    /// Worker → master: PHP reached the fd's Flush barrier.
    Flushed { fd: Fd },
    /// Worker → master: onClose has run, the fd can go.
    Forget { fd: Fd },
    /// Worker → master: this worker stops; hold its events for the next one.
    Leaving,
    /// Master → worker: nothing more will come on this connection.
    LeaveOk,
    /// Worker → master: shut the whole server down.
    Shutdown,
    /// Worker → master: bind() (dispatch_mode 5).
    Bind { fd: Fd, uid: u64 },
    /// Worker → worker: sendMessage().
    Pipe { src: i64, data: Bytes },
}

/// The abstract socket name of one process of the server `master_pid`.
pub fn address(master_pid: i32, who: &str) -> io::Result<UnixAddr> {
    UnixAddr::from_abstract_name(format!("swoole-rs.{master_pid}.{who}").as_bytes())
}

pub fn listen(master_pid: i32, who: &str) -> io::Result<UnixListener> {
    UnixListener::bind_addr(&address(master_pid, who)?)
}

pub fn connect(master_pid: i32, who: &str) -> io::Result<UnixStream> {
    UnixStream::connect_addr(&address(master_pid, who)?)
}

pub fn encode(msg: &Msg) -> Vec<u8> {
    let body = bincode::serialize(msg).expect("IPC messages always serialize");
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Reads one message; Ok(None) at a clean end of stream.
pub fn read_msg(r: &mut impl Read) -> io::Result<Option<Msg>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_MESSAGE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "IPC message too large",
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    bincode::deserialize(&body)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The writing end of a connection, shared by the threads that send on it.
pub struct Link {
    stream: Mutex<UnixStream>,
}

impl Link {
    pub fn new(stream: UnixStream) -> Link {
        Link {
            stream: Mutex::new(stream),
        }
    }

    pub fn send(&self, msg: &Msg) -> io::Result<()> {
        self.send_raw(&encode(msg))
    }

    pub fn send_raw(&self, bytes: &[u8]) -> io::Result<()> {
        self.stream.lock().write_all(bytes)
    }
}

/// A buffered reader for the other direction of a stream.
pub fn reader(stream: &UnixStream) -> io::Result<BufReader<UnixStream>> {
    Ok(BufReader::with_capacity(64 * 1024, stream.try_clone()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_over_a_socket() {
        let (a, b) = UnixStream::pair().unwrap();
        let link = Link::new(a);
        link.send(&Msg::Send {
            fd: 7,
            item: Outgoing::Raw(Bytes::from_static(b"\x81\x02hi")),
        })
        .unwrap();
        link.send(&Msg::Pipe {
            src: 1,
            data: Bytes::from_static(b"x"),
        })
        .unwrap();
        drop(link);
        let mut r = reader(&b).unwrap();
        match read_msg(&mut r).unwrap() {
            Some(Msg::Send {
                fd: 7,
                item: Outgoing::Raw(b),
            }) => assert_eq!(&b[..], b"\x81\x02hi"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_msg(&mut r).unwrap(),
            Some(Msg::Pipe { src: 1, .. })
        ));
        assert!(read_msg(&mut r).unwrap().is_none());
    }
}
