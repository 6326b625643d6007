//! The runs of one grading, at most `--jobs` at once: each started sealed (in its own
//! namespaces, so side by side runs cannot meet: see [`super::seal`]) or here, one after
//! the other; their outcomes collected as they end. [`super::grade`] plans them and
//! [`super::repeat`] adds the perturbed repetitions.

use super::ctx::{Mode, Setup};
use super::outcome::Outcome;
use super::run as scenario;
use super::seal::{self, Pending, Sealed};
use super::Args;
use anyhow::Result;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

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
        let user_ns = matches!(self.sealed, Sealed::Ns { user: true });
        let limits = super::limits::for_run(self.args.timeout, user_ns);
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
                nproc_shared: user_ns,
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
    // This /tmp is the run's own fresh tmpfs (seal.rs), and mkdir fails on any name already
    // there, a symlink too: nothing of anyone else's can be met under this fixed name.
    let d = std::path::Path::new("/tmp/ipclab-state");
    std::fs::DirBuilder::new().mode(0o700).create(d)?;
    // Safe here: the sealed run's init has one thread (it was forked from the grader).
    std::env::set_var(crate::env::STATE_DIR, d);
    Ok(())
}
