//! Survival under load: signal storms (SIGCHLD, SIGWINCH) lose nothing, and four of each
//! pair of demos at once each keep their own objects.

use crate::common::*;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::time::Duration;

/// Send `sig` to the group every millisecond until `stop`.
fn storm(
    pgid: i32,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            for sig in [Signal::SIGCHLD, Signal::SIGWINCH] {
                if killpg(Pid::from_raw(pgid), sig).is_ok() {
                    n += 1;
                }
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        n
    })
}

#[test]
fn sigchld_and_sigwinch_storms_lose_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    // A FIFO transfer and a sem-demo under a storm.
    let s = Scratch::new("storm");
    let mut rc = cmd();
    rc.current_dir(&s.dir).arg("fifo-read");
    let mut reader = Running::start(rc);
    reader.wait_for_err("waiting for a writer");
    let stop = Arc::new(AtomicBool::new(false));
    let st = storm(reader.pgid(), stop.clone());
    ipclab()
        .current_dir(&s.dir)
        .args([
            "fifo-write",
            "--count",
            "2000",
            "--interval",
            "0",
            "--random-size",
        ])
        .timeout(patience(Duration::from_secs(60)))
        .assert()
        .success();
    let (status, text, _) = reader.finish();
    stop.store(true, Ordering::Relaxed);
    let sent = st.join().unwrap();
    assert!(status.success());
    let seqs = fifo_seqs(&text);
    assert_eq!(
        seqs,
        (0..2000).collect::<Vec<_>>(),
        "every message once, in order"
    );
    eprintln!("fifo: 2000 messages under {sent} SIGCHLD/SIGWINCH");
    // shmcon --sync sem under a storm.
    let (kf, key) = s.keyfile("k", 0x27);
    let mut input = String::new();
    for i in 0..2000 {
        input.push_str(&format!("{i}\n"));
    }
    input.push_str("end\n");
    let mut c = cmd();
    c.arg("shmcon").arg(&kf).args(["--sync", "sem"]);
    let mut r = Running::start(c);
    let stop = Arc::new(AtomicBool::new(false));
    let st = storm(r.pgid(), stop.clone());
    {
        use std::io::Write;
        let mut stdin = r.child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let (status, text, err) = r.finish();
    stop.store(true, Ordering::Relaxed);
    st.join().unwrap();
    assert!(status.success(), "{err}");
    let got: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("You wrote: "))
        .collect();
    let want: Vec<String> = (0..2000)
        .map(|i| i.to_string())
        .chain(["end".to_string()])
        .collect();
    assert_eq!(got, want);
    assert_no_sysv(key);
}

/// What to check in a finished job's output.
type Check = Box<dyn FnOnce(String)>;

#[test]
fn stress_four_of_each_pair_at_once() {
    let s = Scratch::new("stress");
    let n = 10_000;
    let mut lines = String::new();
    for i in 0..n {
        lines.push_str(&format!("line {i}\n"));
    }
    lines.push_str("end\n");
    let mut jobs: Vec<(String, Running, Check)> = Vec::new();
    let mut keys = Vec::new();
    for i in 0..4 {
        // shmcon --sync sem
        let (kf, key) = s.keyfile(&format!("shm{i}"), 0x27);
        keys.push(key);
        let mut c = cmd();
        c.arg("shmcon").arg(&kf).args(["--sync", "sem"]);
        let mut r = Running::start(c);
        let input = lines.clone();
        let mut stdin = r.child.stdin.take().unwrap();
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(input.as_bytes());
        });
        jobs.push((
            format!("shmcon {i}"),
            r,
            Box::new(move |out: String| {
                let got: Vec<&str> = out
                    .lines()
                    .filter_map(|l| l.trim_start().strip_prefix("You wrote: line "))
                    .collect();
                assert_eq!(got.len(), n);
                assert!(got.iter().enumerate().all(|(i, g)| *g == i.to_string()));
            }),
        ));
        // A FIFO pair.
        let fifo = s.path(&format!("fifo{i}"));
        let mut c = cmd();
        c.arg("fifo-read").arg(&fifo);
        let mut reader = Running::start(c);
        reader.wait_for_err("waiting for a writer");
        let mut c = cmd();
        c.arg("fifo-write").arg(&fifo).args([
            "--count",
            &n.to_string(),
            "--interval",
            "0",
            "--random-size",
        ]);
        let writer = Running::start(c);
        jobs.push((format!("fifo-write {i}"), writer, Box::new(|_| {})));
        jobs.push((
            format!("fifo-read {i}"),
            reader,
            Box::new(move |out: String| {
                let seqs = fifo_seqs(&out);
                assert_eq!(seqs, (0..n as u64).collect::<Vec<_>>());
            }),
        ));
        // A message-queue pair.
        let (kf, key) = s.keyfile(&format!("msg{i}"), b'z');
        keys.push(key);
        let kfs = kf.display().to_string();
        let mut c = cmd();
        c.args(["msg-server", "--path", &kfs, "--count", &n.to_string()]);
        let mut server = Running::start(c);
        server.wait_for("My pid is");
        let mut c = cmd();
        c.args(["msg-client", "--path", &kfs, "--count", &n.to_string()]);
        let client = Running::start(c);
        jobs.push((
            format!("msg-client {i}"),
            client,
            Box::new(move |out: String| {
                assert_eq!(
                    out.lines()
                        .filter(|l| l.starts_with("Client: receive msg.mtype is: 999."))
                        .count(),
                    n
                );
            }),
        ));
        jobs.push((
            format!("msg-server {i}"),
            server,
            Box::new(move |out: String| {
                let seqs: Vec<usize> = out
                    .lines()
                    .filter_map(|l| {
                        l.strip_prefix("Server: receive msg.mtext is: hello, I'm client ")
                    })
                    .map(|l| {
                        l.split(" #")
                            .nth(1)
                            .unwrap()
                            .trim_end_matches('.')
                            .parse()
                            .unwrap()
                    })
                    .collect();
                assert_eq!(seqs, (0..n).collect::<Vec<_>>());
            }),
        ));
    }
    let t = std::time::Instant::now();
    for (name, r, check) in jobs {
        let (status, out, err) = r.finish_within(Duration::from_secs(300));
        assert!(status.success(), "{name}: {err}");
        check(out);
    }
    eprintln!(
        "stress: 4 shmcon + 4 FIFO pairs + 4 msg pairs x {n} messages in {:?}",
        t.elapsed()
    );
    for k in keys {
        assert_no_sysv(k);
    }
    for i in 0..4 {
        assert!(!s.path(&format!("fifo{i}")).exists());
    }
}
