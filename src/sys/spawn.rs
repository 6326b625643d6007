//! The slides' `vfork()` + `execv()`, done soundly from Rust: glibc's `posix_spawn`.
//!
//! Why not `libc::vfork` called from Rust? The child of vfork shares the parent's memory and
//! stack until it execs; Rust cannot mark the call `returns_twice`, so the compiler may keep
//! values in registers or stack slots the child then clobbers (rust-lang/libc#1596 deprecated
//! it as unsound). Why not `std::process::Command`? It hides the flow the lesson is about.
//!
//! glibc (2.24 and later) implements `posix_spawn` as exactly the slide's flow written in C:
//! `clone(CLONE_VM|CLONE_VFORK)`, then `execve` in the child, with the parent suspended until
//! the child has exec'd (or failed, in which case the child `_exit(127)`s and `posix_spawn`
//! returns the error to the parent: no "returns into the parent's frame" bug, hazard 12).
//! `strace -f -e trace=clone,clone3,execve` shows the `CLONE_VM|CLONE_VFORK` clone followed
//! by the `execve` of the ipclab binary.

use super::{cstring, event, SysResult};
use nix::spawn::{PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags};
use nix::sys::signal::{SigSet, Signal};
use std::ffi::{CString, OsStr, OsString};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What the child gets besides its argv.
pub struct ChildSetup<'a> {
    /// Its whole environment, `NAME=value` (nothing is inherited implicitly).
    pub env: &'a [OsString],
    /// Descriptors to place in the child: (ours, the number it gets there).
    pub fds: &'a [(BorrowedFd<'a>, RawFd)],
    /// The signal mask the child starts with (the caller may hold signals meanwhile).
    pub sigmask: &'a SigSet,
}

/// vfork + execv `path` with `argv` (`argv[0]` included); returns the child's pid once the
/// child has exec'd. SIGPIPE is back to its default in the child (Rust ignores it, and an
/// ignored disposition survives execve).
pub fn vfork_execv(path: &Path, argv: &[&OsStr], setup: &ChildSetup<'_>) -> SysResult<i32> {
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| cstring(a.as_bytes()))
        .collect::<SysResult<_>>()?;
    let cenv: Vec<CString> = setup
        .env
        .iter()
        .map(|a| cstring(a.as_bytes()))
        .collect::<SysResult<_>>()?;
    let mut attr = PosixSpawnAttr::init()?;
    let mut sigdef = SigSet::empty();
    sigdef.add(Signal::SIGPIPE);
    attr.set_sigdefault(&sigdef)?;
    attr.set_sigmask(setup.sigmask)?;
    attr.set_flags(
        PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF | PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK,
    )?;
    let mut actions = PosixSpawnFileActions::init()?;
    for (fd, target) in setup.fds {
        actions.add_dup2(fd.as_raw_fd(), *target)?;
    }
    let r = nix::spawn::posix_spawn(path, &actions, &attr, &cargs, &cenv).map(|p| p.as_raw());
    if event::active() {
        let shown: Vec<String> = argv
            .iter()
            .map(|a| format!("\"{}\"", a.to_string_lossy()))
            .collect();
        event::call(
            format_args!(
                "vfork()+execv(\"{}\", [{}])",
                path.display(),
                shown.join(", ")
            ),
            &r,
        );
    }
    r
}

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(nix::sys::signal::Signal),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exited with status {c}"),
            Exit::Signal(s) => write!(f, "killed by {}", s.as_str()),
        }
    }
}

/// Wait for any child to end: `(pid, how)`. EINTR is returned to the caller (who checks
/// [`super::signals::pending`]); the child's pid is unregistered from signal forwarding
/// *before* it is reaped (peeked with WNOWAIT first), so a recycled pid is never signalled.
pub fn wait_any() -> SysResult<(i32, Exit)> {
    use nix::sys::wait::{waitid, waitpid, Id, WaitPidFlag, WaitStatus};
    event::begin(); // the wait is in the peek
    let peek = waitid(Id::All, WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT);
    let pid = match peek {
        Ok(st) => st.pid().map(|p| p.as_raw()).unwrap_or(-1),
        Err(e) => {
            event::call(format_args!("waitpid(-1, &status, 0)"), &Err::<i32, _>(e));
            return Err(e);
        }
    };
    super::signals::unforward(pid);
    let st = waitpid(nix::unistd::Pid::from_raw(pid), None);
    let r = st.map(|s| match s {
        WaitStatus::Exited(p, c) => (p.as_raw(), Exit::Code(c)),
        WaitStatus::Signaled(p, s, _) => (p.as_raw(), Exit::Signal(s)),
        other => (pid, Exit::Code(other.pid().map(|_| 0).unwrap_or(0))),
    });
    event::call(
        format_args!("waitpid({pid}, &status, 0)"),
        &r.map(|(p, e)| format!("{p} ({e})")),
    );
    r
}

/// Take the pipe a controller placed at descriptor `fd` of this child (the ready pipe at 3,
/// the report pipe at 4). `None` unless `fd` is open and is a pipe: a program started
/// otherwise has something else there, or nothing, and it is left alone.
pub fn inherited_pipe(fd: RawFd) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::{FromRawFd, OwnedFd};
    if fd < 3 {
        return None;
    }
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: fstat only writes into `st`; an invalid fd gives EBADF.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: fstat succeeded and filled `st`.
    let st = unsafe { st.assume_init() };
    if st.st_mode & libc::S_IFMT != libc::S_IFIFO {
        return None;
    }
    // SAFETY: the controller placed this pipe end here for us (file action dup2), nothing
    // else in this process refers to it, and callers take each descriptor once.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Wait for one child (`waitpid(pid, &status, 0)`); EINTR comes back to the caller.
pub fn wait_pid(pid: i32) -> SysResult<Exit> {
    use nix::sys::wait::{waitpid, WaitStatus};
    event::begin();
    let r = waitpid(nix::unistd::Pid::from_raw(pid), None).map(|s| match s {
        WaitStatus::Signaled(_, s, _) => Exit::Signal(s),
        WaitStatus::Exited(_, c) => Exit::Code(c),
        _ => Exit::Code(0),
    });
    event::call(
        format_args!("waitpid({pid}, &status, 0)"),
        &r.map(|e| format!("{pid} ({e})")),
    );
    r
}

/// Has child `pid` ended? (`waitpid(pid, &status, WNOHANG)`: reaps it if so, never blocks.)
pub fn try_wait_pid(pid: i32) -> SysResult<Option<Exit>> {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    let r = waitpid(nix::unistd::Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)).map(|s| match s {
        WaitStatus::Signaled(_, s, _) => Some(Exit::Signal(s)),
        WaitStatus::Exited(_, c) => Some(Exit::Code(c)),
        _ => None,
    });
    if let Ok(Some(e)) = &r {
        event::call(
            format_args!("waitpid({pid}, &status, WNOHANG)"),
            &Ok::<_, super::Errno>(format!("{pid} ({e})")),
        );
    }
    r
}
