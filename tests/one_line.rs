//! One line, right words: a failure is one line on stderr (a forked or exec'd child reports
//! through its parent), naming what was wrong. The kernel-limit cases run in a private IPC
//! namespace (`unshare -i`, root only), where msgmax and msgmnb can be lowered without
//! touching the machine's.

use crate::common::*;
use std::process::{Command, Stdio};

fn one_line(out: &std::process::Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: {err}");
    err
}

#[test]
fn a_full_stdout_is_one_line_for_parent_and_child() {
    let s = Scratch::new("devfull");
    std::fs::write(s.path("k"), b"").unwrap();
    let k = s.path("k").display().to_string();
    for args in [
        vec!["pipe"],
        vec!["pipe", "--reverse"],
        vec!["sem-demo", "--delay", "0", "--path", &k],
        vec!["mmap-anon"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = cmd().args(&args).stdout(full).output().unwrap();
        let err = one_line(&out, &args.join(" "));
        assert!(err.contains("No space left on device"), "{err}");
    }
    assert_no_sysv(ftok(&s.path("k"), b'z'));
}

#[test]
fn a_directory_as_stdin_is_one_line() {
    let s = Scratch::new("dirstdin");
    let (kf, key) = s.keyfile("k", 0x27);
    let dir = std::fs::File::open(&s.dir).unwrap();
    let out = cmd()
        .arg("shmcon")
        .arg(&kf)
        .args(["--interval", "10ms"])
        .stdin(dir)
        .output()
        .unwrap();
    let err = one_line(&out, "shmcon < DIR");
    assert!(
        err.starts_with("shmcon: shmwrite: ") && err.contains("Is a directory"),
        "{err}"
    );
    assert!(err.contains("removed shmid"), "{err}");
    assert_no_sysv(key);
}

/// `sh -c SCRIPT` in a new IPC namespace (root only).
fn in_ipc_namespace(script: &str, dir: &std::path::Path) -> Option<std::process::Output> {
    if skip_unless_root("a private IPC namespace, `unshare -i`") || skip_without("unshare") {
        return None;
    }
    let out = Command::new("unshare")
        .args(["-i", "sh", "-c", script])
        .current_dir(dir)
        .env("IPCLAB", bin())
        .env("IPCLAB_STATE_DIR", state_dir())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Some(out)
}

#[test]
fn a_msgmax_below_the_message_names_msgmax() {
    let s = Scratch::new("msgmax");
    std::fs::write(s.path("k"), b"").unwrap();
    let script = r#"echo 200 > /proc/sys/kernel/msgmax
"$IPCLAB" msg-server --path k --count 1 >/dev/null 2>&1 & server=$!
"$IPCLAB" msg-client --path k --timeout 2s >/dev/null; status=$?
{ kill $server; wait $server; } 2>/dev/null; exit $status"#;
    let Some(out) = in_ipc_namespace(script, &s.dir) else {
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    let last = err.lines().last().unwrap_or("");
    assert!(
        last.contains("msgmax (200)") && !last.contains("removed"),
        "{err}"
    );
}

#[test]
fn a_full_queue_is_waited_for_only_as_long_as_timeout() {
    let s = Scratch::new("msgfull");
    std::fs::write(s.path("k"), b"").unwrap();
    // One 256-byte request fills a 300-byte queue; the server is stopped, so nobody reads.
    let script = r#"echo 300 > /proc/sys/kernel/msgmnb
"$IPCLAB" msg-server --path k > server.out 2>&1 & server=$!
until grep -q 'My pid is' server.out; do sleep 0.01; done
kill -STOP $server
"$IPCLAB" msg-client --path k --timeout 5s >/dev/null 2>&1 & first=$!
until [ "$(awk 'NR>1 {print $5}' /proc/sysvipc/msg)" = 1 ]; do sleep 0.01; done
"$IPCLAB" msg-client --path k --timeout 300ms >/dev/null; status=$?
kill -CONT $server; kill $server $first; wait; exit $status"#;
    let Some(out) = in_ipc_namespace(script, &s.dir) else {
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    let last = err.lines().last().unwrap_or("");
    assert!(
        last.contains("the queue stayed full for 300ms") && last.contains("msgmnb"),
        "{err}"
    );
}

#[test]
fn a_full_file_system_and_low_limits_are_said_in_one_line() {
    // A limit on memory: the bench's 64 MiB reference buffer, allocated fallibly.
    let s = Scratch::new("limits");
    let run = |script: &str| {
        Command::new("sh")
            .args(["-c", script])
            .current_dir(&s.dir)
            .env("IPCLAB", bin())
            .env("IPCLAB_STATE_DIR", state_dir())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out =
        run(r#"ulimit -v 60000; "$IPCLAB" bench --quick --only posix-shm,mmap-file >/dev/null"#);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        (out.status.code(), err.lines().count()),
        (Some(1), 1),
        "{err}"
    );
    assert!(
        err.contains("cannot allocate") && err.contains("ulimit -v"),
        "{err}"
    );
    // Too few descriptors: said before anything runs.
    let out = run(r#"ulimit -n 5; "$IPCLAB" mmap-file demo"#);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        (out.status.code(), err.lines().count()),
        (Some(1), 1),
        "{err}"
    );
    assert!(err.contains("ulimit -n"), "{err}");
    // A full file system under the file to map: one line, nothing left, no SIGBUS.
    if skip_unless_root("a full tmpfs, mounted in a mount namespace") || skip_without("unshare") {
        return;
    }
    for demo in [
        "mmap-file send full/temp --count 1",
        "mmap-file demo full/data",
    ] {
        let script = format!(
            r#"mkdir -p full && unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs full && dd if=/dev/zero of=full/fill bs=4k count=8 2>/dev/null; "$IPCLAB" {demo} >/dev/null; status=$?; ls full; exit $status'"#
        );
        let out = run(&script);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let left = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            (out.status.code(), err.lines().count()),
            (Some(1), 1),
            "{demo}: {err}"
        );
        assert!(err.contains("is full"), "{demo}: {err}");
        assert_eq!(
            left.trim(),
            "fill",
            "{demo}: left in the file system: {left}"
        );
    }
}
