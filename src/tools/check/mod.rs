//! `ipclab check ROLE -- PROGRAM [ARGS…]`: grade a student's own IPC program against the
//! lecture's protocol. ipclab plays every other part of the demo with its own verified
//! applets ([`scenario`]), runs PROGRAM in ROLE as the slide's flow would (same argv, same
//! key, same struct layout), and gives each check a one-line verdict; on failure, what was
//! expected, what happened and a hint ([`checks`]); [`report`] prints them for a person or
//! for an autograder (JSON, Gradescope, TAP, JUnit). Exit 0 only if every check passed.
//!
//! Every role of the lecture's demos ([`roles`]): the System V trio of 8-1 … 8-3, the
//! POSIX pair of 8-4 … 8-6 and the slides' bounded buffer, the FIFO, the message queue, the
//! semaphore demo and the mmap notes' two unrelated processes. [`run`] is what every
//! scenario shares: a scratch directory, processes in groups of their own, deadlines.

pub mod checks;
pub mod leaks;
pub mod report;
pub mod roles;
pub mod run;
pub mod validate;
pub mod watch;

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
    after_help = "Example: ipclab check shmread -- ./shmread      (PROGRAM gets the key as its last argument)"
)]
pub struct Args {
    /// The part PROGRAM plays
    #[arg(value_enum)]
    pub role: Role,
    /// The student's program and its arguments (after --)
    #[arg(last = true, required = true, num_args = 1..)]
    pub program: Vec<OsString>,
    /// How many perturbed repetitions the `repeat` check runs
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub repeat: u64,
    /// The seed of the perturbation (printed in every report; default: from the clock)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Only these checks (comma-separated names)
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Longest a run may take before it counts as hung
    #[arg(long, default_value = "10s", value_parser = crate::units::interval)]
    pub timeout: Duration,
    /// How to print the verdicts
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Same as --format json
    #[arg(long)]
    pub json: bool,
}

/// Run the checks; an error (exit 1) when any failed.
pub fn run(args: Args) -> Result<()> {
    validate::only(&args.only, args.role)?;
    validate::program(&args.program[0])?;
    crate::sys::signals::catch_termination()?;
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_micros() as u64 % 1_000_000)
    });
    let verdicts = checks::all(&args, seed)?;
    let format = if args.json { Format::Json } else { args.format };
    report::print(&args, seed, &verdicts, format)?;
    let failed = verdicts.iter().filter(|v| !v.passed).count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} checks failed", verdicts.len());
    }
    Ok(())
}
