//! What the controllers (shmcon, shmpthreadcon) share: starting a child the slides' way
//! (vfork + execv) and waiting for the children, stopping the others when one fails.
//!
//! A child is an ipclab applet (this binary exec'd under the applet's name, as the slides
//! exec `./alg.8-2-shmread.o`) or any program (`--reader PROG`: a student's, the seed's C).
//! Every child is registered for signal forwarding *before* it can run: termination signals
//! are held while it is spawned and registered, so a Ctrl-C or SIGTERM that lands during
//! the spawn reaches it too. An ipclab child reports a failure through the controller (a
//! pipe at its descriptor 4), so a failed run ends with one line, the controller's.

use super::child::{READY_FD, REPORT_FD};
use crate::error::SysContext;
use crate::sys::spawn::{self, ChildSetup, Exit};
use crate::sys::{signals, Errno};
use anyhow::{anyhow, Context, Result};
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a controller runs as a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// This binary, as the named applet.
    Applet(&'static str),
    /// Another program, e.g. a student's reader (`argv[0]` is its path).
    Path(PathBuf),
}

impl Program {
    /// The program the user named for this part, or else ipclab's applet.
    pub fn applet_or(applet: &'static str, user: &Option<PathBuf>) -> Program {
        match user {
            Some(p) => Program::Path(p.clone()),
            None => Program::Applet(applet),
        }
    }

    /// How the child is named in messages.
    pub fn name(&self) -> String {
        match self {
            Program::Applet(a) => a.to_string(),
            Program::Path(p) => p.display().to_string(),
        }
    }
}

/// A running child: what it runs and its pid.
#[derive(Debug, Clone)]
pub struct Child {
    pub program: Program,
    pub pid: i32,
}

/// Starts children and collects what they report.
pub struct Spawner {
    report_r: OwnedFd,
    report_w: OwnedFd,
}

impl Spawner {
    /// A spawner with its report pipe.
    pub fn new() -> Result<Spawner> {
        let (report_r, report_w) = crate::sys::proc::pipe().sys("pipe()")?;
        crate::sys::proc::set_nonblocking(&report_r, true).sys("fcntl(O_NONBLOCK)")?;
        Ok(Spawner { report_r, report_w })
    }

    /// vfork + execv `program` with `args` (after `argv[0]`), tied to this controller (it gets
    /// SIGTERM if we die, when it is an applet; our termination signals are forwarded to
    /// it). `ready` is the write end of a pipe the child gets as descriptor 3.
    pub fn spawn(
        &self,
        program: &Program,
        args: &[String],
        ready: Option<&OwnedFd>,
    ) -> Result<Child> {
        let (path, argv0): (PathBuf, OsString) = match program {
            Program::Applet(name) => (
                std::env::current_exe().context("cannot find the ipclab binary to exec")?,
                (*name).into(),
            ),
            Program::Path(p) => (p.clone(), p.as_os_str().to_owned()),
        };
        let mut argv: Vec<&OsStr> = vec![&argv0];
        argv.extend(args.iter().map(OsStr::new));
        let mut extra = vec![(crate::env::CONTROLLER_PID, std::process::id().to_string())];
        let mut fds = Vec::new();
        if matches!(program, Program::Applet(_)) {
            extra.push((crate::env::REPORT_FD, REPORT_FD.to_string()));
            fds.push((self.report_w.as_fd(), REPORT_FD));
        }
        if let Some(r) = ready {
            extra.push((crate::env::READY_FD, READY_FD.to_string()));
            fds.push((r.as_fd(), READY_FD));
        }
        let env = super::child_env(&extra);
        let held = signals::hold();
        let setup = ChildSetup {
            env: &env,
            fds: &fds,
            sigmask: held.child_mask(),
        };
        let pid = spawn::vfork_execv(&path, &argv, &setup).map_err(|e| match e {
            Errno::ENOENT | Errno::EACCES | Errno::ENOEXEC => anyhow!(
                "cannot run {} ({}): give the path of an executable program",
                path.display(),
                e.desc()
            ),
            e => crate::error::sys_error(format_args!("vfork()+execv({})", path.display()), e),
        })?;
        signals::forward(pid);
        drop(held);
        Ok(Child {
            program: program.clone(),
            pid,
        })
    }

    /// The lines the ipclab children reported (their errors), read without blocking.
    pub fn reports(&self) -> Vec<String> {
        let mut text = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = crate::sys::proc::read(&self.report_r, &mut buf) {
            text.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Ask the children to end (SIGTERM).
pub fn stop(children: &[Child]) {
    for c in children {
        signals::kill(c.pid, nix::sys::signal::Signal::SIGTERM);
    }
}

/// How a wait for the children ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The first child that failed: its name, pid and how it ended.
    pub failure: Option<(Child, Exit)>,
}

/// Wait for every child. A child that fails stops the others.
pub fn wait_children(mut running: Vec<Child>) -> Result<Outcome> {
    use nix::sys::signal::Signal;
    let mut out = Outcome::default();
    while !running.is_empty() {
        // Through Ctrl-C too: it was forwarded to the children, which end, and are reaped.
        let (pid, exit) = match crate::error::uninterrupted(spawn::wait_any) {
            Ok(r) => r,
            Err(Errno::ECHILD) => break,
            Err(e) => return Err(crate::error::sys_error("waitpid()", e)),
        };
        let Some(pos) = running.iter().position(|c| c.pid == pid) else {
            continue;
        };
        let child = running.remove(pos);
        if exit == Exit::Code(0) || out.failure.is_some() || signals::pending().is_some() {
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
        out.failure = Some((child, exit));
        stop(&running);
    }
    Ok(out)
}

/// The end of a controller, after it removed its object: a pending termination signal
/// becomes the exit status; a failed child is said in one line (what the child reported,
/// or how it ended, and what was cleaned up) and exits 1.
pub fn finish(spawner: &Spawner, outcome: Outcome, cleaned: &str) -> Result<()> {
    crate::error::check_interrupted()?;
    let Some((child, exit)) = outcome.failure else {
        return Ok(());
    };
    // The failed child's own line, if it reported one (an applet's line starts with its
    // name); else how it ended.
    let name = child.program.name();
    let what = spawner
        .reports()
        .into_iter()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| format!("{name} (pid {}) {exit}", child.pid));
    crate::out::note(format_args!(
        "{what}; stopped the other child and {cleaned}"
    ));
    Err(crate::error::Reported(1).into())
}
