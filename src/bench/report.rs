//! How `ipclab bench` shows its results: a table per mode, a log-scale bar chart, JSON, CSV,
//! one line per mechanism on why it costs what it costs, and memcpy for scale.

use super::measure::Measurement;
use super::mechanism::Mechanism;
use super::{Args, Mode};
use crate::outln;
use anyhow::Result;
use std::time::Instant;

/// The JSON array: one object per line, keys as in [`Measurement`].
pub fn json(results: &[Measurement]) -> Result<String> {
    crate::out::json_lines(results)
}

/// CSV with a header line: the same fields as the JSON, in the same order.
pub fn csv(results: &[Measurement]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in results {
        w.serialize(r)?;
    }
    Ok(String::from_utf8(
        w.into_inner().map_err(|e| e.into_error())?,
    )?)
}

/// memcpy bandwidth of `len` bytes (best of a few), bytes/s; its buffers allocated
/// fallibly (a limit on memory makes it an error that says so, not an abort).
fn memcpy_rate(len: usize) -> Result<f64> {
    let mut src = super::payload::buffer(len)?;
    src.fill(7);
    let mut dst = super::payload::buffer(len)?;
    let reps = ((256usize << 20) / len).clamp(3, 1000);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..reps {
            dst.copy_from_slice(std::hint::black_box(&src));
            std::hint::black_box(&mut dst);
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    Ok(len as f64 / best)
}

fn human_rate(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}K", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

fn bar(v: f64, lo: f64, hi: f64) -> String {
    let width = 40.0;
    let (l, h) = (lo.max(1.0).log10(), hi.max(1.0).log10());
    let n = if h > l {
        ((v.max(1.0).log10() - l) / (h - l) * (width - 1.0) + 1.0).round()
    } else {
        width
    };
    "#".repeat(n.clamp(1.0, width) as usize)
}

/// The human report.
pub fn human(results: &[Measurement], skipped: &[String], args: &Args) -> Result<()> {
    let ncpu = nix::unistd::sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN)
        .ok()
        .flatten()
        .unwrap_or(0);
    let uname = nix::sys::utsname::uname().ok();
    let kernel = uname
        .as_ref()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default();
    let placement = results
        .first()
        .map(|r| r.placement.clone())
        .unwrap_or_default();
    outln!(
        "machine: {ncpu} CPUs, Linux {kernel}; placement (read back from the kernel): {placement}; repeat {}",
        args.repeat
    )?;
    let (ring, why) = args.ring_choice();
    outln!(
        "shared-memory rings: latency through hot slots (one per direction below 4K, one shared from 4K up); throughput through {} per direction ({why}); waiting: {} (--wait)",
        crate::units::size_name(ring),
        clap::ValueEnum::to_possible_value(&args.wait).map_or_else(String::new, |v| v.get_name().to_owned())
    )?;
    let sizes: Vec<usize> = {
        let mut v: Vec<usize> = results
            .iter()
            .filter(|r| r.size > 16 || args.sizes().contains(&16))
            .map(|r| r.size)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mechs: Vec<Mechanism> = {
        let mut v: Vec<Mechanism> = Vec::new();
        for r in results {
            if !v.contains(&r.mechanism) {
                v.push(r.mechanism);
            }
        }
        v
    };
    let find = |m: Mechanism, mode: Mode, s: usize| {
        results
            .iter()
            .find(|r| r.mechanism == m && r.mode == mode && r.size == s)
    };
    if results.iter().any(|r| r.mode == Mode::Throughput) {
        outln!("\nthroughput, one way: messages/s and bytes/s")?;
        let mut head = format!("{:<12}", "mechanism");
        for s in &sizes {
            head.push_str(&format!(" {:>22}", crate::units::size_name(*s)));
        }
        outln!("{head}")?;
        for m in &mechs {
            let mut line = format!("{:<12}", m.name());
            let mut any = false;
            for s in &sizes {
                let cell = match find(*m, Mode::Throughput, *s) {
                    Some(r) => {
                        any = true;
                        format!(
                            "{}/s {}B/s",
                            human_rate(r.msgs_per_s as f64),
                            human_rate(r.bytes_per_s as f64)
                        )
                    }
                    None => "-".into(),
                };
                line.push_str(&format!(" {cell:>22}"));
            }
            if any {
                outln!("{line}")?;
            }
        }
    }
    if results.iter().any(|r| r.mode == Mode::Latency) {
        outln!("\nlatency, one way (half a round trip): median / p99 / max, µs")?;
        let mut head = format!("{:<12}", "mechanism");
        for s in &sizes {
            head.push_str(&format!(" {:>24}", crate::units::size_name(*s)));
        }
        outln!("{head}")?;
        for m in &mechs {
            let mut line = format!("{:<12}", m.name());
            for s in &sizes {
                // Notification-only mechanisms carry no payload: one figure, in the first column.
                let r = find(*m, Mode::Latency, *s).or_else(|| {
                    (m.notification_only() && Some(s) == sizes.first())
                        .then(|| find(*m, Mode::Latency, 16))
                        .flatten()
                });
                let lat =
                    r.and_then(|r| Some([r.latency_ns_p50?, r.latency_ns_p99?, r.latency_ns_max?]));
                let cell = match lat {
                    Some([a, b, c]) => format!(
                        "{:.2} / {:.2} / {:.0}",
                        a as f64 / 1e3,
                        b as f64 / 1e3,
                        c as f64 / 1e3
                    ),
                    None => "-".into(),
                };
                line.push_str(&format!(" {cell:>24}"));
            }
            outln!("{line}")?;
        }
    }
    // Bar charts (log scale): throughput at the smallest size, latency medians.
    let tp: Vec<&Measurement> = results
        .iter()
        .filter(|r| r.mode == Mode::Throughput && Some(&r.size) == sizes.first())
        .collect();
    if !tp.is_empty() {
        let lo = tp
            .iter()
            .map(|r| r.msgs_per_s as f64)
            .fold(f64::MAX, f64::min);
        let hi = tp.iter().map(|r| r.msgs_per_s as f64).fold(0.0, f64::max);
        outln!(
            "\nmessages/s at {} bytes (log scale)",
            crate::units::size_name(tp[0].size)
        )?;
        for r in &tp {
            outln!(
                "{:<12} {:<40} {}/s",
                r.mechanism.name(),
                bar(r.msgs_per_s as f64, lo / 2.0, hi),
                human_rate(r.msgs_per_s as f64)
            )?;
        }
    }
    let lat: Vec<(&str, u64)> = mechs
        .iter()
        .filter_map(|m| {
            results
                .iter()
                .filter(|r| r.mechanism == *m && r.mode == Mode::Latency)
                .find_map(|r| Some((m.name(), r.latency_ns_p50?.max(1))))
        })
        .collect();
    if !lat.is_empty() {
        let lo = lat.iter().map(|l| l.1 as f64).fold(f64::MAX, f64::min);
        let hi = lat.iter().map(|l| l.1 as f64).fold(0.0, f64::max);
        outln!("\none-way latency, median, smallest size (log scale; shorter is faster)")?;
        for (m, v) in &lat {
            outln!(
                "{m:<12} {:<40} {:.2} µs",
                bar(*v as f64, lo / 2.0, hi),
                *v as f64 / 1e3
            )?;
        }
    }
    outln!("\nwhy each costs what it costs:")?;
    for m in &mechs {
        outln!("  {:<12} {}", m.name(), m.why())?;
    }
    let big = memcpy_rate(64 << 20).map_err(|e| anyhow::anyhow!("the memcpy reference: {e:#}"))?;
    let small = memcpy_rate(1 << 20).map_err(|e| anyhow::anyhow!("the memcpy reference: {e:#}"))?;
    outln!(
        "\nmemcpy on this machine: {}B/s for 64 MiB, {}B/s for a cache-resident 1 MiB",
        human_rate(big),
        human_rate(small)
    )?;
    if let Some(r) = find(Mechanism::PosixShm, Mode::Throughput, 1 << 20) {
        let rate = r.bytes_per_s as f64;
        outln!(
            "posix-shm ring at 1 MiB messages: {}B/s = {:.0}% of the cache-resident 1 MiB memcpy, {:.0}% of the 64 MiB one (each message is copied twice, into the ring and out; the ring's few MiB mostly stay in cache)",
            human_rate(rate),
            100.0 * rate / small,
            100.0 * rate / big
        )?;
    }
    for s in skipped {
        outln!("not measured: {s}")?;
    }
    Ok(())
}
