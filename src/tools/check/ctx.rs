//! What a role's scenario works with during a run ([`Ctx`]): its setup, the scratch
//! directory and key file, the student's program and ipclab's peers started in groups of
//! their own ([`Proc`]), waits with deadlines during which the student is watched, and
//! the outcome being filled in. [`super::run`] makes one and gives it to the role.

use super::observe::{self, Watch};
use super::outcome::{Ended, Outcome};
use super::Role;
use crate::objects::scratch;
use crate::sys::sandbox::Limits;
use anyhow::{anyhow, Context, Result};
use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What happens during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Ctrl-C (SIGINT) to the student's process group once it is waiting.
    Sigint,
    /// The peer goes away before it answers (msg-client: the queue is removed).
    PeerDies,
    /// The student starts alone, before ipclab's peer made anything (mmap-write).
    StartsFirst,
}

/// How the run is set up.
pub struct Setup<'a> {
    pub role: Role,
    /// PROGRAM (an absolute path, or a name found on PATH) and its own arguments.
    pub program: &'a [OsString],
    pub mode: Mode,
    /// `IPCLAB_JITTER` for the peer: (seed, max µs).
    pub jitter: Option<(u64, u64)>,
    pub timeout: Duration,
    pub run_no: u64,
    pub limits: Limits,
    /// Measure the CPU the program uses while it waits (the normal run).
    pub measure_cpu: bool,
    pub sealed: bool,
    /// Sealed in a user namespace of the run's own, as an ordinary user: RLIMIT_NPROC
    /// counts the run's other processes (its init, ipclab's peers) with the student's.
    pub nproc_shared: bool,
}

/// A started process: its child and where its output goes. Dropped while still running
/// (the grader interrupted, an error), its whole group is killed and reaped.
pub struct Proc {
    pub child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pgid = self.child.id();
        if matches!(self.child.try_wait(), Ok(None)) || observe::running_in_group(pgid) {
            killpg(pgid, nix::sys::signal::Signal::SIGKILL);
            let _ = self.child.wait();
        }
    }
}

/// A run in progress: what a role's scenario works with.
pub struct Ctx<'a> {
    pub s: &'a Setup<'a>,
    pub dir: scratch::Dir,
    pub keyfile: PathBuf,
    pub witness: PathBuf,
    pub deadline: Instant,
    pub o: Outcome,
    pub watch: Watch,
    pub(super) typist: Option<super::typist::Typist>,
    /// The open end of an `Input::Open` stdin, kept until the run ends.
    _held_stdin: Option<std::fs::File>,
    started_epoch: i64,
}

pub use super::typist::Input;

/// How long a program has to end after Ctrl-C or after its peer went away (generous: a
/// loaded lab server may take its time to schedule a correct program's cleanup).
pub const GRACE: Duration = Duration::from_secs(5);
impl<'a> Ctx<'a> {
    /// A run about to start, at `deadline`.
    pub fn new(
        s: &'a Setup<'a>,
        dir: scratch::Dir,
        keyfile: PathBuf,
        witness: PathBuf,
        deadline: Instant,
        o: Outcome,
        watch: Watch,
    ) -> Ctx<'a> {
        Ctx {
            s,
            dir,
            keyfile,
            witness,
            deadline,
            o,
            watch,
            typist: None,
            _held_stdin: None,
            started_epoch: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        }
    }
}

impl Ctx<'_> {
    /// The student's PROGRAM with its own arguments, then `last` (the key, the name…).
    pub fn student(&self, last: &[&OsStr]) -> Result<Command> {
        let (program, args) = self
            .s
            .program
            .split_first()
            .ok_or_else(|| anyhow!("no PROGRAM"))?;
        let mut c = Command::new(program);
        c.args(args).args(last);
        let limits = match self.s.nproc_shared {
            true => super::limits::beside_the_run(self.s.limits),
            false => self.s.limits,
        };
        crate::sys::sandbox::clean_start(&mut c, limits);
        // Its environment is the grader's, but for ipclab's own variables.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("IPCLAB_") {
                c.env_remove(k);
            }
        }
        c.env(
            "TMPDIR",
            self.dir.path().parent().unwrap_or(self.dir.path()),
        );
        Ok(c)
    }

    /// ipclab's own binary as the peer: perturbed when the run is, writing what it
    /// receives to the witness log, ending with the grader.
    pub fn peer(&self, args: &[&str]) -> Result<Command> {
        let mut c = crate::process::ipclab_command()?;
        c.args(args)
            .env(crate::protocols::witness::VAR, &self.witness)
            .env(crate::env::CONTROLLER_PID, std::process::id().to_string());
        if let Some((seed, max)) = self.s.jitter {
            c.env(crate::env::JITTER, format!("{seed}:{max}"));
        }
        Ok(c)
    }

    /// Start the student's `cmd` in the scratch directory, in a group of its own.
    pub fn start_student(&mut self, cmd: &mut Command, input: Input) -> Result<Proc> {
        let stdin = match input {
            Input::Null => Stdio::null(),
            Input::Typed | Input::Open => {
                let (r, w) = crate::sys::proc::pipe()?;
                crate::sys::proc::set_nonblocking(&w, true)?;
                let w = std::fs::File::from(w);
                match input {
                    Input::Typed => {
                        let mut lines: Vec<String> = self.o.payloads.clone();
                        lines.push("end".into());
                        self.typist = Some(super::typist::Typist::new(w, lines));
                    }
                    _ => self._held_stdin = Some(w),
                }
                Stdio::from(r)
            }
        };
        let p = self.spawn(cmd, "student", stdin)?;
        self.o.pid = p.pid();
        self.watch.main = Some(p.pid());
        self.watch.sample();
        Ok(p)
    }

    /// Start ipclab's peer `cmd` (output to `tag`.*), in a group of its own.
    pub fn start_peer(&mut self, cmd: &mut Command, tag: &str) -> Result<Proc> {
        let p = self.spawn(cmd, tag, Stdio::null())?;
        self.watch.peers.push(p.pid());
        Ok(p)
    }

    /// Start ipclab's peer with `stdin` (the payloads file: a peer that types).
    pub fn start_peer_typing(&mut self, cmd: &mut Command, tag: &str) -> Result<Proc> {
        let input = self.dir.join("input");
        let mut text: String = self.o.payloads.iter().map(|p| format!("{p}\n")).collect();
        text.push_str("end\n");
        std::fs::write(&input, text)?;
        let p = self.spawn(cmd, tag, std::fs::File::open(&input)?.into())?;
        self.watch.peers.push(p.pid());
        Ok(p)
    }

    fn spawn(&mut self, cmd: &mut Command, tag: &str, stdin: Stdio) -> Result<Proc> {
        let (out, err) = (
            self.dir.join(&format!("{tag}.out")),
            self.dir.join(&format!("{tag}.err")),
        );
        let child = cmd
            .current_dir(self.dir.path())
            .stdin(stdin)
            .stdout(std::fs::File::create(&out)?)
            .stderr(std::fs::File::create(&err)?)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
        Ok(Proc { child, out, err })
    }

    /// Look at the student's processes, stop it if it has too many, and type the next
    /// line when it is due.
    fn look(&mut self) {
        self.watch.look();
        if super::limits::too_many(&self.watch) {
            for pid in self.watch.live(false) {
                crate::sys::signals::kill(pid as i32, nix::sys::signal::Signal::SIGKILL);
            }
        }
        self.type_next();
    }

    /// Type the next line if it is due; close the stdin after the last (EOF after `end`).
    fn type_next(&mut self) {
        let Some(t) = self.typist.as_mut() else {
            return;
        };
        let heard = super::outcome::witnessed(&self.witness).len();
        if t.type_if_due(heard) {
            self.typist = None; // its end closes the student's stdin: EOF after `end`
        }
    }

    /// The run's start, in seconds since the epoch (one second early: `ctime` columns
    /// count whole seconds).
    pub fn started_at_epoch(&self) -> i64 {
        self.started_epoch - 1
    }

    /// Sleep `d`, watching meanwhile; a termination signal to the grader ends the run.
    pub fn nap(&mut self, d: Duration) -> Result<()> {
        let until = Instant::now() + d;
        loop {
            self.look();
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            crate::process::nap(left.min(Duration::from_millis(2)))?;
        }
    }

    /// Wait until `p` printed a line containing `needle` (false at the deadline).
    pub fn wait_line(&mut self, p: &Proc, needle: &str, deadline: Instant) -> Result<bool> {
        self.wait_until(deadline, |_| observe::has_line(&[&p.out, &p.err], needle))
    }

    /// Wait until `cond` holds (false at the deadline), watching meanwhile.
    pub fn wait_until(
        &mut self,
        deadline: Instant,
        mut cond: impl FnMut(&mut Self) -> bool,
    ) -> Result<bool> {
        loop {
            if cond(self) {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            self.nap(Duration::from_millis(2))?;
        }
    }

    /// Wait for the student until `deadline`, record how and when it ended and what of it
    /// is still alive, then let the peer finish (only if the student did its part) or stop
    /// it at once: the verdict is known.
    pub fn finish(
        &mut self,
        me: &mut Proc,
        peer: Option<&mut Proc>,
        event_at: Instant,
        deadline: Instant,
    ) -> Result<()> {
        // After the mode's event (Ctrl-C, the peer gone) it has GRACE to end.
        let deadline = match self.s.mode {
            Mode::Sigint | Mode::PeerDies => deadline.min(event_at + GRACE),
            _ => deadline,
        };
        self.o.status = self.wait_proc(me, deadline)?;
        self.o.ended_after = event_at.elapsed();
        self.o.out = observe::read(&me.out);
        self.o.err = observe::read(&me.err);
        // Its children get half a second to end after it.
        let gone = Instant::now() + Duration::from_millis(500);
        self.wait_until(gone, |c| c.watch.live(false).is_empty())?;
        self.o.strays = self
            .watch
            .live(false)
            .iter()
            .map(|p| observe::describe(*p))
            .collect();
        if let Some(p) = peer {
            self.finish_peer(p, self.o.ok())?;
        }
        Ok(())
    }

    /// Let ipclab's peer end by itself (`let_finish`: up to 3 s) or stop it now.
    pub fn finish_peer(&mut self, p: &mut Proc, let_finish: bool) -> Result<()> {
        self.o.peer_pid = p.pid();
        if !let_finish {
            killpg(p.pid(), nix::sys::signal::Signal::SIGTERM);
        }
        let st = self.wait_other(p, Duration::from_secs(if let_finish { 3 } else { 1 }))?;
        self.o.peer_ok = let_finish && st.is_some_and(Ended::success);
        self.o.peer_out.push_str(&observe::read(&p.out));
        self.o.peer_err.push_str(&observe::read(&p.err));
        Ok(())
    }

    /// Wait up to `limit` for a process of ipclab's (killed after it).
    pub fn wait_other(&mut self, p: &mut Proc, limit: Duration) -> Result<Option<Ended>> {
        self.wait_proc(p, Instant::now() + limit)
    }

    /// Wait for `p` until `deadline`, watching; kill its group at the deadline (None).
    fn wait_proc(&mut self, p: &mut Proc, deadline: Instant) -> Result<Option<Ended>> {
        loop {
            if let Some(st) = p.child.try_wait()? {
                return Ok(Some(Ended::from_status(st)));
            }
            if Instant::now() >= deadline {
                if self.watch.main == Some(p.pid()) {
                    self.o.spinning = self.watch.spinning();
                }
                // As a person would: SIGTERM (a program that cleans up on it leaves
                // nothing), then, a second later, SIGKILL.
                killpg(p.pid(), nix::sys::signal::Signal::SIGTERM);
                let until = Instant::now() + Duration::from_secs(1);
                while p.child.try_wait()?.is_none() && Instant::now() < until {
                    self.nap(Duration::from_millis(5))?;
                }
                killpg(p.pid(), nix::sys::signal::Signal::SIGKILL);
                let _ = p.child.wait();
                return Ok(None);
            }
            self.nap(Duration::from_millis(2))?;
        }
    }
}

/// Ctrl-C to the student's group.
pub fn sigint(p: &Proc) {
    killpg(p.pid(), nix::sys::signal::Signal::SIGINT);
}

pub fn killpg(pgid: u32, sig: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid as i32), sig);
}
