//! One run of a role's scenario, the part every role shares: a private scratch directory
//! (the key file, the peer's input with payloads new in every run), the student's
//! PROGRAM and ipclab's peer started in process groups of their own with their output in
//! files (no pipes to drain, no threads), waits with deadlines (a hanging program is a
//! failed check, never a hung grader), and what was left afterwards. The roles
//! ([`super::roles`]) say who starts when, as the slide's flow would.
//!
//! Step 1: the scratch directory, the key file and the payloads.
//! Step 2: the role's scenario (its objects, the peer, the student, the mode's event).
//! Step 3: what the student printed, how long it ran, what it left (reported, then removed).

use super::watch::{cpu_of, group_alive, read};
use super::Role;
use crate::objects::scratch;
use crate::sys::ipc::Key;
use anyhow::{anyhow, Context, Result};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
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

/// What one run saw.
#[derive(Debug, Default)]
pub struct Outcome {
    pub out: String,
    pub err: String,
    /// None: it did not end by the deadline (it was killed).
    pub status: Option<ExitStatus>,
    /// From the mode's event (or the start) to the student's end.
    pub ended_after: Duration,
    pub wall: Duration,
    pub cpu: Duration,
    pub peer_out: String,
    pub peer_err: String,
    /// Did ipclab's peer end well? (false: it failed, was stopped, or there was none)
    pub peer_ok: bool,
    pub pid: u32,
    pub peer_pid: u32,
    pub key: Key,
    pub id: i32,
    pub payloads: Vec<String>,
    /// Objects of the run still there after it (and after ipclab removed its own).
    pub left: Vec<String>,
    /// A process of the student's group still alive after it ended.
    pub stray: bool,
}

/// How the run is set up.
pub struct Setup<'a> {
    pub role: Role,
    pub program: &'a [OsString],
    pub mode: Mode,
    /// `IPCLAB_JITTER` for the peer: (seed, max µs).
    pub jitter: Option<(u64, u64)>,
    pub timeout: Duration,
    pub run_no: u64,
}

/// A started process: its child and where its output goes. Dropped while still running
/// (the grader interrupted, an error), its whole group is killed and reaped: nothing of a
/// check outlives it.
pub struct Proc {
    pub child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pgid = self.child.id();
        if matches!(self.child.try_wait(), Ok(None)) || super::watch::running_in_group(pgid) {
            // Still running, or strays of its group (reported by no-stray): end them all.
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
    /// The payloads, one per line, then `end`: stdin of whoever types.
    pub input: PathBuf,
    pub deadline: Instant,
    pub o: Outcome,
    cpu: Duration,
    /// The student's processes seen while it ran, and what they had open (its objects are
    /// found by them).
    seen: super::watch::Seen,
    /// The student's process group, once started; when its processes were last looked at.
    student: Option<u32>,
    looked: Instant,
}

/// How often the student's processes are looked at.
const LOOK_EVERY: Duration = Duration::from_millis(20);

impl Ctx<'_> {
    /// The student's PROGRAM with its own arguments, then `last` (the key, the name…).
    pub fn student(&self, last: &[&std::ffi::OsStr]) -> Result<Command> {
        let (program, args) = self
            .s
            .program
            .split_first()
            .ok_or_else(|| anyhow!("no PROGRAM"))?;
        // A path like ./shmread means the caller's directory, not the scratch one it runs in.
        let program = match Path::new(program).components().count() > 1 {
            true => std::path::absolute(program)?.into_os_string(),
            false => program.clone(),
        };
        let mut c = Command::new(program);
        c.args(args).args(last);
        Ok(c)
    }

    /// ipclab's own binary as the peer, perturbed when the run is.
    pub fn peer(&self, args: &[&str]) -> Result<Command> {
        let mut c = crate::process::ipclab_command()?;
        c.args(args);
        if let Some((seed, max)) = self.s.jitter {
            c.env("IPCLAB_JITTER", format!("{seed}:{max}"));
        }
        Ok(c)
    }

    /// Start `cmd` in the scratch directory, in a group of its own, output to `tag`.*.
    pub fn start(&mut self, cmd: &mut Command, tag: &str, stdin: Stdio) -> Result<Proc> {
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
        if tag == "student" {
            // Known at once, so what it made is found even if the run ends early.
            self.o.pid = child.id();
            self.seen.pids.push(child.id());
            self.student = Some(child.id());
        }
        Ok(Proc { child, out, err })
    }

    /// The typed input (payloads, then `end`) as a stdin.
    pub fn typed(&self) -> Result<Stdio> {
        Ok(std::fs::File::open(&self.input)?.into())
    }

    /// Wait for the student until `deadline`, then record how and when it ended, whether
    /// its group is gone, and let the peer finish (or stop it).
    pub fn finish(
        &mut self,
        me: &mut Proc,
        peer: Option<&mut Proc>,
        event_at: Instant,
        deadline: Instant,
        let_peer_finish: bool,
    ) -> Result<()> {
        self.o.status = wait(me, deadline, &mut self.cpu, Some(&mut self.seen))?;
        self.o.ended_after = event_at.elapsed();
        self.o.stray = group_alive(me.child.id());
        self.o.out = read(&me.out);
        self.o.err = read(&me.err);
        if let Some(p) = peer {
            self.o.peer_pid = p.child.id();
            if !let_peer_finish {
                killpg(self.o.peer_pid, nix::sys::signal::Signal::SIGTERM);
            }
            let grace = Instant::now() + Duration::from_secs(if let_peer_finish { 7 } else { 2 });
            let st = wait(p, grace, &mut Duration::default(), None)?;
            self.o.peer_ok = st.is_some_and(|s| s.success());
            self.o.peer_out = read(&p.out);
            self.o.peer_err = read(&p.err);
        }
        Ok(())
    }
}

impl Ctx<'_> {
    /// Look at the student's processes (at most every 20 ms): what they hold is found by it.
    fn look(&mut self) {
        if let Some(pgid) = self.student.filter(|_| self.looked.elapsed() >= LOOK_EVERY) {
            self.seen.sample(pgid);
            self.looked = Instant::now();
        }
    }

    /// Sleep `d`, looking at the student's processes meanwhile.
    pub fn nap(&mut self, d: Duration) -> Result<()> {
        let until = Instant::now() + d;
        loop {
            self.look();
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            crate::process::nap(left.min(Duration::from_millis(5)))?;
        }
    }

    /// Wait until `p` printed a line containing `needle`, on stdout or stderr (false at the
    /// deadline), looking at the student's processes meanwhile.
    pub fn wait_line(&mut self, p: &Proc, needle: &str, deadline: Instant) -> Result<bool> {
        loop {
            if super::watch::has_line(&[&p.out, &p.err], needle) {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            self.nap(Duration::from_millis(5))?;
        }
    }

    /// Wait (up to 5 s) for a helper ipclab started, appending what it printed to `into`;
    /// true if it ended well.
    pub fn finish_other(&self, p: &mut Proc, into: &mut String) -> Result<bool> {
        let st = wait(
            p,
            Instant::now() + Duration::from_secs(5),
            &mut Duration::default(),
            None,
        )?;
        into.push_str(&read(&p.out));
        Ok(st.is_some_and(|s| s.success()))
    }
}

/// Wait for `p` until `deadline`, sampling its CPU time and (every 20 ms, into `seen`) the
/// processes of its group and what they have open; kill its group at the deadline.
pub fn wait(
    p: &mut Proc,
    deadline: Instant,
    cpu: &mut Duration,
    mut seen: Option<&mut super::watch::Seen>,
) -> Result<Option<ExitStatus>> {
    let pid = p.child.id();
    let mut turn = 0u64;
    loop {
        if let Some(st) = p.child.try_wait()? {
            return Ok(Some(st));
        }
        *cpu = (*cpu).max(cpu_of(pid));
        if let Some(seen) = seen.as_deref_mut().filter(|_| turn % 4 == 0) {
            seen.sample(pid);
        }
        if Instant::now() >= deadline {
            killpg(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = p.child.wait();
            return Ok(None);
        }
        turn += 1;
        crate::process::nap(Duration::from_millis(5))?;
    }
}

/// Ctrl-C to the student's group.
pub fn sigint(p: &Proc) {
    killpg(p.child.id(), nix::sys::signal::Signal::SIGINT);
}

fn killpg(pgid: u32, sig: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid as i32), sig);
}

/// Run the scenario once.
pub fn run(s: &Setup) -> Result<Outcome> {
    // Step 1: the scratch directory, the key file, payloads new in every run.
    let t0 = Instant::now();
    let dir = scratch::Dir::new("check")?;
    let keyfile = dir.join("key");
    std::fs::write(&keyfile, b"")?;
    let payloads: Vec<String> = (1..=4)
        .map(|i| {
            format!(
                "check {}.{i}: {:08x}",
                s.run_no,
                (s.run_no * 2654435761 + i) as u32
            )
        })
        .collect();
    let input = dir.join("input");
    let mut text: String = payloads.iter().map(|p| format!("{p}\n")).collect();
    text.push_str("end\n");
    std::fs::write(&input, &text)?;
    let mut c = Ctx {
        s,
        dir,
        keyfile,
        input,
        deadline: t0 + s.timeout,
        o: Outcome {
            payloads,
            ..Outcome::default()
        },
        cpu: Duration::ZERO,
        seen: super::watch::Seen::default(),
        student: None,
        looked: t0,
    };
    // Step 2: the role's scenario (its processes are gone when it returns, even on an
    // error or an interruption).
    let played = super::roles::play(&mut c);
    // Step 3: what it left (reported, then removed if it is ours), whatever happened.
    c.o.wall = t0.elapsed();
    c.o.cpu = c.cpu;
    let key = c.o.key;
    c.o.left
        .extend(super::leaks::left_behind(key, &c.seen.pids));
    super::leaks::remove_left(key, &c.seen.pids);
    c.o.left.extend(super::leaks::files_left(&c.seen.paths));
    played.map(|()| c.o)
}
