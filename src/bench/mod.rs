//! `ipclab bench`: every IPC mechanism measured side by side, the same way.
//!
//! For each mechanism and message size, a pair of processes (a plain fork: both inherit the
//! channel made just before it) runs:
//! - *throughput*: COUNT messages of SIZE bytes one way; the receiver times them (after a
//!   warm-up) and reports msg/s and bytes/s;
//! - *latency*: ping-pong round trips; the parent times each one; the one-way figure is half
//!   a round trip; median, p99 and max.
//!
//! Honest method: a warm-up before counting; every message carries its sequence number and a
//! checksum, and one payload byte per cache line is checked, so no mechanism wins by dropping,
//! repeating or tearing data (`IPCLAB_BENCH_CORRUPT=N` corrupts message N, to prove it);
//! `Instant` (CLOCK_MONOTONIC); `--pin A,B` pins parent and child; `--repeat N` reports the
//! median and the spread; the output says the machine and the placement of each figure.

pub mod channel;
mod report;

use crate::error::SysContext;
use crate::sys::proc::{self, Forked};
use crate::sys::spawn;
use anyhow::{anyhow, bail, Context, Result};
use channel::{Side, Wait};
use std::time::{Duration, Instant};

/// `ipclab bench`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab bench --only pipe,posix-shm --sizes 64,64K --count 20000")]
pub struct Args {
    /// Only these mechanisms (comma-separated): pipe, fifo, unix-stream, unix-dgram, tcp,
    /// sysv-msg, posix-mq, sysv-shm, posix-shm, mmap-file, eventfd, signal
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Message sizes, e.g. 64,4K,64K,1M
    #[arg(long, value_delimiter = ',', default_value = "64,4K,64K,1M", value_parser = size)]
    pub sizes: Vec<usize>,
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

/// Throughput or latency.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
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

/// Parse `64`, `4K`, `64K`, `1M`.
pub fn size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, mul) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 1024),
        Some('M' | 'm') => (&t[..t.len() - 1], 1024 * 1024),
        _ => (t, 1),
    };
    let n: usize = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size: write it like 64, 4K, 64K or 1M"))?;
    let v = n.saturating_mul(mul);
    if !(16..=64 << 20).contains(&v) {
        return Err(format!(
            "'{s}': sizes go from 16 bytes (the sequence number and checksum) to 64M"
        ));
    }
    Ok(v)
}

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Result1 {
    pub mechanism: String,
    pub mode: Mode,
    pub size: usize,
    pub count: u64,
    pub msgs_per_s: f64,
    pub bytes_per_s: f64,
    pub spread: (f64, f64),
    pub lat: Option<[u64; 3]>,
    pub placement: String,
}

const HEADER: usize = 16;

fn checksum(seq: u64, size: usize) -> u64 {
    (seq ^ size as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
}

/// Stamp message `seq` into `buf`: sequence, checksum, one byte per cache line.
fn stamp(buf: &mut [u8], seq: u64) {
    buf[..8].copy_from_slice(&seq.to_le_bytes());
    let sum = checksum(seq, buf.len());
    buf[8..16].copy_from_slice(&sum.to_le_bytes());
    let mut i = HEADER;
    while i < buf.len() {
        buf[i] = (seq as u8) ^ (i >> 6) as u8;
        i += 64;
    }
}

/// Check message `seq`.
fn check(buf: &[u8], seq: u64) -> Result<()> {
    let got = u64::from_le_bytes(buf[..8].try_into().unwrap());
    if got != seq {
        bail!("message {seq}: got message {got} (lost, repeated or reordered)");
    }
    if u64::from_le_bytes(buf[8..16].try_into().unwrap()) != checksum(seq, buf.len()) {
        bail!("message {seq}: corrupted payload (checksum)");
    }
    let mut i = HEADER;
    while i < buf.len() {
        if buf[i] != (seq as u8) ^ (i >> 6) as u8 {
            bail!("message {seq}: corrupted payload at byte {i}");
        }
        i += 64;
    }
    Ok(())
}

/// The address-space limit (`ulimit -v`), in words, for an allocation that failed.
fn memory_limit() -> String {
    use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};
    match getrlimit(Resource::RLIMIT_AS) {
        Ok((soft, _)) if soft != RLIM_INFINITY => {
            format!("the address-space limit (ulimit -v) is {} KiB", soft / 1024)
        }
        _ => "the machine is out of memory".to_string(),
    }
}

/// Room for `n` more items, or an error naming the size and the limit (never an abort).
fn reserve<T>(v: &mut Vec<T>, n: usize) -> Result<()> {
    v.try_reserve_exact(n).map_err(|_| {
        anyhow!(
            "cannot allocate {} bytes: {}; ask for smaller --sizes or a smaller --count",
            n * std::mem::size_of::<T>(),
            memory_limit()
        )
    })
}

/// A zeroed message buffer of `size` bytes.
fn buffer(size: usize) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    reserve(&mut v, size)?;
    v.resize(size, 0);
    Ok(v)
}

fn default_count(mode: Mode, size: usize) -> u64 {
    match (mode, size) {
        (Mode::Throughput, s) => ((256u64 << 20) / s as u64).clamp(200, 200_000),
        (Mode::Latency, s) if s <= 4096 => 20_000,
        (Mode::Latency, s) => ((64u64 << 20) / s as u64).clamp(100, 5_000),
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

/// What one run measured: (messages counted, seconds) or round-trip samples.
enum Measured {
    Rate(u64, f64),
    Rtts(Vec<u64>),
}

/// Run one test in a fresh pair of processes.
fn run_once(m: &str, mode: Mode, size: usize, count: u64, args: &Args) -> Result<Measured> {
    let setup = channel::setup(m, size, args.wait).map_err(|e| {
        let nomem = e.chain().any(|c| {
            c.downcast_ref::<crate::sys::Errno>() == Some(&crate::sys::Errno::ENOMEM)
                || c.downcast_ref::<std::io::Error>().and_then(|io| io.raw_os_error()) == Some(libc::ENOMEM)
        });
        if nomem {
            anyhow!(
                "{m}: cannot map the shared buffers for {} messages (ENOMEM): {}; ask for smaller --sizes",
                report::size_name(size),
                memory_limit()
            )
        } else {
            e.context(format!("{m}: setting up"))
        }
    })?;
    if m == "signal" {
        channel::block_sigusr1()?;
    }
    let warm = (count / 10).clamp(1, 1000);
    let corrupt: Option<u64> = std::env::var("IPCLAB_BENCH_CORRUPT")
        .ok()
        .and_then(|v| v.parse().ok());
    let deadline = args.duration;
    let (res_r, res_w) = proc::pipe()?;
    let parent_pid = std::process::id() as i32;
    crate::sys::signals::catch_child_exit()?;
    crate::sys::signals::reset_child_exited();
    // Termination signals are held until the child is registered for forwarding: a Ctrl-C
    // or SIGTERM at any moment reaches both sides, which stop, and the bench exits 128+N.
    let held = crate::sys::signals::hold();
    match proc::fork().sys("fork()")? {
        Forked::Child => {
            drop(held);
            drop(res_r);
            pin(args.pin.get(1).copied());
            let r = (|| -> Result<Vec<u8>> {
                let mut ep = setup.endpoint(Side::Child, size, parent_pid)?;
                let mut buf = buffer(size)?;
                match mode {
                    Mode::Throughput => {
                        let mut t0 = Instant::now();
                        let mut seq = 0u64;
                        loop {
                            ep.recv(&mut buf)?;
                            if buf[..8] == u64::MAX.to_le_bytes() {
                                break;
                            }
                            check(&buf, seq)?;
                            seq += 1;
                            if seq == warm {
                                t0 = Instant::now();
                            }
                            if deadline.is_none() && seq == warm + count {
                                break;
                            }
                        }
                        let secs = t0.elapsed().as_secs_f64();
                        let n = seq.saturating_sub(warm);
                        Ok([n.to_le_bytes(), secs.to_le_bytes()].concat())
                    }
                    Mode::Latency => {
                        let payload = !channel::notification_only(m);
                        let mut seq = 0u64;
                        loop {
                            ep.recv(&mut buf)?;
                            if payload && buf[..8] == u64::MAX.to_le_bytes() {
                                break;
                            }
                            if payload {
                                check(&buf, seq)?;
                            }
                            ep.send(&buf)?;
                            seq += 1;
                            if !payload && deadline.is_none() && seq == warm + count {
                                break;
                            }
                        }
                        Ok(Vec::new())
                    }
                }
            })();
            let code = match r {
                Ok(bytes) => {
                    let _ = proc::write(&res_w, &bytes);
                    0
                }
                Err(e) => {
                    let _ = proc::write(&res_w, format!("ERR{e:#}").as_bytes());
                    1
                }
            };
            crate::out::flush_all();
            std::process::exit(code);
        }
        Forked::Parent { child } => {
            crate::sys::signals::forward(child);
            drop(held);
            drop(res_w);
            pin(args.pin.first().copied());
            let run = (|| -> Result<Option<Vec<u64>>> {
                let mut ep = setup.endpoint(Side::Parent, size, child)?;
                let mut buf = buffer(size)?;
                let start = Instant::now();
                let more = |i: u64| match deadline {
                    Some(d) => i < warm || start.elapsed() < d,
                    None => i < warm + count,
                };
                match mode {
                    Mode::Throughput => {
                        let mut i = 0;
                        while more(i) {
                            stamp(&mut buf, i);
                            if corrupt == Some(i) {
                                buf[8] ^= 0xff;
                            }
                            ep.send(&buf)?;
                            i += 1;
                        }
                        if deadline.is_some() {
                            buf[..8].copy_from_slice(&u64::MAX.to_le_bytes());
                            ep.send(&buf)?;
                        }
                        Ok(None)
                    }
                    Mode::Latency => {
                        let payload = !channel::notification_only(m);
                        let mut rtts = Vec::new();
                        reserve(&mut rtts, count.min(1 << 20) as usize)?;
                        let mut i = 0;
                        while more(i) {
                            stamp(&mut buf, i);
                            if corrupt == Some(i) {
                                buf[8] ^= 0xff;
                            }
                            let t = Instant::now();
                            ep.send(&buf)?;
                            ep.recv(&mut buf)?;
                            let rtt = t.elapsed().as_nanos() as u64;
                            if payload {
                                check(&buf, i)?;
                            }
                            if i >= warm {
                                rtts.push(rtt);
                            }
                            i += 1;
                        }
                        if payload {
                            buf[..8].copy_from_slice(&u64::MAX.to_le_bytes());
                            ep.send(&buf)?;
                        } else if deadline.is_some() {
                            // A notification carries no end marker, and the child counts only
                            // without --duration: end it.
                            let _ = nix::sys::signal::kill(
                                nix::unistd::Pid::from_raw(child),
                                nix::sys::signal::Signal::SIGKILL,
                            );
                        }
                        Ok(Some(rtts))
                    }
                }
            })();
            let mut report = Vec::new();
            let mut b = [0u8; 4096];
            loop {
                match proc::read(&res_r, &mut b) {
                    Ok(0) => break,
                    Ok(n) => report.extend_from_slice(&b[..n]),
                    Err(crate::sys::Errno::EINTR) => continue,
                    Err(_) => break,
                }
            }
            let how = spawn::wait_pid(child).sys("waitpid()")?;
            crate::sys::signals::unforward(child);
            drop(setup);
            if let Some(err) = report.strip_prefix(b"ERR") {
                bail!("{m}: {}", String::from_utf8_lossy(err));
            }
            let rtts = run.with_context(|| m.to_string())?;
            match (mode, rtts) {
                (Mode::Latency, Some(r)) => Ok(Measured::Rtts(r)),
                (Mode::Throughput, _) => {
                    if report.len() != 16 {
                        bail!("{m}: the receiver {how}");
                    }
                    let n = u64::from_le_bytes(report[..8].try_into().unwrap());
                    let secs = f64::from_le_bytes(report[8..].try_into().unwrap());
                    Ok(Measured::Rate(n, secs))
                }
                _ => bail!("{m}: no result"),
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

/// Measure one (mechanism, mode, size), `--repeat` times.
fn measure(m: &str, mode: Mode, size: usize, args: &Args) -> Result<Result1> {
    let count = args.count.unwrap_or_else(|| default_count(mode, size));
    let mut rates = Vec::new();
    let mut lats = Vec::new();
    let mut counted = 0;
    for _ in 0..args.repeat {
        match run_once(m, mode, size, count, args)? {
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
                lats.push([
                    percentile(&r, 0.5) / 2,
                    percentile(&r, 0.99) / 2,
                    r.last().copied().unwrap_or(0) / 2,
                ]);
            }
        }
    }
    rates.sort_by(|a, b| a.total_cmp(b));
    let median = rates[rates.len() / 2];
    let lat = (!lats.is_empty()).then(|| {
        let pick = |k: usize| {
            let mut v: Vec<u64> = lats.iter().map(|l| l[k]).collect();
            v.sort_unstable();
            v[v.len() / 2]
        };
        [pick(0), pick(1), pick(2)]
    });
    Ok(Result1 {
        mechanism: m.to_string(),
        mode,
        size,
        count: counted,
        msgs_per_s: median,
        bytes_per_s: if channel::notification_only(m) {
            0.0
        } else {
            median * size as f64
        },
        spread: (rates[0], rates[rates.len() - 1]),
        lat,
        placement: match args.pin.as_slice() {
            [a, b] => format!("cpu{a}->cpu{b}"),
            [a] => format!("cpu{a}->cpu{a}"),
            _ => "unpinned".into(),
        },
    })
}

/// Run the benchmark.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    let only: Vec<String> = if args.only.is_empty() {
        channel::MECHANISMS.iter().map(|s| s.to_string()).collect()
    } else {
        args.only.clone()
    };
    for m in &only {
        if !channel::MECHANISMS.contains(&m.as_str()) {
            return Err(crate::error::usage(format!(
                "'{m}' is not a mechanism: choose from {}",
                channel::MECHANISMS.join(", ")
            )));
        }
    }
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
    let mut plan = Vec::new();
    for m in &only {
        for &mode in &modes {
            if mode == Mode::Throughput && channel::notification_only(m) {
                continue;
            }
            let sizes: &[usize] = if channel::notification_only(m) {
                &[16]
            } else {
                &args.sizes
            };
            for &s in sizes {
                plan.push((m.clone(), mode, s));
            }
        }
    }
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for (i, (m, mode, s)) in plan.iter().enumerate() {
        if let Some(sig) = crate::sys::signals::pending() {
            return Err(crate::error::Interrupted(sig).into());
        }
        if tty {
            eprint!(
                "\r\x1b[K[{}/{}] {m} {} {}",
                i + 1,
                plan.len(),
                mode.as_str(),
                report::size_name(*s)
            );
        }
        if let Some(why) = channel::unsupported(m, *s) {
            let line = format!("{m} {}: {why}", report::size_name(*s));
            if !skipped.contains(&line) {
                skipped.push(line);
            }
            continue;
        }
        results.push(measure(m, *mode, *s, &args)?);
    }
    if tty {
        eprint!("\r\x1b[K");
    }
    if args.json {
        crate::outln!("{}", report::json(&results))?;
    } else if args.csv {
        crate::out::write(format_args!("{}", report::csv(&results)))?;
    } else {
        report::human(&results, &skipped, &args)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_check() {
        for size in [16, 64, 1000, 4096] {
            let mut b = vec![0u8; size];
            stamp(&mut b, 42);
            assert!(check(&b, 42).is_ok());
            assert!(check(&b, 41).is_err());
            if size > 64 {
                b[80] ^= 1;
                assert!(check(&b, 42).unwrap_err().to_string().contains("corrupted"));
            }
        }
        assert_eq!(size("4K"), Ok(4096));
        assert_eq!(size("1M"), Ok(1 << 20));
        assert!(size("8").is_err() && size("x").is_err());
    }
}
