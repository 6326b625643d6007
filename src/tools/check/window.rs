//! The CPU window: while the program has to wait for the other side (held back, or not
//! started yet), how much CPU it uses. A program that waits uses next to none, one that
//! spins all of it; start-up comes before the window and is not counted.

use super::ctx::{killpg, Ctx, Proc};
use super::observe;
use super::outcome::CpuWindow;
use anyhow::Result;
use std::time::{Duration, Instant};

/// How long a spinning or blocked program is given to start up before the CPU window.
const STARTUP: Duration = Duration::from_secs(2);
/// How long a program must have been calm for its start-up to count as over.
const CALM: Duration = Duration::from_millis(150);
/// The window in which the program must wait for the other side without spinning.
pub const WINDOW: Duration = Duration::from_millis(400);

impl Ctx<'_> {
    /// The CPU window (normal runs only): `hold` (the other side) is stopped meanwhile,
    /// if given; see [`Ctx::measure_window`].
    pub fn cpu_window(&mut self, me: &mut Proc, hold: Option<&Proc>) -> Result<()> {
        if !self.s.measure_cpu {
            return Ok(());
        }
        if let Some(h) = hold {
            stop(h);
        }
        let r = self.measure_window(me.pid());
        if let Some(h) = hold {
            resume(h);
        }
        r
    }

    /// Once the program `pid` has started up (it is blocked in a call that waits for the
    /// other side, and its processes used at most one clock tick of CPU over 150 ms; or 2 s
    /// passed), its CPU over [`WINDOW`], while the
    /// other side is stopped or not due yet: a program that waits uses next to none, one
    /// that spins all of it. Interpreter and loader start-up (a Python's imports, a shell's
    /// forks) fall before the window.
    pub fn measure_window(&mut self, pid: u32) -> Result<()> {
        if !self.s.measure_cpu {
            return Ok(());
        }
        let t = Instant::now();
        self.wait_until(t + STARTUP, |c| {
            c.watch.look();
            let gone = matches!(observe::state(pid), Some('Z') | None);
            // Waiting for the other side (not for a child: a shell, an interpreter's
            // launcher wait for theirs while they start up).
            let waiting = observe::state(pid) == Some('S')
                && observe::blocked_in(pid).is_some_and(|call| call != "wait");
            gone || (waiting && c.watch.calm(CALM))
        })?;
        let startup = t.elapsed();
        let (t0, c0, calls) = (Instant::now(), self.watch.cpu(), self.watch.calls.len());
        self.nap(WINDOW)?;
        let (wall, cpu) = (t0.elapsed(), self.watch.cpu().saturating_sub(c0));
        let (runnable, _) = self.watch.runnable_since(t0);
        let seen = self.watch.calls[calls.saturating_sub(1).min(self.watch.calls.len())..].iter();
        self.o.blocked_in = seen.map(|c| c.to_string()).collect();
        if observe::state(pid).is_some_and(|s| s != 'Z') {
            self.o.window = Some(CpuWindow {
                cpu,
                wall,
                startup,
                runnable,
            });
        }
        Ok(())
    }
}

/// Stop a process and its group (SIGSTOP): the other side is busy, or slow, for a while.
pub fn stop(p: &Proc) {
    killpg(p.pid(), nix::sys::signal::Signal::SIGSTOP);
}

/// Let it go on (SIGCONT).
pub fn resume(p: &Proc) {
    killpg(p.pid(), nix::sys::signal::Signal::SIGCONT);
}
