//! Seed 002: pipe, FIFO, message queue, semaphore, and the shm+sem+msg pair.

use crate::common::*;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::process::Command;
use std::time::Duration;

fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    ipclab()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap()
}

fn started_in(dir: &std::path::Path, args: &[&str]) -> Running {
    let mut c = cmd();
    c.current_dir(dir).args(args);
    Running::start(c)
}

// ----- pipe -----

#[test]
fn pipe_transcript_and_reverse() {
    let out = ipclab().arg("pipe").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "hello world\n(read 12 bytes, then read() returned 0: EOF, the writer closed its end)\n"
    );
    let out = ipclab()
        .args(["pipe", "--reverse", "--message", "hi, parent"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("hi, parent\n(read 11 bytes"));
}

// ----- FIFO -----

#[test]
fn fifo_transcripts_and_the_reader_removes_its_fifo() {
    let s = Scratch::new("fifo");
    let reader = started_in(&s.dir, &["fifo-read"]);
    wait_until(10, "the FIFO", || s.path("fifo1").exists());
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
        "I am * process.\nSend message: Process *'s time is *\nSend message: Process *'s time is *\nSend message: Process *'s time is *",
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
fn a_writer_started_first_waits_for_the_reader() {
    let s = Scratch::new("fifofirst");
    let writer = started_in(&s.dir, &["fifo-write", "--count", "2", "--interval", "0"]);
    std::thread::sleep(Duration::from_millis(100));
    let out = run_in(&s.dir, &["fifo-read"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
    let (st, _, err) = writer.finish();
    assert!(st.success());
    assert!(err.contains("waiting for fifo-read to create it"), "{err}");
    assert!(!s.path("fifo1").exists());
}

#[test]
fn two_writers_1000_random_size_messages_each_printed_once() {
    let s = Scratch::new("fifostress");
    let reader = started_in(&s.dir, &["fifo-read", "f"]);
    wait_until(10, "the FIFO", || s.path("f").exists());
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
    assert_eq!(st.code(), Some(143));
    let (st, _, err) = writer.finish();
    assert_eq!(st.code(), Some(1), "{err}");
    assert!(err.contains("EPIPE"), "{err}");
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
    let reader = started_in(&s.dir, &["fifo-read"]);
    wait_until(10, "the FIFO", || s.path("fifo1").exists());
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

// ----- message queue -----

#[test]
fn msg_server_and_client_transcripts() {
    let s = Scratch::new("msg");
    let (key_path, key) = s.keyfile("k", b'z');
    let kp = key_path.to_str().unwrap();
    let mut server = started_in(&s.dir, &["msg-server", "--path", kp, "--count", "1"]);
    server.wait_for("My pid is");
    let out = run_in(&s.dir, &["msg-client", "--path", kp]);
    let client = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    let (st, srv, _) = server.finish();
    assert!(st.success());
    let k = key as i32;
    assert_transcript(
        &srv,
        &format!("Message Queue - Server key is: {k}.\nMy msqid is: *.\nMy pid is: *.\nServer: receive msg.mtext is: hello, I'm client *.\nServer: receive msg.mtype is: 888."),
    );
    assert_transcript(
        &client,
        &format!("Message Queue - Client key is: {k}.\nMy msqid is: *.\nMy pid is: *.\nClient: receive msg.mtext is: hello, I'm server *.\nClient: receive msg.mtype is: 999."),
    );
    assert_no_sysv(key);
}

#[test]
fn eight_clients_with_reply_to_pid_each_get_their_own_reply() {
    let s = Scratch::new("msg8");
    let (key_path, key) = s.keyfile("k", b'z');
    let kp = key_path.to_str().unwrap();
    let mut server = started_in(
        &s.dir,
        &["msg-server", "--path", kp, "--count", "8", "--reply-to-pid"],
    );
    server.wait_for("My pid is");
    let clients: Vec<Running> = (0..8)
        .map(|_| started_in(&s.dir, &["msg-client", "--path", kp, "--reply-to-pid"]))
        .collect();
    for c in clients {
        let pid = c.child.id();
        let (st, text, err) = c.finish();
        assert!(st.success(), "{err}");
        assert!(
            text.contains(&format!("Client: receive msg.mtype is: {pid}.")),
            "{text}"
        );
    }
    assert!(server.finish().0.success());
    assert_no_sysv(key);
}

#[test]
fn a_client_with_no_server_waits_then_gives_up_creating_nothing() {
    let s = Scratch::new("msgnone");
    let (key_path, key) = s.keyfile("k", b'z');
    let out = run_in(
        &s.dir,
        &[
            "msg-client",
            "--path",
            key_path.to_str().unwrap(),
            "--timeout",
            "300ms",
        ],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("waiting up to 300ms for `ipclab msg-server --path"),
        "{err}"
    );
    assert!(lines[1].contains("no msg-server created a queue"), "{err}");
    assert_no_sysv(key);
}

#[test]
fn signals_and_a_removed_queue_end_the_server_cleanly() {
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        let s = Scratch::new("msgsig");
        let (key_path, key) = s.keyfile("k", b'z');
        let mut server = started_in(
            &s.dir,
            &["msg-server", "--path", key_path.to_str().unwrap()],
        );
        server.wait_for("My pid is");
        killpg(Pid::from_raw(server.pgid()), sig).unwrap();
        let (st, _, _) = server.finish();
        assert_eq!(st.code(), Some(128 + sig as i32));
        assert_no_sysv(key);
    }
    let s = Scratch::new("msgrm");
    let (key_path, key) = s.keyfile("k", b'z');
    let mut server = started_in(
        &s.dir,
        &["msg-server", "--path", key_path.to_str().unwrap()],
    );
    server.wait_for("My msqid is");
    let id = sysv_with_key(key)[0].1;
    Command::new("ipcrm")
        .args(["-q", &id.to_string()])
        .status()
        .unwrap();
    let (st, _, err) = server.finish();
    assert_eq!(st.code(), Some(1));
    assert!(err.contains("the queue was removed"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn msg_bad_inputs() {
    let s = Scratch::new("msgbad");
    let (kp, _) = s.keyfile("k", b'z');
    let kp = kp.to_str().unwrap();
    let long = "x".repeat(300);
    for (args, code, needle) in [
        (
            vec!["msg-client", "--path", kp, "--text", &long],
            2,
            "E2BIG",
        ),
        (
            vec!["msg-server", "--path", kp, "--count", "0"],
            2,
            "--count",
        ),
        (vec!["msg-server", "--proj-id", "zz"], 2, "project id"),
        (
            vec!["msg-client", "--path", "/no/such/file"],
            1,
            "key file must exist",
        ),
        (vec!["sem-demo", "--delay", "forever"], 2, "not a duration"),
        (
            vec!["shm-msg-client"],
            1,
            "start `ipclab shm-msg-server` first",
        ),
    ] {
        let out = run_in(&s.dir, &args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        eprintln!("{args:?} -> {}", err.trim_end());
    }
}

#[test]
fn msg_interop_with_the_seed_programs() {
    let (Some(cs), Some(cc)) = (c_program("msg_server"), c_program("msg_client")) else {
        return;
    };
    // The seed's client, ipclab's server.
    let s = Scratch::new("msgc1");
    let (kp, key) = s.keyfile("k", b'z');
    let mut server = started_in(
        &s.dir,
        &["msg-server", "--path", kp.to_str().unwrap(), "--count", "1"],
    );
    server.wait_for("My pid is");
    let out = Command::new(&cc).arg(&kp).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Client: receive msg.mtext is: hello, I'm server "),
        "{text}"
    );
    assert!(server.finish().0.success());
    assert_no_sysv(key);
    // ipclab's client, the seed's server (which never removes its queue: the test does).
    let s = Scratch::new("msgc2");
    let (kp, key) = s.keyfile("k", b'z');
    let mut c = Command::new(&cs);
    c.arg(&kp);
    let mut server = Running::start(c);
    server.wait_for("My pid is");
    let out = run_in(&s.dir, &["msg-client", "--path", kp.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Client: receive msg.mtype is: 999."),
        "{text}"
    );
    let (_, srv, _) = server.finish();
    assert!(
        srv.contains("Server: receive msg.mtext is: hello, I'm client "),
        "{srv}"
    );
    for (_, id) in sysv_with_key(key) {
        Command::new("ipcrm")
            .args(["-q", &id.to_string()])
            .status()
            .unwrap();
    }
}

// ----- semaphore -----

#[test]
fn sem_demo_orders_the_father_after_the_child() {
    let s = Scratch::new("sem");
    let key = ftok(&s.dir, b'z');
    let out = run_in(&s.dir, &["sem-demo", "--path", ".", "--delay", "100ms"]);
    assert!(out.status.success());
    assert_transcript(
        &String::from_utf8(out.stdout).unwrap(),
        "Process child: pid=*\nProcess father: pid=*",
    );
    let out = run_in(
        &s.dir,
        &["sem-demo", "--path", ".", "--delay", "300ms", "--no-sem"],
    );
    assert_transcript(
        &String::from_utf8(out.stdout).unwrap(),
        "Process father: pid=*\nProcess child: pid=*",
    );
    let out = run_in(
        &s.dir,
        &["sem-demo", "--path", ".", "--delay", "50ms", "--verbose"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("semncnt (blocked in P) = 1"), "{text}");
    assert_no_sysv(key);
}

#[test]
fn sem_demo_interrupted_while_the_father_waits() {
    let s = Scratch::new("semint");
    let key = ftok(&s.dir, b'z');
    let mut r = started_in(
        &s.dir,
        &["sem-demo", "--path", ".", "--delay", "30s", "--verbose"],
    );
    let pgid = r.pgid();
    r.wait_for("[father] before P");
    killpg(Pid::from_raw(pgid), Signal::SIGINT).unwrap();
    let (st, _, err) = r.finish();
    assert_eq!(st.code(), Some(130), "{err}");
    assert_group_gone(pgid);
    assert_no_sysv(key);
}

// ----- shm + sem + msg -----

/// `shm-msg-server` started in `dir`, once its segment, queue and set exist under `key`.
fn shm_msg_server(dir: &std::path::Path, key: u32) -> Running {
    let server = started_in(dir, &["shm-msg-server", "--path", "."]);
    wait_until(10, "the server's objects", || sysv_with_key(key).len() == 3);
    server
}

#[test]
fn shm_msg_transcript_and_cleanup() {
    let s = Scratch::new("shmmsg");
    let key = ftok(&s.dir, b'z');
    let server = shm_msg_server(&s.dir, key);
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["shm-msg-client", "--path", "."])
        .write_stdin("r\nhello\nx\nr\nworld more\nq\n")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success());
    let client = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        client,
        "***************************************\n*                 IPC                 *\n*     Input r to send data to server. *\n*     Input q to quit.                *\n***************************************\nPlease input command: r\nData to send:hello\nPlease input command: x\nWrong input!\nPlease input command: r\nData to send:world more\nPlease input command: q\n"
    );
    let (st, srv, _) = server.finish();
    assert!(st.success());
    assert_eq!(srv, "hello\nworld");
    assert_no_sysv(key);
}

#[test]
fn shm_msg_client_eof_is_q_and_server_sigterm_cleans_up() {
    let s = Scratch::new("shmmsgeof");
    let key = ftok(&s.dir, b'z');
    let server = shm_msg_server(&s.dir, key);
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["shm-msg-client", "--path", "."])
        .write_stdin("r\nonly\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("end of input: sending q"));
    assert!(server.finish().0.success());
    assert_no_sysv(key);

    let server = shm_msg_server(&s.dir, key);
    kill(Pid::from_raw(server.pgid()), Signal::SIGTERM).unwrap();
    assert_eq!(server.finish().0.code(), Some(143));
    assert_no_sysv(key);
}

#[test]
fn shm_msg_interop_with_the_seed_programs() {
    let (Some(cs), Some(cc)) = (c_program("shm_msg_server"), c_program("shm_msg_client")) else {
        return;
    };
    let s = Scratch::new("shmmsgc");
    let key = ftok(&s.dir, b'z');
    // ipclab's client, the seed's server.
    let mut c = Command::new(&cs);
    c.current_dir(&s.dir);
    let server = Running::start(c);
    wait_until(10, "the C server's objects", || {
        sysv_with_key(key).len() == 3
    });
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["shm-msg-client", "--path", "."])
        .write_stdin("r\nfromrust\nq\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let (st, srv, _) = server.finish();
    assert!(st.success());
    assert_eq!(srv, "fromrust");
    assert_no_sysv(key);
    // The seed's client, ipclab's server.
    let server = shm_msg_server(&s.dir, key);
    let out = Command::new(&cc)
        .current_dir(&s.dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut ch| {
            use std::io::Write;
            ch.stdin.take().unwrap().write_all(b"r\nfromc\nq\n")?;
            ch.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    let (st, srv, _) = server.finish();
    assert!(st.success());
    assert_eq!(srv, "fromc");
    assert_no_sysv(key);
}
