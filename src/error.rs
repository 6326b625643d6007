//! Errors and exit codes, after coreutils' `UResult`: an error knows its exit code, and
//! `main` prints it once, as one line on stderr: `APPLET: what went wrong: what to do`.
//!
//! | exit | meaning |
//! |---|---|
//! | 0 | done (also when stdout was closed early: `ipclab … \| head -1`, as ripgrep does) |
//! | 1 | runtime failure (a kernel call failed, a peer died, a check failed) |
//! | 2 | usage error (bad argument, unknown applet) |
//! | 128+N | ended by signal N after cleaning up (130 SIGINT, 143 SIGTERM, 129 SIGHUP) |

use nix::errno::Errno;
use nix::sys::signal::Signal;
use std::fmt;

/// A usage error: exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

/// The demo was ended by a termination signal after it cleaned up: exit 128 + signal.
#[derive(Debug)]
pub struct Interrupted(pub Signal);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}", self.0.as_str())
    }
}
impl std::error::Error for Interrupted {}

/// A failure already reported on stderr: exit with this status, print nothing more.
#[derive(Debug)]
pub struct Reported(pub u8);

impl fmt::Display for Reported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}
impl std::error::Error for Reported {}

/// Build a usage error (exit 2).
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

/// Is this error (anywhere in its chain) a closed stdout?
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The exit status for an error, and whether to print it.
///
/// A termination signal that arrived decides the status whatever the error says: an error
/// after Ctrl-C is a consequence of it (an `EINTR`, a peer that the same Ctrl-C ended), and
/// the shell must see 128+N, never "Interrupted system call".
pub fn exit_status(err: &anyhow::Error) -> (u8, bool) {
    if let Some(sig) = crate::sys::signals::pending() {
        return (128 + sig as u8, false);
    }
    if is_broken_pipe(err) {
        return (0, false);
    }
    for e in err.chain() {
        if e.downcast_ref::<Usage>().is_some() {
            return (2, true);
        }
        if let Some(Interrupted(sig)) = e.downcast_ref::<Interrupted>() {
            return (128 + *sig as u8, false);
        }
        if let Some(Reported(code)) = e.downcast_ref::<Reported>() {
            return (*code, false);
        }
    }
    (1, true)
}

/// One line for stderr: the chain joined with ": ".
pub fn render(applet: &str, err: &anyhow::Error) -> String {
    let text = format!("{err:#}").replace('\n', " ");
    format!("{applet}: {text}")
}

/// The error of a failed kernel call, as one line: `call: what the errno means`. `EINTR`
/// while a termination signal is pending becomes [`Interrupted`] (exit 128+N after cleanup),
/// so no call site decides alone what an interrupted call means.
pub fn sys_error(call: impl fmt::Display, e: Errno) -> anyhow::Error {
    if e == Errno::EINTR {
        if let Some(sig) = crate::sys::signals::pending() {
            return Interrupted(sig).into();
        }
    }
    anyhow::anyhow!("{call}: {} ({e:?})", e.desc())
}

/// `.sys("shmat()")?`: a failed kernel call becomes one line naming the call (in the spirit
/// of uucore's `map_err_context`), or the Interrupted exit (see [`sys_error`]).
pub trait SysContext<T> {
    /// Name the call that failed.
    fn sys(self, call: impl fmt::Display) -> anyhow::Result<T>;
}

impl<T> SysContext<T> for Result<T, Errno> {
    fn sys(self, call: impl fmt::Display) -> anyhow::Result<T> {
        self.map_err(|e| sys_error(call, e))
    }
}

/// A blocking call that returned EINTR, after a signal handler ran, goes on here and only
/// here. A pending termination signal ends the wait with [`Interrupted`] (exit 128+N after
/// cleanup); any other signal (SIGCHLD, the SIGALRM tick) restarts the call. The inner
/// result is the call's own: the caller names it (`.sys("read()")`) or matches its errno.
///
/// ```ignore
/// let n = restart(|| proc::read(&fd, &mut buf))?.sys("read()")?;
/// ```
pub fn restart<T>(call: impl FnMut() -> Result<T, Errno>) -> anyhow::Result<Result<T, Errno>> {
    restart_until(call, || None)
}

/// [`restart`], and between attempts `stop()` may end the wait with its own reason: a
/// peer that is gone, a child that ended, a deadline (the SIGALRM tick or SIGCHLD makes
/// the call return so that `stop` can look).
pub fn restart_until<T>(
    mut call: impl FnMut() -> Result<T, Errno>,
    mut stop: impl FnMut() -> Option<anyhow::Error>,
) -> anyhow::Result<Result<T, Errno>> {
    loop {
        match call() {
            Err(Errno::EINTR) => {
                check_interrupted()?;
                if let Some(reason) = stop() {
                    return Err(reason);
                }
            }
            other => return Ok(other),
        }
    }
}

/// A call on the way out (reaping a child we stopped, writing the registry after Ctrl-C):
/// restarted after every EINTR, a pending termination signal included, which has already
/// been acted upon.
pub fn uninterrupted<T>(mut call: impl FnMut() -> Result<T, Errno>) -> Result<T, Errno> {
    loop {
        match call() {
            Err(Errno::EINTR) => continue,
            other => return other,
        }
    }
}

/// A termination signal is pending: stop here with the Interrupted exit.
pub fn check_interrupted() -> anyhow::Result<()> {
    match crate::sys::signals::pending() {
        Some(sig) => Err(Interrupted(sig).into()),
        None => Ok(()),
    }
}
