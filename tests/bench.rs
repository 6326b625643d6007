//! `ipclab bench` with tiny counts: every mechanism runs and checks its payloads; the JSON
//! has the documented keys; a corrupted payload is detected. (No timing is asserted: the
//! machines are shared and noisy.)

use crate::common::*;

const KEYS: [&str; 10] = [
    "mechanism",
    "mode",
    "size",
    "count",
    "msgs_per_s",
    "bytes_per_s",
    "latency_ns_p50",
    "latency_ns_p99",
    "latency_ns_max",
    "placement",
];

#[test]
fn every_mechanism_runs_with_checked_payloads_and_json_keys() {
    let out = ipclab()
        .args(["bench", "--count", "300", "--sizes", "64,4K", "--json"])
        .timeout(patience(std::time::Duration::from_secs(120)))
        .succeeds();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    for m in [
        "pipe",
        "fifo",
        "unix-stream",
        "unix-dgram",
        "tcp",
        "sysv-msg",
        "posix-mq",
        "sysv-shm",
        "posix-shm",
        "mmap-file",
        "eventfd",
        "signal",
        "rpc",
    ] {
        let mine: Vec<&serde_json::Value> = v.iter().filter(|o| o["mechanism"] == m).collect();
        assert!(!mine.is_empty(), "{m} missing");
        assert!(
            mine.iter().any(|o| o["mode"] == "latency"),
            "{m}: no latency"
        );
        let notify = m == "eventfd" || m == "signal" || m == "rpc";
        assert_eq!(
            mine.iter().any(|o| o["mode"] == "throughput"),
            !notify,
            "{m}"
        );
        for o in mine {
            for k in KEYS {
                assert!(o.get(k).is_some(), "{m}: {k} missing in {o}");
            }
            assert!(o["msgs_per_s"].as_f64().unwrap() > 0.0, "{o}");
            assert_eq!(o["placement"], "unpinned");
            if o["mode"] == "latency" {
                let p50 = o["latency_ns_p50"].as_u64().unwrap();
                let max = o["latency_ns_max"].as_u64().unwrap();
                assert!(p50 > 0 && p50 <= max, "{o}");
            } else {
                assert!(o["latency_ns_p50"].is_null());
                assert_eq!(o["count"], 300);
            }
        }
    }
    // Nothing left behind: no queue, set, /dev/shm entry or mqueue of the bench's.
    let left = std::fs::read_dir("/dev/shm")
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("ipclab-bench"));
    assert!(!left);
}

#[test]
fn a_corrupted_payload_is_detected() {
    for (m, mode) in [
        ("pipe", "throughput"),
        ("posix-shm", "latency"),
        ("sysv-msg", "throughput"),
    ] {
        let out = ipclab()
            .env("IPCLAB_BENCH_CORRUPT", "150")
            .args([
                "bench", "--only", m, "--mode", mode, "--count", "300", "--sizes", "256",
            ])
            .timeout(patience(std::time::Duration::from_secs(60)))
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{m}: {err}");
        assert!(err.contains("message 150: corrupted payload"), "{m}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn pinning_csv_duration_and_bad_options() {
    let out = ipclab()
        .args([
            "bench",
            "--only",
            "pipe,eventfd",
            "--pin",
            "0,0",
            "--duration",
            "100ms",
            "--sizes",
            "64",
            "--csv",
        ])
        .timeout(patience(std::time::Duration::from_secs(60)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("mechanism,mode,size,count,msgs_per_s"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows.iter().all(|r| r.ends_with(",cpu0->cpu0")));
    for (args, needle) in [
        (
            vec!["bench", "--only", "carrier-pigeon"],
            "possible values: pipe, fifo",
        ),
        (vec!["bench", "--sizes", "8"], "16 bytes"),
        (vec!["bench", "--pin", "999"], "--pin 999"),
        (vec!["bench", "--count", "0"], "--count"),
    ] {
        let out = ipclab().args(&args).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn quick_ring_bytes_verify_and_two_cpu_placement() {
    // Two CPUs where the machine has them, else one: the placement is read back.
    let two = std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2;
    let (pin, placement) = if two {
        ("0,1", "cpu0->cpu1")
    } else {
        ("0", "cpu0->cpu0")
    };
    let out = ipclab()
        .args([
            "bench",
            "--quick",
            "--only",
            "posix-shm,pipe",
            "--verify",
            "lines",
        ])
        .args(["--ring-bytes", "1K", "--pin", pin, "--json"])
        .timeout(patience(std::time::Duration::from_secs(60)))
        .succeeds();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    // --quick: sizes 64 and 4K, both modes, both mechanisms.
    assert_eq!(v.len(), 8, "{v:?}");
    let sizes: std::collections::BTreeSet<u64> =
        v.iter().map(|o| o["size"].as_u64().unwrap()).collect();
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), [64, 4096]);
    for o in &v {
        assert_eq!(o["placement"], placement, "{o}");
        let ring = &o["ring_bytes"];
        match (
            o["mechanism"].as_str().unwrap(),
            o["mode"].as_str().unwrap(),
        ) {
            // A ring never smaller than four slots, whatever --ring-bytes asks for.
            ("posix-shm", "throughput") => {
                assert!(
                    ring.as_u64().unwrap() >= 4 * o["size"].as_u64().unwrap(),
                    "{o}"
                )
            }
            // Latency: one hot slot per direction, a header and the message.
            ("posix-shm", "latency") => {
                let (r, s) = (ring.as_u64().unwrap(), o["size"].as_u64().unwrap());
                assert!(r > s && r <= s + 128, "{o}")
            }
            _ => assert!(ring.is_null(), "{o}"),
        }
    }
    // The report says what it chose, in words, on the terminal-style output too.
    let out = ipclab()
        .args(["bench", "--only", "posix-shm", "--mode", "throughput"])
        .args(["--sizes", "64", "--count", "200", "--ring-bytes", "64K"])
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("--ring-bytes"), "{text}");
}

#[test]
fn large_messages_end_cleanly_in_both_modes() {
    // The end marker of a 1 MiB ping-pong must not be echoed into a pipe nobody reads
    // (it would fill it and block for ever), nor end the run with EPIPE.
    for m in [
        "pipe",
        "fifo",
        "unix-stream",
        "tcp",
        "posix-shm",
        "mmap-file",
    ] {
        let out = ipclab()
            .args([
                "bench", "--only", m, "--sizes", "1M", "--count", "20", "--csv",
            ])
            .timeout(patience(std::time::Duration::from_secs(60)))
            .succeeds();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 3, "{m}: {text}");
    }
}
