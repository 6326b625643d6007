//! One side of a benchmark channel after the fork: send a whole message, receive a whole
//! message. Every blocking call goes through [`blocking`]: restarted after a signal, ended
//! by a termination signal (the Interrupted exit; a child whose parent died gets SIGTERM by
//! PR_SET_PDEATHSIG) or when the other process has ended (SIGCHLD), so a side whose peer
//! failed, say on a corrupted payload, stops instead of waiting for ever.

use crate::error::{restart_until, SysContext};
use crate::sys::ipc::{self, SemOp};
use crate::sys::region::Region;
use crate::sys::{signals, Errno};
use anyhow::{anyhow, bail, Result};
use nix::sys::socket;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

/// Which side of the fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Parent,
    Child,
}

impl Side {
    /// The direction this side sends in: 0 parent to child, 1 child to parent.
    pub fn out_dir(self) -> usize {
        match self {
            Side::Parent => 0,
            Side::Child => 1,
        }
    }
}

/// One side's handle on a channel.
pub trait Endpoint {
    fn send(&mut self, buf: &[u8]) -> Result<()>;
    fn recv(&mut self, buf: &mut [u8]) -> Result<()>;

    /// The child's half of a ping-pong: receive a message and send it back. `buf` holds
    /// at least the message's first and last 16 bytes afterwards (all of it unless
    /// `whole` is false), for the check. By default a receive and a send; the end marker
    /// is not sent back (nobody reads it: a large one would fill a pipe and block).
    fn echo(&mut self, buf: &mut [u8], whole: bool) -> Result<()> {
        let _ = whole;
        self.recv(buf)?;
        if buf.len() >= 8 && super::payload::seq_of(buf) == super::payload::END {
            return Ok(());
        }
        self.send(buf)
    }
}

/// Has the other process ended? (Only our child can: a parent's death is a SIGTERM.)
pub fn peer_gone() -> Option<anyhow::Error> {
    signals::child_exited().then(|| anyhow!("the other process ended"))
}

/// A blocking call named `call`: restarted after signals, ended by a termination signal or
/// by the other process's end.
pub fn blocking<T>(call: &str, f: impl FnMut() -> Result<T, Errno>) -> Result<T> {
    restart_until(f, peer_gone)?.sys(call)
}

fn write_all(fd: BorrowedFd<'_>, mut buf: &[u8]) -> Result<()> {
    while !buf.is_empty() {
        let n = blocking("write()", || nix::unistd::write(fd, buf))?;
        buf = &buf[n..];
    }
    Ok(())
}

fn read_exact(fd: BorrowedFd<'_>, mut buf: &mut [u8]) -> Result<()> {
    while !buf.is_empty() {
        match blocking("read()", || nix::unistd::read(fd, buf))? {
            0 => bail!("read(): the peer closed its end early"),
            n => buf = &mut buf[n..],
        }
    }
    Ok(())
}

/// Two descriptors: one to send on, one to receive from (pipes, FIFOs, stream sockets).
pub struct FdPair<A: AsFd, B: AsFd> {
    pub tx: A,
    pub rx: B,
}

impl<A: AsFd, B: AsFd> Endpoint for FdPair<A, B> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        write_all(self.tx.as_fd(), buf)
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        read_exact(self.rx.as_fd(), buf)
    }
}

/// A datagram socket: one message per send and per recv.
pub struct Dgram<'a>(pub BorrowedFd<'a>);

impl Endpoint for Dgram<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        let fd = self.0.as_raw_fd();
        blocking("send()", || {
            socket::send(fd, buf, socket::MsgFlags::empty())
        })
        .map(drop)
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let (fd, want) = (self.0.as_raw_fd(), buf.len());
        match blocking("recv()", || {
            socket::recv(fd, buf, socket::MsgFlags::empty())
        })? {
            n if n == want => Ok(()),
            n => bail!("recv(): a datagram of {n} bytes, {want} expected"),
        }
    }
}

/// A System V queue: type 1 one way, type 2 the other.
pub struct SysvMsg {
    pub id: crate::sys::ipc::MsqId,
    pub out_type: i64,
    pub in_type: i64,
    /// `struct { long mtype; char mtext[size]; }`, reused for every message.
    pub msg: Vec<u8>,
}

impl SysvMsg {
    /// The queue `id`, sending `out_type` and taking `in_type`, for messages of `size`.
    pub fn new(id: crate::sys::ipc::MsqId, out_type: i64, in_type: i64, size: usize) -> SysvMsg {
        SysvMsg {
            id,
            out_type,
            in_type,
            msg: vec![0; ipc::MTYPE + size],
        }
    }
}

impl Endpoint for SysvMsg {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        self.msg[ipc::MTYPE..ipc::MTYPE + buf.len()].copy_from_slice(buf);
        let (id, out) = (self.id, self.out_type);
        let msg = &mut self.msg;
        blocking("msgsnd()", || {
            ipc::msgsnd_in(id, msg, out, buf.len(), false)
        })
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let (id, want) = (self.id, self.in_type);
        let msg = &mut self.msg;
        let (_, n) = blocking("msgrcv()", || ipc::msgrcv_in(id, msg, want, false))?;
        if n != buf.len() {
            bail!("msgrcv(): {n} bytes, {} expected", buf.len());
        }
        buf.copy_from_slice(&self.msg[ipc::MTYPE..ipc::MTYPE + n]);
        Ok(())
    }
}

/// Two POSIX queues, one per direction.
pub struct Mq<'a> {
    pub tx: &'a nix::mqueue::MqdT,
    pub rx: &'a nix::mqueue::MqdT,
}

impl Endpoint for Mq<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        blocking("mq_send()", || nix::mqueue::mq_send(self.tx, buf, 0))
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let (mut prio, want) = (0, buf.len());
        match blocking("mq_receive()", || {
            nix::mqueue::mq_receive(self.rx, buf, &mut prio)
        })? {
            n if n == want => Ok(()),
            n => bail!("mq_receive(): {n} bytes, {want} expected"),
        }
    }
}

/// System V shm with a semaphore hand-off: one slot per direction, P(empty) copy V(full).
pub struct SysvShm<'a> {
    pub region: Region<'a>,
    pub semid: crate::sys::ipc::SemId,
    pub out: usize,
    pub size: usize,
}

impl SysvShm<'_> {
    fn op(&self, num: usize, op: i16) -> Result<()> {
        let ops = [SemOp {
            num: num as u16,
            op,
            ..Default::default()
        }];
        blocking("semop()", || ipc::semop(self.semid, &ops))
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

/// Signals: SIGUSR1 to the peer; `sigwait` for ours (blocked in both processes beforehand).
pub struct Sig {
    pub peer: nix::unistd::Pid,
}

impl Endpoint for Sig {
    fn send(&mut self, _buf: &[u8]) -> Result<()> {
        nix::sys::signal::kill(self.peer, nix::sys::signal::Signal::SIGUSR1).sys("kill()")
    }
    fn recv(&mut self, _buf: &mut [u8]) -> Result<()> {
        use nix::sys::signal::Signal::SIGUSR1;
        while !signals::wait_for(SIGUSR1, std::time::Duration::from_millis(100)) {
            crate::error::check_interrupted()?;
            if let Some(e) = peer_gone() {
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Block SIGUSR1 (before the fork, for the signal mechanism).
pub fn block_sigusr1() -> Result<()> {
    let mut set = nix::sys::signal::SigSet::empty();
    set.add(nix::sys::signal::Signal::SIGUSR1);
    set.thread_block().sys("sigprocmask()")
}

/// Two eventfds: write 1, read the counter.
pub struct Efd<'a> {
    pub tx: &'a nix::sys::eventfd::EventFd,
    pub rx: &'a nix::sys::eventfd::EventFd,
}

impl Endpoint for Efd<'_> {
    fn send(&mut self, _buf: &[u8]) -> Result<()> {
        blocking("write(eventfd)", || self.tx.write(1)).map(drop)
    }
    fn recv(&mut self, _buf: &mut [u8]) -> Result<()> {
        blocking("read(eventfd)", || self.rx.read()).map(drop)
    }
}

/// ONC RPC over UDP (`rpc`): the parent calls the NULL procedure of the date program (an
/// XDR call header out, a reply header back, checked for its xid); the child serves it.
pub struct Rpc<'a> {
    pub sock: &'a std::net::UdpSocket,
    /// The server's address (the caller's side), or the last caller's (the server's side).
    pub peer: Option<socket::SockaddrStorage>,
    pub xid: u32,
    pub server: bool,
    pub buf: Vec<u8>,
    /// This side's message: a NULL call, or a SUCCESS reply.
    pub out: Vec<u8>,
}

impl Rpc<'_> {
    /// The marshalled message a side sends: a NULL call (caller) or its reply (server).
    pub fn message(server: bool) -> Vec<u8> {
        use crate::demos::rpc::{wire, NULL, PROG, VERS};
        match server {
            true => wire::reply_head(0, 0).bytes,
            false => wire::call_head(0, PROG, VERS, NULL).bytes,
        }
    }
}

impl Endpoint for Rpc<'_> {
    fn send(&mut self, _buf: &[u8]) -> Result<()> {
        if !self.server {
            self.xid = self.xid.wrapping_add(1);
        }
        // The message is marshalled once (XDR, by the same code as rpc-client and
        // rpc-server); each call or reply only changes its xid, the first word.
        let msg = &mut self.out;
        msg[..4].copy_from_slice(&self.xid.to_be_bytes());
        let to = self
            .peer
            .ok_or_else(|| anyhow!("sendto(): nobody to answer"))?;
        let fd = self.sock.as_raw_fd();
        blocking("sendto()", || {
            socket::sendto(fd, msg, &to, socket::MsgFlags::empty())
        })
        .map(drop)
    }
    fn recv(&mut self, _buf: &mut [u8]) -> Result<()> {
        use crate::demos::rpc::wire;
        let fd = self.sock.as_raw_fd();
        let buf = &mut self.buf;
        let (n, from) = blocking("recvfrom()", || {
            socket::recvfrom::<socket::SockaddrStorage>(fd, buf)
        })?;
        if self.server {
            self.xid = wire::parse_call(&self.buf[..n])?.xid;
            self.peer = from;
        } else {
            wire::parse_reply(&self.buf[..n], self.xid)?;
        }
        Ok(())
    }
}
