//! Survival: 50+ malformed inputs, a second user, signal storms, and concurrent stress.

use crate::common::*;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

/// One malformed input: arguments, stdin, and a word the one-line error must contain.
struct Bad {
    args: Vec<std::ffi::OsString>,
    stdin: Vec<u8>,
    needle: &'static str,
}

fn bad(args: &[&str], needle: &'static str) -> Bad {
    Bad {
        args: args.iter().map(Into::into).collect(),
        stdin: Vec::new(),
        needle,
    }
}

#[test]
fn fifty_malformed_inputs_each_get_one_clear_line() {
    let s = Scratch::new("bad50");
    let d = |n: &str| s.path(n).display().to_string();
    std::fs::write(s.path("file"), b"x").unwrap();
    std::fs::write(s.path("empty"), b"").unwrap();
    std::fs::create_dir(s.path("dir")).unwrap();
    std::os::unix::fs::symlink(s.path("file"), s.path("link")).unwrap();
    let _sock = std::os::unix::net::UnixListener::bind(s.path("sock")).unwrap();
    let (kf, _) = s.keyfile("k", b'z');
    let kf = kf.display().to_string();
    let missing_key = format!("{:x}", ftok(&s.path("file"), 0x66));
    let long_name = "n".repeat(300);
    let mut cases = vec![
        // keys
        bad(&["shmread"], "KEY"),
        bad(&["shmread", "zz"], "hex digits"),
        bad(&["shmread", "-1"], "without a sign"),
        bad(&["shmread", "0x"], "0x"),
        bad(&["shmread", "100000000"], "32 bits"),
        bad(&["shmread", "0"], "IPC_PRIVATE"),
        bad(&["shmwrite", "12 34"], "hex"),
        bad(&["shmwrite", "g1"], "hex"),
        bad(&["shmread", &missing_key], "ENOENT"),
        bad(&["shmwrite", &missing_key, "--sync", "sem"], "ENOENT"),
        // names
        bad(&["shmpthreadcon", "a/b"], "one path component"),
        bad(&["shmpthreadcon", "/a/b"], "one path component"),
        bad(&["shmproducer", ""], "empty name"),
        bad(&["shmproducer", &long_name], "NAME_MAX"),
        bad(&["shmconsumer", ".."], "not a usable name"),
        bad(
            &["shmproducer", "ipclab-no-such-object", "--timeout", "0"],
            "ipclab shmconsumer ipclab-no-such-object",
        ),
        // paths
        bad(&["shmcon", &d("no/such/dir/k")], "directory does not exist"),
        bad(&["ftok", &d("missing")], "touch"),
        bad(&["fifo-read", &d("file")], "a regular file"),
        bad(&["fifo-read", &d("dir")], "a directory"),
        bad(&["fifo-read", &d("link")], "symbolic link"),
        bad(&["fifo-read", &d("sock")], "a socket"),
        bad(&["fifo-write", &d("file")], "not a FIFO"),
        bad(&["fifo-write", &d("sock")], "a socket"),
        bad(&["fifo-read", &d("no/dir/f")], "directory does not exist"),
        bad(&["mmap-file", "read", &d("missing")], "no such file"),
        bad(&["mmap-file", "read", &d("empty")], "SIGBUS"),
        bad(&["mmap-file", "read", &d("dir")], "not a regular file"),
        bad(&["mmap-file", "read", &d("sock")], "not a regular file"),
        bad(&["mmap-file", "edit", &d("empty"), "x"], "EINVAL"),
        bad(&["mmap-file", "write", &d("dir")], "directory"),
        bad(
            &["msg-client", "--path", &d("missing")],
            "key file must exist",
        ),
        bad(&["sem-demo", "--path", &d("missing")], "ftok"),
        // sizes and counts
        bad(&["shmpthreadcon", "x", "--items", "0"], "--items"),
        bad(
            &["shmpthreadcon", "x", "--buffer-size", "1"],
            "--buffer-size",
        ),
        bad(
            &["shmpthreadcon", "x", "--buffer-size", "99999999999"],
            "--buffer-size",
        ),
        bad(&["fifo-write", "--count", "0"], "--count"),
        bad(&["fifo-write", "--count", "-3"], "--count"),
        bad(&["msg-server", "--count", "0"], "--count"),
        bad(&["msg-client", "--type", "0"], "--type"),
        bad(
            &["msg-client", "--path", &kf, "--text", &"x".repeat(300)],
            "E2BIG",
        ),
        bad(
            &["shmproducer", "x", "--message", &"m".repeat(5000)],
            "shorten --message",
        ),
        // intervals and durations
        bad(&["shmcon", "--interval", "0"], "above zero"),
        bad(&["shmcon", "--interval", "soon"], "not a duration"),
        bad(&["shmread", "1234", "--interval", "-1s"], "not a duration"),
        bad(&["mmap-anon", "--delay", "1h"], "not a duration"),
        bad(&["fifo-write", "--interval", "1e3"], "not a duration"),
        bad(&["msg-client", "--timeout", "99999999s"], "too long"),
        // modes and ids
        bad(&["shmcon", "--mode", "888"], "octal"),
        bad(&["shmcon", "--mode", "1777"], "octal"),
        bad(&["shmpthreadcon", "--mode", "rw"], "octal"),
        bad(&["shmcon", "--proj-id", "300"], "low 8 bits"),
        bad(&["msg-server", "--proj-id", "zz"], "project id"),
        bad(&["shmcon", "--sync", "mutex"], "mutex"),
        bad(&["nosuchapplet"], "nosuchapplet"),
    ];
    // Not UTF-8 in an argument.
    cases.push(Bad {
        args: vec![
            "shmread".into(),
            std::ffi::OsStr::from_bytes(b"\xff\xfe").into(),
        ],
        stdin: Vec::new(),
        needle: "UTF-8",
    });
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut report = Vec::new();
    for c in &cases {
        let out = ipclab()
            .current_dir(&s.dir)
            .env("IPCLAB_STATE_DIR", s.path("state"))
            .args(&c.args)
            .write_stdin(c.stdin.clone())
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let shown: Vec<String> = c
            .args
            .iter()
            .map(|a| a.to_string_lossy().chars().take(40).collect())
            .collect();
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{shown:?}: {:?} {err}",
            out.status
        );
        assert_eq!(err.lines().count(), 1, "{shown:?}: {err:?}");
        assert!(
            err.contains(c.needle),
            "{shown:?}: {err:?} lacks {:?}",
            c.needle
        );
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
        report.push(format!(
            "{} -> [{}] {}",
            shown.join(" "),
            out.status.code().unwrap(),
            err.trim_end()
        ));
    }
    eprintln!("BAD-INPUTS ({} cases)\n{}", cases.len(), report.join("\n"));
    // Nothing those runs could have made is left.
    let left = ipclab()
        .env("IPCLAB_STATE_DIR", s.path("state"))
        .args(["ls", "--mine"])
        .output()
        .unwrap();
    assert!(String::from_utf8(left.stdout)
        .unwrap()
        .contains("(no IPC objects made by ipclab)"));
}

#[test]
fn odd_bytes_in_messages_are_carried_safely() {
    // NUL bytes, non-UTF-8 and a 1 MiB line through shmcon: no panic, nothing left.
    let s = Scratch::new("bytes");
    let (kf, key) = s.keyfile("k", 0x27);
    let mut input = b"a\0b\n\xff\xfe bytes\n".to_vec();
    input.extend(std::iter::repeat_n(b'y', 1 << 20));
    input.extend_from_slice(b"\nend\n");
    let out = ipclab()
        .arg("shmcon")
        .arg(&kf)
        .args(["--sync", "sem"])
        .write_stdin(input)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = out.stdout;
    let has = |needle: &[u8]| text.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"You wrote: a\n"), "text up to the NUL");
    assert!(
        has(b"You wrote: \xff\xfe bytes\n"),
        "bytes passed as they are"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1048577 bytes cut to 4095"));
    assert_no_sysv(key);
}

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
    let out = ipclab()
        .current_dir(&s.dir)
        .args([
            "fifo-write",
            "--count",
            "2000",
            "--interval",
            "0",
            "--random-size",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success());
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
