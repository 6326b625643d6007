//! Survival of bad input: 50+ malformed inputs, each one clear line; odd bytes carried safely.

use crate::common::*;
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
            .timeout(patience(Duration::from_secs(20)))
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
        .timeout(patience(Duration::from_secs(30)))
        .succeeds();
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
