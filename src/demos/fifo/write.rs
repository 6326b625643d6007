//! fifo-write: wait for the FIFO and a reader, then send the messages, each with its NUL.

use super::{at_path, check_fifo, not_a_fifo, open_error, AtPath, PIPE_BUF};
use crate::error::{check_interrupted, restart, sys_error};
use crate::objects::trust::TrustArgs;
use crate::sys::{mem, proc, signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Put the first N messages into the FIFO at once (one write of N NUL-terminated
    /// messages), as they are when a fast writer sent them while the reader was busy: one
    /// read() of the reader then returns all N (hazard 22)
    #[arg(long, default_value_t = 0)]
    pub burst: u64,
    #[command(flatten)]
    pub trust: TrustArgs,
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
            AtPath::Missing if args.nonblock => {
                return Err(anyhow!(
                    "open({}, O_WRONLY|O_NONBLOCK): no such FIFO (ENOENT): with --nonblock the writer waits for nothing; start fifo-read first (it makes the FIFO), or drop --nonblock to wait",
                    path.display()
                ))
            }
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
                    crate::sys::proc::set_nonblocking(&fd, false)?;
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
    let mut pending = Vec::new();
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
        // `--burst N`: the first N messages go out together, in the last one's write.
        pending.extend_from_slice(&text);
        if i + 1 < args.burst.min(args.count) {
            continue;
        }
        crate::process::jitter();
        match restart(|| proc::write(&fd, &pending))? {
            Ok(n) if n == pending.len() => pending.clear(),
            Ok(n) => return Err(anyhow!("write(): only {n} of {} bytes written", pending.len())),
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
