//! IPC全解析 一 and 二: the unnamed pipe and the FIFO.

use crate::common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::process::Command;

// ----- pipe -----

#[test]
fn pipe_transcript_and_reverse() {
    let out = ipclab().arg("pipe").assert().success().get_output().clone();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "hello world\n(read 12 bytes, then read() returned 0: EOF, the writer closed its end)\n"
    );
    let out = ipclab()
        .args(["pipe", "--reverse", "--message", "hi, parent"])
        .succeeds();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("hi, parent\n(read 11 bytes"));
}

// ----- FIFO -----

#[test]
fn fifo_transcripts_and_the_reader_removes_its_fifo() {
    let s = Scratch::new("fifo");
    let mut reader = started_in(&s.dir, &["fifo-read"]);
    reader.wait_for_err("waiting for a writer");
    let out = run_in(
        &s.dir,
        &["fifo-write", "--count", "3", "--interval", "10ms"],
    );
    assert!(out.status.success());
    let w = String::from_utf8(out.stdout).unwrap();
    let (st, r, _) = reader.finish();
    assert!(st.success());
    assert_transcript(
        &w,
        "I am [..] process.\nSend message: Process [..]'s time is [..]\nSend message: Process [..]'s time is [..]\nSend message: Process [..]'s time is [..]",
    );
    let sent: Vec<&str> = w
        .lines()
        .skip(1)
        .map(|l| l.strip_prefix("Send message: ").unwrap())
        .collect();
    let got: Vec<&str> = r
        .lines()
        .map(|l| l.strip_prefix("Read message: ").unwrap())
        .collect();
    assert_eq!(sent, got);
    assert!(
        !s.path("fifo1").exists(),
        "the reader created the FIFO and removes it"
    );
}

#[test]
fn two_writers_1000_random_size_messages_each_printed_once() {
    let s = Scratch::new("fifostress");
    let mut reader = started_in(&s.dir, &["fifo-read", "f"]);
    reader.wait_for_err("waiting for a writer");
    let args = [
        "fifo-write",
        "f",
        "--count",
        "500",
        "--interval",
        "1ms",
        "--random-size",
    ];
    let a = started_in(&s.dir, &args);
    let b = started_in(&s.dir, &args);
    let (sa, _, ea) = a.finish();
    let (sb, _, eb) = b.finish();
    assert!(sa.success() && sb.success(), "{ea}{eb}");
    let (st, text, err) = reader.finish();
    assert!(st.success(), "{err}");
    let mut next: std::collections::HashMap<String, u64> = Default::default();
    let mut count = 0;
    for line in text.lines() {
        let rest = line.strip_prefix("Read message: Process ").unwrap();
        let (pid, rest) = rest.split_once("'s message ").unwrap();
        let (seq, pad) = rest.split_once(' ').unwrap();
        assert!(pad.chars().all(|c| c == 'x'), "torn message: {line:.80}");
        let n = next.entry(pid.to_string()).or_default();
        assert_eq!(
            seq.parse::<u64>().unwrap(),
            *n,
            "writer {pid}: out of order or repeated"
        );
        *n += 1;
        count += 1;
    }
    assert_eq!(count, 1000);
    assert!(next.values().all(|&n| n == 500));
}

#[test]
fn nonblock_shows_enxio_and_a_vanished_reader_shows_epipe() {
    let s = Scratch::new("fifoerr");
    nix::unistd::mkfifo(
        &s.path("f"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    let out = run_in(&s.dir, &["fifo-write", "f", "--nonblock"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("ENXIO") && err.lines().count() == 1, "{err}");

    let mut reader = started_in(&s.dir, &["fifo-read", "f"]);
    let writer = started_in(
        &s.dir,
        &["fifo-write", "f", "--count", "1000", "--interval", "10ms"],
    );
    reader.wait_for("Read message");
    kill(Pid::from_raw(reader.pgid()), Signal::SIGTERM).unwrap();
    let (st, _, _) = reader.finish();
    assert_eq!(exit_code(&st), Some(143));
    let (st, out, err) = writer.finish();
    assert_eq!(st.code(), Some(1), "{err}");
    assert!(err.contains("EPIPE"), "{err}");
    // The count and the lines agree: message K was announced and not delivered, K-1 were.
    let sent = out
        .lines()
        .filter(|l| l.starts_with("Send message: "))
        .count();
    assert!(
        err.contains(&format!(
            "message {sent} of 1000 was not delivered ({} were)",
            sent - 1
        )),
        "{sent} lines announced; {err}"
    );
    assert!(
        s.path("f").exists(),
        "a FIFO the reader did not create stays"
    );
}

#[test]
fn fifo_paths_that_are_not_fifos() {
    let s = Scratch::new("fifopath");
    std::fs::write(s.path("file"), b"x").unwrap();
    std::fs::create_dir(s.path("dir")).unwrap();
    std::os::unix::fs::symlink(s.path("file"), s.path("link")).unwrap();
    for (name, what) in [
        ("file", "a regular file"),
        ("dir", "a directory"),
        ("link", "a symbolic link"),
    ] {
        for applet in ["fifo-read", "fifo-write"] {
            let out = run_in(&s.dir, &[applet, name]);
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(out.status.code(), Some(1), "{applet} {name}: {err}");
            assert!(err.contains(what) && err.contains("not a FIFO"), "{err}");
            assert_eq!(err.lines().count(), 1);
        }
    }
    assert_eq!(
        std::fs::read(s.path("file")).unwrap(),
        b"x",
        "never followed or touched"
    );
    let out = run_in(&s.dir, &["fifo-read", "no/such/dir/f"]);
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("directory does not exist"));
    let out = run_in(&s.dir, &["fifo-write", "--count", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fifo_interop_with_the_seed_programs() {
    let (Some(cw), Some(cr)) = (c_program("fifo_write"), c_program("fifo_read")) else {
        return;
    };
    // The C writer into ipclab's reader.
    let s = Scratch::new("fifoc1");
    let mut reader = started_in(&s.dir, &["fifo-read"]);
    reader.wait_for_err("waiting for a writer");
    let out = Command::new(&cw)
        .current_dir(&s.dir)
        .arg("3")
        .output()
        .unwrap();
    assert!(out.status.success());
    let (st, text, _) = reader.finish();
    assert!(st.success());
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("Read message: Process "))
            .count(),
        3,
        "{text}"
    );
    // ipclab's writer into the C reader.
    let s = Scratch::new("fifoc2");
    let mut c = Command::new(&cr);
    c.current_dir(&s.dir);
    let reader = Running::start(c);
    wait_until(10, "the FIFO", || s.path("fifo1").exists());
    let out = run_in(
        &s.dir,
        &["fifo-write", "--count", "3", "--interval", "50ms"],
    );
    assert!(out.status.success());
    let (st, text, _) = reader.finish();
    assert!(st.success());
    assert!(text.starts_with("Read message: Process "), "{text}");
}
