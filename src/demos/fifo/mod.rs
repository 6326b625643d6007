//! Seed 002 二 (FIFO): a named pipe between unrelated processes, `fifo-write` and
//! `fifo-read`, run in two terminals ("在两个终端里…分别编译运行").
//!
//! fifo-read, the seed's steps:
//! 1. `mkfifo(PATH)` (EEXIST is fine only if PATH already is a FIFO)
//! 2. `open(PATH, O_RDONLY)`: blocks until a writer opens it
//! 3. `read` until EOF, printing `Read message: …` per message
//!
//! fifo-write:
//! 1. print `I am PID process.`
//! 2. `open(PATH, O_WRONLY)`: blocks until a reader opens it
//! 3. `--count` times: `Process PID's time is <ctime>`, printed as `Send message: …` and
//!    written with its NUL byte (the seed's `write(fd, buf, n+1)`), every `--interval`
//!
//! Fixed from the C programs (hazards 14, 22): the reader splits what it reads at the NUL
//! bytes and keeps a partial message for the next read, so each message prints exactly once
//! even when one read returns several or half of one; a writer started first waits for the
//! reader (and says so) instead of failing with ENOENT; `--nonblock` shows the ENXIO lesson;
//! a reader that goes away makes the writer report EPIPE and exit 1; the side that created
//! the FIFO removes it (`--keep` leaves it); a non-FIFO at PATH is an error, never followed.

//!
//! The parts: [`read`] (fifo-read), [`write`] (fifo-write); this file holds what both
//! sides check of the path and of the FIFO they open.

mod read;
mod write;

pub use read::{run_read, ReadArgs};
pub use write::{run_write, WriteArgs};

use crate::error::sys_error;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::sys::Errno;
use anyhow::{anyhow, Result};
use std::os::fd::OwnedFd;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// The largest write the kernel keeps whole (never interleaved with another writer's).
pub const PIPE_BUF: usize = libc::PIPE_BUF;

/// What is at PATH, without following a symlink.
pub(super) enum AtPath {
    Missing,
    Fifo,
    Other(&'static str),
}

pub(super) fn at_path(path: &Path) -> AtPath {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Err(_) => AtPath::Missing,
        Ok(m) => {
            let t = m.file_type();
            if t.is_fifo() {
                AtPath::Fifo
            } else if t.is_symlink() {
                AtPath::Other("a symbolic link (not followed)")
            } else if t.is_dir() {
                AtPath::Other("a directory")
            } else if t.is_file() {
                AtPath::Other("a regular file")
            } else if t.is_socket() {
                AtPath::Other("a socket")
            } else {
                AtPath::Other("a device")
            }
        }
    }
}

pub(super) fn not_a_fifo(path: &Path, what: &str) -> anyhow::Error {
    anyhow!(
        "{} is {what}, not a FIFO: remove it or pick another PATH",
        path.display()
    )
}

/// An `open` of the FIFO at `path` failed: say whose it is when that is why.
pub(super) fn open_error(path: &Path, e: Errno) -> anyhow::Error {
    if e == Errno::EACCES {
        if let Ok(md) = std::fs::symlink_metadata(path) {
            if let Err(why) = trust::check_file(
                Kind::Fifo,
                &path.display().to_string(),
                &md,
                TrustArgs::default(),
            ) {
                return why;
            }
        }
    }
    sys_error(format_args!("open({})", path.display()), e)
}

/// The FIFO at `fd`: a FIFO (not what a symlink pointed at), and ours or trusted.
pub(super) fn check_fifo(path: &Path, fd: &OwnedFd, trust: TrustArgs) -> Result<std::fs::Metadata> {
    let md = std::fs::File::from(fd.try_clone()?).metadata()?;
    if !md.file_type().is_fifo() {
        return Err(not_a_fifo(path, "not a FIFO any more"));
    }
    trust::check_file(Kind::Fifo, &path.display().to_string(), &md, trust)?;
    Ok(md)
}
