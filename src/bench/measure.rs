//! One figure: a fresh pair of processes per run (a plain fork: both inherit the channel
//! made just before it), `--repeat` runs, the median and the spread.
//!
//! - *throughput*: the parent sends COUNT messages of SIZE bytes; the child receives and
//!   times them after a warm-up, and sends back what it counted;
//! - *latency*: ping-pong; the parent times each round trip after the warm-up; the one-way
//!   figure is half a round trip (median, p99, max).

use super::endpoints::{block_sigusr1, Endpoint, Side};
use super::mechanism::Mechanism;
use super::payload::{self, buffer, check, reserve, stamp};
use super::setup::Setup;
use super::{Args, Mode};
use crate::error::SysContext;
use crate::process;
use crate::sys::{proc, signals, Errno};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

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
    pub latency_ns_p99: Option<u64>,
    pub latency_ns_max: Option<u64>,
    pub placement: String,
}

/// What the receiving child counted (throughput), sent to the parent on a pipe.
#[derive(Serialize, Deserialize)]
struct Counted {
    messages: u64,
    seconds: f64,
}

/// What one run measured.
enum Measured {
    Rate(u64, f64),
    Rtts(Vec<u64>),
}

/// The plan of one run.
struct Run {
    m: Mechanism,
    mode: Mode,
    warm: u64,
    count: u64,
    deadline: Option<Duration>,
    /// `IPCLAB_BENCH_CORRUPT=N`: corrupt message N, to show that it is caught.
    corrupt: Option<u64>,
}

impl Run {
    /// The parent: send (throughput) or ping (latency); the round trips, for latency.
    fn parent(&self, ep: &mut dyn Endpoint, buf: &mut [u8], child: i32) -> Result<Vec<u64>> {
        let start = Instant::now();
        let more = |i: u64| match self.deadline {
            Some(d) => i < self.warm || start.elapsed() < d,
            None => i < self.warm + self.count,
        };
        let payload = !self.m.notification_only();
        let mut rtts = Vec::new();
        if self.mode == Mode::Latency {
            reserve(&mut rtts, self.count.min(1 << 20) as usize)?;
        }
        let mut i = 0;
        while more(i) {
            stamp(buf, i);
            if self.corrupt == Some(i) {
                buf[8] ^= 0xff;
            }
            if self.mode == Mode::Throughput {
                ep.send(buf)?;
            } else {
                let t = Instant::now();
                ep.send(buf)?;
                ep.recv(buf)?;
                let rtt = t.elapsed().as_nanos() as u64;
                if payload {
                    check(buf, i)?;
                }
                if i >= self.warm {
                    rtts.push(rtt);
                }
            }
            i += 1;
        }
        if payload && (self.mode == Mode::Latency || self.deadline.is_some()) {
            payload::stamp_end(buf);
            ep.send(buf)?;
        } else if !payload && self.deadline.is_some() {
            // A notification carries no end marker, and the child counts only without
            // --duration: end it.
            signals::kill(child, nix::sys::signal::Signal::SIGKILL);
        }
        Ok(rtts)
    }

    /// The child: receive and check (throughput, timed after the warm-up), or echo
    /// (latency); what it counted, for throughput.
    fn child(&self, ep: &mut dyn Endpoint, buf: &mut [u8]) -> Result<Option<Counted>> {
        let payload = !self.m.notification_only();
        let mut t0 = Instant::now();
        let mut seq = 0u64;
        loop {
            ep.recv(buf)?;
            if payload && payload::seq_of(buf) == payload::END {
                break;
            }
            if payload {
                check(buf, seq)?;
            }
            if self.mode == Mode::Latency {
                ep.send(buf)?;
            }
            seq += 1;
            if seq == self.warm && self.mode == Mode::Throughput {
                t0 = Instant::now();
            }
            let counting = self.mode == Mode::Throughput || !payload;
            if counting && self.deadline.is_none() && seq == self.warm + self.count {
                break;
            }
        }
        Ok((self.mode == Mode::Throughput).then(|| Counted {
            messages: seq.saturating_sub(self.warm),
            seconds: t0.elapsed().as_secs_f64(),
        }))
    }
}

fn pin(cpu: Option<usize>) {
    if let Some(c) = cpu {
        let mut set = nix::sched::CpuSet::new();
        if set.set(c).is_ok() {
            let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set);
        }
    }
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
        e.context(format!("{m}: setting up"))
    }
}

/// Run one test in a fresh pair of processes.
fn run_once(run: &Run, size: usize, args: &Args) -> Result<Measured> {
    let m = run.m;
    let setup = Setup::new(m, size, args.wait).map_err(|e| explain_setup(m, size, e))?;
    if m == Mechanism::Signal {
        block_sigusr1()?;
    }
    let (counted_r, counted_w) = proc::pipe().sys("pipe()")?;
    let parent_pid = std::process::id() as i32;
    signals::catch_child_exit().sys("sigaction(SIGCHLD)")?;
    signals::reset_child_exited();
    match process::fork()? {
        process::Side::Child => {
            drop(counted_r);
            pin(args.pin.get(1).copied());
            let r = (|| -> Result<()> {
                let mut ep = setup.endpoint(Side::Child, size, parent_pid)?;
                let mut buf = buffer(size)?;
                if let Some(c) = run.child(&mut *ep, &mut buf)? {
                    let text = serde_json::to_vec(&c)?;
                    proc::write(&counted_w, &text).sys("write(pipe)")?;
                }
                Ok(())
            })();
            process::child_exit(r)
        }
        process::Side::Parent(child) => {
            drop(counted_w);
            pin(args.pin.first().copied());
            let sent = (|| -> Result<Vec<u64>> {
                let mut ep = setup.endpoint(Side::Parent, size, child.pid)?;
                let mut buf = buffer(size)?;
                run.parent(&mut *ep, &mut buf, child.pid)
            })();
            if sent.is_err() && !signals::child_exited() {
                // The child may be waiting for a message that will not come.
                signals::kill(child.pid, nix::sys::signal::Signal::SIGTERM);
            }
            let counted = process::read_all(&counted_r)?;
            let (how, report) = child.wait()?;
            drop(setup);
            crate::error::check_interrupted()?;
            // The child's own error first: it saw the corrupted payload; the parent only saw
            // it leave.
            if let Some(line) = report {
                bail!("{m}: {line}");
            }
            let rtts = sent.with_context(|| m.to_string())?;
            match run.mode {
                Mode::Latency => Ok(Measured::Rtts(rtts)),
                Mode::Throughput => {
                    let c: Counted = serde_json::from_slice(&counted)
                        .map_err(|_| anyhow!("{m}: the receiver {how}"))?;
                    Ok(Measured::Rate(c.messages, c.seconds))
                }
            }
        }
    }
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

/// The median of `v` (sorted in place).
fn median<T: Copy + PartialOrd>(v: &mut [T]) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

/// Measure one (mechanism, mode, size), `--repeat` times.
pub fn measure(m: Mechanism, mode: Mode, size: usize, args: &Args) -> Result<Measurement> {
    let count = args.count.unwrap_or_else(|| default_count(mode, size));
    let run = Run {
        m,
        mode,
        warm: (count / 10).clamp(1, 1000),
        count,
        deadline: args.duration,
        corrupt: std::env::var("IPCLAB_BENCH_CORRUPT")
            .ok()
            .and_then(|v| v.parse().ok()),
    };
    let mut rates = Vec::new();
    let mut lats: [Vec<u64>; 3] = Default::default();
    let mut counted = 0;
    for _ in 0..args.repeat {
        match run_once(&run, size, args)? {
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
                lats[1].push(percentile(&r, 0.99) / 2);
                lats[2].push(r.last().copied().unwrap_or(0) / 2);
            }
        }
    }
    let rate = median(&mut rates);
    let lat = |k: usize| (mode == Mode::Latency).then(|| median(&mut lats[k].clone()));
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
        latency_ns_p99: lat(1),
        latency_ns_max: lat(2),
        placement: match args.pin.as_slice() {
            [a, b] => format!("cpu{a}->cpu{b}"),
            [a] => format!("cpu{a}->cpu{a}"),
            _ => "unpinned".into(),
        },
    })
}
