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
        .timeout(std::time::Duration::from_secs(120))
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
    ] {
        let mine: Vec<&serde_json::Value> = v.iter().filter(|o| o["mechanism"] == m).collect();
        assert!(!mine.is_empty(), "{m} missing");
        assert!(
            mine.iter().any(|o| o["mode"] == "latency"),
            "{m}: no latency"
        );
        let notify = m == "eventfd" || m == "signal";
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
            .timeout(std::time::Duration::from_secs(60))
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
        .timeout(std::time::Duration::from_secs(60))
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
