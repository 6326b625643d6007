//! The mechanisms `ipclab bench` measures, behind one interface: a [`Setup`] made before the
//! fork (so both processes inherit what it holds) and an [`Endpoint`] per side after it.
//! Each setup is bidirectional (direction 0: parent to child, 1: child to parent), so the
//! same code serves throughput (one way) and latency (ping-pong).
//!
//! Anything with a name in the file system or a key is unlinked or marked for removal as
//! soon as both sides hold it (the FIFOs, the POSIX shm object, the mmap file, the POSIX
//! queues, the System V segment): a benchmark that crashes leaves nothing behind. Only the
//! System V queue and semaphore set must live until the end; they are recorded, and removed
//! by the parent.

use crate::error::SysContext;
use crate::objects::sysv::Owned;
use crate::objects::{scratch, Kind};
use crate::sys::ipc::{self, SemOp};
use crate::sys::mem::{self, Mapping, Share};
use crate::sys::region::Region;
use crate::sys::{futex, Errno};
use anyhow::{anyhow, bail, Context, Result};
use nix::sys::socket::{self, AddressFamily, SockFlag, SockType};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

/// Every mechanism, by the names `--only` takes.
pub const MECHANISMS: [&str; 12] = [
    "pipe",
    "fifo",
    "unix-stream",
    "unix-dgram",
    "tcp",
    "sysv-msg",
    "posix-mq",
    "sysv-shm",
    "posix-shm",
    "mmap-file",
    "eventfd",
    "signal",
];

/// Notification-only mechanisms carry no payload: latency only.
pub fn notification_only(m: &str) -> bool {
    matches!(m, "eventfd" | "signal")
}

/// Has the other process gone (our child ended, or a termination signal came, which is how
/// the child learns its parent died: PR_SET_PDEATHSIG)? Every wait checks it, so a side whose
/// peer failed (say, on a corrupted payload) stops instead of waiting for ever.
pub fn peer_gone() -> bool {
    crate::sys::signals::child_exited() || crate::sys::signals::pending().is_some()
}

fn gone() -> anyhow::Error {
    anyhow!("the other process ended")
}

/// Which side of the fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Parent,
    Child,
}

impl Side {
    fn out_dir(self) -> usize {
        match self {
            Side::Parent => 0,
            Side::Child => 1,
        }
    }
}

/// One side's handle: send a whole message, receive a whole message.
pub trait Endpoint {
    fn send(&mut self, buf: &[u8]) -> Result<()>;
    fn recv(&mut self, buf: &mut [u8]) -> Result<()>;
}

/// How a ring's reader and writer wait.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wait {
    /// Busy-wait (with a spin-loop hint): lowest latency, burns a CPU
    #[default]
    Spin,
    /// Sleep in futex(2) when there is nothing to do
    Futex,
}

/// What a mechanism holds between the two processes.
pub enum Setup {
    Fds([OwnedFd; 4]),
    Fifo(scratch::Dir, [std::path::PathBuf; 2]),
    Sockets(OwnedFd, OwnedFd, bool),
    Tcp(std::net::TcpStream, std::net::TcpStream),
    SysvMsg(Owned),
    PosixMq([nix::mqueue::MqdT; 2]),
    SysvShm(ipc::Attachment, Owned),
    Ring(Mapping, u32, Wait),
    EventFd([nix::sys::eventfd::EventFd; 2]),
    Signal,
}

/// Slots per ring for messages of `size` bytes: about 4 MiB, 4 to 1024 slots.
fn ring_slots(size: usize) -> u32 {
    ((4 << 20) / size).clamp(4, 1024) as u32
}

const RING_HEADER: usize = 128;

fn ring_len(size: usize, slots: u32) -> usize {
    RING_HEADER + size * slots as usize
}

/// Does this mechanism carry messages of `size` bytes here? (None: yes; Some(why): no.)
pub fn unsupported(m: &str, size: usize) -> Option<String> {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
    };
    match m {
        "unix-dgram" if size > 64 * 1024 => {
            Some("a datagram above 64 KiB exceeds the socket buffer".into())
        }
        "sysv-msg" => {
            let max = read("/proc/sys/kernel/msgmax").unwrap_or(8192);
            (size > max).then(|| format!("above msgmax ({max} bytes)"))
        }
        "posix-mq" => {
            let max = read("/proc/sys/fs/mqueue/msgsize_max").unwrap_or(8192);
            (size > max).then(|| format!("above mqueue msgsize_max ({max} bytes)"))
        }
        _ => None,
    }
}

/// Make the setup for `m` and messages of `size` bytes.
pub fn setup(m: &str, size: usize, wait: Wait) -> Result<Setup> {
    Ok(match m {
        "pipe" => {
            let (r0, w0) = nix::unistd::pipe()?;
            let (r1, w1) = nix::unistd::pipe()?;
            Setup::Fds([r0, w0, r1, w1])
        }
        "fifo" => {
            let dir = scratch::Dir::new("bench-fifo")?;
            let paths = [dir.join("f0"), dir.join("f1")];
            for p in &paths {
                mem::mkfifo(p, 0o600)?;
            }
            Setup::Fifo(dir, paths)
        }
        "unix-stream" | "unix-dgram" => {
            let ty = if m == "unix-stream" {
                SockType::Stream
            } else {
                SockType::Datagram
            };
            let (a, b) = socket::socketpair(AddressFamily::Unix, ty, None, SockFlag::SOCK_CLOEXEC)?;
            if ty == SockType::Datagram {
                for s in [&a, &b] {
                    let _ = socket::setsockopt(s, socket::sockopt::SndBuf, &(4 << 20));
                    let _ = socket::setsockopt(s, socket::sockopt::RcvBuf, &(4 << 20));
                }
            }
            Setup::Sockets(a, b, ty == SockType::Datagram)
        }
        "tcp" => {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            let c = std::net::TcpStream::connect(l.local_addr()?)?;
            let (s, _) = l.accept()?;
            c.set_nodelay(true)?;
            s.set_nodelay(true)?;
            Setup::Tcp(c, s)
        }
        "sysv-msg" => {
            let q = Owned::make(Kind::SysvMsg, libc::IPC_PRIVATE, || {
                ipc::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600)
            })
            .sys("msgget()")?;
            Setup::SysvMsg(q)
        }
        "posix-mq" => {
            use nix::mqueue::{mq_open, mq_unlink, MQ_OFlag, MqAttr};
            let mut qs = Vec::new();
            for dir in 0..2 {
                let name = format!("/ipclab-bench-{}-{dir}", std::process::id());
                let attr = MqAttr::new(0, 10, size as _, 0);
                let q = mq_open(
                    name.as_str(),
                    MQ_OFlag::O_CREAT | MQ_OFlag::O_EXCL | MQ_OFlag::O_RDWR,
                    nix::sys::stat::Mode::from_bits_truncate(0o600),
                    Some(&attr),
                )
                .map_err(|e| anyhow!("mq_open(): {}", e.desc()))?;
                let _ = mq_unlink(name.as_str());
                qs.push(q);
            }
            let b = qs.pop().unwrap();
            let a = qs.pop().unwrap();
            Setup::PosixMq([a, b])
        }
        "sysv-shm" => {
            let id = ipc::shmget(libc::IPC_PRIVATE, 2 * size, libc::IPC_CREAT | 0o600)
                .map_err(|e| anyhow!("shmget(): {}", e.desc()))?;
            let att = ipc::shmat(id, 2 * size, false);
            // Marked for removal now: it goes when both processes have detached (or died).
            let _ = ipc::shm_remove(id);
            let att = att.map_err(|e| anyhow!("shmat(): {}", e.desc()))?;
            let set = Owned::make(Kind::SysvSem, libc::IPC_PRIVATE, || {
                ipc::semget(libc::IPC_PRIVATE, 4, libc::IPC_CREAT | 0o600)
            })
            .sys("semget()")?;
            let semid = set.id;
            for (n, v) in [(0, 1), (1, 0), (2, 1), (3, 0)] {
                ipc::sem_setval(semid, n, v).map_err(|e| anyhow!("semctl(): {}", e.desc()))?;
            }
            Setup::SysvShm(att, set)
        }
        "posix-shm" | "mmap-file" => {
            let slots = ring_slots(size);
            let len = 2 * ring_len(size, slots);
            let fd: OwnedFd = if m == "posix-shm" {
                let name = format!("/ipclab-bench-{}", std::process::id());
                let fd = mem::shm_open(
                    &name,
                    nix::fcntl::OFlag::O_CREAT
                        | nix::fcntl::OFlag::O_EXCL
                        | nix::fcntl::OFlag::O_RDWR,
                    0o600,
                )
                .map_err(|e| anyhow!("shm_open(): {}", e.desc()))?;
                let _ = mem::shm_unlink(&name);
                fd
            } else {
                let path =
                    std::env::temp_dir().join(format!("ipclab-bench-{}.ring", std::process::id()));
                let f = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&path)?;
                let _ = std::fs::remove_file(&path);
                f.into()
            };
            mem::ftruncate(&fd, len as u64)?;
            mem::reserve(&fd, len as u64)
                .map_err(|e| anyhow!("cannot reserve {len} bytes: {}", e.desc()))?;
            let map = mem::map_file(&fd, len, true, Share::Shared)?;
            Setup::Ring(map, slots, wait)
        }
        "eventfd" => {
            use nix::sys::eventfd::{EfdFlags, EventFd};
            Setup::EventFd([
                EventFd::from_value_and_flags(0, EfdFlags::EFD_CLOEXEC)?,
                EventFd::from_value_and_flags(0, EfdFlags::EFD_CLOEXEC)?,
            ])
        }
        "signal" => Setup::Signal,
        other => bail!("unknown mechanism {other}"),
    })
}

fn write_all(fd: &impl AsFd, mut buf: &[u8]) -> Result<()> {
    while !buf.is_empty() {
        match nix::unistd::write(fd, buf) {
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) if peer_gone() => return Err(gone()),
            Err(Errno::EINTR) => continue,
            Err(e) => bail!("write(): {}", e.desc()),
        }
    }
    Ok(())
}

fn read_exact(fd: &impl AsFd, mut buf: &mut [u8]) -> Result<()> {
    while !buf.is_empty() {
        match nix::unistd::read(fd, buf) {
            Ok(0) => bail!("read(): the peer closed its end early"),
            Ok(n) => buf = &mut buf[n..],
            Err(Errno::EINTR) if peer_gone() => return Err(gone()),
            Err(Errno::EINTR) => continue,
            Err(e) => bail!("read(): {}", e.desc()),
        }
    }
    Ok(())
}

/// Two fds: one to send on, one to receive from (pipes, FIFOs, eventfds).
struct FdPair<A: AsFd, B: AsFd> {
    tx: A,
    rx: B,
}

impl<A: AsFd, B: AsFd> Endpoint for FdPair<A, B> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        write_all(&self.tx, buf)
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        read_exact(&self.rx, buf)
    }
}

/// A datagram socket: one message per send/recv.
struct Dgram<'a>(std::os::fd::BorrowedFd<'a>);

impl Endpoint for Dgram<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        loop {
            match socket::send(self.0.as_raw_fd(), buf, socket::MsgFlags::empty()) {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) if peer_gone() => return Err(gone()),
                Err(Errno::EINTR) => continue,
                Err(e) => bail!("send(): {}", e.desc()),
            }
        }
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        loop {
            match socket::recv(self.0.as_raw_fd(), buf, socket::MsgFlags::empty()) {
                Ok(n) if n == buf.len() => return Ok(()),
                Ok(n) => bail!("recv(): a datagram of {n} bytes, {} expected", buf.len()),
                Err(Errno::EINTR) if peer_gone() => return Err(gone()),
                Err(Errno::EINTR) => continue,
                Err(e) => bail!("recv(): {}", e.desc()),
            }
        }
    }
}

struct SysvMsg {
    id: i32,
    out_type: i64,
    in_type: i64,
}

impl Endpoint for SysvMsg {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        ipc::msgsnd(self.id, self.out_type, buf, false, peer_gone)
            .map_err(|e| anyhow!("msgsnd(): {}", e.desc()))
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let (_, got) = ipc::msgrcv(self.id, buf.len(), self.in_type, false, peer_gone)
            .map_err(|e| anyhow!("msgrcv(): {}", e.desc()))?;
        if got.len() != buf.len() {
            bail!("msgrcv(): {} bytes, {} expected", got.len(), buf.len());
        }
        buf.copy_from_slice(&got);
        Ok(())
    }
}

struct Mq<'a> {
    tx: &'a nix::mqueue::MqdT,
    rx: &'a nix::mqueue::MqdT,
}

impl Endpoint for Mq<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        loop {
            match nix::mqueue::mq_send(self.tx, buf, 0) {
                Ok(()) => return Ok(()),
                Err(Errno::EINTR) if peer_gone() => return Err(gone()),
                Err(Errno::EINTR) => continue,
                Err(e) => bail!("mq_send(): {}", e.desc()),
            }
        }
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let mut prio = 0;
        loop {
            match nix::mqueue::mq_receive(self.rx, buf, &mut prio) {
                Ok(n) if n == buf.len() => return Ok(()),
                Ok(n) => bail!("mq_receive(): {n} bytes, {} expected", buf.len()),
                Err(Errno::EINTR) if peer_gone() => return Err(gone()),
                Err(Errno::EINTR) => continue,
                Err(e) => bail!("mq_receive(): {}", e.desc()),
            }
        }
    }
}

/// System V shm with a semaphore hand-off: one slot per direction, P(empty) copy V(full).
struct SysvShm<'a> {
    region: Region<'a>,
    semid: i32,
    out: usize,
    size: usize,
}

impl SysvShm<'_> {
    fn op(&self, num: usize, op: i16) -> Result<()> {
        ipc::semop(
            self.semid,
            &[SemOp {
                num: num as u16,
                op,
                ..Default::default()
            }],
            peer_gone,
        )
        .map_err(|e| anyhow!("semop(): {}", e.desc()))
    }
}

impl Endpoint for SysvShm<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        self.op(2 * self.out, -1)?;
        self.region.write(self.out * self.size, buf);
        self.op(2 * self.out + 1, 1)
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let d = 1 - self.out;
        self.op(2 * d + 1, -1)?;
        self.region.read_into(d * self.size, buf);
        self.op(2 * d, 1)
    }
}

/// One ring in a shared mapping: `in`/`out` counters (wrapping u32) on their own cache
/// lines, each with a count of futex waiters; slots after the header.
struct Ring<'a> {
    region: Region<'a>,
    base: usize,
    slots: u32,
    size: usize,
}

impl<'a> Ring<'a> {
    fn word(&self, off: usize) -> &'a AtomicU32 {
        self.region.atomic_u32(self.base + off)
    }

    fn wait_until(
        &self,
        counter: usize,
        waiters: usize,
        wait: Wait,
        ready: impl Fn(u32) -> bool,
    ) -> Result<()> {
        let c = self.word(counter);
        let mut spins = 0u32;
        loop {
            let v = c.load(Ordering::Acquire);
            if ready(v) {
                return Ok(());
            }
            match wait {
                Wait::Spin => {
                    spins = spins.wrapping_add(1);
                    if spins % 4096 == 0 {
                        if peer_gone() {
                            return Err(gone());
                        }
                        std::thread::yield_now();
                    } else {
                        std::hint::spin_loop();
                    }
                }
                Wait::Futex => {
                    if peer_gone() {
                        return Err(gone());
                    }
                    let w = self.word(waiters);
                    w.fetch_add(1, Ordering::SeqCst);
                    if c.load(Ordering::SeqCst) == v {
                        futex::wait(c, v);
                    }
                    w.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
    }

    fn publish(&self, counter: usize, waiters: usize, wait: Wait, v: u32) {
        let c = self.word(counter);
        c.store(v, Ordering::SeqCst);
        if wait == Wait::Futex && self.word(waiters).load(Ordering::SeqCst) > 0 {
            futex::wake(c, 1);
        }
    }

    fn put(&self, buf: &[u8], wait: Wait) -> Result<()> {
        let i = self.word(0).load(Ordering::Relaxed);
        let slots = self.slots;
        self.wait_until(64, 68, wait, |out| i.wrapping_sub(out) < slots)?;
        self.region.write(
            self.base + RING_HEADER + (i % slots) as usize * self.size,
            buf,
        );
        self.publish(0, 4, wait, i.wrapping_add(1));
        Ok(())
    }

    fn take(&self, buf: &mut [u8], wait: Wait) -> Result<()> {
        let o = self.word(64).load(Ordering::Relaxed);
        self.wait_until(0, 4, wait, |inp| inp != o)?;
        let at = self.base + RING_HEADER + (o % self.slots) as usize * self.size;
        self.region.read_into(at, buf);
        self.publish(64, 68, wait, o.wrapping_add(1));
        Ok(())
    }
}

struct RingPair<'a> {
    tx: Ring<'a>,
    rx: Ring<'a>,
    wait: Wait,
}

impl Endpoint for RingPair<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        self.tx.put(buf, self.wait)
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        self.rx.take(buf, self.wait)
    }
}

/// Signals: SIGUSR1 to the peer; `sigwait` for ours (blocked in both processes beforehand).
struct Sig {
    peer: nix::unistd::Pid,
}

impl Endpoint for Sig {
    fn send(&mut self, _buf: &[u8]) -> Result<()> {
        nix::sys::signal::kill(self.peer, nix::sys::signal::Signal::SIGUSR1).context("kill()")
    }
    fn recv(&mut self, _buf: &mut [u8]) -> Result<()> {
        use crate::sys::signals::wait_for;
        while !wait_for(
            nix::sys::signal::Signal::SIGUSR1,
            std::time::Duration::from_millis(100),
        ) {
            if peer_gone() {
                return Err(gone());
            }
        }
        Ok(())
    }
}

/// Block SIGUSR1 (before the fork, for the signal mechanism).
pub fn block_sigusr1() -> Result<()> {
    let mut set = nix::sys::signal::SigSet::empty();
    set.add(nix::sys::signal::Signal::SIGUSR1);
    set.thread_block()?;
    Ok(())
}

/// An eventfd: write 1, read the counter.
struct Efd<'a> {
    tx: &'a nix::sys::eventfd::EventFd,
    rx: &'a nix::sys::eventfd::EventFd,
}

impl Endpoint for Efd<'_> {
    fn send(&mut self, _buf: &[u8]) -> Result<()> {
        self.tx.write(1).map(|_| ()).context("write(eventfd)")
    }
    fn recv(&mut self, _buf: &mut [u8]) -> Result<()> {
        loop {
            match self.rx.read() {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) if peer_gone() => return Err(gone()),
                Err(Errno::EINTR) => continue,
                Err(e) => bail!("read(eventfd): {}", e.desc()),
            }
        }
    }
}

impl Setup {
    /// This side's endpoint (after the fork). `peer` is the other process.
    pub fn endpoint(&self, side: Side, size: usize, peer: i32) -> Result<Box<dyn Endpoint + '_>> {
        let o = side.out_dir();
        Ok(match self {
            Setup::Fds([r0, w0, r1, w1]) => match side {
                Side::Parent => Box::new(FdPair {
                    tx: w0.as_fd(),
                    rx: r1.as_fd(),
                }),
                Side::Child => Box::new(FdPair {
                    tx: w1.as_fd(),
                    rx: r0.as_fd(),
                }),
            },
            Setup::Fifo(_, [f0, f1]) => {
                use nix::fcntl::OFlag;
                // Opened in the same order on both sides, so the blocking opens pair up.
                let (tx, rx) = match side {
                    Side::Parent => {
                        let tx = mem::open(f0, OFlag::O_WRONLY, 0)?;
                        (tx, mem::open(f1, OFlag::O_RDONLY, 0)?)
                    }
                    Side::Child => {
                        let rx = mem::open(f0, OFlag::O_RDONLY, 0)?;
                        (mem::open(f1, OFlag::O_WRONLY, 0)?, rx)
                    }
                };
                Box::new(FdPair { tx, rx })
            }
            Setup::Sockets(a, b, dgram) => {
                let fd = if side == Side::Parent {
                    a.as_fd()
                } else {
                    b.as_fd()
                };
                if *dgram {
                    Box::new(Dgram(fd))
                } else {
                    Box::new(FdPair { tx: fd, rx: fd })
                }
            }
            Setup::Tcp(c, s) => {
                let fd = if side == Side::Parent {
                    c.as_fd()
                } else {
                    s.as_fd()
                };
                Box::new(FdPair { tx: fd, rx: fd })
            }
            Setup::SysvMsg(q) => Box::new(SysvMsg {
                id: q.id,
                out_type: o as i64 + 1,
                in_type: (1 - o) as i64 + 1,
            }),
            Setup::PosixMq([a, b]) => match side {
                Side::Parent => Box::new(Mq { tx: a, rx: b }),
                Side::Child => Box::new(Mq { tx: b, rx: a }),
            },
            Setup::SysvShm(att, set) => Box::new(SysvShm {
                region: att.region(),
                semid: set.id,
                out: o,
                size,
            }),
            Setup::Ring(map, slots, wait) => {
                let ring = |d: usize| Ring {
                    region: map.region(),
                    base: d * ring_len(size, *slots),
                    slots: *slots,
                    size,
                };
                Box::new(RingPair {
                    tx: ring(o),
                    rx: ring(1 - o),
                    wait: *wait,
                })
            }
            Setup::EventFd([a, b]) => match side {
                Side::Parent => Box::new(Efd { tx: a, rx: b }),
                Side::Child => Box::new(Efd { tx: b, rx: a }),
            },
            Setup::Signal => Box::new(Sig {
                peer: nix::unistd::Pid::from_raw(peer),
            }),
        })
    }
}
