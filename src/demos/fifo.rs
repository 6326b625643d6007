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

use crate::error::{check_interrupted, restart, sys_error, SysContext};
use crate::objects::registry::Entry;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::sys::mem;
use crate::sys::proc;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest write the kernel keeps whole (never interleaved with another writer's).
pub const PIPE_BUF: usize = libc::PIPE_BUF;

// `ipclab fifo-read [PATH]`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
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
    #[command(flatten)]
    pub trust: TrustArgs,
}

// `ipclab fifo-write [PATH]`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
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
    #[command(flatten)]
    pub trust: TrustArgs,
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

/// The FIFO this run created (unlinked when dropped unless kept), or found in place (a
/// use record keeps `clean` off it while this run lives).
struct Created {
    path: PathBuf,
    entry: Option<Entry>,
    _uses: Option<Entry>,
}

impl Drop for Created {
    fn drop(&mut self) {
        if let Some(mut e) = self.entry.take() {
            let _ = mem::unlink(&self.path);
            e.forget();
        }
    }
}

/// An `open` of the FIFO at `path` failed: say whose it is when that is why.
fn open_error(path: &Path, e: Errno) -> anyhow::Error {
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
fn check_fifo(path: &Path, fd: &OwnedFd, trust: TrustArgs) -> Result<std::fs::Metadata> {
    let md = std::fs::File::from(fd.try_clone()?).metadata()?;
    if !md.file_type().is_fifo() {
        return Err(not_a_fifo(path, "not a FIFO any more"));
    }
    trust::check_file(Kind::Fifo, &path.display().to_string(), &md, trust)?;
    Ok(md)
}

/// Step 1: `mkfifo(PATH)`, recorded before it exists (so a SIGKILL in between cannot leave
/// an unrecorded FIFO); its mode is set with fchmod on a descriptor opened without
/// following symlinks, never by path (a path swapped for a symlink would be followed).
fn make_fifo(args: &ReadArgs) -> Result<(Created, Option<u64>)> {
    let path = &args.path;
    let abs = std::path::absolute(path)?.display().to_string();
    let mut entry = (!args.keep).then(|| Entry::begin(Kind::Fifo, None, Some(&abs)));
    let made = mem::mkfifo(path, args.mode);
    let mut created = Created {
        path: path.clone(),
        entry: None,
        _uses: None,
    };
    match made {
        Ok(()) => {
            created.entry = entry.take();
            // O_PATH: a handle to check what was made, which (unlike O_RDONLY) is no reader
            // for a writer waiting to open the FIFO.
            let probe = mem::open(path, OFlag::O_PATH | OFlag::O_NOFOLLOW, 0)
                .sys(format_args!("open({})", path.display()))?;
            let md = check_fifo(path, &probe, TrustArgs::default())?;
            if let Some(e) = created.entry.as_mut() {
                e.created(md.ino() as i64);
            }
            Ok((created, Some(md.ino())))
        }
        Err(e) => {
            if let Some(mut en) = entry.take() {
                en.forget();
            }
            match e {
                Errno::EEXIST => match at_path(path) {
                    AtPath::Fifo => {
                        // Before the open blocks: a FIFO another user planted is refused.
                        let md = std::fs::symlink_metadata(path)?;
                        trust::check_file(
                            Kind::Fifo,
                            &path.display().to_string(),
                            &md,
                            args.trust,
                        )?;
                        // Not ours to remove, but ours to keep `clean` off while we use it.
                        let ino = md.ino() as i64;
                        created._uses = Some(Entry::using(Kind::Fifo, None, ino, Some(&abs)));
                        Ok((created, None))
                    }
                    AtPath::Other(what) => Err(not_a_fifo(path, what)),
                    AtPath::Missing => Err(anyhow!("{} vanished meanwhile", path.display())),
                },
                Errno::ENOENT => Err(anyhow!(
                    "cannot create the FIFO {}: its directory does not exist",
                    path.display()
                )),
                e => Err(sys_error(format_args!("mkfifo({})", path.display()), e)),
            }
        }
    }
}

/// Run the reader.
pub fn run_read(args: ReadArgs) -> Result<()> {
    signals::catch_termination()?;
    let path = &args.path;
    // Step 1: make the FIFO (or find one there).
    let (_created, ino) = make_fifo(&args)?;
    out::note(format_args!(
        "waiting for a writer on {} (start `ipclab fifo-write {}`)",
        path.display(),
        path.display()
    ));
    // Step 2: open for reading (blocks until a writer comes), never through a symlink; the
    // FIFO opened must be the one made (or, if it was there, one we may trust).
    let fd =
        restart(|| mem::open(path, OFlag::O_RDONLY | OFlag::O_NOFOLLOW, 0))?.map_err(
            |e| match e {
                Errno::ELOOP => not_a_fifo(path, "a symbolic link (not followed)"),
                e => open_error(path, e),
            },
        )?;
    let md = check_fifo(path, &fd, args.trust)?;
    if ino.is_some_and(|i| i != md.ino()) {
        return Err(anyhow!(
            "{} was replaced by another FIFO while this reader waited: not reading from it",
            path.display()
        ));
    }
    // Step 3: read until EOF; one line per NUL-terminated message.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 2 * PIPE_BUF];
    loop {
        crate::process::jitter();
        let n = match restart(|| proc::read(&fd, &mut buf))?.sys("read()")? {
            0 => break,
            n => n,
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
        check_interrupted()?;
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
                crate::process::nap(Duration::from_millis(10))?;
                continue;
            }
            AtPath::Fifo => {}
        }
        match mem::open(path, OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW, 0) {
            Ok(fd) => {
                check_fifo(path, &fd, args.trust)?;
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
                crate::process::nap(Duration::from_millis(10))?;
            }
            Err(e) => return Err(open_error(path, e)),
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
        check_interrupted()?;
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
        crate::process::jitter();
        match restart(|| proc::write(&fd, &text))? {
            Ok(n) if n == text.len() => {}
            Ok(n) => return Err(anyhow!("write(): only {n} of {} bytes written", text.len())),
            Err(Errno::EPIPE) => {
                return Err(anyhow!(
                    "write(): the reader went away (EPIPE): message {} of {} was not delivered ({i} were)",
                    i + 1,
                    args.count
                ))
            }
            Err(e) => return Err(sys_error("write()", e)),
        }
        if i + 1 < args.count {
            crate::process::nap(args.interval)?;
        }
    }
    Ok(())
}
