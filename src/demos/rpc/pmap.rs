//! The client side of the wire: a channel to a server (one UDP socket, so a retransmission
//! comes from the same address, as the server's reply cache expects; or one TCP
//! connection, a record per message), and the portmapper, rpcbind version 2 (RFC 1833),
//! which maps a program number to a port: the textbook's "matchmaker".

use super::record;
use super::wire::{call_head, parse_reply};
use crate::sys::sock::{self, Address, Kind};
use anyhow::{anyhow, bail, Result};
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

pub const PMAP_PROG: u32 = 100_000;
pub const PMAP_VERS: u32 = 2;
pub const PMAPPROC_SET: u32 = 1;
pub const PMAPPROC_UNSET: u32 = 2;
pub const PMAPPROC_GETPORT: u32 = 3;
pub const IPPROTO_TCP: u32 = 6;
pub const IPPROTO_UDP: u32 = 17;

/// How a call travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Udp,
    Tcp,
}

impl Proto {
    pub fn ipproto(self) -> u32 {
        match self {
            Proto::Udp => IPPROTO_UDP,
            Proto::Tcp => IPPROTO_TCP,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Proto::Udp => "udp",
            Proto::Tcp => "tcp",
        }
    }
}

/// A client's way to a server.
pub struct Channel {
    fd: OwnedFd,
    proto: Proto,
    to: SocketAddr,
    timeout: Duration,
    /// A termination signal ends the wait for a reply (a user's call); rpcbind's calls
    /// are short and must complete, or a mapping would be made and never taken back.
    interruptible: bool,
}

impl Channel {
    pub fn open(proto: Proto, to: SocketAddr, timeout: Duration) -> Result<Channel> {
        let addr = Address::Inet(to);
        let fd = match proto {
            Proto::Udp => sock::socket(addr.family(), Kind::Dgram)?,
            Proto::Tcp => {
                let fd = sock::socket(addr.family(), Kind::Stream)?;
                sock::connect(&fd, &addr, timeout)
                    .map_err(|e| anyhow!("connect {to}: {}", e.desc()))?;
                fd
            }
        };
        Ok(Channel {
            fd,
            proto,
            to,
            timeout,
            interruptible: true,
        })
    }

    /// Send `call` and wait for the reply's bytes (UDP: up to three tries).
    pub fn exchange(&mut self, call: &[u8]) -> Result<Vec<u8>> {
        let (fd, timeout, interruptible) = (&self.fd, self.timeout, self.interruptible);
        let readable = |limit| match interruptible {
            true => crate::demos::sock::readable(fd.as_fd(), Some(limit)),
            false => Ok(crate::demos::sock::readable_through_signals(
                fd.as_fd(),
                limit,
            )),
        };
        if self.proto == Proto::Tcp {
            record::write(fd, call)?;
            return record::read(fd, || readable(timeout))?
                .ok_or_else(|| anyhow!("the server closed the connection without a reply"));
        }
        let to = Address::Inet(self.to);
        let mut buf = vec![0u8; 65536];
        for _ in 0..3 {
            sock::sendto(fd, call, &to).map_err(|e| anyhow!("sendto {to}: {}", e.desc()))?;
            if !readable(timeout / 3)? {
                continue;
            }
            match sock::recvfrom(fd, &mut buf) {
                Ok((n, _)) => return Ok(buf[..n].to_vec()),
                Err(nix::errno::Errno::ECONNREFUSED) => {
                    bail!("{to}: nothing answers there (connection refused)")
                }
                Err(e) => bail!("recvfrom {to}: {}", e.desc()),
            }
        }
        Err(anyhow!("{to}: no answer over UDP after three tries"))
    }
}

/// One call on a new channel.
pub fn exchange(proto: Proto, to: SocketAddr, call: &[u8], timeout: Duration) -> Result<Vec<u8>> {
    Channel::open(proto, to, timeout)?.exchange(call)
}

/// One portmapper call on `host`'s rpcbind (port 111, UDP): the mapping
/// `(prog, vers, proto, port)` as its argument, one unsigned word back.
fn pmap(
    host: std::net::IpAddr,
    proc_: u32,
    prog: u32,
    vers: u32,
    proto: Proto,
    port: u32,
) -> Result<u32> {
    let xid = std::process::id() ^ (proc_ << 16) ^ port;
    let mut w = call_head(xid, PMAP_PROG, PMAP_VERS, proc_);
    w.u32("map.prog", prog)
        .u32("map.vers", vers)
        .u32("map.prot", proto.ipproto())
        .u32("map.port", port);
    if crate::trace::enabled() {
        let name = match proc_ {
            PMAPPROC_SET => "PMAPPROC_SET",
            PMAPPROC_UNSET => "PMAPPROC_UNSET",
            _ => "PMAPPROC_GETPORT",
        };
        crate::out::note(format_args!(
            "rpcbind {name} call to {host}:111, {} bytes of XDR:\n{}",
            w.bytes.len(),
            w.dump()
        ));
    }
    let rpcbind = SocketAddr::new(host, 111);
    let mut ch = Channel::open(Proto::Udp, rpcbind, Duration::from_secs(2))?;
    ch.interruptible = false;
    let reply = ch
        .exchange(&w.bytes)
        .map_err(|e| anyhow!("rpcbind on {host}: {e}: is rpcbind running there? (`rpcbind` as root starts it; `rpcinfo -p {host}` lists what it knows)"))?;
    parse_reply(&reply, xid)?.u32("result")
}

/// This machine's rpcbind, where a server registers.
const LOCAL: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// Register `prog`/`vers` on `port` for `proto` (PMAPPROC_SET); false if rpcbind refused.
pub fn set(prog: u32, vers: u32, proto: Proto, port: u16) -> Result<bool> {
    Ok(pmap(LOCAL, PMAPPROC_SET, prog, vers, proto, u32::from(port))? != 0)
}

/// Unregister `prog`/`vers` (PMAPPROC_UNSET: every protocol's mapping goes).
pub fn unset(prog: u32, vers: u32, proto: Proto) -> Result<bool> {
    Ok(pmap(LOCAL, PMAPPROC_UNSET, prog, vers, proto, 0)? != 0)
}

/// The port of `prog`/`vers` over `proto` on `host`'s rpcbind (PMAPPROC_GETPORT); 0: none.
pub fn getport(host: std::net::IpAddr, prog: u32, vers: u32, proto: Proto) -> Result<u16> {
    Ok(pmap(host, PMAPPROC_GETPORT, prog, vers, proto, 0)? as u16)
}
