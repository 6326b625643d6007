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
use crate::sys::sock::{self, Address};
use anyhow::{anyhow, Result};
use std::os::fd::{AsFd, OwnedFd};
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
    let (addr, fd) = args.at.socket()?;
    let date = if !args.at.dgram {
        // Step 2 and 3, a stream: connect, then read until the server closes.
        sock::connect(&fd, &addr.sys(), args.timeout).map_err(|e| explain("connect", &addr, e))?;
        match &addr {
            Addr::Unix(p) => outln!("connect(\"{}\")", p.display())?,
            Addr::Tcp(_) => {
                let me = sock::local_addr(&fd)?.map_or(String::new(), |a| a.to_string());
                outln!("connect({addr}) from {me}")?
            }
        }
        read_all(&fd, &addr, args.timeout)?
    } else {
        // A datagram: send a request, wait for the answer (a UNIX datagram client binds a
        // path of its own first, or the answer could not come back).
        let _dir = match &addr {
            Addr::Unix(_) => {
                let dir = crate::objects::scratch::Dir::new("sock-client")?;
                let me = dir.join("client.sock");
                sock::bind(&fd, &Address::Unix(me.clone()))
                    .map_err(|e| anyhow!("bind({}): {}", me.display(), e.desc()))?;
                outln!("bind(\"{}\")  (so the answer can come back)", me.display())?;
                Some(dir)
            }
            Addr::Tcp(_) => None,
        };
        sock::sendto(&fd, b"date?\n", &addr.sys()).map_err(|e| explain("sendto", &addr, e))?;
        match &addr {
            Addr::Unix(p) => outln!("sendto(\"{}\"): date?", p.display())?,
            Addr::Tcp(_) => {
                let me = sock::local_addr(&fd)?.map_or(String::new(), |a| a.to_string());
                outln!("sendto({addr}) from {me}: date?")?
            }
        }
        answer(&fd, &addr, args.timeout)?
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
fn answer(fd: &OwnedFd, addr: &Addr, limit: Duration) -> Result<String> {
    if !readable(fd.as_fd(), Some(limit))? {
        return Err(explain("recvfrom", addr, nix::errno::Errno::ETIMEDOUT));
    }
    let mut buf = [0u8; 512];
    let (n, _) = sock::recvfrom(fd, &mut buf).map_err(|e| explain("recvfrom", addr, e))?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// Read until EOF (the server closes after the date), with a deadline.
fn read_all(fd: &OwnedFd, addr: &Addr, limit: Duration) -> Result<String> {
    let mut text = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        if !readable(fd.as_fd(), Some(limit))? {
            return Err(explain("read", addr, nix::errno::Errno::ETIMEDOUT));
        }
        match crate::error::restart(|| crate::sys::proc::read(fd, &mut buf))? {
            Ok(0) => break,
            Ok(n) => text.extend_from_slice(&buf[..n]),
            Err(e) => return Err(explain("read", addr, e)),
        }
    }
    if text.is_empty() {
        return Err(anyhow!(
            "read {addr}: the server closed the connection without sending anything"
        ));
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}
