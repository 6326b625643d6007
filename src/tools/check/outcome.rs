//! What one run of a role's scenario saw, as it crosses from the sealed run to the grader
//! (JSON on a pipe, see [`super::seal`]): how the student's program ended, what it and
//! ipclab's peer printed, what the peer received (its witness log), the program's CPU in
//! the window where it waited, the limits it hit, and what it left.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ended {
    Code(i32),
    Signal(i32),
}

impl Ended {
    pub fn from_status(st: std::process::ExitStatus) -> Ended {
        use std::os::unix::process::ExitStatusExt;
        match (st.code(), st.signal()) {
            (Some(c), _) => Ended::Code(c),
            (None, Some(s)) => Ended::Signal(s),
            (None, None) => Ended::Code(-1),
        }
    }

    pub fn success(self) -> bool {
        self == Ended::Code(0)
    }

    pub fn signal(self) -> Option<i32> {
        match self {
            Ended::Signal(s) => Some(s),
            Ended::Code(_) => None,
        }
    }
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Ended::Code(c) => write!(f, "exit status {c}"),
            Ended::Signal(s) => match nix::sys::signal::Signal::try_from(s) {
                Ok(sig) => write!(f, "signal {s} ({})", sig.as_str()),
                Err(_) => write!(f, "signal {s}"),
            },
        }
    }
}

/// One message ipclab's peer received, in order (see `protocols::witness`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Witnessed {
    /// Which peer process (its pid).
    pub pid: u32,
    /// The message's bytes, exactly (up to the NUL where the protocol has one).
    pub got: Vec<u8>,
}

impl Witnessed {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.got).into_owned()
    }
}

/// The CPU the program used while it had to wait for the other side.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct CpuWindow {
    /// CPU time of its processes in the window.
    pub cpu: Duration,
    /// The window's length (wall time).
    pub wall: Duration,
    /// Start-up (interpreter, loader, its own set-up) before the window: not counted.
    pub startup: Duration,
    /// The share of looks in the window that found it runnable (not asleep): a spinner's
    /// is near 1 however little CPU a busy machine gives it.
    pub runnable: f64,
}

/// What one run saw.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub out: String,
    pub err: String,
    /// None: it did not end by the deadline (it was killed).
    pub status: Option<Ended>,
    /// From the mode's event (or the start) to the student's end.
    pub ended_after: Duration,
    pub wall: Duration,
    /// Its CPU where it waited for the peer ([`CpuWindow`]), when the run had such a window.
    pub window: Option<CpuWindow>,
    /// Was it spinning when it was killed at the deadline?
    pub spinning: bool,
    /// The blocking calls it was seen in during the CPU window (`semop`, `sleep`…).
    pub blocked_in: Vec<String>,
    pub peer_out: String,
    pub peer_err: String,
    /// Did ipclab's peer end well? (false: it failed, was stopped, or there was none)
    pub peer_ok: bool,
    /// What ipclab's peers received, in order.
    pub witness: Vec<Witnessed>,
    pub pid: u32,
    pub peer_pid: u32,
    pub key: i32,
    pub id: i32,
    pub payloads: Vec<String>,
    /// Did the program attach or open the run's object (the one ipclab made, or the key's)?
    pub used_run_object: bool,
    /// Objects its processes made under another key than the run's (a wrong ftok).
    pub other_keys: Vec<String>,
    /// Kinds of System V objects its processes were seen with (`"sem"`, …).
    pub kinds_seen: Vec<String>,
    /// Objects of the run still there after it, removed (they were the run's).
    pub left: Vec<String>,
    /// Objects it may have left that are not proven the run's (`--isolation none`): reported,
    /// not touched.
    pub left_unproven: Vec<String>,
    /// Processes of the run still alive after the program ended.
    pub strays: Vec<String>,
    /// Limits it hit (`process limit (64)`…).
    pub limits_hit: Vec<String>,
    /// Was the run sealed in namespaces of its own?
    pub sealed: bool,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(Ended::success)
    }

    /// The line of the program's stderr that says why it failed, made safe to print: the
    /// first one, or the last of a Python traceback (the exception).
    pub fn first_err_line(&self) -> Option<String> {
        let mut lines = self.err.lines().filter(|l| !l.trim().is_empty());
        let first = lines.next()?;
        let line = match first.starts_with("Traceback (most recent call last)") {
            true => lines.next_back().unwrap_or(first),
            false => first,
        };
        Some(crate::escape::terminal(line.trim()))
    }
}

/// The witness log, in order.
pub fn witnessed(path: &std::path::Path) -> Vec<Witnessed> {
    super::observe::read(path)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}
