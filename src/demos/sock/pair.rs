//! `sock-pair`: `socketpair(AF_UNIX, SOCK_STREAM)` + `fork()`, the socket twin of `pipe`.
//! The steps:
//!
//! 1. `socketpair(AF_UNIX, SOCK_STREAM, 0, sv)`: two connected sockets, `sv[0]` and `sv[1]`
//! 2. `fork()`: the child inherits both
//! 3. the parent closes `sv[1]` and writes on `sv[0]`; the child closes `sv[0]`, reads on
//!    `sv[1]` until EOF and prints
//!
//! Unlike a pipe, each end can also write: `--reply` has the child answer back on the same
//! socket, which a pipe cannot do (it would need a second pipe).

use crate::demos::pipe::{reader, writer};
use crate::outln;
use crate::process::{self, Side};
use anyhow::{anyhow, Result};
use std::os::fd::OwnedFd;

// `ipclab sock-pair`. (A comment: a doc comment would replace the applet's about.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab sock-pair --reply")]
pub struct Args {
    /// The text to send (a newline is added)
    #[arg(long, default_value = "hello world")]
    pub message: String,
    /// The child answers back on the same socket (a socket is two-way; a pipe is not)
    #[arg(long)]
    pub reply: bool,
}

/// Run the demo.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    // Step 1.
    let (a, b) =
        crate::sys::sock::socketpair().map_err(|e| anyhow!("socketpair(): {}", e.desc()))?;
    outln!("socketpair(AF_UNIX, SOCK_STREAM, 0, sv) = 0")?;
    let text = format!("{}\n", args.message);
    // Step 2.
    match process::fork()? {
        Side::Child => {
            drop(a);
            let r = if args.reply { echo_back(b) } else { reader(b) };
            process::child_exit(r)
        }
        Side::Parent(child) => {
            drop(b);
            let r = if args.reply {
                ask(a, &text)
            } else {
                writer(a, text.as_bytes())
            };
            child.join(r)
        }
    }
}

/// Everything until EOF on `fd`.
fn read_to_end(fd: &OwnedFd) -> Result<String> {
    Ok(String::from_utf8_lossy(&crate::process::read_all(fd)?).into_owned())
}

/// All of `bytes` on `fd`.
fn write_all(fd: &OwnedFd, bytes: &[u8]) -> Result<()> {
    let mut at = 0;
    while at < bytes.len() {
        at += crate::error::restart(|| crate::sys::proc::write(fd, &bytes[at..]))?
            .map_err(|e| anyhow!("write(): {}", e.desc()))?;
    }
    Ok(())
}

/// The child with `--reply`: read the line, answer on the same socket.
fn echo_back(s: OwnedFd) -> Result<()> {
    let got = read_to_end(&s)?;
    outln!("child read: {}", got.trim_end())?;
    write_all(&s, format!("got {} bytes, thanks\n", got.len()).as_bytes())
}

/// The parent with `--reply`: write, shut the writing half (the child's EOF), read back.
fn ask(s: OwnedFd, text: &str) -> Result<()> {
    write_all(&s, text.as_bytes())?;
    crate::sys::sock::shutdown_write(&s).map_err(|e| anyhow!("shutdown(SHUT_WR): {}", e.desc()))?;
    outln!(
        "parent wrote: {} (then shutdown(SHUT_WR): the child sees EOF)",
        text.trim_end()
    )?;
    let back = read_to_end(&s)?;
    outln!("parent read back: {}", back.trim_end())?;
    Ok(())
}
