//! Grading one program: the runs, side by side when they are sealed (each is alone in its
//! namespaces, so they cannot meet), one after the other otherwise; then each check's
//! verdict from what they saw.
//!
//! Step 1: the normal run (with the CPU window) and the event runs (`sigint`, `peer-dies`,
//! `starts-first`), `--jobs` at a time.
//! Step 2: `repeat` within what is left of `--budget` ([`super::repeat`]).
//! Step 3: the verdicts, in the order of [`super::validate::CHECKS`].

use super::checks::{self, Verdict};
use super::outcome::Outcome;
use super::run::{self as scenario, Mode, Setup};
use super::seal::{self, Pending, Sealed};
use super::Args;
use anyhow::Result;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One run to make.
#[derive(Debug, Clone)]
pub struct Spec {
    pub mode: Mode,
    /// (seed, max µs) of the peer's pauses; `None`: not perturbed.
    pub jitter: Option<(u64, u64)>,
    pub run_no: u64,
    pub measure_cpu: bool,
    /// The CPUs the run is pinned to (empty: all of this process's).
    pub cpus: Vec<usize>,
}

/// Runs in progress, at most `jobs` at once.
pub struct Runs<'a> {
    pub args: &'a Args,
    pub program: &'a [OsString],
    pub sealed: &'a Sealed,
    pub keep: &'a [PathBuf],
    pub jobs: usize,
    running: Vec<(usize, Pending<Outcome>)>,
}

impl<'a> Runs<'a> {
    pub fn new(
        args: &'a Args,
        program: &'a [OsString],
        sealed: &'a Sealed,
        keep: &'a [PathBuf],
    ) -> Self {
        let jobs = match sealed {
            Sealed::Ns { .. } => args.jobs.max(1),
            Sealed::None { .. } => 1,
        };
        Runs {
            args,
            program,
            sealed,
            keep,
            jobs: jobs as usize,
            running: Vec::new(),
        }
    }

    /// Is there room for one more run now?
    pub fn room(&self) -> bool {
        self.running.len() < self.jobs
    }

    /// How many runs are in progress.
    pub fn busy(&self) -> usize {
        self.running.len()
    }

    /// Start run `tag` (in a sealed child, or here: then it has ended when this returns).
    pub fn start(&mut self, tag: usize, spec: Spec) -> Result<()> {
        let sealed = matches!(self.sealed, Sealed::Ns { .. });
        let limits = super::limits::for_run(
            self.args.timeout,
            matches!(self.sealed, Sealed::Ns { user: true }),
        );
        let (args, program) = (self.args, self.program);
        let all = crate::process::affinity::my_cpus();
        let here_pin = !sealed && !spec.cpus.is_empty();
        if here_pin {
            crate::process::affinity::pin(&spec.cpus)?;
        }
        let pending = seal::run(self.sealed, self.keep, move || {
            if sealed {
                private_state()?;
                if !spec.cpus.is_empty() {
                    crate::process::affinity::pin(&spec.cpus)?;
                }
            }
            scenario::run(&Setup {
                role: args.role,
                program,
                mode: spec.mode,
                jitter: spec.jitter,
                timeout: args.timeout,
                run_no: spec.run_no,
                limits,
                measure_cpu: spec.measure_cpu,
                sealed,
            })
        });
        if here_pin && !all.is_empty() {
            crate::process::affinity::pin(&all)?;
        }
        self.running.push((tag, pending?));
        Ok(())
    }

    /// Wait for the next run to end: its tag and outcome.
    pub fn next_ended(&mut self) -> Result<Option<(usize, Outcome)>> {
        loop {
            if self.running.is_empty() {
                return Ok(None);
            }
            for i in 0..self.running.len() {
                if self.running[i].1.poll()? {
                    let (tag, mut p) = self.running.swap_remove(i);
                    return Ok(Some((tag, p.take()?)));
                }
            }
            crate::process::nap(Duration::from_millis(5))?;
        }
    }
}

/// In a sealed run, ipclab's registry in the run's own /tmp (the user's is read-only there
/// and must not learn of objects that vanish with the namespace).
fn private_state() -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let d = std::path::Path::new("/tmp/ipclab-state");
    std::fs::DirBuilder::new().mode(0o700).create(d)?;
    // Safe here: the sealed run's init has one thread (it was forked from the grader).
    std::env::set_var(crate::env::STATE_DIR, d);
    Ok(())
}

/// Every check asked for, in order.
pub fn grade(
    args: &Args,
    program: &[OsString],
    seed: u64,
    sealed: &Sealed,
    keep: &[PathBuf],
    progress: &mut super::progress::Progress,
) -> Result<Vec<Verdict>> {
    let t0 = Instant::now();
    let role = args.role;
    let want = |n: &str| {
        (args.only.is_empty() || args.only.iter().any(|o| o == n))
            && super::validate::applies(n, role)
    };
    let mut runs = Runs::new(args, program, sealed, keep);
    // Step 1: the normal run and the event runs.
    let mut modes = vec![(Mode::Normal, 0)];
    for (check, mode, n) in [
        ("sigint", Mode::Sigint, 1),
        ("peer-dies", Mode::PeerDies, 2),
        ("starts-first", Mode::StartsFirst, 3),
    ] {
        if want(check) {
            modes.push((mode, n));
        }
    }
    let mut outcomes: Vec<Option<Outcome>> = (0..modes.len()).map(|_| None).collect();
    let mut queue = modes.iter().enumerate();
    let mut done = 0;
    while done < modes.len() {
        while runs.room() {
            let Some((i, &(mode, n))) = queue.next() else {
                break;
            };
            progress.say(&format!("{} run", label(mode)));
            let spec = Spec {
                mode,
                jitter: None,
                run_no: seed + n,
                measure_cpu: mode == Mode::Normal,
                cpus: Vec::new(),
            };
            runs.start(i, spec)?;
        }
        if let Some((i, o)) = runs.next_ended()? {
            outcomes[i] = Some(o);
            done += 1;
        }
    }
    let mut outcomes = outcomes.into_iter().map(|o| o.expect("every run ended"));
    let normal = outcomes.next().expect("the normal run");
    // Step 2: repeat, within the budget.
    let repeat = want("repeat")
        .then(|| super::repeat::repeat(&mut runs, seed, &normal, t0, progress))
        .transpose()?;
    // Step 3: the verdicts.
    let mut v = Vec::new();
    if want("transcript") {
        v.extend(checks::transcript(role, &normal));
    }
    if want("data") {
        v.push(checks::data(role, &normal));
    }
    if want("end") {
        v.push(checks::end(role, &normal, args.timeout));
    }
    if want("no-leak") {
        v.push(checks::no_leak(&normal));
    }
    if want("no-stray") {
        v.push(checks::no_stray(&normal));
    }
    if want("cpu") {
        v.push(checks::cpu(&normal));
    }
    if want("limits") {
        v.push(checks::limits(&normal, args.timeout));
    }
    for &(mode, _) in &modes[1..] {
        let s = outcomes.next().expect("an event run");
        v.push(match mode {
            Mode::Sigint => checks::sigint(role, &s),
            Mode::PeerDies => checks::peer_dies(role, &s),
            _ => checks::starts_first(role, &s, args.timeout),
        });
    }
    v.extend(repeat);
    Ok(v)
}

fn label(mode: Mode) -> &'static str {
    match mode {
        Mode::Normal => "the normal",
        Mode::Sigint => "the Ctrl-C",
        Mode::PeerDies => "the peer-dies",
        Mode::StartsFirst => "the starts-first",
    }
}
