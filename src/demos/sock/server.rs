//! `sock-server`: the textbook's date server. The lecture's steps:
//!
//! 1. `socket(family, type, 0)`
//! 2. `bind(fd, address)` (a UNIX path, or a port: 6013 by default, on loopback unless
//!    `--listen ADDR`)
//! 3. `listen(fd, backlog)` (streams only)
//! 4. loop: `accept()` a client (or `recvfrom()` a datagram), `write()` the date, `close()`
//!    the connection; `--concurrent`: one child process per connection, the classic fork
//!    server, each reaped as it ends (no zombies)
//! 5. at the end (`--count N` clients served, or Ctrl-C): close, and unlink the UNIX path
//!
//! A UNIX path that exists is used only if it is a stale socket of ours (nothing accepts
//! on it); anything else (a file, someone's live server, a symlink) is an error, never
//! removed.

use super::{explain, now, readable, Addr, WhereArgs};
use crate::outln;
use crate::process::{self, Side};
use anyhow::{anyhow, Result};
use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

// `ipclab sock-server`. (A comment: a doc comment would replace the applet's about.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab sock-server --tcp 127.0.0.1:6013 --count 3   (then ipclab sock-client --tcp 127.0.0.1:6013)"
)]
pub struct Args {
    #[command(flatten)]
    pub at: WhereArgs,
    /// Serve N clients, then end [default: until Ctrl-C]
    #[arg(long, value_parser = crate::units::count)]
    pub count: Option<u64>,
    /// One child process per connection (the classic fork server)
    #[arg(long)]
    pub concurrent: bool,
}

/// The UNIX socket file: unlinked when the server ends.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// May we bind `path`? Yes if free, or a stale socket of ours (removed first).
fn claim(path: &Path) -> Result<()> {
    let Ok(md) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let ours = md.uid() == nix::unistd::getuid().as_raw();
    if !md.file_type().is_socket() || !ours {
        return Err(anyhow!("{} exists and is not a socket of yours: ipclab will not replace it; choose another --unix path", path.display()));
    }
    if std::os::unix::net::UnixStream::connect(path).is_ok() {
        return Err(anyhow!(
            "a server already listens on {}: stop it, or choose another --unix path",
            path.display()
        ));
    }
    std::fs::remove_file(path)
        .map_err(|e| anyhow!("cannot remove the stale socket {}: {e}", path.display()))
}

/// Run the server.
pub fn run(args: Args) -> Result<()> {
    // Step 1 and 2: socket and bind (std does both, and listen, in one call).
    let addr = args.at.socket()?;
    let (_file, served) = match (&addr, args.at.dgram) {
        (Addr::Unix(p), false) => {
            claim(p)?;
            let l = std::os::unix::net::UnixListener::bind(p)
                .map_err(|e| explain("bind", &addr, &e))?;
            let f = SocketFile(p.clone());
            outln!("bind(\"{}\")\nlisten(backlog 128)", p.display())?;
            ready(&addr, &args)?;
            (
                Some(f),
                serve_stream(&args, l.as_fd(), || {
                    l.accept().map(|(s, _)| Box::new(s) as Box<dyn Conn>)
                })?,
            )
        }
        (Addr::Tcp(a), false) => {
            let l = std::net::TcpListener::bind(a).map_err(|e| explain("bind", &addr, &e))?;
            let bound = Addr::Tcp(l.local_addr()?);
            outln!("bind({bound})\nlisten(backlog 128)")?;
            ready(&bound, &args)?;
            (
                None,
                serve_stream(&args, l.as_fd(), || {
                    l.accept().map(|(s, _)| Box::new(s) as Box<dyn Conn>)
                })?,
            )
        }
        (Addr::Unix(p), true) => {
            claim(p)?;
            let s = std::os::unix::net::UnixDatagram::bind(p)
                .map_err(|e| explain("bind", &addr, &e))?;
            let f = SocketFile(p.clone());
            outln!("bind(\"{}\")", p.display())?;
            ready(&addr, &args)?;
            let n = serve_dgram(
                &args,
                s.as_fd(),
                |buf| {
                    s.recv_from(buf)
                        .map(|(n, a)| (n, a.as_pathname().map(Path::to_path_buf)))
                },
                |msg, to| match to {
                    Some(p) => s.send_to(msg, p).map(drop),
                    None => Ok(()),
                },
            )?;
            (Some(f), n)
        }
        (Addr::Tcp(a), true) => {
            let s = std::net::UdpSocket::bind(a).map_err(|e| explain("bind", &addr, &e))?;
            let bound = Addr::Tcp(s.local_addr()?);
            outln!("bind({bound})")?;
            ready(&bound, &args)?;
            (
                None,
                serve_dgram(
                    &args,
                    s.as_fd(),
                    |buf| s.recv_from(buf).map(|(n, a)| (n, Some(a))),
                    |msg, to| s.send_to(msg, to.expect("UDP has a sender")).map(drop),
                )?,
            )
        }
    };
    // Step 5: close (the guard unlinks the UNIX path).
    outln!("close(): served {served} client(s)")?;
    Ok(())
}

/// The ready line a client (or a test) waits for.
fn ready(addr: &Addr, args: &Args) -> Result<()> {
    let until = args.count.map_or("Ctrl-C ends it".to_string(), |n| {
        format!("ends after {n} client(s)")
    });
    outln!("date server ready on {addr} ({until})")?;
    Ok(())
}

/// A connection: write, and its number for the narration.
trait Conn: Write + AsFd {}
impl<T: Write + AsFd> Conn for T {}

/// Step 4, streams: accept, write the date, close; or a child per connection.
fn serve_stream(
    args: &Args,
    listener: std::os::fd::BorrowedFd<'_>,
    accept: impl Fn() -> std::io::Result<Box<dyn Conn>>,
) -> Result<u64> {
    let mut served = 0;
    let mut children = Vec::new();
    while args.count.is_none_or(|n| served < n) {
        if !readable(listener, None)? {
            continue;
        }
        let mut conn = accept().map_err(|e| anyhow!("accept(): {e}"))?;
        served += 1;
        outln!("accept() = a client connected (#{served})")?;
        if args.concurrent {
            match process::fork()? {
                Side::Child => process::child_exit(answer(&mut *conn, true)),
                Side::Parent(child) => children.push(child),
            }
        } else {
            answer(&mut *conn, false)?;
        }
        drop(conn);
        // Reap the children that are done: no zombies while the server runs.
        children.retain_mut(|c| !c.try_reap());
    }
    for c in children {
        c.join(Ok(()))?;
    }
    Ok(served)
}

/// Write the date on one connection.
fn answer(conn: &mut dyn Conn, child: bool) -> Result<()> {
    let date = now();
    conn.write_all(format!("{date}\n").as_bytes())
        .map_err(|e| anyhow!("write(): {e}"))?;
    let who = if child { "child " } else { "" };
    outln!("{who}write(): {date}\n{who}close()")?;
    Ok(())
}

/// Step 4, datagrams: each datagram is a request; the date goes back to its sender.
fn serve_dgram<A>(
    args: &Args,
    sock: std::os::fd::BorrowedFd<'_>,
    recv: impl Fn(&mut [u8]) -> std::io::Result<(usize, A)>,
    send: impl Fn(&[u8], A) -> std::io::Result<()>,
) -> Result<u64> {
    let mut served = 0;
    let mut buf = [0u8; 512];
    while args.count.is_none_or(|n| served < n) {
        if !readable(sock, None)? {
            continue;
        }
        let (n, from) = recv(&mut buf).map_err(|e| anyhow!("recvfrom(): {e}"))?;
        served += 1;
        outln!("recvfrom() = {n} bytes: a request (#{served})")?;
        let date = now();
        send(format!("{date}\n").as_bytes(), from).map_err(|e| anyhow!("sendto(): {e}"))?;
        outln!("sendto(): {date}")?;
    }
    Ok(served)
}
