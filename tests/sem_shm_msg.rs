//! IPC全解析 四 and 五: the semaphore demo, and the shm + sem + msg pair.

use crate::common::*;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::process::Command;
use std::time::Duration;

// ----- semaphore -----

#[test]
fn sem_demo_orders_the_father_after_the_child() {
    let s = Scratch::new("sem");
    let key = ftok(&s.dir, b'z');
    let out = run_in(&s.dir, &["sem-demo", "--path", ".", "--delay", "100ms"]);
    assert!(out.status.success());
    assert_transcript(
        &String::from_utf8(out.stdout).unwrap(),
        "Process child: pid=[..]\nProcess father: pid=[..]",
    );
    let out = run_in(
        &s.dir,
        &["sem-demo", "--path", ".", "--delay", "300ms", "--no-sem"],
    );
    assert_transcript(
        &String::from_utf8(out.stdout).unwrap(),
        "Process father: pid=[..]\nProcess child: pid=[..]",
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
fn the_childs_v_outlives_the_child_unless_the_seeds_undo_is_asked_for() {
    let s = Scratch::new("semundo");
    let (path, key) = s.keyfile("k", b'z');
    let path = path.to_str().unwrap();
    // The father's P after the child's exit: the V is still there (hazard 5 fixed).
    let out = run_in(
        &s.dir,
        &["sem-demo", "--path", path, "--delay", "0", "--late-father"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_transcript(
        &String::from_utf8(out.stdout).unwrap(),
        "Process child: pid=[..]\nProcess father: pid=[..]",
    );
    // The seed's SEM_UNDO on the child's V: its exit takes it back, said in one line.
    let args = [
        "sem-demo",
        "--path",
        path,
        "--delay",
        "0",
        "--late-father",
        "--seed-undo",
    ];
    let out = run_in(&s.dir, &args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("took it back (hazard 5)"), "{err}");
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
    assert_eq!(exit_code(&st), Some(130), "{err}");
    assert_group_gone(pgid);
    assert_no_sysv(key);
}

// ----- shm + sem + msg -----

/// `shm-msg-server` started in `dir`, once it says it waits for a client (its segment,
/// queue and set exist under `key` by then).
fn shm_msg_server(dir: &std::path::Path, key: u32) -> Running {
    let mut server = started_in(dir, &["shm-msg-server", "--path", "."]);
    server.wait_for_err("waiting for `ipclab shm-msg-client");
    assert_eq!(sysv_with_key(key).len(), 3, "a segment, a queue, a set");
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
        .timeout(patience(Duration::from_secs(20)))
        .succeeds();
    // "world more": the seed's scanf("%s") sends one word, and the client says so.
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("sending \"world\", not \"world more\""),
        "{err}"
    );
    let client = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        client,
        "***************************************\n*                 IPC                   *\n*Input r to send data toserver.  *\n*   Input q to quit.      *\n***************************************\nPlease input command: r\nData to send:hello\nPlease input command: x\nWrong input!\nPlease input command: r\nData to send:world more\nPlease input command: q\n"
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
        .succeeds();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("end of input: sending q"));
    assert!(server.finish().0.success());
    assert_no_sysv(key);

    let server = shm_msg_server(&s.dir, key);
    kill(Pid::from_raw(server.pgid()), Signal::SIGTERM).unwrap();
    assert_eq!(exit_code(&server.finish().0), Some(143));
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
    ipclab()
        .current_dir(&s.dir)
        .args(["shm-msg-client", "--path", "."])
        .write_stdin("r\nfromrust\nq\n")
        .assert()
        .success();
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
