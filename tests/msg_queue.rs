//! IPC全解析 三: the System V message queue (msg-server, msg-client).

use crate::common::*;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::process::Command;

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
        &format!("Message Queue - Server key is: {k}.\nMy msqid is: [..].\nMy pid is: [..].\nServer: receive msg.mtext is: hello, I'm client [..].\nServer: receive msg.mtype is: 888."),
    );
    assert_transcript(
        &client,
        &format!("Message Queue - Client key is: {k}.\nMy msqid is: [..].\nMy pid is: [..].\nClient: receive msg.mtext is: hello, I'm server [..].\nClient: receive msg.mtype is: 999."),
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
        assert_eq!(exit_code(&st), Some(128 + sig as i32));
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
