//! `ipclab bench`: every IPC mechanism measured side by side, the same way.
//!
//! For each mechanism and message size, a pair of processes measures throughput (messages
//! one way) and latency (ping-pong); see [`measure`]. The parts:
//!
//! | module | holds |
//! |---|---|
//! | [`mechanism`] | the mechanisms, their limits and why each costs what it costs |
//! | [`setup`] | what a mechanism holds between the two processes, made before the fork |
//! | [`endpoints`], [`ring`] | each side's send and receive (the shared-memory ring apart) |
//! | [`payload`] | what every message carries, so a dropped, repeated or torn one is caught |
//! | [`pair`] | one run in a fresh pair of processes, pinned before the fork |
//! | [`measure`] | how long each run is; the median and spread of `--repeat` |
//! | [`report`] | the tables, the bar charts, JSON and CSV (one [`measure::Measurement`] type) |
//!
//! Honest method: a warm-up before counting; checked payloads (`IPCLAB_BENCH_CORRUPT=N`
//! corrupts message N, to prove it); `Instant` (CLOCK_MONOTONIC); `--pin A,B` pins parent
//! and child; `--repeat N` reports the median and the spread; the output says the machine
//! and the placement of each figure.
// The bench times the raw calls, untraced on purpose (a trace would be what it measures):
// it may use what clippy.toml keeps the demos from using.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod endpoints;
pub mod measure;
pub mod mechanism;
pub mod pair;
pub mod payload;
pub mod report;
pub mod ring;
pub mod setup;

use anyhow::Result;
use mechanism::Mechanism;
use ring::Wait;
use serde::Serialize;
use std::time::Duration;

// `ipclab bench`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab bench --only pipe,posix-shm --sizes 64,64K --count 20000")]
pub struct Args {
    /// Only these mechanisms (comma-separated)
    #[arg(long, value_delimiter = ',', value_enum)]
    pub only: Vec<Mechanism>,
    /// Message sizes, e.g. 64,4K,64K,1M [default: 64,4K,64K,1M; with --quick 64,4K]
    #[arg(long, value_delimiter = ',', value_parser = crate::units::size)]
    pub sizes: Vec<usize>,
    /// A short run for class: sizes 64 and 4K, 50 ms per test (a few seconds in all)
    #[arg(long)]
    pub quick: bool,
    /// Bytes per direction of the throughput ring of posix-shm and mmap-file [default: half
    /// the L2 cache]
    #[arg(long, value_parser = crate::units::size)]
    pub ring_bytes: Option<usize>,
    /// Messages (throughput) or round trips (latency) per test; default scales with the size
    #[arg(long, allow_negative_numbers = true, value_parser = crate::units::count)]
    pub count: Option<u64>,
    /// Stop each test after this time instead of a count
    #[arg(long, allow_hyphen_values = true, value_parser = crate::units::interval)]
    pub duration: Option<Duration>,
    /// Pin the parent and the child to these CPUs, e.g. 0,1 (or 0,0: one CPU)
    #[arg(long, value_delimiter = ',', num_args = 1)]
    pub pin: Vec<usize>,
    /// Run each test N times; report the median and the spread
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
    /// How the shared-memory rings wait
    #[arg(long, value_enum, default_value_t)]
    pub wait: Wait,
    /// How much of each message the receiver checks
    #[arg(long, value_enum, default_value_t)]
    pub verify: payload::Verify,
    /// Only throughput or only latency
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// One JSON array of results
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV, one line per result
    #[arg(long)]
    pub csv: bool,
}

impl Args {
    /// The sizes to measure.
    pub fn sizes(&self) -> Vec<usize> {
        match (self.sizes.is_empty(), self.quick) {
            (false, _) => self.sizes.clone(),
            (true, true) => vec![64, 4 << 10],
            (true, false) => vec![64, 4 << 10, 64 << 10, 1 << 20],
        }
    }

    /// The throughput ring's bytes per direction, and why that many.
    pub fn ring_choice(&self) -> (usize, String) {
        match self.ring_bytes {
            Some(b) => (b, "--ring-bytes".into()),
            None => ring::default_ring_bytes(self.pin.last().copied().unwrap_or(0)),
        }
    }

    /// The throughput ring's bytes per direction.
    pub fn ring_bytes(&self) -> usize {
        self.ring_choice().0
    }
}

/// Throughput or latency.
#[derive(clap::ValueEnum, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Throughput,
    Latency,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Throughput => "throughput",
            Mode::Latency => "latency",
        }
    }
}

/// Run the benchmark.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    let only: Vec<Mechanism> = match args.only.is_empty() {
        true => Mechanism::ALL.to_vec(),
        false => args.only.clone(),
    };
    if args.pin.len() > 2 {
        return Err(crate::error::usage("--pin takes one or two CPUs, like 0,1"));
    }
    let ncpu = nix::unistd::sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN)
        .ok()
        .flatten()
        .unwrap_or(1) as usize;
    if let Some(&c) = args.pin.iter().find(|&&c| c >= ncpu) {
        return Err(crate::error::usage(format!(
            "--pin {c}: this machine has CPUs 0-{}",
            ncpu - 1
        )));
    }
    let modes: Vec<Mode> = match args.mode {
        Some(m) => vec![m],
        None => vec![Mode::Throughput, Mode::Latency],
    };
    let sizes = args.sizes();
    let mut plan = Vec::new();
    for &m in &only {
        for &mode in &modes {
            if mode == Mode::Throughput && m.notification_only() {
                continue;
            }
            let sizes: &[usize] = match m.notification_only() {
                true => &[payload::HEADER],
                false => &sizes,
            };
            for &s in sizes {
                plan.push((m, mode, s));
            }
        }
    }
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for (i, &(m, mode, s)) in plan.iter().enumerate() {
        crate::error::check_interrupted()?;
        if tty {
            eprint!(
                "\r\x1b[K[{}/{}] {m} {} {}",
                i + 1,
                plan.len(),
                mode.as_str(),
                crate::units::size_name(s)
            );
        }
        if let Some(why) = m.unsupported(s) {
            let line = format!("{m} {}: {why}", crate::units::size_name(s));
            if !skipped.contains(&line) {
                skipped.push(line);
            }
            continue;
        }
        results.push(measure::measure(m, mode, s, &args)?);
    }
    if tty {
        eprint!("\r\x1b[K");
    }
    if args.json {
        crate::outln!("{}", report::json(&results)?)?;
    } else if args.csv {
        crate::out::write(format_args!("{}", report::csv(&results)?))?;
    } else {
        report::human(&results, &skipped, &args)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_parse() {
        use crate::units::{size, size_name};
        assert_eq!(size("4K"), Ok(4096));
        assert_eq!(size("1M"), Ok(1 << 20));
        assert!(size("8").is_err() && size("x").is_err());
        assert_eq!(size_name(65536), "64K");
    }
}
