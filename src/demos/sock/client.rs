//! `sock-client`: the textbook's date client. The lecture's steps:
//!
//! 1. `socket(family, type, 0)`
//! 2. `connect(fd, address)` (a stream), or `sendto()` a request (a datagram: a UNIX
//!    datagram client binds a path of its own first, so the answer can come back)
//! 3. `read()` the date until EOF (the server closed) and print it, or `recvfrom()` it
//! 4. `close()`
//!
//! A refused, reset or timed-out connection is said in words (see [`super::explain`]).

use super::{explain, readable, Addr, WhereArgs};
use crate::outln;
use anyhow::{anyhow, Result};
use std::io::Read;
use std::os::fd::AsFd;
use std::time::Duration;

// `ipclab sock-client`. (A comment: a doc comment would replace the applet's about.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab sock-client --tcp 127.0.0.1:6013")]
pub struct Args {
    #[command(flatten)]
    pub at: WhereArgs,
    /// How long to wait for the answer
    #[arg(long, default_value = "5s", value_parser = crate::units::interval)]
    pub timeout: Duration,
}

/// Run the client.
pub fn run(args: Args) -> Result<()> {
    // Step 1.
    let addr = args.at.socket()?;
    let date = match (&addr, args.at.dgram) {
        // Step 2 and 3, a stream: connect, then read until the server closes.
        (Addr::Unix(p), false) => {
            let s = std::os::unix::net::UnixStream::connect(p)
                .map_err(|e| explain("connect", &addr, &e))?;
            outln!("connect(\"{}\")", p.display())?;
            read_all(s, &addr, args.timeout)?
        }
        (Addr::Tcp(a), false) => {
            let s = std::net::TcpStream::connect_timeout(a, args.timeout)
                .map_err(|e| explain("connect", &addr, &e))?;
            outln!("connect({addr}) from {}", s.local_addr()?)?;
            read_all(s, &addr, args.timeout)?
        }
        // A datagram: send a request, wait for the answer.
        (Addr::Unix(p), true) => {
            let dir = crate::objects::scratch::Dir::new("sock-client")?;
            let me = dir.join("client.sock");
            let s = std::os::unix::net::UnixDatagram::bind(&me)
                .map_err(|e| anyhow!("bind({}): {e}", me.display()))?;
            outln!("bind(\"{}\")  (so the answer can come back)", me.display())?;
            s.send_to(b"date?\n", p)
                .map_err(|e| explain("sendto", &addr, &e))?;
            outln!("sendto(\"{}\"): date?", p.display())?;
            answer(s.as_fd(), |b| s.recv(b), &addr, args.timeout)?
        }
        (Addr::Tcp(a), true) => {
            let any: std::net::SocketAddr =
                if a.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse()?;
            let s = std::net::UdpSocket::bind(any)?;
            s.send_to(b"date?\n", a)
                .map_err(|e| explain("sendto", &addr, &e))?;
            outln!("sendto({addr}) from {}: date?", s.local_addr()?)?;
            answer(s.as_fd(), |b| s.recv(b), &addr, args.timeout)?
        }
    };
    // Step 4.
    let call = if args.at.dgram {
        "recvfrom()"
    } else {
        "read()"
    };
    outln!("{call}: {}\nclose()", date.trim_end())?;
    outln!("date from the server: {}", date.trim_end())?;
    Ok(())
}

/// A datagram's answer, with a deadline.
fn answer(
    fd: std::os::fd::BorrowedFd<'_>,
    recv: impl Fn(&mut [u8]) -> std::io::Result<usize>,
    addr: &Addr,
    limit: Duration,
) -> Result<String> {
    if !readable(fd, Some(limit))? {
        return Err(explain(
            "recvfrom",
            addr,
            &std::io::ErrorKind::TimedOut.into(),
        ));
    }
    let mut buf = [0u8; 512];
    let n = recv(&mut buf).map_err(|e| explain("recvfrom", addr, &e))?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// Read until EOF (the server closes after the date), with a deadline.
fn read_all<S: Read + AsFd>(mut s: S, addr: &Addr, limit: Duration) -> Result<String> {
    let mut text = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        if !readable(s.as_fd(), Some(limit))? {
            return Err(explain("read", addr, &std::io::ErrorKind::TimedOut.into()));
        }
        match s.read(&mut buf).map_err(|e| explain("read", addr, &e))? {
            0 => break,
            n => text.extend_from_slice(&buf[..n]),
        }
    }
    if text.is_empty() {
        return Err(anyhow!(
            "read {addr}: the server closed the connection without sending anything"
        ));
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}
