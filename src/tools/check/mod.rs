//! `ipclab check ROLE -- PROGRAM [ARGS…]`: grade a student's own IPC program against the
//! lecture's protocol. ipclab plays every other part of the demo with its own verified
//! applets, runs PROGRAM in ROLE as the slide's flow would (same argv, same key, same
//! struct layout), and gives each check a one-line verdict; on failure, what was
//! expected, what happened and a hint naming the call to change ([`checks`]); [`report`]
//! prints them for a person or for an autograder (JSON, Gradescope, TAP, JUnit). Exit 0
//! only if every check passed. `--batch DIR` grades a whole class ([`batch`]).
//!
//! How a grading is made:
//! - [`seal`]: each run in namespaces of its own (`--isolation`), so it meets nothing of
//!   the user's and what it leaves is known exactly;
//! - [`run`]: one run of a role's scenario ([`roles`]): the student's program started
//!   clean and within [`limits`], ipclab's peer, what each saw ([`observe`], [`outcome`]);
//! - [`grade`]: the runs side by side, [`repeat`] within `--budget`, the verdicts judged on
//!   the protocol [`model`]; [`leaks`] finds what a run left; [`progress`] on a terminal.

pub mod batch;
pub mod checks;
pub mod ctx;
pub mod grade;
pub mod gradebook;
pub mod leaks;
pub mod limits;
pub mod model;
pub mod observe;
pub mod outcome;
pub mod progress;
pub mod repeat;
pub mod report;
pub mod roles;
pub mod run;
pub mod runs;
pub mod seal;
pub mod typist;
pub mod validate;
pub mod window;

use anyhow::Result;
use std::ffi::OsString;
use std::time::Duration;

/// The part the student's program plays (its argv: docs/check.md).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Algorithm 8-1: PROGRAM PATH makes the segment and vforks+execs ./alg.8-2-shmread.o and ./alg.8-3-shmwrite.o
    Shmcon,
    /// Algorithm 8-2: PROGRAM KEY attaches the segment and prints what the writer wrote
    Shmread,
    /// Algorithm 8-3: PROGRAM KEY reads lines from stdin into the segment until `end`
    Shmwrite,
    /// Algorithm 8-5: PROGRAM NAME writes "Hello World!" into the POSIX object
    Shmproducer,
    /// Algorithm 8-6: PROGRAM NAME maps the POSIX object and prints the producer's message
    Shmconsumer,
    /// The bounded buffer: PROGRAM NAME COUNT puts COUNT items into buffer[in]
    RingProducer,
    /// The bounded buffer: PROGRAM NAME COUNT takes COUNT items from buffer[out]
    RingConsumer,
    /// IPC全解析 二: PROGRAM (no argument) makes ./fifo1, reads it and prints each message
    FifoRead,
    /// IPC全解析 二: PROGRAM COUNT writes COUNT timestamped messages into ./fifo1
    FifoWrite,
    /// IPC全解析 三: PROGRAM PATH COUNT answers COUNT type-888 requests, then removes its queue
    MsgServer,
    /// IPC全解析 三: PROGRAM PATH sends a type-888 request and prints the type-999 reply
    MsgClient,
    /// IPC全解析 四: PROGRAM MS: a semaphore makes the father wait for the child
    SemDemo,
    /// The mmap notes: PROGRAM ROUNDS MS prints the string at offset 1024 of ./temp
    MmapRead,
    /// The mmap notes: PROGRAM ROUNDS MS writes the string at offset 1024 of ./temp
    MmapWrite,
}

/// How the verdicts are printed.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A table for people
    #[default]
    Table,
    /// One JSON object (stable keys)
    Json,
    /// Gradescope's results.json
    Gradescope,
    /// Test Anything Protocol
    Tap,
    /// JUnit XML (GitHub Classroom, CI)
    Junit,
}

// `ipclab check ROLE -- PROGRAM [ARGS…]`. (A comment: a doc comment would replace the about.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  ipclab check shmread -- ./shmread      (PROGRAM gets the key as its last argument)\n  ipclab check shmread --batch submissions/ --build make --jobs 2"
)]
pub struct Args {
    /// The part PROGRAM plays
    #[arg(value_enum)]
    pub role: Role,
    /// The student's program and its arguments (after --)
    #[arg(last = true, num_args = 1.., required_unless_present = "batch")]
    pub program: Vec<OsString>,
    /// At most this many perturbed repetitions for the `repeat` check
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub repeat: u64,
    /// Wall time for the whole grading of one program: `repeat` stops starting runs when
    /// the next would pass it (at least one runs; the report says how many did)
    #[arg(long, default_value = "12s", value_parser = crate::units::interval)]
    pub budget: Duration,
    /// The seed of the perturbation (printed in every report; default: from the clock)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Only these checks (comma-separated names)
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Longest a run may take before it counts as hung
    #[arg(long, default_value = "10s", value_parser = crate::units::interval)]
    pub timeout: Duration,
    /// Seal each run in namespaces of its own (auto: where the kernel allows it)
    #[arg(long, value_enum, default_value_t)]
    pub isolation: seal::Isolation,
    /// Runs (or, with --batch, programs) graded at once
    #[arg(long, default_value_t = default_jobs(), value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: u64,
    /// Grade every executable in DIR (or every directory, built with --build)
    #[arg(long, value_name = "DIR")]
    pub batch: Option<std::path::PathBuf>,
    /// With --batch: the command that builds a directory's program (run in a copy of it)
    #[arg(long, value_name = "COMMAND", requires = "batch")]
    pub build: Option<String>,
    /// With --batch: where the gradebook goes (PREFIX.csv and PREFIX.json)
    #[arg(
        long,
        value_name = "PREFIX",
        default_value = "gradebook",
        requires = "batch"
    )]
    pub gradebook: std::path::PathBuf,
    /// How to print the verdicts
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Same as --format json
    #[arg(long)]
    pub json: bool,
}

/// The CPUs this process may use, at most 4.
fn default_jobs() -> u64 {
    crate::process::affinity::my_cpus().len().clamp(1, 4) as u64
}

/// Run the checks (or the batch); an error (exit 1) when any failed.
pub fn run(args: Args) -> Result<()> {
    validate::only(&args.only, args.role)?;
    crate::sys::signals::catch_termination()?;
    let _reaper = seal::Reaper::become_one();
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_micros() as u64 % 1_000_000)
    });
    if let Some(dir) = args.batch.clone() {
        return batch::run(&args, &dir, seed);
    }
    let program = validate::program(&args.program)?;
    let keep = keep_visible(&program);
    let sealed = seal::decide(args.isolation, &keep)?;
    let shown = report::shown_program(&args.program);
    let mut progress =
        progress::Progress::new(format!("check {}", report::role_name(args.role)), false);
    let verdicts = grade::grade(&args, &program, seed, &sealed, &keep, &mut progress)?;
    progress.done();
    let format = if args.json { Format::Json } else { args.format };
    report::print(&args, &shown, seed, &sealed, &verdicts, format)?;
    let failed = verdicts.iter().filter(|v| !v.passed).count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} checks failed", verdicts.len());
    }
    Ok(())
}

/// What a sealed run must still see if it lives under /tmp or /dev/shm: the program (the
/// directory of its path, and of the file a symlink there leads to: a class directory of
/// links to builds elsewhere) and ipclab itself.
pub fn keep_visible(program: &[OsString]) -> Vec<std::path::PathBuf> {
    let path = program
        .first()
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute());
    let real = path.as_ref().and_then(|p| std::fs::canonicalize(p).ok());
    let mut keep: Vec<std::path::PathBuf> = path
        .into_iter()
        .chain(real)
        .filter_map(|p| p.parent().map(|d| d.to_path_buf()))
        .collect();
    keep.dedup();
    if let Ok(exe) = std::env::current_exe() {
        keep.push(exe);
    }
    keep
}
