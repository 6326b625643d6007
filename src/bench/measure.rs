//! One figure: `--repeat` runs of one (mechanism, mode, size), each in a fresh pair of
//! processes ([`super::pair`]); the median and the spread. Latency is one way: half a
//! round trip (median, mean, p99, max).
//!
//! How long: each run counts up to a number of messages that suits the size, or stops
//! after a time budget (250 ms, 50 ms with `--quick`), whichever comes first, so a slow
//! mechanism does not hold the whole bench up; `--count N` counts exactly N, `--duration D`
//! runs for D (eventfd and signal, which carry no end marker, count their default).

use super::mechanism::Mechanism;
use super::pair::{Measured, Run};
use super::payload;
use super::ring::{slots_in, Shape};
use super::{Args, Mode};
use crate::sys::Errno;
use anyhow::{anyhow, Result};
use serde::Serialize;
use std::time::Duration;

/// One measured figure: what `--json` and `--csv` print, field for field.
#[derive(Serialize, Debug, Clone)]
pub struct Measurement {
    pub mechanism: Mechanism,
    pub mode: Mode,
    pub size: usize,
    /// Messages (throughput) or round trips (latency) counted, after the warm-up.
    pub count: u64,
    /// Median of the runs, and the slowest and fastest run.
    pub msgs_per_s: u64,
    pub msgs_per_s_min: u64,
    pub msgs_per_s_max: u64,
    pub bytes_per_s: u64,
    /// One way (half a round trip), latency only.
    pub latency_ns_p50: Option<u64>,
    pub latency_ns_mean: Option<u64>,
    pub latency_ns_p99: Option<u64>,
    pub latency_ns_max: Option<u64>,
    /// The buffer per direction: a shared-memory ring's bytes (posix-shm, mmap-file).
    pub ring_bytes: Option<u64>,
    /// Where the two sides ran, as the kernel had them: `unpinned`, `cpu0->cpu1`, ...
    pub placement: String,
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn default_count(mode: Mode, size: usize) -> u64 {
    match (mode, size) {
        (Mode::Throughput, s) => ((256u64 << 20) / s as u64).clamp(200, 200_000),
        (Mode::Latency, s) if s <= 4096 => 20_000,
        (Mode::Latency, s) => ((64u64 << 20) / s as u64).clamp(100, 5_000),
    }
}

/// The CPUs of one side, as the report names them: `cpu0`, `cpu0-1`, or `any`.
fn cpus_name(cpus: &[usize]) -> String {
    let online = nix::unistd::sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN)
        .ok()
        .flatten()
        .unwrap_or(0) as usize;
    match cpus {
        [] => "?".into(),
        c if c.len() >= online => "any".into(),
        [one] => format!("cpu{one}"),
        [first, .., last] if last - first + 1 == cpus.len() => format!("cpu{first}-{last}"),
        c => format!(
            "cpu{}",
            c.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// `unpinned` when both sides may run anywhere, else `PARENT->CHILD`.
fn placement(parent: &[usize], child: &[usize]) -> String {
    match (cpus_name(parent), cpus_name(child)) {
        (p, c) if p == "any" && c == "any" => "unpinned".into(),
        (p, c) => format!("{p}->{c}"),
    }
}

/// The median of `v` (sorted in place).
fn median<T: Copy + PartialOrd>(v: &mut [T]) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

/// A setup that failed for want of memory says so, with the limit.
fn explain_setup(m: Mechanism, size: usize, e: anyhow::Error) -> anyhow::Error {
    let nomem = e.chain().any(|c| {
        c.downcast_ref::<Errno>() == Some(&Errno::ENOMEM)
            || c.downcast_ref::<std::io::Error>()
                .and_then(|io| io.raw_os_error())
                == Some(libc::ENOMEM)
            || c.to_string().contains("(ENOMEM)")
    });
    if nomem {
        anyhow!(
            "{m}: cannot map the shared buffers for {} messages (ENOMEM): {}; ask for smaller --sizes",
            crate::units::size_name(size),
            payload::memory_limit()
        )
    } else {
        e
    }
}

/// The plan of each run of one (mechanism, mode, size).
fn plan(m: Mechanism, mode: Mode, size: usize, args: &Args) -> Run {
    // A notification carries no end marker: its two sides count, so no time budget and,
    // under `--duration`, the default count.
    let count = match (args.count, args.duration) {
        (Some(n), _) => n,
        (None, Some(_)) if !m.notification_only() => u64::MAX,
        (None, _) => default_count(mode, size),
    };
    let budget = match (args.count, args.duration) {
        _ if m.notification_only() => None,
        (Some(_), _) => None,
        (None, Some(d)) => Some(d),
        (None, None) => Some(Duration::from_millis(if args.quick { 50 } else { 250 })),
    };
    let pin = match args.pin.as_slice() {
        [a, b] => Some((*a, *b)),
        [a] => Some((*a, *a)),
        _ => None,
    };
    let shape = match mode {
        Mode::Latency => Shape::HotSlot,
        Mode::Throughput => Shape::Ring(slots_in(args.ring_bytes(), size)),
    };
    Run {
        m,
        mode,
        size,
        warm: (count.min(10_000) / 10).max(1),
        count,
        budget,
        shape,
        wait: args.wait,
        pin,
        corrupt: std::env::var(crate::env::BENCH_CORRUPT)
            .ok()
            .and_then(|v| v.parse().ok()),
        verify: args.verify,
    }
}

/// Measure one (mechanism, mode, size), `--repeat` times.
pub fn measure(m: Mechanism, mode: Mode, size: usize, args: &Args) -> Result<Measurement> {
    let run = plan(m, mode, size, args);
    let mut rates = Vec::new();
    let mut lats: [Vec<u64>; 4] = Default::default();
    let mut counted = 0;
    let mut placed = String::new();
    for _ in 0..args.repeat {
        let (measured, parent, child) = run.once().map_err(|e| explain_setup(m, size, e))?;
        placed = placement(&parent, &child);
        match measured {
            Measured::Rate(n, secs) => {
                counted = n;
                rates.push(n as f64 / secs.max(1e-9));
            }
            Measured::Rtts(mut r) => {
                counted = r.len() as u64;
                r.sort_unstable();
                let sum: u64 = r.iter().sum();
                rates.push(r.len() as f64 / (sum as f64 / 1e9).max(1e-9));
                // One way = half a round trip.
                lats[0].push(percentile(&r, 0.5) / 2);
                lats[1].push(sum / r.len().max(1) as u64 / 2);
                lats[2].push(percentile(&r, 0.99) / 2);
                lats[3].push(r.last().copied().unwrap_or(0) / 2);
            }
        }
    }
    let rate = median(&mut rates);
    let lat = |k: usize| (mode == Mode::Latency).then(|| median(&mut lats[k].clone()));
    let ring = matches!(m, Mechanism::PosixShm | Mechanism::MmapFile);
    Ok(Measurement {
        mechanism: m,
        mode,
        size,
        count: counted,
        msgs_per_s: rate.round() as u64,
        msgs_per_s_min: rates[0].round() as u64,
        msgs_per_s_max: rates[rates.len() - 1].round() as u64,
        bytes_per_s: match m.notification_only() {
            true => 0,
            false => (rate * size as f64).round() as u64,
        },
        latency_ns_p50: lat(0),
        latency_ns_mean: lat(1),
        latency_ns_p99: lat(2),
        latency_ns_max: lat(3),
        ring_bytes: match (m, mode) {
            _ if ring => Some(run.shape.len(size) as u64),
            _ => None,
        },
        placement: placed,
    })
}
