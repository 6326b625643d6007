//! Seed 002 一 (管道) and the "Pipes" slides: an unnamed pipe between parent and child.
//!
//! The seed's steps:
//! 1. `pipe(fd)`: `fd[0]` for reading, `fd[1]` for writing
//! 2. `fork()`: the child inherits both ends
//! 3. the parent closes the read end and writes `hello world\n`
//! 4. the child closes the write end, reads and prints
//!
//! `--reverse` turns the flow around (child to parent), as the blog describes.
//!
//! Fixed from the C program: the reader prints exactly the bytes it read (the seed prints
//! its stack buffer with `%s`, no NUL after `read`, hazard 22) and reads until `read`
//! returns 0, which is how a reader learns that the writer closed its end: EOF, shown; the
//! parent waits for its child (the seed does not).

use crate::error::{restart, sys_error, SysContext};
use crate::process::{self, Side};
use crate::sys::proc;
use crate::sys::Errno;
use crate::{out, outln};
use anyhow::{anyhow, Result};
use std::os::fd::OwnedFd;

// `ipclab pipe`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab pipe --reverse --message 'hi, parent'")]
pub struct Args {
    /// The text to send (a newline is added)
    #[arg(long, default_value = "hello world")]
    pub message: String,
    /// Child writes, parent reads
    #[arg(long)]
    pub reverse: bool,
}

/// Write everything, then close (dropping the end is what gives the reader its EOF).
pub(crate) fn writer(w: OwnedFd, bytes: &[u8]) -> Result<()> {
    let mut done = 0;
    while done < bytes.len() {
        match restart(|| proc::write(&w, &bytes[done..]))? {
            Ok(n) => done += n,
            Err(Errno::EPIPE) => return Err(anyhow!("write(): the reader closed its end (EPIPE)")),
            Err(e) => return Err(sys_error("write()", e)),
        }
    }
    drop(w);
    Ok(())
}

/// Read until EOF, printing what arrives exactly, then say how it ended.
pub(crate) fn reader(r: OwnedFd) -> Result<()> {
    let mut buf = [0u8; 20];
    let mut total = 0;
    loop {
        match restart(|| proc::read(&r, &mut buf))?.sys("read()")? {
            0 => break,
            n => {
                out::bytes(&buf[..n])?;
                total += n;
            }
        }
    }
    outln!("(read {total} bytes, then read() returned 0: EOF, the writer closed its end)")?;
    Ok(())
}

/// Run the demo.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    let mut text = args.message.clone().into_bytes();
    text.push(b'\n');
    // Step 1: the pipe.
    let (r, w) = proc::pipe().sys("pipe()")?;
    // Step 2: fork.
    match process::fork()? {
        Side::Child => {
            // Step 4 (or 3 with --reverse), in the child.
            let result = if args.reverse {
                drop(r);
                writer(w, &text)
            } else {
                drop(w);
                reader(r)
            };
            process::child_exit(result);
        }
        Side::Parent(child) => {
            // Step 3 (or 4 with --reverse), in the parent.
            let result = if args.reverse {
                drop(w);
                reader(r)
            } else {
                drop(r);
                writer(w, &text)
            };
            child.join(result)
        }
    }
}
