//! What the controllers (shmcon, shmpthreadcon) share: starting a child the slides' way
//! (vfork + execv of this same binary under the child's applet name) and waiting for the
//! children, stopping the others when one fails.

use crate::sys::spawn::{self, Exit};
use crate::sys::{signals, Errno};
use anyhow::{anyhow, Context, Result};
use std::ffi::OsStr;
use std::time::{Duration, Instant};

/// A running child: its applet name and pid.
#[derive(Debug, Clone)]
pub struct Child {
    pub name: &'static str,
    pub pid: i32,
}

/// vfork + execv this same binary as `name ARGS…`, tied to this controller (it gets SIGTERM
/// if we die, and our termination signals are forwarded to it).
pub fn spawn_child(name: &'static str, args: &[String]) -> Result<Child> {
    let exe = std::env::current_exe().context("cannot find the ipclab binary to exec")?;
    let mut argv: Vec<&OsStr> = vec![OsStr::new(name)];
    argv.extend(args.iter().map(OsStr::new));
    std::env::set_var("IPCLAB_CONTROLLER_PID", std::process::id().to_string());
    let r = spawn::vfork_execv(&exe, &argv);
    std::env::remove_var("IPCLAB_CONTROLLER_PID");
    let pid = r.map_err(|e| anyhow!("vfork()+execv({}): {}", exe.display(), e.desc()))?;
    signals::forward(pid);
    Ok(Child { name, pid })
}

/// Ask the children to end (SIGTERM).
pub fn stop(children: &[Child]) {
    for c in children {
        signals::kill(c.pid, nix::sys::signal::Signal::SIGTERM);
    }
}

/// Wait for every child. A child that fails stops the others; the result says how (`None`
/// when all ended well, or when a termination signal is pending: the caller reports that).
pub fn wait_children(mut running: Vec<Child>) -> Result<Option<String>> {
    use nix::sys::signal::Signal;
    let mut failure: Option<String> = None;
    while !running.is_empty() {
        let (pid, exit) = match spawn::wait_any() {
            Ok(r) => r,
            Err(Errno::EINTR) => continue,
            Err(Errno::ECHILD) => break,
            Err(e) => return Err(anyhow!("waitpid(): {}", e.desc())),
        };
        let Some(pos) = running.iter().position(|c| c.pid == pid) else {
            continue;
        };
        let child = running.remove(pos);
        if exit == Exit::Code(0) || failure.is_some() || signals::pending().is_some() {
            continue;
        }
        // A child killed by a termination signal is usually one the whole process group got
        // (Ctrl-C): give our own handler a moment to record it before blaming the child.
        if let Exit::Signal(Signal::SIGINT | Signal::SIGTERM | Signal::SIGHUP) = exit {
            let t = Instant::now();
            while signals::pending().is_none() && t.elapsed() < Duration::from_millis(200) {
                std::thread::sleep(Duration::from_millis(5));
            }
            if signals::pending().is_some() {
                continue;
            }
        }
        failure = Some(format!("{} (pid {}) {exit}", child.name, child.pid));
        stop(&running);
    }
    Ok(failure)
}

/// The end of a controller, after it removed its object: a pending termination signal
/// becomes the exit status; a failed child is said in one line (with what was cleaned up)
/// and exits 1.
pub fn finish(applet: &str, failure: Option<String>, cleaned: &str) -> Result<()> {
    if let Some(sig) = signals::pending() {
        return Err(crate::error::Interrupted(sig).into());
    }
    if let Some(msg) = failure {
        crate::out::warn(
            applet,
            format_args!("{msg}; stopped the other child and {cleaned}"),
        );
        return Err(crate::error::Reported(1).into());
    }
    Ok(())
}
