//! What an exec'd child does to stay tied to the controller that started it.
//!
//! The controller gives each child (in the child's own environment, built for it; nothing
//! is changed in the controller's):
//! - `IPCLAB_CONTROLLER_PID`: the child asks the kernel for SIGTERM when that process dies
//!   (`prctl(PR_SET_PDEATHSIG)`), so a controller killed with SIGKILL leaves nothing running;
//! - `IPCLAB_READY_FD=3` (the reader only): a pipe at descriptor 3 the child writes one byte
//!   to once it has printed its banner, so the writer starts after it and the transcript
//!   keeps the slide's order;
//! - `IPCLAB_REPORT_FD=4`: a pipe at descriptor 4 where the child writes its error line
//!   instead of stderr, so a failed run ends with one line, the controller's.

use nix::sys::signal::Signal;
use std::io::Write;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where a child finds the ready pipe.
pub const READY_FD: RawFd = 3;
/// Where a child finds the report pipe.
pub const REPORT_FD: RawFd = 4;

/// The descriptor a controller named in `var`, taken at most once per process.
fn inherited(var: &str, fd: RawFd, taken: &AtomicBool) -> Option<std::os::fd::OwnedFd> {
    let named = std::env::var(var).ok()?.parse::<RawFd>().ok()? == fd;
    if !named || taken.swap(true, Ordering::SeqCst) {
        return None;
    }
    crate::sys::spawn::inherited_pipe(fd)
}

/// Call first thing in an applet that a controller may have exec'd.
pub fn tie_to_controller() {
    let Some(pid) = std::env::var(crate::env::CONTROLLER_PID)
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    else {
        return;
    };
    crate::out::ignore_broken_pipe();
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
    // The controller may have died between our exec and the prctl: check once.
    if nix::unistd::getppid().as_raw() != pid {
        let _ = nix::sys::signal::raise(Signal::SIGTERM);
    }
}

static READY_TAKEN: AtomicBool = AtomicBool::new(false);
static REPORT_TAKEN: AtomicBool = AtomicBool::new(false);

/// Tell the controller this child is ready (a no-op when not started by one).
pub fn notify_ready() {
    if let Some(fd) = inherited(crate::env::READY_FD, READY_FD, &READY_TAKEN) {
        let _ = crate::sys::proc::write(&fd, b"r");
    }
}

/// Hand this child's error line to its controller; false when there is none to hand it to
/// (then the caller prints it on stderr).
pub fn report(line: &str) -> bool {
    match inherited(crate::env::REPORT_FD, REPORT_FD, &REPORT_TAKEN) {
        Some(fd) => std::fs::File::from(fd)
            .write_all(format!("{line}\n").as_bytes())
            .is_ok(),
        None => false,
    }
}
