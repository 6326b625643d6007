//! What an exec'd child does to stay tied to the controller that started it.
//!
//! The controller sets two environment variables before each vfork+execv:
//! - `IPCLAB_CONTROLLER_PID`: the child asks the kernel for SIGTERM when that process dies
//!   (`prctl(PR_SET_PDEATHSIG)`), so a controller killed with SIGKILL leaves nothing running;
//! - `IPCLAB_READY_FD` (reader only): a pipe the child writes one byte to once it has printed
//!   its banner, so the writer starts after it and the transcript keeps the slide's order.

use nix::sys::signal::Signal;

/// Call first thing in an applet that a controller may have exec'd.
pub fn tie_to_controller() {
    let Some(pid) = std::env::var("IPCLAB_CONTROLLER_PID")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    else {
        return;
    };
    std::env::remove_var("IPCLAB_CONTROLLER_PID");
    crate::out::ignore_broken_pipe();
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
    // The controller may have died between our exec and the prctl: check once.
    if nix::unistd::getppid().as_raw() != pid {
        let _ = nix::sys::signal::raise(Signal::SIGTERM);
    }
}

/// Tell the controller this child is ready (a no-op when not started by one).
pub fn notify_ready() {
    if let Some(fd) = std::env::var("IPCLAB_READY_FD")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    {
        std::env::remove_var("IPCLAB_READY_FD");
        crate::sys::spawn::notify_ready(fd);
    }
}
