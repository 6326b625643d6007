//! The unsafe steps of sealing a program ipclab runs but does not trust (a student's
//! program under `ipclab check`): a plain `fork` for the processes that enter the new
//! namespaces, a recursive read-only remount (`mount_setattr`, which nix does not wrap),
//! and a clean start for the program itself (every signal's default action, an empty
//! mask, resource limits, death with its parent), done in the child between fork and exec.
//!
//! What is sealed, and how, is decided above this layer (`tools::check::seal`); here are
//! only the calls that need `unsafe`.

use super::SysResult;
use nix::errno::Errno;
use std::os::unix::process::CommandExt;
use std::path::Path;

/// Which side of [`fork`] we are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forked {
    Parent { child: i32 },
    Child,
}

/// `fork()` and nothing else (no trace, no death signal: the caller sets what it needs).
/// Call it only while this process has one thread: the child then runs ordinary Rust code
/// (the grader is single-threaded; its batch mode runs graders as processes, not threads).
pub fn fork() -> SysResult<Forked> {
    super::event::before_fork();
    // SAFETY: the caller is single-threaded (see above), so no other thread holds a lock
    // (allocator, stdio) that the child would inherit locked.
    match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Parent { child } => Ok(Forked::Parent {
            child: child.as_raw(),
        }),
        nix::unistd::ForkResult::Child => Ok(Forked::Child),
    }
}

/// `struct mount_attr` of mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

const MOUNT_ATTR_RDONLY: u64 = 0x1;
const AT_RECURSIVE: libc::c_uint = 0x8000;

/// Make the mount at `path` and every mount below it read-only, in this mount namespace
/// (`mount_setattr(AT_FDCWD, path, AT_RECURSIVE, {MOUNT_ATTR_RDONLY})`, Linux 5.12).
/// ENOSYS on an older kernel.
pub fn read_only_tree(path: &Path) -> SysResult<()> {
    let c = super::cstring(path.as_os_str().as_encoded_bytes())?;
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: a plain system call; `c` is a valid NUL-terminated path and `attr` a valid
    // mount_attr of the size passed, both alive for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c.as_ptr(),
            AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    Errno::result(r).map(drop)
}

/// Resource limits for a program ipclab runs (soft = hard; `None`: unchanged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// RLIMIT_NPROC: processes of its user (in its user namespace, when it has one).
    pub procs: Option<u64>,
    /// RLIMIT_AS: bytes of address space.
    pub memory: Option<u64>,
    /// RLIMIT_CPU: seconds of CPU time (then SIGXCPU).
    pub cpu_secs: Option<u64>,
    /// RLIMIT_FSIZE: bytes a file may grow to (then SIGXFSZ).
    pub file_size: Option<u64>,
}

/// Start the program of `cmd` clean, whatever state this process is in: every signal's
/// action the default one (an ignored SIGINT would survive exec: a grader started in the
/// background by a script would pass it on), an empty signal mask, `limits`, no core
/// files, and SIGKILL when its parent dies.
pub fn clean_start(cmd: &mut std::process::Command, limits: Limits) {
    let set = |res: libc::__rlimit_resource_t, v: Option<u64>| {
        if let Some(v) = v {
            let l = libc::rlimit {
                rlim_cur: v,
                rlim_max: v,
            };
            // SAFETY: setrlimit is async-signal-safe and `l` is a valid rlimit.
            unsafe { libc::setrlimit(res, &l) };
        }
    };
    let closure = move || {
        for sig in 1..libc::SIGRTMAX() {
            if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                continue;
            }
            // SAFETY: signal(2) with SIG_DFL is async-signal-safe and installs no handler.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
        let mut empty = std::mem::MaybeUninit::<libc::sigset_t>::zeroed();
        // SAFETY: sigemptyset initialises the set it is given; sigprocmask reads it. Both
        // are async-signal-safe.
        unsafe {
            libc::sigemptyset(empty.as_mut_ptr());
            libc::sigprocmask(libc::SIG_SETMASK, empty.as_ptr(), std::ptr::null_mut());
        }
        set(libc::RLIMIT_NPROC, limits.procs);
        set(libc::RLIMIT_AS, limits.memory);
        set(libc::RLIMIT_CPU, limits.cpu_secs);
        set(libc::RLIMIT_FSIZE, limits.file_size);
        set(libc::RLIMIT_CORE, Some(0));
        // SAFETY: prctl(PR_SET_PDEATHSIG) is a plain system call, async-signal-safe.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        Ok(())
    };
    // SAFETY: the closure runs in the child between fork and exec and only makes
    // async-signal-safe calls (signal, sigemptyset, sigprocmask, setrlimit, prctl); it
    // allocates nothing and touches no lock.
    unsafe { cmd.pre_exec(closure) };
}
