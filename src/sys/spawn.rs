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

use super::{cstring, trace, Errno, SysResult};
use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

extern "C" {
    static environ: *const *const libc::c_char;
}

/// vfork + execv `path` with `argv` (argv[0] included) and the current environment; returns
/// the child's pid once the child has exec'd.
pub fn vfork_execv(path: &Path, argv: &[&OsStr]) -> SysResult<i32> {
    let cpath = cstring(path.as_os_str().as_bytes())?;
    let cargs: Vec<CString> = argv
        .iter()
        .map(|a| cstring(a.as_bytes()))
        .collect::<SysResult<_>>()?;
    let mut ptrs: Vec<*mut libc::c_char> = cargs.iter().map(|c| c.as_ptr().cast_mut()).collect();
    ptrs.push(std::ptr::null_mut());

    let mut attr = std::mem::MaybeUninit::<libc::posix_spawnattr_t>::uninit();
    // SAFETY: `attr` is initialised by posix_spawnattr_init before any other use, and
    // destroyed below on every path.
    let rc = unsafe { libc::posix_spawnattr_init(attr.as_mut_ptr()) };
    if rc != 0 {
        return Err(Errno::from_raw(rc));
    }
    let mut sigdef = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: `attr` was initialised above; `sigdef` is initialised by sigemptyset before
    // sigaddset and the setter read it. POSIX_SPAWN_USEVFORK asks glibc for the vfork path
    // (its default since 2.24 anyway); SETSIGDEF restores SIGPIPE to SIG_DFL in the child,
    // because Rust ignores SIGPIPE and an ignored disposition survives execve.
    let rc = unsafe {
        libc::sigemptyset(sigdef.as_mut_ptr());
        libc::sigaddset(sigdef.as_mut_ptr(), libc::SIGPIPE);
        libc::posix_spawnattr_setsigdefault(attr.as_mut_ptr(), sigdef.as_ptr());
        libc::posix_spawnattr_setflags(
            attr.as_mut_ptr(),
            (libc::POSIX_SPAWN_SETSIGDEF as libc::c_short) | libc::POSIX_SPAWN_USEVFORK,
        )
    };
    let mut pid: libc::pid_t = 0;
    let rc = if rc != 0 {
        rc
    } else {
        // SAFETY: `cpath` and every `ptrs` entry are NUL-terminated strings alive for the
        // call, `ptrs` is NULL-terminated, `environ` is the process's environment (no other
        // thread of ours changes it during a spawn), `attr` is initialised, NULL file actions
        // are allowed.
        unsafe {
            libc::posix_spawn(
                &mut pid,
                cpath.as_ptr(),
                std::ptr::null(),
                attr.as_ptr(),
                ptrs.as_ptr(),
                environ.cast(),
            )
        }
    };
    // SAFETY: `attr` was initialised by posix_spawnattr_init.
    unsafe { libc::posix_spawnattr_destroy(attr.as_mut_ptr()) };
    let r = if rc == 0 {
        Ok(pid)
    } else {
        Err(Errno::from_raw(rc))
    };
    let shown: Vec<String> = argv
        .iter()
        .map(|a| format!("\"{}\"", a.to_string_lossy()))
        .collect();
    trace::call(
        format_args!(
            "vfork()+execv(\"{}\", [{}])",
            path.display(),
            shown.join(", ")
        ),
        &r,
    );
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
    let peek = waitid(Id::All, WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT);
    let pid = match peek {
        Ok(st) => st.pid().map(|p| p.as_raw()).unwrap_or(-1),
        Err(e) => {
            trace::call(format_args!("waitpid(-1, &status, 0)"), &Err::<i32, _>(e));
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
    trace::call(
        format_args!("waitpid({pid}, &status, 0)"),
        &r.map(|(p, e)| format!("{p} ({e})")),
    );
    r
}

/// The child's half of the readiness pipe: write one byte to the inherited descriptor named by
/// `IPCLAB_READY_FD` and close it. Anything unexpected (no such fd, not a pipe) is ignored:
/// the controller then sees EOF when the child exits, which it reports.
pub fn notify_ready(fd: i32) {
    use std::os::fd::{FromRawFd, OwnedFd};
    if fd < 3 {
        return;
    }
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: fstat only writes into `st`; an invalid fd gives EBADF.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
        return;
    }
    // SAFETY: fstat succeeded and filled `st`.
    let st = unsafe { st.assume_init() };
    if st.st_mode & libc::S_IFMT != libc::S_IFIFO {
        return;
    }
    // SAFETY: the controller passed this pipe end to us for exactly this use (it closed its
    // own copy), nothing else in this process refers to it, and we take it once (the
    // environment variable is removed by the caller).
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let r = nix::unistd::write(&owned, b"r");
    trace::call(format_args!("write({fd}, \"r\", 1)"), &r);
}

/// Wait for one child (`waitpid(pid, &status, 0)`), retrying on EINTR.
pub fn wait_pid(pid: i32) -> SysResult<Exit> {
    use nix::sys::wait::{waitpid, WaitStatus};
    loop {
        let r = waitpid(nix::unistd::Pid::from_raw(pid), None).map(|s| match s {
            WaitStatus::Signaled(_, s, _) => Exit::Signal(s),
            WaitStatus::Exited(_, c) => Exit::Code(c),
            _ => Exit::Code(0),
        });
        trace::call(
            format_args!("waitpid({pid}, &status, 0)"),
            &r.map(|e| format!("{pid} ({e})")),
        );
        match r {
            Err(Errno::EINTR) => continue,
            other => return other,
        }
    }
}
