//! The server-wide connection registry, in shared memory: every process of
//! a multi-process server can tell whether an fd is alive, who owns it, its
//! state and addresses, and list every connection, without asking anyone.
//!
//! Ids come from one counter here, so fds are unique server-wide and handed
//! out in order. Insertions, removals and lookups take one process-shared
//! lock; the owner updates a connection's state and times with plain atomics.
//! Live connections form a list in fd order, so listing costs what is live,
//! not the table's capacity.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use super::shm::ShmMutex;
use crate::bridge::Fd;
use crate::shm::SharedRegion;

/// Most worker processes one server may have.
pub const MAX_WORKERS: usize = 1024;

const NIL: u32 = u32::MAX;

/// State bits next to the WebSocket status in a slot's `state`.
pub const SEALED: u32 = 1 << 8;
pub const ENDED: u32 = 1 << 9;
pub const COMPRESSION: u32 = 1 << 10;

/// SWOOLE_WORKER_* values of a worker's status.
pub const WORKER_BUSY: u32 = 1;
pub const WORKER_IDLE: u32 = 2;
/// Set by a worker that leaves on purpose (reload, max_request, stop): its
/// exit is no error.
pub const WORKER_EXIT: u32 = 3;

/// Per-worker figures other processes read (stats(), getWorkerStatus()).
#[repr(C)]
pub struct WorkerSlot {
    pub pid: AtomicI32,
    /// WORKER_BUSY / WORKER_IDLE / WORKER_EXIT; 0 before start.
    pub status: AtomicU32,
    pub requests: AtomicU64,
    pub dispatches: AtomicU64,
    /// SWOOLE_PROCESS: connection events this worker id has taken from the
    /// master (ever, across restarts); the master redelivers the rest.
    pub taken: AtomicU64,
}

#[repr(C)]
struct Header {
    lock: libc::pthread_mutex_t,
    next_fd: u64,
    head: u32,
    tail: u32,
    free: u32,
    count: u32,
    capacity: u32,
    stopping: AtomicU32,
    master_pid: AtomicI32,
    manager_pid: AtomicI32,
    counters: Counters,
}

/// Server-wide totals for stats(), whichever process counted them.
#[repr(C)]
#[derive(Default)]
pub struct Counters {
    pub accept_count: AtomicU64,
    pub close_count: AtomicU64,
    pub abort_count: AtomicU64,
}

#[repr(C)]
struct Slot {
    fd: u64,
    owner: u32,
    prev: u32,
    next: u32,
    family: u32,
    /// WebSocket status in the low byte, SEALED/ENDED/COMPRESSION above.
    state: AtomicU32,
    peer_ip: [u8; 16],
    peer_port: u16,
    local_port: u16,
    local_ip: [u8; 16],
    connect_time: f64,
    last_recv_us: AtomicU64,
    last_send_us: AtomicU64,
}

/// What the registry knows of one connection.
#[derive(Debug, Clone)]
pub struct Record {
    pub fd: Fd,
    pub owner: u32,
    pub state: u32,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub connect_time: f64,
    pub last_recv: f64,
    pub last_send: f64,
}

pub struct Registry {
    shm: SharedRegion,
    lock: ShmMutex,
    capacity: u32,
    /// fd → slot index + 1 (0: empty); open addressing, twice the capacity.
    index_len: u32,
}

fn ip_bytes(ip: IpAddr) -> ([u8; 16], u32) {
    match ip {
        IpAddr::V4(v4) => {
            let mut b = [0; 16];
            b[..4].copy_from_slice(&v4.octets());
            (b, 4)
        }
        IpAddr::V6(v6) => (v6.octets(), 6),
    }
}

fn ip_from(b: &[u8; 16], family: u32) -> IpAddr {
    if family == 4 {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(*b))
    }
}

impl Registry {
    /// Room for `capacity` connections at once (rounded up to a power of two).
    pub fn create(capacity: usize) -> io::Result<Arc<Registry>> {
        let capacity = capacity.clamp(64, 1 << 22).next_power_of_two() as u32;
        let index_len = capacity * 2;
        let len = Self::index_offset(capacity) + index_len as usize * 4;
        let shm = SharedRegion::new(len)?;
        // SAFETY: fresh zeroed memory laid out as computed above.
        let lock = unsafe {
            let h = shm.as_ptr().cast::<Header>();
            (*h).next_fd = 1;
            (*h).head = NIL;
            (*h).tail = NIL;
            (*h).capacity = capacity;
            // Free list through `next`, in slot order.
            let slots = shm.as_ptr().add(Self::slots_offset()).cast::<Slot>();
            for i in 0..capacity {
                (*slots.add(i as usize)).next = if i + 1 < capacity { i + 1 } else { NIL };
            }
            (*h).free = 0;
            ShmMutex::init(std::ptr::addr_of_mut!((*h).lock))
        };
        Ok(Arc::new(Registry {
            shm,
            lock,
            capacity,
            index_len,
        }))
    }

    fn workers_offset() -> usize {
        std::mem::size_of::<Header>().next_multiple_of(64)
    }

    fn slots_offset() -> usize {
        Self::workers_offset() + MAX_WORKERS * std::mem::size_of::<WorkerSlot>()
    }

    fn index_offset(capacity: u32) -> usize {
        Self::slots_offset() + capacity as usize * std::mem::size_of::<Slot>()
    }

    fn header(&self) -> *mut Header {
        self.shm.as_ptr().cast()
    }

    fn slot(&self, i: u32) -> *mut Slot {
        debug_assert!(i < self.capacity);
        // SAFETY: in bounds of the mapping.
        unsafe {
            self.shm
                .as_ptr()
                .add(Self::slots_offset())
                .cast::<Slot>()
                .add(i as usize)
        }
    }

    fn index(&self) -> *mut u32 {
        // SAFETY: in bounds of the mapping.
        unsafe {
            self.shm
                .as_ptr()
                .add(Self::index_offset(self.capacity))
                .cast()
        }
    }

    pub fn worker(&self, id: usize) -> &WorkerSlot {
        assert!(id < MAX_WORKERS);
        // SAFETY: in bounds; WorkerSlot is all atomics.
        unsafe {
            &*self
                .shm
                .as_ptr()
                .add(Self::workers_offset())
                .cast::<WorkerSlot>()
                .add(id)
        }
    }

    pub fn counters(&self) -> &Counters {
        // SAFETY: atomics in the header.
        unsafe { &(*self.header()).counters }
    }

    pub fn master_pid(&self) -> i32 {
        // SAFETY: atomic field of the header.
        unsafe { (*self.header()).master_pid.load(Ordering::Acquire) }
    }

    pub fn set_master_pid(&self, pid: i32) {
        unsafe { (*self.header()).master_pid.store(pid, Ordering::Release) }
    }

    pub fn manager_pid(&self) -> i32 {
        unsafe { (*self.header()).manager_pid.load(Ordering::Acquire) }
    }

    pub fn set_manager_pid(&self, pid: i32) {
        unsafe { (*self.header()).manager_pid.store(pid, Ordering::Release) }
    }

    /// Set once the server shuts down (every process sees it).
    pub fn is_stopping(&self) -> bool {
        unsafe { (*self.header()).stopping.load(Ordering::Acquire) != 0 }
    }

    pub fn set_stopping(&self) {
        unsafe { (*self.header()).stopping.store(1, Ordering::Release) }
    }

    fn hash(&self, fd: Fd) -> u32 {
        // Fibonacci hashing spreads sequential fds over the index.
        ((fd.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32) & (self.index_len - 1)
    }

    /// Slot of `fd` (lock held).
    fn find(&self, fd: Fd) -> Option<(u32, u32)> {
        let idx = self.index();
        let mut pos = self.hash(fd);
        loop {
            // SAFETY: pos < index_len; lock held.
            let v = unsafe { *idx.add(pos as usize) };
            if v == 0 {
                return None;
            }
            if unsafe { (*self.slot(v - 1)).fd } == fd {
                return Some((pos, v - 1));
            }
            pos = (pos + 1) & (self.index_len - 1);
        }
    }

    /// Registers a new connection owned by `owner`; None when full.
    pub fn insert(
        &self,
        owner: u32,
        peer: SocketAddr,
        local: SocketAddr,
        now: f64,
    ) -> Option<(Fd, u32)> {
        let _g = self.lock.lock();
        // SAFETY: every field below is only changed under the lock.
        unsafe {
            let h = self.header();
            if (*h).free == NIL {
                return None;
            }
            let i = (*h).free;
            let s = self.slot(i);
            (*h).free = (*s).next;
            let fd = (*h).next_fd;
            (*h).next_fd += 1;
            (*s).fd = fd;
            (*s).owner = owner;
            let (pip, family) = ip_bytes(peer.ip());
            (*s).peer_ip = pip;
            (*s).family = family;
            (*s).peer_port = peer.port();
            (*s).local_ip = ip_bytes(local.ip()).0;
            (*s).local_port = local.port();
            (*s).connect_time = now;
            (*s).state.store(0, Ordering::Release);
            (*s).last_recv_us
                .store((now * 1e6) as u64, Ordering::Relaxed);
            (*s).last_send_us.store(0, Ordering::Relaxed);
            // Appended: the list stays in fd order.
            (*s).next = NIL;
            (*s).prev = (*h).tail;
            if (*h).tail != NIL {
                (*self.slot((*h).tail)).next = i;
            } else {
                (*h).head = i;
            }
            (*h).tail = i;
            (*h).count += 1;
            let idx = self.index();
            let mut pos = self.hash(fd);
            while *idx.add(pos as usize) != 0 {
                pos = (pos + 1) & (self.index_len - 1);
            }
            *idx.add(pos as usize) = i + 1;
            Some((fd, i))
        }
    }

    pub fn remove(&self, fd: Fd) -> bool {
        let _g = self.lock.lock();
        let Some((pos, i)) = self.find(fd) else {
            return false;
        };
        // SAFETY: lock held; indices in bounds.
        unsafe {
            self.unlink(i);
            self.index_delete(pos);
        }
        true
    }

    unsafe fn unlink(&self, i: u32) {
        let h = self.header();
        let s = self.slot(i);
        if (*s).prev != NIL {
            (*self.slot((*s).prev)).next = (*s).next;
        } else {
            (*h).head = (*s).next;
        }
        if (*s).next != NIL {
            (*self.slot((*s).next)).prev = (*s).prev;
        } else {
            (*h).tail = (*s).prev;
        }
        (*s).fd = 0;
        (*s).next = (*h).free;
        (*h).free = i;
        (*h).count -= 1;
    }

    /// Backward-shift deletion: no tombstones, lookups stay short.
    unsafe fn index_delete(&self, mut hole: u32) {
        let idx = self.index();
        let mask = self.index_len - 1;
        *idx.add(hole as usize) = 0;
        let mut pos = (hole + 1) & mask;
        loop {
            let v = *idx.add(pos as usize);
            if v == 0 {
                return;
            }
            let home = self.hash((*self.slot(v - 1)).fd);
            // Move the entry into the hole if its home is not within (hole, pos].
            let dist_home = pos.wrapping_sub(home) & mask;
            let dist_hole = pos.wrapping_sub(hole) & mask;
            if dist_home >= dist_hole {
                *idx.add(hole as usize) = v;
                *idx.add(pos as usize) = 0;
                hole = pos;
            }
            pos = (pos + 1) & mask;
        }
    }

    fn record(&self, i: u32) -> Record {
        // SAFETY: lock held by the caller.
        unsafe {
            let s = self.slot(i);
            Record {
                fd: (*s).fd,
                owner: (*s).owner,
                state: (*s).state.load(Ordering::Acquire),
                peer: SocketAddr::new(ip_from(&(*s).peer_ip, (*s).family), (*s).peer_port),
                local: SocketAddr::new(ip_from(&(*s).local_ip, (*s).family), (*s).local_port),
                connect_time: (*s).connect_time,
                last_recv: (*s).last_recv_us.load(Ordering::Relaxed) as f64 / 1e6,
                last_send: (*s).last_send_us.load(Ordering::Relaxed) as f64 / 1e6,
            }
        }
    }

    pub fn get(&self, fd: Fd) -> Option<Record> {
        let _g = self.lock.lock();
        let (_, i) = self.find(fd)?;
        Some(self.record(i))
    }

    /// Owner of `fd`, if it is registered.
    pub fn owner(&self, fd: Fd) -> Option<(u32, u32)> {
        let _g = self.lock.lock();
        let (_, i) = self.find(fd)?;
        // SAFETY: lock held.
        unsafe {
            Some((
                (*self.slot(i)).owner,
                (*self.slot(i)).state.load(Ordering::Acquire),
            ))
        }
    }

    /// Every registered fd, ascending.
    pub fn fds(&self) -> Vec<Fd> {
        let _g = self.lock.lock();
        // SAFETY: lock held; the list links valid slots.
        unsafe {
            let h = self.header();
            let mut v = Vec::with_capacity((*h).count as usize);
            let mut i = (*h).head;
            while i != NIL {
                v.push((*self.slot(i)).fd);
                i = (*self.slot(i)).next;
            }
            v
        }
    }

    pub fn count(&self) -> usize {
        let _g = self.lock.lock();
        unsafe { (*self.header()).count as usize }
    }

    /// Removes every connection `owner` had (its process died); returns them.
    pub fn purge_owner(&self, owner: u32) -> Vec<Fd> {
        let mut gone = Vec::new();
        for fd in self.fds() {
            let _g = self.lock.lock();
            if let Some((pos, i)) = self.find(fd) {
                // SAFETY: lock held.
                unsafe {
                    if (*self.slot(i)).owner == owner {
                        self.unlink(i);
                        self.index_delete(pos);
                        gone.push(fd);
                    }
                }
            }
        }
        gone
    }

    /// Sets the WebSocket status of `fd` from any process (a SWOOLE_PROCESS
    /// worker that just answered a handshake).
    pub fn set_status(&self, fd: Fd, status: u8) {
        let _g = self.lock.lock();
        if let Some((_, i)) = self.find(fd) {
            self.update_state(i, |v| (v & !0xFF) | status as u32);
        }
    }

    // --- owner-side updates (no lock: the slot is the owner's until removed) ---

    pub fn update_state(&self, slot: u32, f: impl Fn(u32) -> u32) {
        // SAFETY: atomic field of a slot in bounds.
        let st = unsafe { &(*self.slot(slot)).state };
        let _ = st.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| Some(f(v)));
    }

    pub fn touch_recv(&self, slot: u32, us: u64) {
        unsafe { (*self.slot(slot)).last_recv_us.store(us, Ordering::Relaxed) }
    }

    pub fn touch_send(&self, slot: u32, us: u64) {
        unsafe { (*self.slot(slot)).last_send_us.store(us, Ordering::Relaxed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    }

    #[test]
    fn ids_are_sequential_and_listed_in_order() {
        let r = Registry::create(64).unwrap();
        let a = r.insert(0, addr(1), addr(9), 1.0).unwrap().0;
        let b = r.insert(1, addr(2), addr(9), 1.0).unwrap().0;
        let c = r.insert(0, addr(3), addr(9), 1.0).unwrap().0;
        assert_eq!((a, b, c), (1, 2, 3));
        assert!(r.remove(b));
        assert_eq!(r.fds(), vec![1, 3]);
        assert_eq!(r.get(3).unwrap().peer, addr(3));
        assert!(r.get(2).is_none());
        assert_eq!(r.purge_owner(0), vec![1, 3]);
        assert_eq!(r.count(), 0);
    }

    #[test]
    fn full_table_refuses_and_slots_are_reused() {
        let r = Registry::create(64).unwrap();
        let fds: Vec<Fd> = (0..64)
            .map(|_| r.insert(0, addr(1), addr(2), 0.0).unwrap().0)
            .collect();
        assert!(r.insert(0, addr(1), addr(2), 0.0).is_none());
        for fd in &fds {
            assert!(r.remove(*fd));
        }
        // Many rounds of churn: the index never loses an entry.
        for round in 0..50u64 {
            let live: Vec<Fd> = (0..40)
                .map(|_| r.insert(0, addr(1), addr(2), 0.0).unwrap().0)
                .collect();
            for fd in live.iter().filter(|fd| (**fd + round) % 3 != 0) {
                assert!(r.remove(*fd));
            }
            for fd in live.iter().filter(|fd| (**fd + round) % 3 == 0) {
                assert_eq!(r.get(*fd).unwrap().fd, *fd);
                assert!(r.remove(*fd));
            }
        }
        assert_eq!(r.count(), 0);
    }

    #[test]
    fn state_bits() {
        let r = Registry::create(64).unwrap();
        let (fd, slot) = r.insert(0, addr(1), addr(2), 0.0).unwrap();
        r.update_state(slot, |v| (v & !0xFF) | 3 | COMPRESSION);
        let rec = r.get(fd).unwrap();
        assert_eq!(rec.state & 0xFF, 3);
        assert!(rec.state & COMPRESSION != 0);
    }
}
