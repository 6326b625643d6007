//! How `ipclab bench` shows its results: a table per mode, a log-scale bar chart, JSON, CSV,
//! one line per mechanism on why it costs what it costs, and memcpy for scale.

use super::{Args, Mode, Result1};
use crate::json::{self, Value};
use crate::outln;
use anyhow::Result;
use std::time::Instant;

/// `64`, `4K`, `64K`, `1M`.
pub fn size_name(s: usize) -> String {
    if s >= 1 << 20 && s % (1 << 20) == 0 {
        format!("{}M", s >> 20)
    } else if s >= 1024 && s % 1024 == 0 {
        format!("{}K", s >> 10)
    } else {
        s.to_string()
    }
}

/// The JSON array (keys as documented, plus the spread).
pub fn json(results: &[Result1]) -> String {
    let items: Vec<String> = results
        .iter()
        .map(|r| {
            let lat = |i: usize| r.lat.map(|l| Value::UInt(l[i])).unwrap_or(Value::Null);
            json::object(&[
                ("mechanism", Value::Str(r.mechanism.clone())),
                ("mode", Value::Str(r.mode.as_str().into())),
                ("size", Value::UInt(r.size as u64)),
                ("count", Value::UInt(r.count)),
                ("msgs_per_s", Value::Float(r.msgs_per_s.round())),
                ("bytes_per_s", Value::Float(r.bytes_per_s.round())),
                ("latency_ns_p50", lat(0)),
                ("latency_ns_p99", lat(1)),
                ("latency_ns_max", lat(2)),
                ("placement", Value::Str(r.placement.clone())),
                ("msgs_per_s_min", Value::Float(r.spread.0.round())),
                ("msgs_per_s_max", Value::Float(r.spread.1.round())),
            ])
        })
        .collect();
    json::array(&items)
}

/// CSV with a header line.
pub fn csv(results: &[Result1]) -> String {
    let mut out = String::from(
        "mechanism,mode,size,count,msgs_per_s,bytes_per_s,latency_ns_p50,latency_ns_p99,latency_ns_max,placement\n",
    );
    for r in results {
        let lat = |i: usize| r.lat.map(|l| l[i].to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{:.0},{:.0},{},{},{},{}\n",
            r.mechanism,
            r.mode.as_str(),
            r.size,
            r.count,
            r.msgs_per_s,
            r.bytes_per_s,
            lat(0),
            lat(1),
            lat(2),
            r.placement
        ));
    }
    out
}

fn why(m: &str) -> &'static str {
    match m {
        "pipe" => "two copies through a kernel buffer (write in, read out); a blocked reader costs a wake-up",
        "fifo" => "a pipe with a name: the same two copies and wake-ups",
        "unix-stream" => "two copies through socket buffers (skb allocation per write): a little more than a pipe",
        "unix-dgram" => "as unix-stream, plus one skb per message and message boundaries kept",
        "tcp" => "the whole TCP/IP stack on loopback: checksums off, but segmentation, ACKs and more code per byte",
        "sysv-msg" => "two copies through the kernel's message list; one msg_msg allocation per message, small maximum size",
        "posix-mq" => "like sysv-msg (copies into kernel memory), priority-ordered; maximum size and depth from /proc/sys/fs/mqueue",
        "sysv-shm" => "no copy through the kernel: one copy into the segment, one out; but two semop system calls per message",
        "posix-shm" => "a ring in shared memory: one copy in, one copy out, no system call when spinning; cost is cache-line transfers",
        "mmap-file" => "the same ring in a file mapping: identical in memory (page cache pages), writeback aside",
        "eventfd" => "notification only: a counter in the kernel; the cost is the write, the wake-up and the read",
        "signal" => "notification only: kill() + sigwait(); signal delivery is the heaviest wake-up",
        _ => "",
    }
}

/// memcpy bandwidth of `len` bytes (best of a few), bytes/s.
fn memcpy_rate(len: usize) -> f64 {
    let src = vec![7u8; len];
    let mut dst = vec![0u8; len];
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
    len as f64 / best
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
pub fn human(results: &[Result1], skipped: &[String], args: &Args) -> Result<()> {
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
        "machine: {ncpu} CPUs, Linux {kernel}; placement: {placement}; repeat {} (median, [min-max] spread); ring wait: {:?}",
        args.repeat,
        args.wait
    )?;
    let sizes: Vec<usize> = {
        let mut v: Vec<usize> = results
            .iter()
            .filter(|r| r.size > 16 || args.sizes.contains(&16))
            .map(|r| r.size)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mechs: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for r in results {
            if !v.contains(&r.mechanism) {
                v.push(r.mechanism.clone());
            }
        }
        v
    };
    let find = |m: &str, mode: Mode, s: usize| {
        results
            .iter()
            .find(|r| r.mechanism == m && r.mode == mode && r.size == s)
    };
    if results.iter().any(|r| r.mode == Mode::Throughput) {
        outln!("\nthroughput, one way: messages/s and bytes/s")?;
        let mut head = format!("{:<12}", "mechanism");
        for s in &sizes {
            head.push_str(&format!(" {:>22}", size_name(*s)));
        }
        outln!("{head}")?;
        for m in &mechs {
            let mut line = format!("{m:<12}");
            let mut any = false;
            for s in &sizes {
                let cell = match find(m, Mode::Throughput, *s) {
                    Some(r) => {
                        any = true;
                        format!(
                            "{}/s {}B/s",
                            human_rate(r.msgs_per_s),
                            human_rate(r.bytes_per_s)
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
            head.push_str(&format!(" {:>24}", size_name(*s)));
        }
        outln!("{head}")?;
        for m in &mechs {
            let mut line = format!("{m:<12}");
            for s in &sizes {
                // Notification-only mechanisms carry no payload: one figure, in the first column.
                let r = find(m, Mode::Latency, *s).or_else(|| {
                    (super::channel::notification_only(m) && Some(s) == sizes.first())
                        .then(|| find(m, Mode::Latency, 16))
                        .flatten()
                });
                let cell = match r.and_then(|r| r.lat) {
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
    let tp: Vec<&Result1> = results
        .iter()
        .filter(|r| r.mode == Mode::Throughput && Some(&r.size) == sizes.first())
        .collect();
    if !tp.is_empty() {
        let lo = tp.iter().map(|r| r.msgs_per_s).fold(f64::MAX, f64::min);
        let hi = tp.iter().map(|r| r.msgs_per_s).fold(0.0, f64::max);
        outln!(
            "\nmessages/s at {} bytes (log scale)",
            size_name(tp[0].size)
        )?;
        for r in &tp {
            outln!(
                "{:<12} {:<40} {}/s",
                r.mechanism,
                bar(r.msgs_per_s, lo / 2.0, hi),
                human_rate(r.msgs_per_s)
            )?;
        }
    }
    let lat: Vec<(&str, u64)> = mechs
        .iter()
        .filter_map(|m| {
            results
                .iter()
                .find(|r| &r.mechanism == m && r.mode == Mode::Latency && r.lat.is_some())
                .map(|r| (m.as_str(), r.lat.unwrap()[0].max(1)))
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
        outln!("  {m:<12} {}", why(m))?;
    }
    let big = memcpy_rate(64 << 20);
    let small = memcpy_rate(1 << 20);
    outln!(
        "\nmemcpy on this machine: {}B/s for 64 MiB, {}B/s for a cache-resident 1 MiB",
        human_rate(big),
        human_rate(small)
    )?;
    if let Some(r) = find("posix-shm", Mode::Throughput, 1 << 20) {
        outln!(
            "posix-shm ring at 1 MiB messages: {}B/s = {:.0}% of the cache-resident 1 MiB memcpy, {:.0}% of the 64 MiB one (each message is copied twice, into the ring and out; the ring's few MiB mostly stay in cache)",
            human_rate(r.bytes_per_s),
            100.0 * r.bytes_per_s / small,
            100.0 * r.bytes_per_s / big
        )?;
    }
    for s in skipped {
        outln!("not measured: {s}")?;
    }
    Ok(())
}
