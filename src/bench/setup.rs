//! What a mechanism holds between the two processes, made before the fork so both inherit
//! it, and each side's [`Endpoint`] made from it after. Every setup is bidirectional
//! (direction 0: parent to child, 1: child to parent), so one setup serves throughput (one
//! way) and latency (ping-pong).
//!
//! Anything with a name in the file system or a key is unlinked or marked for removal as
//! soon as both sides hold it (the FIFOs, the POSIX shm object, the mmap file, the POSIX
//! queues, the System V segment): a benchmark that crashes leaves nothing behind. Only the
//! System V queue and semaphore set must live until the end; they are recorded, and removed
//! by the parent.

use super::endpoints::{Dgram, Efd, Endpoint, FdPair, Mq, Side, Sig, SysvMsg, SysvShm};
use super::mechanism::Mechanism;
use super::ring::{shared_hot_slot, HotSlot, HotSlots, Ring, RingPair, Shape, Wait};
use crate::error::SysContext;
use crate::objects::owner::Owner;
use crate::objects::{scratch, Kind};
use crate::sys::ipc;
use crate::sys::mem::{self, Access, Mapping, Share};
use anyhow::{Context, Result};
use nix::fcntl::OFlag;
use nix::sys::socket::{self, AddressFamily, SockFlag, SockType};
use std::os::fd::{AsFd, OwnedFd};

/// What a mechanism holds between the two processes.
pub enum Setup {
    Pipes([OwnedFd; 4]),
    Fifos(scratch::Dir, [std::path::PathBuf; 2]),
    Sockets(OwnedFd, OwnedFd, SockType),
    Tcp(std::net::TcpStream, std::net::TcpStream),
    SysvMsg(Owner),
    PosixMq([nix::mqueue::MqdT; 2]),
    SysvShm(ipc::Attachment, Owner),
    Ring(Mapping, Shape, Wait),
    EventFd([nix::sys::eventfd::EventFd; 2]),
    /// The caller's and the server's UDP sockets (rpc).
    Rpc(std::net::UdpSocket, std::net::UdpSocket),
    Signal,
}

impl Setup {
    /// Make the setup of `m` for messages of `size` bytes; shared memory (posix-shm,
    /// mmap-file) is laid out as `shape` says and waits as `wait` says.
    pub fn new(m: Mechanism, size: usize, shape: Shape, wait: Wait) -> Result<Setup> {
        Ok(match m {
            Mechanism::Pipe => {
                let (r0, w0) = nix::unistd::pipe().sys("pipe()")?;
                let (r1, w1) = nix::unistd::pipe().sys("pipe()")?;
                // The pipes as made (64 KiB here), as every program and rigtorp's pipe_thr.c
                // have them: no F_SETPIPE_SZ.
                Setup::Pipes([r0, w0, r1, w1])
            }
            Mechanism::Fifo => {
                let dir = scratch::Dir::new("bench-fifo")?;
                let paths = [dir.join("f0"), dir.join("f1")];
                for p in &paths {
                    mem::mkfifo(p, 0o600).sys(format_args!("mkfifo({})", p.display()))?;
                }
                Setup::Fifos(dir, paths)
            }
            Mechanism::UnixStream => socket_pair(SockType::Stream)?,
            Mechanism::UnixDgram => socket_pair(SockType::Datagram)?,
            Mechanism::Tcp => {
                let l = std::net::TcpListener::bind("127.0.0.1:0").context("bind(127.0.0.1)")?;
                let c = std::net::TcpStream::connect(l.local_addr()?).context("connect()")?;
                let (s, _) = l.accept().context("accept()")?;
                c.set_nodelay(true)?;
                s.set_nodelay(true)?;
                Setup::Tcp(c, s)
            }
            Mechanism::SysvMsg => Setup::SysvMsg(
                Owner::make(Kind::SysvMsg, libc::IPC_PRIVATE, || {
                    ipc::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600)
                })
                .sys("msgget()")?,
            ),
            Mechanism::PosixMq => Setup::PosixMq([posix_mq(0, size)?, posix_mq(1, size)?]),
            Mechanism::SysvShm => {
                let id = ipc::shmget(libc::IPC_PRIVATE, 2 * size, libc::IPC_CREAT | 0o600)
                    .sys("shmget()")?;
                let att = ipc::shmat(id, 2 * size, Access::ReadWrite);
                // Marked for removal now: it goes when both processes have detached (or died).
                let _ = ipc::shm_remove(id);
                let att = att.sys("shmat()")?;
                let set = Owner::make(Kind::SysvSem, libc::IPC_PRIVATE, || {
                    ipc::semget(libc::IPC_PRIVATE, 4, libc::IPC_CREAT | 0o600)
                })
                .sys("semget()")?;
                for (n, v) in [(0, 1), (1, 0), (2, 1), (3, 0)] {
                    ipc::sem_setval(set.sem_id(), n, v).sys("semctl(SETVAL)")?;
                }
                Setup::SysvShm(att, set)
            }
            Mechanism::PosixShm | Mechanism::MmapFile => {
                let len = 2 * shape.len(size);
                let fd = match m {
                    Mechanism::PosixShm => posix_shm_object()?,
                    _ => unlinked_file()?,
                };
                mem::ftruncate(&fd, len as u64).sys("ftruncate()")?;
                // /dev/shm's pages reserved now: a full tmpfs is an error here, not a SIGBUS
                // later. (A file on disk gets its blocks at the first write, as any file.)
                if m == Mechanism::PosixShm {
                    mem::reserve(&fd, len as u64)
                        .sys(format_args!("posix_fallocate({len} bytes)"))?;
                }
                let map =
                    mem::map_file(&fd, len, Access::ReadWrite, Share::Shared).sys("mmap()")?;
                Setup::Ring(map, shape, wait)
            }
            Mechanism::Rpc => {
                let bind = || std::net::UdpSocket::bind("127.0.0.1:0").context("bind(127.0.0.1)");
                Setup::Rpc(bind()?, bind()?)
            }
            Mechanism::Eventfd => {
                use nix::sys::eventfd::{EfdFlags, EventFd};
                let efd =
                    || EventFd::from_value_and_flags(0, EfdFlags::EFD_CLOEXEC).sys("eventfd()");
                Setup::EventFd([efd()?, efd()?])
            }
            Mechanism::Signal => Setup::Signal,
        })
    }

    /// This side's endpoint (after the fork). `peer` is the other process.
    pub fn endpoint(&self, side: Side, size: usize, peer: i32) -> Result<Box<dyn Endpoint + '_>> {
        let o = side.out_dir();
        Ok(match self {
            Setup::Pipes([r0, w0, r1, w1]) => {
                let (tx, rx) = ours(side, (w0.as_fd(), r1.as_fd()), (w1.as_fd(), r0.as_fd()));
                Box::new(FdPair { tx, rx })
            }
            Setup::Fifos(_, [f0, f1]) => {
                // Opened in the same order on both sides, so the blocking opens pair up.
                let open = |p: &std::path::Path, f| {
                    mem::open(p, f, 0).sys(format_args!("open({})", p.display()))
                };
                let (tx, rx) = match side {
                    Side::Parent => {
                        let tx = open(f0, OFlag::O_WRONLY)?;
                        (tx, open(f1, OFlag::O_RDONLY)?)
                    }
                    Side::Child => {
                        let rx = open(f0, OFlag::O_RDONLY)?;
                        (open(f1, OFlag::O_WRONLY)?, rx)
                    }
                };
                Box::new(FdPair { tx, rx })
            }
            Setup::Sockets(a, b, ty) => {
                let fd = ours(side, a.as_fd(), b.as_fd());
                match *ty {
                    SockType::Datagram => Box::new(Dgram(fd)),
                    _ => Box::new(FdPair { tx: fd, rx: fd }),
                }
            }
            Setup::Tcp(c, s) => {
                let fd = ours(side, c.as_fd(), s.as_fd());
                Box::new(FdPair { tx: fd, rx: fd })
            }
            Setup::SysvMsg(q) => Box::new(SysvMsg::new(
                q.msq_id(),
                o as i64 + 1,
                (1 - o) as i64 + 1,
                size,
            )),
            Setup::PosixMq([a, b]) => {
                let (tx, rx) = ours(side, (a, b), (b, a));
                Box::new(Mq { tx, rx })
            }
            Setup::SysvShm(att, set) => Box::new(SysvShm {
                region: att.region(),
                semid: set.sem_id(),
                out: o,
                size,
            }),
            Setup::Ring(map, Shape::HotSlot, wait) => {
                let (next_tx, next_rx) = ours(side, (1, 2), (2, 1));
                let at = |d: usize| match shared_hot_slot(size) {
                    true => 0,
                    false => d * Shape::HotSlot.len(size),
                };
                Box::new(HotSlots {
                    tx: HotSlot::at(map.region(), at(o), size),
                    rx: HotSlot::at(map.region(), at(1 - o), size),
                    next_tx,
                    next_rx,
                    wait: *wait,
                })
            }
            Setup::Ring(map, shape @ Shape::Ring(slots), wait) => {
                let ring = |d: usize| Ring::at(map.region(), d * shape.len(size), *slots, size);
                Box::new(RingPair {
                    tx: ring(o),
                    rx: ring(1 - o),
                    wait: *wait,
                })
            }
            Setup::Rpc(caller, server) => {
                let (sock, server_side) = ours(side, (caller, false), (server, true));
                let peer = match server_side {
                    true => None,
                    false => Some(socket::SockaddrStorage::from(server.local_addr()?)),
                };
                Box::new(super::endpoints::Rpc {
                    sock,
                    peer,
                    xid: 0,
                    server: server_side,
                    buf: vec![0; 512],
                    out: super::endpoints::Rpc::message(server_side),
                })
            }
            Setup::EventFd([a, b]) => {
                let (tx, rx) = ours(side, (a, b), (b, a));
                Box::new(Efd { tx, rx })
            }
            Setup::Signal => Box::new(Sig {
                peer: nix::unistd::Pid::from_raw(peer),
            }),
        })
    }
}

/// The parent's or the child's part.
fn ours<T>(side: Side, parent: T, child: T) -> T {
    match side {
        Side::Parent => parent,
        Side::Child => child,
    }
}

fn socket_pair(ty: SockType) -> Result<Setup> {
    let (a, b) = socket::socketpair(AddressFamily::Unix, ty, None, SockFlag::SOCK_CLOEXEC)
        .sys("socketpair()")?;
    if ty == SockType::Datagram {
        for s in [&a, &b] {
            let _ = socket::setsockopt(s, socket::sockopt::SndBuf, &(4 << 20));
            let _ = socket::setsockopt(s, socket::sockopt::RcvBuf, &(4 << 20));
        }
    }
    Ok(Setup::Sockets(a, b, ty))
}

/// A POSIX queue for direction `dir`, unlinked at once (both sides inherit the descriptor).
fn posix_mq(dir: usize, size: usize) -> Result<nix::mqueue::MqdT> {
    use nix::mqueue::{mq_open, mq_unlink, MQ_OFlag, MqAttr};
    let name = format!("/ipclab-bench-{}-{dir}", std::process::id());
    let q = mq_open(
        name.as_str(),
        MQ_OFlag::O_CREAT | MQ_OFlag::O_EXCL | MQ_OFlag::O_RDWR,
        nix::sys::stat::Mode::from_bits_truncate(0o600),
        Some(&MqAttr::new(0, 10, size as _, 0)),
    )
    .sys("mq_open()")?;
    let _ = mq_unlink(name.as_str());
    Ok(q)
}

/// A POSIX shm object, unlinked at once.
fn posix_shm_object() -> Result<OwnedFd> {
    let name = format!("/ipclab-bench-{}", std::process::id());
    let flags = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_RDWR;
    let fd = mem::shm_open(&name, flags, 0o600).sys(format_args!("shm_open({name})"))?;
    let _ = mem::shm_unlink(&name);
    Ok(fd)
}

/// A file for the mmap-file ring: made in a private scratch directory (mkdtemp-style: a
/// random name, 0700, so no other user can plant or block it), opened new, and unlinked
/// at once with its directory.
fn unlinked_file() -> Result<OwnedFd> {
    let dir = scratch::Dir::new("bench-ring")?;
    let path = dir.join("ring");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    drop(dir);
    Ok(f.into())
}
