//! A demo running in its own process group: its stdout and stderr read line by line in the
//! background, so a test can wait for a printed ready line; what a hang looks like; how a
//! process ended.

use super::{patience, wait_until};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A spawned process whose stdout is collected line by line in the background.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    err_lines: mpsc::Receiver<String>,
    err_seen: Vec<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Running {
    /// Start `cmd` in its own process group with piped stdin/stdout/stderr.
    pub fn start(mut cmd: Command) -> Self {
        use std::os::unix::process::CommandExt;
        super::clean_signal_state();
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd.spawn().expect("spawn");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let err = child.stderr.take().unwrap();
        let (etx, erx) = mpsc::channel();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                s.push_str(&line);
                s.push('\n');
                let _ = etx.send(line);
            }
            s
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
            err_lines: erx,
            err_seen: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// The same as [`Running::start`] (stderr is always read line by line).
    pub fn start_with_stderr(cmd: Command) -> Self {
        Self::start(cmd)
    }

    /// Wait (up to 20 s) for a stderr line containing `needle` (a wait or ready line).
    pub fn wait_for_err(&mut self, needle: &str) {
        let deadline = Instant::now() + patience(Duration::from_secs(20));
        if self.err_seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.err_lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.err_seen.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => panic!(
                    "never saw {needle:?} on stderr; got:\n{}",
                    self.err_seen.join("\n")
                ),
            }
        }
    }

    /// The stderr lines seen so far (by [`Running::wait_for_err`] and after).
    pub fn err_text(&mut self) -> String {
        self.err_seen.extend(self.err_lines.try_iter());
        self.err_seen.join("\n")
    }

    /// Wait (up to 20 s) for a stdout line containing `needle`.
    pub fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + patience(Duration::from_secs(20));
        if self.seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.seen.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => {
                    self.err_seen.extend(self.err_lines.try_iter());
                    panic!(
                        "never saw {needle:?}; got:\n{}\n--- stderr ---\n{}\n--- processes ---\n{}",
                        self.seen.join("\n"),
                        self.err_seen.join("\n"),
                        describe_group(self.pgid())
                    )
                }
            }
        }
    }

    /// Process group id (= pid, the group leader).
    pub fn pgid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Wait (up to 20 s) for the exit; (status, stdout so far, stderr).
    pub fn finish(self) -> (std::process::ExitStatus, String, String) {
        self.finish_within(Duration::from_secs(20))
    }

    /// Wait (up to 20 s) for the exit with stdin still open: after a signal, the process
    /// must end because of the signal, not because its input ended.
    pub fn finish_after_signal(self) -> (std::process::ExitStatus, String, String) {
        self.wait_exit(Duration::from_secs(20), false)
    }

    /// Wait (up to `limit`) for the exit; (status, stdout so far, stderr).
    pub fn finish_within(self, limit: Duration) -> (std::process::ExitStatus, String, String) {
        self.wait_exit(limit, true)
    }

    fn wait_exit(
        mut self,
        limit: Duration,
        close_stdin: bool,
    ) -> (std::process::ExitStatus, String, String) {
        let mut stdin = self.child.stdin.take();
        if close_stdin {
            stdin = None;
        }
        let deadline = Instant::now() + patience(limit);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let ps = Command::new("ps")
                    .args(["-eo", "pid,ppid,pgid,stat,wchan:24,args"])
                    .output()
                    .map(|o| {
                        String::from_utf8_lossy(&o.stdout)
                            .lines()
                            .filter(|l| l.contains("ipclab") || l.contains("PID"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default();
                let where_ = format!(
                    "pid {} (try_wait {:?})\n{}{ps}",
                    self.pgid(),
                    self.child.try_wait(),
                    describe_group(self.pgid())
                );
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(self.pgid()),
                    nix::sys::signal::Signal::SIGKILL,
                );
                panic!(
                    "process did not end; where it was:\n{where_}\noutput:\n{}",
                    self.seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        let err = self.stderr.take().unwrap().join().unwrap();
        drop(stdin);
        (status, self.seen.join("\n"), err)
    }
}

impl Drop for Running {
    /// A test that fails half-way must not leave its demo running (and its objects behind):
    /// SIGTERM to the group, a moment to clean up, then SIGKILL.
    fn drop(&mut self) {
        use nix::sys::signal::{killpg, Signal};
        let pg = nix::unistd::Pid::from_raw(self.pgid());
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = killpg(pg, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = killpg(pg, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

/// Every process of group `pgid`: its command, state, kernel wait channel, the call it is
/// in and its kernel stack (what a hang looks like, for the failure message).
pub fn describe_group(pgid: i32) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.get(2).and_then(|g| g.parse::<i32>().ok()) != Some(pgid) {
            continue;
        }
        let read =
            |what: &str| std::fs::read_to_string(format!("/proc/{pid}/{what}")).unwrap_or_default();
        out.push_str(&format!(
            "pid {pid} {:?} state {} wchan {} syscall {}\n{}",
            read("cmdline").replace('\0', " ").trim_end(),
            f[0],
            read("wchan"),
            read("syscall").trim_end(),
            read("stack")
        ));
    }
    out
}

/// The status a shell would see: the exit code, or 128+N for a death by signal N.
pub fn exit_code(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s))
}

/// Children of `pid` (from /proc).
pub fn children_of(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The applet name a process runs as (its argv[0]).
pub fn argv0_of(pid: i32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|&b| b == 0)
        .next()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default()
}

/// Is any process left in group `pgid`?
pub fn group_alive(pgid: i32) -> bool {
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), None).is_ok()
}

/// Assert the process group empties within a few seconds.
pub fn assert_group_gone(pgid: i32) {
    wait_until(5, "the process group to end", || !group_alive(pgid));
}

/// Wait until `pid` sleeps in a kernel function whose name contains `what` (its
/// /proc/PID/wchan: `poll` for a process waiting on its input, `msgrcv` on a queue): the
/// moment to test what a signal does there, when no line marks it.
pub fn wait_blocked_in(pid: i32, what: &str) {
    wait_until(20, &format!("pid {pid} to block in {what}"), || {
        std::fs::read_to_string(format!("/proc/{pid}/wchan")).is_ok_and(|w| w.contains(what))
    });
}
