//! `sock-server`: the textbook's date server. The lecture's steps:
//!
//! 1. `socket(family, type, 0)`
//! 2. `bind(fd, address)` (a UNIX path, or a port: 6013 by default, on loopback unless
//!    `--listen ADDR`)
//! 3. `listen(fd, backlog)` (streams only)
//! 4. loop: `accept()` a client (or `recvfrom()` a datagram), `write()` the date, `close()`
//!    the connection; `--concurrent`: one child process per connection, the classic fork
//!    server, each reaped as it ends (no zombies), at most 64 at once (the next client
//!    waits in the backlog meanwhile)
//! 5. at the end (`--count N` clients served, or Ctrl-C): close, and unlink the UNIX path
//!
//! A client that resets its connection, vanishes before its answer or is too slow to take
//! it (2 s) costs one line on stderr, never the server. A UNIX path that exists is used
//! only if it is a stale socket of ours (nothing accepts on it); anything else (a file,
//! someone's live server, a symlink) is an error, never removed. The socket file is
//! recorded in the registry before it exists: after a SIGKILL, `ipclab clean` finds it.

use super::{explain, now, readable, Addr, WhereArgs};
use crate::objects::registry::Entry;
use crate::objects::Kind;
use crate::outln;
use crate::process::{self, Side};
use crate::sys::sock::{self, Address};
use anyhow::{anyhow, Result};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Children of `--concurrent` at once, at most.
const CHILDREN: usize = 64;

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

/// The UNIX socket file: recorded before it exists, unlinked (and forgotten) at the end.
struct SocketFile(PathBuf, Entry);

impl Drop for SocketFile {
    fn drop(&mut self) {
        if std::fs::remove_file(&self.0).is_ok() || !self.0.exists() {
            self.1.forget();
        }
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
    if sock::accepts(path) {
        return Err(anyhow!(
            "a server already listens on {}: stop it, or choose another --unix path",
            path.display()
        ));
    }
    std::fs::remove_file(path)
        .map_err(|e| anyhow!("cannot remove the stale socket {}: {e}", path.display()))
}

/// Step 2: bind, a UNIX path recorded first.
fn bind(fd: &OwnedFd, addr: &Addr) -> Result<(Option<SocketFile>, Addr)> {
    let Addr::Unix(p) = addr else {
        sock::bind(fd, &addr.sys()).map_err(|e| explain("bind", addr, e))?;
        let bound = match sock::local_addr(fd)? {
            Some(Address::Inet(a)) => Addr::Tcp(a),
            _ => addr.clone(),
        };
        outln!("bind({bound})")?;
        return Ok((None, bound));
    };
    claim(p)?;
    let abs = std::path::absolute(p)?.display().to_string();
    let mut entry = Entry::begin(Kind::Socket, None, Some(&abs));
    if let Err(e) = sock::bind(fd, &addr.sys()) {
        entry.forget();
        return Err(explain("bind", addr, e));
    }
    if let Ok(md) = std::fs::symlink_metadata(p) {
        entry.created(md.ino() as i64);
    }
    outln!("bind(\"{}\")", p.display())?;
    Ok((Some(SocketFile(p.clone(), entry)), addr.clone()))
}

/// Run the server.
pub fn run(args: Args) -> Result<()> {
    // Step 1 and 2.
    let (addr, fd) = args.at.socket()?;
    let (_file, bound) = bind(&fd, &addr)?;
    let served = if args.at.dgram {
        ready(&bound, &args)?;
        serve_dgram(&args, &fd)?
    } else {
        // Step 3.
        sock::listen(&fd, 128).map_err(|e| explain("listen", &addr, e))?;
        outln!("listen(backlog 128)")?;
        ready(&bound, &args)?;
        serve_stream(&args, &fd)?
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

/// One line on stderr about a client: the server goes on.
fn log(client: u64, what: &str) {
    crate::out::note(format_args!("client #{client}: {what}: serving on"));
}

/// Step 4, streams: accept, write the date, close; or a child per connection.
fn serve_stream(args: &Args, listener: &OwnedFd) -> Result<u64> {
    let mut served = 0;
    let mut children = Vec::new();
    let mut said_full = false;
    while args.count.is_none_or(|n| served < n) {
        // Reap the children that are done: no zombies while the server runs.
        children.retain_mut(|c: &mut process::ForkedChild| !c.try_reap());
        if children.len() >= CHILDREN {
            if !std::mem::replace(&mut said_full, true) {
                crate::out::note(format_args!(
                    "{CHILDREN} children are serving: the next client waits in the backlog"
                ));
            }
            process::nap(std::time::Duration::from_millis(10))?;
            continue;
        }
        said_full = false;
        if !readable(listener.as_fd(), None)? {
            continue;
        }
        let conn = match sock::accept(listener) {
            Ok(c) => c,
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => continue,
            Err(e) => {
                log(served + 1, &format!("accept(): {}", e.desc()));
                process::nap(std::time::Duration::from_millis(10))?;
                continue;
            }
        };
        served += 1;
        outln!("accept() = a client connected (#{served})")?;
        if args.concurrent {
            match process::fork()? {
                Side::Child => process::child_exit(answer(&conn, true, served)),
                Side::Parent(child) => children.push(child),
            }
        } else if let Err(e) = answer(&conn, false, served) {
            log(served, &format!("{e:#}"));
        }
    }
    for c in children {
        c.join(Ok(()))?;
    }
    Ok(served)
}

/// Write the date on one connection (a client that does not take it within 2 s is left).
fn answer(conn: &OwnedFd, child: bool, client: u64) -> Result<()> {
    let date = now();
    let line = format!("{date}\n");
    let mut at = 0;
    let t = std::time::Instant::now();
    sock::set_nonblocking(conn, true)?;
    while at < line.len() {
        match crate::sys::proc::write(conn, &line.as_bytes()[at..]) {
            Ok(n) => at += n,
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR)
                if t.elapsed().as_secs() < 2 =>
            {
                process::nap(std::time::Duration::from_millis(5))?
            }
            Err(nix::errno::Errno::EAGAIN) => {
                return Err(anyhow!("write(): it did not take the date within 2 s"))
            }
            Err(e) => return Err(anyhow!("write(): {} (the client went away)", e.desc())),
        }
    }
    let who = if child { "child " } else { "" };
    let _ = client;
    outln!("{who}write(): {date}\n{who}close()")?;
    Ok(())
}

/// Step 4, datagrams: each datagram is a request; the date goes back to its sender.
fn serve_dgram(args: &Args, sock_fd: &OwnedFd) -> Result<u64> {
    let mut served = 0;
    let mut buf = [0u8; 512];
    while args.count.is_none_or(|n| served < n) {
        if !readable(sock_fd.as_fd(), None)? {
            continue;
        }
        let (n, from) = match sock::recvfrom(sock_fd, &mut buf) {
            Ok(r) => r,
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => continue,
            Err(e) => {
                log(served + 1, &format!("recvfrom(): {}", e.desc()));
                continue;
            }
        };
        served += 1;
        outln!("recvfrom() = {n} bytes: a request (#{served})")?;
        let Some(from) = from else {
            log(served, "an unbound sender: no address to answer to");
            continue;
        };
        let date = now();
        match sock::sendto(sock_fd, format!("{date}\n").as_bytes(), &from) {
            Ok(_) => outln!("sendto(): {date}")?,
            Err(e) => log(
                served,
                &format!("sendto(): {} (the client went away)", e.desc()),
            ),
        }
    }
    Ok(served)
}
