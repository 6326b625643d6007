//! ONC RPC messages (RFC 5531) over UDP and TCP, and the portmapper (rpcbind version 2,
//! RFC 1833) that maps a program number to a port: the textbook's "matchmaker".
//!
//! A call: `xid, CALL, rpcvers 2, prog, vers, proc, cred AUTH_NONE, verf AUTH_NONE, args`.
//! An accepted reply: `xid, REPLY, MSG_ACCEPTED, verf, accept_stat, results`. Over TCP each
//! message is one record: a 4-byte mark (last-fragment bit, length) before it.

use super::xdr::{Reader, Writer};
use anyhow::{anyhow, bail, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

pub const CALL: u32 = 0;
pub const REPLY: u32 = 1;
pub const PMAP_PROG: u32 = 100_000;
pub const PMAP_VERS: u32 = 2;
pub const PMAPPROC_SET: u32 = 1;
pub const PMAPPROC_UNSET: u32 = 2;
pub const PMAPPROC_GETPORT: u32 = 3;
pub const IPPROTO_TCP: u32 = 6;
pub const IPPROTO_UDP: u32 = 17;

/// The head of a call, fields named for `--trace`.
pub fn call_head(xid: u32, prog: u32, vers: u32, proc_: u32) -> Writer {
    let mut w = Writer::default();
    w.u32("xid", xid)
        .u32("msg_type = CALL", CALL)
        .u32("rpcvers = 2", 2)
        .u32("prog", prog)
        .u32("vers", vers)
        .u32("proc", proc_)
        .u32("cred.flavor = AUTH_NONE", 0)
        .u32("cred.length", 0)
        .u32("verf.flavor = AUTH_NONE", 0)
        .u32("verf.length", 0);
    w
}

/// A call as the server reads it.
pub struct Call<'a> {
    pub xid: u32,
    pub prog: u32,
    pub vers: u32,
    pub proc_: u32,
    pub args: Reader<'a>,
}

/// Parse a call (`Err` for anything that is not a well-formed RPC v2 call).
pub fn parse_call(buf: &[u8]) -> Result<Call<'_>> {
    let mut r = Reader::new(buf);
    let xid = r.u32("xid")?;
    if r.u32("msg_type")? != CALL || r.u32("rpcvers")? != 2 {
        bail!("not an RPC version 2 call");
    }
    let (prog, vers, proc_) = (r.u32("prog")?, r.u32("vers")?, r.u32("proc")?);
    for what in ["cred", "verf"] {
        r.u32(what)?;
        r.bytes(what, 400)?;
    }
    Ok(Call {
        xid,
        prog,
        vers,
        proc_,
        args: r,
    })
}

/// The head of an accepted reply with `accept_stat` (0 SUCCESS, 1 PROG_UNAVAIL, 3
/// PROC_UNAVAIL, 4 GARBAGE_ARGS).
pub fn reply_head(xid: u32, accept_stat: u32) -> Writer {
    let mut w = Writer::default();
    w.u32("xid", xid)
        .u32("msg_type = REPLY", REPLY)
        .u32("reply_stat = MSG_ACCEPTED", 0)
        .u32("verf.flavor = AUTH_NONE", 0)
        .u32("verf.length", 0)
        .u32("accept_stat", accept_stat);
    w
}

/// The results of a reply to `xid`, or what went wrong.
pub fn parse_reply(buf: &[u8], xid: u32) -> Result<Reader<'_>> {
    let mut r = Reader::new(buf);
    if r.u32("xid")? != xid || r.u32("msg_type")? != REPLY {
        bail!("not the reply to call {xid:#x}");
    }
    if r.u32("reply_stat")? != 0 {
        bail!("the call was denied (MSG_DENIED: RPC version or authentication refused)");
    }
    r.u32("verf.flavor")?;
    r.bytes("verf", 400)?;
    match r.u32("accept_stat")? {
        0 => Ok(r),
        1 => bail!("PROG_UNAVAIL: the server does not serve this program"),
        2 => bail!("PROG_MISMATCH: the server does not serve this version"),
        3 => bail!("PROC_UNAVAIL: no such procedure"),
        4 => bail!("GARBAGE_ARGS: the server could not decode the arguments"),
        n => bail!("accept_stat {n}"),
    }
}

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

/// Write one TCP record.
pub fn write_record(s: &mut TcpStream, msg: &[u8]) -> std::io::Result<()> {
    let mark = 0x8000_0000u32 | msg.len() as u32;
    let mut out = mark.to_be_bytes().to_vec();
    out.extend_from_slice(msg);
    s.write_all(&out)
}

/// Read one TCP record (all its fragments); `None` at EOF.
pub fn read_record(s: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut msg = Vec::new();
    loop {
        let mut mark = [0u8; 4];
        match s.read_exact(&mut mark) {
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && msg.is_empty() => {
                return Ok(None)
            }
            r => r?,
        }
        let m = u32::from_be_bytes(mark);
        let len = (m & 0x7fff_ffff) as usize;
        if len > 1 << 20 {
            return Err(std::io::Error::other("an RPC record over 1 MiB"));
        }
        let at = msg.len();
        msg.resize(at + len, 0);
        s.read_exact(&mut msg[at..])?;
        if m & 0x8000_0000 != 0 {
            return Ok(Some(msg));
        }
    }
}

/// A client's way to a server: one UDP socket (so a retransmission comes from the same
/// address, as the server's reply cache expects) or one TCP connection, for every call.
pub enum Channel {
    Udp(UdpSocket, SocketAddr),
    Tcp(TcpStream),
}

impl Channel {
    pub fn open(proto: Proto, to: SocketAddr, timeout: Duration) -> Result<Channel> {
        Ok(match proto {
            Proto::Udp => {
                let any: SocketAddr = if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse()?;
                let s = UdpSocket::bind(any)?;
                s.set_read_timeout(Some(timeout / 3))?;
                Channel::Udp(s, to)
            }
            Proto::Tcp => {
                let s = TcpStream::connect_timeout(&to, timeout)
                    .map_err(|e| anyhow!("connect {to}: {e}"))?;
                s.set_read_timeout(Some(timeout))?;
                Channel::Tcp(s)
            }
        })
    }

    /// Send `call` and wait for the reply's bytes (UDP: up to three tries).
    pub fn exchange(&mut self, call: &[u8]) -> Result<Vec<u8>> {
        match self {
            Channel::Udp(s, to) => {
                let mut buf = vec![0u8; 65536];
                for _ in 0..3 {
                    s.send_to(call, *to)?;
                    match s.recv(&mut buf) {
                        Ok(n) => return Ok(buf[..n].to_vec()),
                        Err(e)
                            if matches!(
                                e.kind(),
                                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                            ) =>
                        {
                            continue
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                            bail!("{to}: nothing answers there (connection refused)")
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(anyhow!("{to}: no answer over UDP after three tries"))
            }
            Channel::Tcp(s) => {
                write_record(s, call)?;
                read_record(s)?
                    .ok_or_else(|| anyhow!("the server closed the connection without a reply"))
            }
        }
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
    if crate::sys::trace::enabled() {
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
    let reply = exchange(Proto::Udp, rpcbind, &w.bytes, Duration::from_secs(2))
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
