//! `fork()` and `pipe()` for the demos whose lesson is a plain fork (the pipe, mmap-anon,
//! sem-demo): the child inherits the mapping or the descriptors.

use super::{event, SysResult};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

/// Which side of a fork we are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forked {
    Parent { child: i32 },
    Child,
}

/// `fork()`. Call it only while the process has a single thread (every ipclab demo is
/// single-threaded), so the child may go on running ordinary Rust code.
pub fn fork() -> SysResult<Forked> {
    // Output and recorded calls flushed, or the child would write them a second time.
    event::before_fork();
    let parent = nix::unistd::getpid();
    // SAFETY: ipclab's demos never start threads, so at this point no other thread can hold
    // a lock (allocator, stdout) that the child would inherit locked; the child then runs
    // ordinary code and leaves through `std::process::exit` or by returning to main.
    let r = unsafe { nix::unistd::fork() };
    let shown = r.map(|f| match f {
        nix::unistd::ForkResult::Parent { child } => child.as_raw(),
        nix::unistd::ForkResult::Child => 0,
    });
    if !matches!(r, Ok(nix::unistd::ForkResult::Child)) {
        event::call(format_args!("fork()"), &shown);
    } else {
        // A timeline's new lane starts here, under its parent's.
        let ppid = nix::unistd::getppid().as_raw();
        event::forked(ppid);
    }
    r.map(|f| match f {
        nix::unistd::ForkResult::Parent { child } => Forked::Parent {
            child: child.as_raw(),
        },
        nix::unistd::ForkResult::Child => {
            // The child ends with its parent: SIGTERM when the parent dies, even by SIGKILL.
            // On a busy machine the parent may die before the child first runs: then the
            // request comes too late, and the child must see it for itself.
            let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM);
            if nix::unistd::getppid() != parent {
                let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTERM);
            }
            event::in_forked_child();
            Forked::Child
        }
    })
}

/// `pipe()`: (read end, write end), both close-on-exec.
pub fn pipe() -> SysResult<(OwnedFd, OwnedFd)> {
    let r = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC);
    let ends = r.as_ref().map(|(a, b)| (a.as_raw_fd(), b.as_raw_fd()));
    event::call_op(
        format_args!("pipe([r, w])"),
        &ends.map(|(a, b)| format!("0 [{a}, {b}]")).map_err(|e| *e),
        |_| match ends {
            Ok((read, write)) => event::Op::Pipe { read, write },
            Err(_) => event::Op::Other,
        },
    );
    r
}

/// `read(fd, buf)`, traced with its byte count; EINTR is returned to the caller.
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> SysResult<usize> {
    event::begin();
    let fd = fd.as_fd();
    let r = nix::unistd::read(fd, buf);
    let raw = fd.as_raw_fd();
    event::call_op(format_args!("read({raw}, buf, {})", buf.len()), &r, |&n| {
        event::Op::Read {
            fd: raw,
            bytes: n as i64,
        }
    });
    r
}

/// `write(fd, bytes)`, traced with its byte count; EINTR is returned to the caller.
pub fn write(fd: &OwnedFd, bytes: &[u8]) -> SysResult<usize> {
    event::begin();
    let r = nix::unistd::write(fd, bytes);
    let raw = fd.as_raw_fd();
    event::call_op(
        format_args!("write({raw}, buf, {})", bytes.len()),
        &r,
        |&n| event::Op::Write {
            fd: raw,
            bytes: n as i64,
        },
    );
    r
}

/// `fcntl(fd, F_SETFL, O_NONBLOCK)` (or without it).
pub fn set_nonblocking(fd: impl AsFd, on: bool) -> SysResult<()> {
    let raw = fd.as_fd().as_raw_fd();
    let r = set_nonblocking_quiet(fd, on);
    event::call(
        format_args!(
            "fcntl({raw}, F_SETFL, {})",
            if on { "O_NONBLOCK" } else { "0" }
        ),
        &r.map(|()| 0),
    );
    r
}

pub(super) fn set_nonblocking_quiet(fd: impl AsFd, on: bool) -> SysResult<()> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    let flags = OFlag::from_bits_truncate(fcntl(&fd, FcntlArg::F_GETFL)?);
    let flags = match on {
        true => flags | OFlag::O_NONBLOCK,
        false => flags - OFlag::O_NONBLOCK,
    };
    fcntl(&fd, FcntlArg::F_SETFL(flags)).map(drop)
}

/// The path this process was executed as (`getauxval(AT_EXECFN)`): what execve was given,
/// even when `argv[0]` says something else (the slides' controller passes `" "`).
pub fn exec_path() -> Option<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getauxval only reads the auxiliary vector the kernel gave this process; for
    // AT_EXECFN it returns the address of a NUL-terminated string in that vector (which
    // lives as long as the process), or 0 if there is none.
    let p = unsafe { libc::getauxval(libc::AT_EXECFN) } as *const libc::c_char;
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, so it points at the kernel's NUL-terminated copy of the filename,
    // valid and unchanged for the life of the process.
    let s = unsafe { std::ffi::CStr::from_ptr(p) };
    Some(std::ffi::OsStr::from_bytes(s.to_bytes()).to_owned())
}
