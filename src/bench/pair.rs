//! One run in a fresh pair of processes (a plain fork: both inherit the channel made just
//! before it).
//!
//! - *throughput*: the parent sends messages of SIZE bytes, the child receives, checks and
//!   times them after a warm-up, and sends back what it counted;
//! - *latency*: ping-pong; the parent times each round trip after the warm-up.
//!
//! The parent sends until it has sent the warm-up and `count` messages or its time budget
//! is spent, whichever comes first, then an end marker; a notification (eventfd, signal)
//! carries no marker, so there both sides count.
//!
//! Placement: with `--pin A,B` the process is moved to B *before* the fork, so the child
//! never runs anywhere else, and the parent then moves itself to A. Each side reads its
//! CPUs back from the kernel (`sched_getaffinity`) and the report prints what they were.

use super::endpoints::{block_sigusr1, Endpoint, Side};
use super::mechanism::Mechanism;
use super::payload::{self, buffer, check, reserve, stamp};
use super::setup::Setup;
use super::Mode;
use crate::error::SysContext;
use crate::process;
use crate::process::affinity::{my_cpus, pin};
use crate::sys::{proc, signals};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// What one run does.
pub struct Run {
    pub m: Mechanism,
    pub mode: Mode,
    pub size: usize,
    pub warm: u64,
    /// Messages or round trips to count after the warm-up (u64::MAX: until the budget).
    pub count: u64,
    /// Stop sending after this long (the warm-up always completes).
    pub budget: Option<Duration>,
    /// The layout of shared memory, per direction.
    pub shape: super::ring::Shape,
    pub wait: super::ring::Wait,
    /// `--pin`: the parent's CPU and the child's.
    pub pin: Option<(usize, usize)>,
    /// `IPCLAB_BENCH_CORRUPT=N`: corrupt message N, to show that it is caught.
    pub corrupt: Option<u64>,
    /// How much of each message is checked.
    pub verify: super::payload::Verify,
}

/// What the child tells the parent at the end.
#[derive(Serialize, Deserialize)]
struct ChildReport {
    /// Throughput: messages counted after the warm-up, and the seconds they took.
    counted: Option<(u64, f64)>,
    /// The CPUs the child was allowed to run on.
    cpus: Vec<usize>,
}

/// What one run measured, and where the two sides ran.
pub enum Measured {
    Rate(u64, f64),
    Rtts(Vec<u64>),
}

impl Run {
    /// The parent: send (throughput) or ping (latency); the round trips, for latency.
    fn parent(&self, ep: &mut dyn Endpoint, buf: &mut [u8]) -> Result<Vec<u64>> {
        let payload = !self.m.notification_only();
        let mut rtts = Vec::new();
        if self.mode == Mode::Latency {
            reserve(&mut rtts, self.count.min(1 << 20) as usize)?;
        }
        // The clock is read every 256 messages only: a read costs as much as a message.
        let (start, end) = (Instant::now(), self.warm.saturating_add(self.count));
        let mut out_of_time = false;
        let mut i = 0;
        while i < self.warm || (i < end && !out_of_time) {
            stamp(buf, i, self.verify);
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
                    check(buf, i, self.verify)?;
                }
                if i >= self.warm {
                    rtts.push(rtt);
                }
            }
            i += 1;
            if i % 256 == 0 {
                out_of_time = self.budget.is_some_and(|b| start.elapsed() >= b);
            }
        }
        if payload {
            payload::stamp_end(buf);
            ep.send(buf)?;
        }
        Ok(rtts)
    }

    /// The child: receive and check (throughput, timed after the warm-up), or echo
    /// (latency); for throughput, what it counted and how long it took.
    fn child(&self, ep: &mut dyn Endpoint, buf: &mut [u8]) -> Result<Option<(u64, f64)>> {
        let payload = !self.m.notification_only();
        let mut t0 = Instant::now();
        let mut seq = 0u64;
        // Checking only the ends, an echo need not bring the whole message in first.
        let whole = self.verify == super::payload::Verify::Lines;
        loop {
            match self.mode {
                Mode::Latency => ep.echo(buf, whole)?,
                Mode::Throughput => ep.recv(buf)?,
            }
            if payload && payload::seq_of(buf) == payload::END {
                break;
            }
            if payload {
                check(buf, seq, self.verify)?;
            }
            seq += 1;
            if seq == self.warm && self.mode == Mode::Throughput {
                t0 = Instant::now();
            }
            if !payload && seq == self.warm.saturating_add(self.count) {
                break;
            }
        }
        Ok((self.mode == Mode::Throughput)
            .then(|| (seq.saturating_sub(self.warm), t0.elapsed().as_secs_f64())))
    }

    /// Run once in a fresh pair of processes: what was measured, and the CPUs of the parent
    /// and of the child, as the kernel had them.
    pub fn once(&self) -> Result<(Measured, Vec<usize>, Vec<usize>)> {
        let (m, size) = (self.m, self.size);
        let setup = Setup::new(m, size, self.shape, self.wait)?;
        if m == Mechanism::Signal {
            block_sigusr1()?;
        }
        let (report_r, report_w) = proc::pipe().sys("pipe()")?;
        let parent_pid = std::process::id() as i32;
        signals::catch_child_exit().sys("sigaction(SIGCHLD)")?;
        signals::reset_child_exited();
        if let Some((_, b)) = self.pin {
            pin(&[b])?;
        }
        match process::fork()? {
            process::Side::Child => {
                drop(report_r);
                let r = (|| -> Result<()> {
                    let mut ep = setup.endpoint(Side::Child, size, parent_pid)?;
                    let mut buf = buffer(size)?;
                    let counted = self.child(&mut *ep, &mut buf)?;
                    let report = ChildReport {
                        counted,
                        cpus: my_cpus(),
                    };
                    let text = serde_json::to_vec(&report)?;
                    proc::write(&report_w, &text).sys("write(pipe)")?;
                    Ok(())
                })();
                process::child_exit(r)
            }
            process::Side::Parent(child) => {
                drop(report_w);
                let pinned = self.pin.map_or(Ok(()), |(a, _)| pin(&[a]));
                let sent = pinned.and_then(|()| {
                    let mut ep = setup.endpoint(Side::Parent, size, child.pid)?;
                    let mut buf = buffer(size)?;
                    self.parent(&mut *ep, &mut buf)
                });
                if sent.is_err() && !signals::child_exited() {
                    // The child may be waiting for a message that will not come.
                    signals::kill(child.pid, nix::sys::signal::Signal::SIGTERM);
                }
                let report = process::read_all(&report_r)?;
                let (how, error) = child.wait()?;
                drop(setup);
                crate::error::check_interrupted()?;
                // The child's own error first: it saw the corrupted payload; the parent only
                // saw it leave.
                if let Some(line) = error {
                    bail!("{m}: {line}");
                }
                let rtts = sent.with_context(|| m.to_string())?;
                let report: ChildReport = serde_json::from_slice(&report)
                    .map_err(|_| anyhow!("{m}: the receiver {how}"))?;
                let measured = match (self.mode, report.counted) {
                    (Mode::Latency, _) => Measured::Rtts(rtts),
                    (Mode::Throughput, Some((n, secs))) => Measured::Rate(n, secs),
                    (Mode::Throughput, None) => bail!("{m}: the receiver counted nothing"),
                };
                Ok((measured, my_cpus(), report.cpus))
            }
        }
    }
}
