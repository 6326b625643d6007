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

use crate::objects::registry;
use crate::sys::mem;
use crate::sys::proc;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest write the kernel keeps whole (never interleaved with another writer's).
pub const PIPE_BUF: usize = libc::PIPE_BUF;

/// `ipclab fifo-read [PATH]`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab fifo-read   (then `ipclab fifo-write` in another terminal)"
)]
pub struct ReadArgs {
    /// The FIFO (the seed's `fifo1` in the current directory)
    #[arg(default_value = "fifo1")]
    pub path: PathBuf,
    /// Permissions of the FIFO if this side creates it, octal
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
    /// Leave the FIFO in place at the end
    #[arg(long)]
    pub keep: bool,
}

/// `ipclab fifo-write [PATH]`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab fifo-write --count 3 --interval 200ms")]
pub struct WriteArgs {
    /// The FIFO (the seed's `fifo1` in the current directory)
    #[arg(default_value = "fifo1")]
    pub path: PathBuf,
    /// How many messages
    #[arg(long, allow_negative_numbers = true, default_value_t = 10, value_parser = crate::units::count)]
    pub count: u64,
    /// Pause between messages (the seed's sleep(1))
    #[arg(long, allow_hyphen_values = true, default_value = "1s", value_parser = crate::units::duration)]
    pub interval: Duration,
    /// Open with O_NONBLOCK: fail at once (ENXIO) if no reader has the FIFO open
    #[arg(long)]
    pub nonblock: bool,
    /// How long to wait for a reader (0: forever)
    #[arg(long, allow_hyphen_values = true, default_value = "0", value_parser = crate::units::duration)]
    pub timeout: Duration,
    /// Stress mode: pad each message to a random length up to PIPE_BUF
    #[arg(long)]
    pub random_size: bool,
}

/// What is at PATH, without following a symlink.
enum AtPath {
    Missing,
    Fifo,
    Other(&'static str),
}

fn at_path(path: &Path) -> AtPath {
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

fn not_a_fifo(path: &Path, what: &str) -> anyhow::Error {
    anyhow!(
        "{} is {what}, not a FIFO: remove it or pick another PATH",
        path.display()
    )
}

/// The FIFO this run created; unlinked when dropped unless kept.
struct Created {
    path: PathBuf,
    armed: bool,
}

impl Created {
    fn key(&self) -> String {
        std::path::absolute(&self.path)
            .unwrap_or_else(|_| self.path.clone())
            .display()
            .to_string()
    }

    fn arm(&mut self) {
        registry::record(registry::Kind::Fifo, None, None, Some(&self.key()));
        self.armed = true;
    }
}

impl Created {
    /// Not ours after all (mkfifo failed): forget the record, remove nothing.
    fn disarm(&mut self) {
        if self.armed {
            registry::forget(registry::Kind::Fifo, None, Some(&self.key()));
            self.armed = false;
        }
    }
}

impl Drop for Created {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
            registry::forget(registry::Kind::Fifo, None, Some(&self.key()));
        }
    }
}

fn interrupted() -> Result<()> {
    match signals::pending() {
        Some(s) => Err(crate::error::Interrupted(s).into()),
        None => Ok(()),
    }
}

/// Run the reader.
pub fn run_read(args: ReadArgs) -> Result<()> {
    signals::catch_termination()?;
    let path = &args.path;
    // Step 1: make the FIFO (or find one there).
    let mut created = Created {
        path: path.clone(),
        armed: false,
    };
    // Recorded before it exists, so a SIGKILL in between cannot leave an unrecorded FIFO.
    if !args.keep {
        created.arm();
    }
    let made = mem::mkfifo(path, args.mode);
    if made.is_err() {
        created.disarm();
    }
    match made {
        Ok(()) => {}
        Err(Errno::EEXIST) => match at_path(path) {
            AtPath::Fifo => {}
            AtPath::Other(what) => return Err(not_a_fifo(path, what)),
            AtPath::Missing => return Err(anyhow!("{} vanished meanwhile", path.display())),
        },
        Err(Errno::ENOENT) => {
            return Err(anyhow!(
                "cannot create the FIFO {}: its directory does not exist",
                path.display()
            ))
        }
        Err(e) => return Err(anyhow!("mkfifo({}): {}", path.display(), e.desc())),
    }
    // Step 2: open for reading (blocks until a writer comes).
    let fd = loop {
        match mem::open(path, OFlag::O_RDONLY, 0) {
            Ok(fd) => break fd,
            Err(Errno::EINTR) => interrupted()?,
            Err(e) => return Err(anyhow!("open({}): {}", path.display(), e.desc())),
        }
    };
    // Step 3: read until EOF; one line per NUL-terminated message.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 2 * PIPE_BUF];
    loop {
        let n = match proc::read(&fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(Errno::EINTR) => {
                interrupted()?;
                continue;
            }
            Err(e) => return Err(anyhow!("read(): {}", e.desc())),
        };
        pending.extend_from_slice(&buf[..n]);
        while let Some(nul) = pending.iter().position(|&b| b == 0) {
            print_message(&pending[..nul])?;
            pending.drain(..=nul);
        }
    }
    if !pending.is_empty() {
        // A writer that ended without the NUL (not ours, not the seed's): still print it once.
        print_message(&pending)?;
    }
    Ok(())
}

fn print_message(text: &[u8]) -> Result<()> {
    let mut line = b"Read message: ".to_vec();
    line.extend_from_slice(text);
    if !text.ends_with(b"\n") {
        line.push(b'\n');
    }
    out::bytes(&line)?;
    Ok(())
}

/// A small xorshift generator for `--random-size` (no crate needed for test padding).
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Open the FIFO for writing, waiting for it to exist and for a reader.
fn open_for_writing(args: &WriteArgs) -> Result<std::os::fd::OwnedFd> {
    let path = &args.path;
    let start = std::time::Instant::now();
    let expired = || !args.timeout.is_zero() && start.elapsed() > args.timeout;
    let mut said = false;
    loop {
        interrupted()?;
        match at_path(path) {
            AtPath::Other(what) => return Err(not_a_fifo(path, what)),
            AtPath::Missing => {
                if !said {
                    out::warn(
                        "fifo-write",
                        format_args!(
                            "{} does not exist yet: waiting for fifo-read to create it",
                            path.display()
                        ),
                    );
                    said = true;
                }
                if expired() {
                    return Err(anyhow!("no reader created {} in time", path.display()));
                }
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            AtPath::Fifo => {}
        }
        match mem::open(path, OFlag::O_WRONLY | OFlag::O_NONBLOCK, 0) {
            Ok(fd) => {
                if !args.nonblock {
                    nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_SETFL(OFlag::empty()))?;
                }
                return Ok(fd);
            }
            Err(Errno::ENXIO) if args.nonblock => {
                return Err(anyhow!(
                    "open({}, O_WRONLY|O_NONBLOCK): no process has the FIFO open for reading (ENXIO): that is what O_NONBLOCK does; start fifo-read first, or drop --nonblock to wait",
                    path.display()
                ))
            }
            Err(Errno::ENXIO) | Err(Errno::ENOENT) => {
                if !said {
                    out::warn("fifo-write", format_args!("waiting for a reader on {}", path.display()));
                    said = true;
                }
                if expired() {
                    return Err(anyhow!("no reader opened {} in time", path.display()));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(anyhow!("open({}): {}", path.display(), e.desc())),
        }
    }
}

/// Run the writer.
pub fn run_write(args: WriteArgs) -> Result<()> {
    signals::catch_termination()?;
    let pid = std::process::id();
    // Step 1.
    outln!("I am {pid} process.")?;
    // Step 2.
    let fd = open_for_writing(&args)?;
    // Step 3.
    let mut seed = u64::from(pid) << 17 | 0x9E37;
    for i in 0..args.count {
        interrupted()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let mut text = if args.random_size {
            let head = format!("Process {pid}'s message {i} ");
            let len = (next_random(&mut seed) as usize % (PIPE_BUF - 1 - head.len())).max(1);
            format!("{head}{}\n", "x".repeat(len - 1))
        } else {
            format!("Process {pid}'s time is {}\n", crate::sys::time::ctime(now))
        }
        .into_bytes();
        let mut line = b"Send message: ".to_vec();
        line.extend_from_slice(&text);
        out::bytes(&line)?;
        text.push(0);
        loop {
            match proc::write(&fd, &text) {
                Ok(n) if n == text.len() => break,
                Ok(n) => return Err(anyhow!("write(): only {n} of {} bytes written", text.len())),
                Err(Errno::EINTR) => interrupted()?,
                Err(Errno::EPIPE) => {
                    return Err(anyhow!(
                        "write(): the reader went away (EPIPE) after {i} of {} messages",
                        args.count
                    ))
                }
                Err(e) => return Err(anyhow!("write(): {}", e.desc())),
            }
        }
        if i + 1 < args.count {
            crate::process::nap(args.interval)?;
        }
    }
    Ok(())
}
