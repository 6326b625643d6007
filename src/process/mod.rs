//! Processes of a demo: a controller that starts its children the slides' way (vfork +
//! execv, [`controller`]), what an exec'd child does to stay tied to it ([`child`]), and how
//! any process of ours waits or leaves when a termination signal comes.

pub mod affinity;
pub mod child;
pub mod controller;
pub mod procfs;

use crate::error::{restart, SysContext};
use crate::sys::spawn::{self, Exit};
use crate::sys::{proc, signals};
use anyhow::Result;
use std::ffi::OsString;
use std::os::fd::OwnedFd;

/// Variables a controller gives only its own children: never passed further down.
const PRIVATE: [&str; 3] = [
    crate::env::CONTROLLER_PID,
    crate::env::READY_FD,
    crate::env::REPORT_FD,
];

/// The settings this process passes to every ipclab it starts (`--trace`, `--color`), as
/// environment variables: the child reads them as if they were its own options.
pub fn settings() -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    if crate::trace::enabled() {
        v.push((crate::env::TRACE, "1".to_string()));
    }
    if let Some(mode) = crate::out::color_setting() {
        v.push((crate::env::COLOR, mode.to_string()));
    }
    if let Some(dir) = crate::trace::timeline_dir() {
        v.push((crate::env::TIMELINE_DIR, dir.to_string_lossy().into_owned()));
    }
    v
}

/// The whole environment of a child: ours, without the controller-private variables and
/// our own settings' variables, plus our settings and `extra`. Nothing in this process's
/// environment changes (`set_var` would race any thread reading it, and is `unsafe` in
/// edition 2024).
pub fn child_env(extra: &[(&str, String)]) -> Vec<OsString> {
    let ours = settings();
    let replaced = |k: &str| {
        PRIVATE.contains(&k)
            || ours.iter().any(|(o, _)| *o == k)
            || extra.iter().any(|(e, _)| *e == k)
            || k == crate::env::TRACE
            || k == crate::env::TIMELINE_DIR
    };
    let mut env: Vec<OsString> = std::env::vars_os()
        .filter(|(k, _)| !replaced(&k.to_string_lossy()))
        .map(|(k, v)| {
            let mut kv = k;
            kv.push("=");
            kv.push(v);
            kv
        })
        .collect();
    for (k, v) in ours.iter().chain(extra) {
        env.push(format!("{k}={v}").into());
    }
    env
}

/// Open files a run needs at most (its own pipes and sockets, the registry, the controller's
/// report pipes, a timeline's file).
const DESCRIPTORS: u64 = 32;

/// Make sure this process may open [`DESCRIPTORS`] files: the soft limit is raised to it
/// if the hard limit allows; an error (one line, before anything runs) if not.
pub fn enough_descriptors() -> Result<()> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft >= DESCRIPTORS {
        return Ok(());
    }
    if hard >= DESCRIPTORS {
        return Ok(setrlimit(Resource::RLIMIT_NOFILE, DESCRIPTORS, hard)?);
    }
    Err(anyhow::anyhow!(
        "the open-file limit (ulimit -n) is {hard}: ipclab needs {DESCRIPTORS} descriptors; raise it (ulimit -n 1024) and run it again"
    ))
}

/// Sleep for `d` in short slices, ending early (as `Interrupted`) on a termination signal:
/// `std::thread::sleep` resumes after a signal and would keep a Ctrl-C'd demo waiting.
pub fn nap(d: std::time::Duration) -> anyhow::Result<()> {
    let end = std::time::Instant::now() + d;
    loop {
        crate::error::check_interrupted()?;
        let left = end.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(std::time::Duration::from_millis(10)));
    }
}

/// `std::process::Command` for this binary (the tour and split run whole applets this way),
/// with the settings of [`settings`] and without the controller-private variables.
pub fn ipclab_command() -> Result<std::process::Command> {
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::anyhow!("cannot find the ipclab binary: {e}"))?;
    let mut cmd = std::process::Command::new(exe);
    for k in PRIVATE {
        cmd.env_remove(k);
    }
    cmd.envs(settings());
    Ok(cmd)
}

/// Start `cmd` with termination signals held until the child is registered for forwarding
/// (a signal during the start reaches it too); the guard ends it (SIGTERM) and reaps it if
/// it is still running when dropped.
pub fn start(cmd: &mut std::process::Command) -> Result<Started> {
    let held = signals::hold();
    signals::exec_with_mask(cmd, held.child_mask());
    let child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {:?}: {e}", cmd.get_program()))?;
    signals::forward(child.id() as i32);
    drop(held);
    Ok(Started(child))
}

/// A child started by [`start`].
#[derive(Debug)]
pub struct Started(pub std::process::Child);

impl Started {
    /// Wait for it (std retries EINTR; a forwarded signal ends it first).
    pub fn wait(mut self) -> Result<std::process::ExitStatus> {
        let st = self.0.wait()?;
        signals::unforward(self.0.id() as i32);
        Ok(st)
    }

    /// Its status if it has ended, without waiting.
    pub fn ended(&mut self) -> Result<Option<std::process::ExitStatus>> {
        Ok(self.0.try_wait()?)
    }

    /// End it (SIGTERM, which every applet answers by cleaning up) and wait for it.
    pub fn stop(self) -> Result<std::process::ExitStatus> {
        signals::kill(self.0.id() as i32, nix::sys::signal::Signal::SIGTERM);
        self.wait()
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            signals::unforward(self.0.id() as i32);
            signals::kill(self.0.id() as i32, nix::sys::signal::Signal::SIGTERM);
            let _ = self.0.wait();
        }
    }
}

/// Everything until end of file on `fd` (a pipe whose writers end), read through signals.
pub fn read_all(fd: &OwnedFd) -> Result<Vec<u8>> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match restart(|| proc::read(fd, &mut buf))?.sys("read(pipe)")? {
            0 => return Ok(all),
            n => all.extend_from_slice(&buf[..n]),
        }
    }
}

static REPORT: std::sync::Mutex<Option<OwnedFd>> = std::sync::Mutex::new(None);

/// The parent's side of a [`fork`]: the child's pid, and the pipe its error comes back on.
/// Dropped before it was waited for (an early return, Ctrl-C), it ends the child (SIGTERM)
/// and reaps it: a demo never exits leaving its child behind.
#[derive(Debug)]
pub struct ForkedChild {
    pub pid: i32,
    report: OwnedFd,
    waited: bool,
}

impl Drop for ForkedChild {
    fn drop(&mut self) {
        if !self.waited {
            signals::kill(self.pid, nix::sys::signal::Signal::SIGTERM);
            let _ = crate::error::uninterrupted(|| spawn::wait_pid(self.pid));
            signals::unforward(self.pid);
        }
    }
}

/// Which side of a [`fork`] we are on.
#[derive(Debug)]
pub enum Side {
    Parent(ForkedChild),
    Child,
}

/// `fork()` for the demos whose lesson is a plain fork. The child registers for forwarding
/// of our termination signals; its error (see [`child_exit`]) comes back to the parent on a
/// pipe, so the demo ends with one line, the parent's.
pub fn fork() -> Result<Side> {
    let (r, w) = proc::pipe().sys("pipe()")?;
    let held = signals::hold();
    match proc::fork().sys("fork()")? {
        proc::Forked::Child => {
            drop(held);
            drop(r);
            *REPORT.lock().unwrap_or_else(|p| p.into_inner()) = Some(w);
            Ok(Side::Child)
        }
        proc::Forked::Parent { child } => {
            signals::forward(child);
            drop(held);
            drop(w);
            Ok(Side::Parent(ForkedChild {
                pid: child,
                report: r,
                waited: false,
            }))
        }
    }
}

impl ForkedChild {
    /// Reap the child if it has ended (never blocks): true if it was reaped.
    pub fn try_reap(&mut self) -> bool {
        match spawn::try_wait_pid(self.pid) {
            Ok(Some(_)) | Err(_) => {
                self.waited = true;
                signals::unforward(self.pid);
                true
            }
            Ok(None) => false,
        }
    }

    /// Wait for the child: how it ended, and the error it reported, if any.
    pub fn wait(mut self) -> Result<(Exit, Option<String>)> {
        let how = restart(|| spawn::wait_pid(self.pid))?.sys("waitpid()")?;
        self.waited = true;
        signals::unforward(self.pid);
        let text = read_all(&self.report)?;
        let line = String::from_utf8_lossy(&text).trim().to_string();
        Ok((how, (!line.is_empty()).then_some(line)))
    }

    /// Wait, then fold the child's ending into the parent's `result`: the parent's own error
    /// first (one line), else what the child reported or how it ended.
    pub fn join(self, result: Result<()>) -> Result<()> {
        let (how, report) = self.wait()?;
        crate::error::check_interrupted()?;
        result?;
        match (how, report) {
            (Exit::Code(0), _) => Ok(()),
            (_, Some(line)) => Err(anyhow::anyhow!(line)),
            (how, None) => Err(anyhow::anyhow!("the child process {how}")),
        }
    }
}

/// How a forked child leaves: 0 on success; 128+N, quietly, when a termination signal
/// ended it; otherwise 1, with its error sent to the parent (see [`fork`]).
pub fn child_exit(result: Result<()>) -> ! {
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            let (code, print) = crate::error::exit_status(&e);
            let report = REPORT.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let (true, Some(fd)) = (print, report) {
                let _ = proc::write(&fd, format!("{e:#}").as_bytes());
            }
            i32::from(code)
        }
    };
    crate::out::flush_all();
    crate::trace::record::end(&format!("exit {code}"));
    std::process::exit(code)
}

/// `IPCLAB_JITTER=SEED:MAX_US` (set by `ipclab check` for the peers it runs): a pause of
/// 0..MAX_US microseconds, from a generator seeded by SEED, before each hand-off, so a
/// student's program meets many interleavings, reproducibly from SEED (`--seed` replays
/// them). Without the variable: nothing.
pub fn jitter() {
    if let Some((x, max)) = next_jitter() {
        let _ = nap(std::time::Duration::from_micros(x % (max + 1)));
    }
}

/// The same pause, before about one hand-off in 64: for the bounded buffer, whose
/// thousands of items would otherwise each wait a millisecond.
pub fn jitter_now_and_then() {
    if let Some((x, max)) = next_jitter() {
        if x % 64 == 0 {
            let _ = nap(std::time::Duration::from_micros((x >> 6) % (max + 1)));
        }
    }
}

/// The generator's next number and MAX_US, or None without `IPCLAB_JITTER`.
fn next_jitter() -> Option<(u64, u64)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    static MAX: AtomicU64 = AtomicU64::new(u64::MAX);
    if MAX.load(Ordering::Relaxed) == u64::MAX {
        let parsed = std::env::var(crate::env::JITTER).ok().and_then(|v| {
            let (s, m) = v.split_once(':')?;
            Some((s.parse::<u64>().ok()?, m.parse::<u64>().ok()?))
        });
        let (seed, max) = parsed.unwrap_or((0, 0));
        STATE.store(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            Ordering::Relaxed,
        );
        MAX.store(max, Ordering::Relaxed);
    }
    let max = MAX.load(Ordering::Relaxed);
    if max == 0 {
        return None;
    }
    // xorshift64: reproducible, no crate needed.
    let mut x = STATE.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    Some((x, max))
}

/// Wait until `fd` is readable, at most `limit`, whatever signals come meanwhile (a short
/// exchange that must complete). False: `limit` passed.
pub fn readable_through_signals(
    fd: std::os::fd::BorrowedFd<'_>,
    limit: std::time::Duration,
) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(100u16)).is_ok_and(|n| n > 0) {
            return true;
        }
    }
    false
}

/// Wait until `fd` is readable, in slices, so Ctrl-C is seen (std's accept and recv restart
/// after a signal by themselves). `Ok(false)`: `limit` passed.
pub fn readable(
    fd: std::os::fd::BorrowedFd<'_>,
    limit: Option<std::time::Duration>,
) -> anyhow::Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let start = std::time::Instant::now();
    loop {
        crate::error::check_interrupted()?;
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(100u16)) {
            Ok(n) if n > 0 => return Ok(true),
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(anyhow::anyhow!("poll(): {}", e.desc())),
        }
        if limit.is_some_and(|l| start.elapsed() >= l) {
            return Ok(false);
        }
    }
}
