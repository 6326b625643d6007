//! "Communications in Client-Server Systems: Sockets" (slides 000/001, the closing part; the
//! blog names sockets as the IPC that spans hosts): the textbook's date server and its
//! client, over a UNIX socket or TCP (IPv4, IPv6), as a stream or as datagrams, and
//! `sock-pair`, socketpair + fork, the socket twin of `pipe`.
//!
//! Every demo narrates the socket calls as the lecture does (socket, bind, listen, accept,
//! connect, read/write, close), on standard output, in order.

pub mod client;
pub mod pair;
pub mod server;

use anyhow::{anyhow, Result};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

/// The textbook's date server port.
pub const PORT: u16 = 6013;

/// Where a server listens or a client connects.
#[derive(Debug, Clone)]
pub enum Addr {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Addr::Unix(p) => write!(f, "unix:{}", p.display()),
            Addr::Tcp(a) => write!(f, "{a}"),
        }
    }
}

/// `--unix PATH` / `--tcp HOST:PORT` / `--dgram`, shared by server and client.
#[derive(clap::Args, Debug, Clone)]
pub struct WhereArgs {
    /// A UNIX-domain socket at PATH [default: date.sock in your private ipclab directory]
    #[arg(long, value_name = "PATH", conflicts_with = "tcp")]
    pub unix: Option<PathBuf>,
    /// TCP (or UDP with --dgram) at HOST:PORT, e.g. 127.0.0.1:6013 or [::1]:6013
    #[arg(long, value_name = "HOST:PORT")]
    pub tcp: Option<String>,
    /// Datagrams (SOCK_DGRAM: UNIX datagrams, or UDP with --tcp) instead of a stream
    #[arg(long)]
    pub dgram: bool,
}

impl WhereArgs {
    /// The address: TCP if `--tcp`, else the UNIX path (the default one if none is given).
    pub fn addr(&self) -> Result<Addr> {
        if let Some(t) = &self.tcp {
            let with_port = if t.parse::<SocketAddr>().is_ok()
                || t.rsplit_once(':')
                    .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
            {
                t.clone()
            } else {
                format!("{t}:{PORT}")
            };
            let a = with_port
                .to_socket_addrs()
                .map_err(|e| {
                    crate::error::usage(format!(
                        "--tcp {t}: {e} (give HOST:PORT, e.g. 127.0.0.1:{PORT})"
                    ))
                })?
                .next()
                .ok_or_else(|| crate::error::usage(format!("--tcp {t}: no address")))?;
            return Ok(Addr::Tcp(a));
        }
        Ok(Addr::Unix(match &self.unix {
            Some(p) => p.clone(),
            None => crate::objects::registry::private_dir()?.join("date.sock"),
        }))
    }

    /// Step 1 of both sides: catch Ctrl-C, find the address, `socket(family, type, 0)`.
    pub fn socket(&self) -> Result<(Addr, std::os::fd::OwnedFd)> {
        crate::sys::signals::catch_termination()?;
        let addr = self.addr()?;
        let kind = match self.dgram {
            true => crate::sys::sock::Kind::Dgram,
            false => crate::sys::sock::Kind::Stream,
        };
        let fd = crate::sys::sock::socket(addr.sys().family(), kind)
            .map_err(|e| anyhow!("socket(): {}", e.desc()))?;
        crate::outln!("socket({}, {}, 0)", Self::family(&addr), self.kind())?;
        Ok((addr, fd))
    }

    /// How the kernel names the kind: `SOCK_STREAM` or `SOCK_DGRAM`.
    pub fn kind(&self) -> &'static str {
        if self.dgram {
            "SOCK_DGRAM"
        } else {
            "SOCK_STREAM"
        }
    }

    /// The family, as socket(2) takes it.
    pub fn family(addr: &Addr) -> &'static str {
        match addr {
            Addr::Unix(_) => "AF_UNIX",
            Addr::Tcp(SocketAddr::V4(_)) => "AF_INET",
            Addr::Tcp(SocketAddr::V6(_)) => "AF_INET6",
        }
    }
}

impl Addr {
    /// The address as the system layer takes it.
    pub fn sys(&self) -> crate::sys::sock::Address {
        match self {
            Addr::Unix(p) => crate::sys::sock::Address::Unix(p.clone()),
            Addr::Tcp(a) => crate::sys::sock::Address::Inet(*a),
        }
    }
}

/// What an errno from connect/read means, in a student's words.
pub fn explain(what: &str, addr: &Addr, e: nix::errno::Errno) -> anyhow::Error {
    use nix::errno::Errno as E;
    let start = match addr {
        Addr::Unix(p) => format!("ipclab sock-server --unix {}", crate::escape::shell_path(p)),
        Addr::Tcp(a) => format!("ipclab sock-server --tcp {a}"),
    };
    match e {
        E::ECONNREFUSED => anyhow!("{what} {addr}: connection refused: nothing listens there (start `{start}` first)"),
        E::ENOENT => anyhow!("{what} {addr}: no such socket: nothing listens there (start `{start}` first)"),
        E::ECONNRESET | E::EPIPE => anyhow!("{what} {addr}: connection reset: the other side closed it abruptly (it crashed or was killed)"),
        E::ETIMEDOUT | E::EAGAIN => anyhow!("{what} {addr}: no answer in time: the server is busy, stopped, or a firewall drops the packets"),
        E::EADDRINUSE => anyhow!("{what} {addr}: address in use: another server listens there (stop it, or choose another --tcp port / --unix path)"),
        E::EACCES | E::EPERM => anyhow!("{what} {addr}: permission denied (a port below 1024 needs root; a path needs write access)"),
        e => anyhow!("{what} {addr}: {}", e.desc()),
    }
}

/// The current date and time, as the textbook's server sends it (`Date().toString()`).
pub fn now() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::sys::time::ctime(t)
}

pub use crate::process::{readable, readable_through_signals};
