//! `ipclab split`: both sides in tmux, driven with send-keys and read with capture-pane.

use crate::common::*;
use std::process::Command;

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pane(session: &str, i: u8) -> String {
    tmux(&["capture-pane", "-p", "-t", &format!("{session}:0.{i}")])
}

/// Kills the tmux session when the test ends, however it ends.
struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

/// `ipclab split DEMO --detach` in `dir`: the session (killed when dropped) and what it said.
fn split(demo: &str, session: &str, dir: &std::path::Path) -> (Session, String) {
    let guard = Session(session.to_string());
    let out = ipclab()
        .args(["split", demo, "--detach", "--session", session, "--dir"])
        .arg(dir)
        .succeeds();
    (guard, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn split_fifo_and_shm_in_tmux() {
    if skip_without("tmux") {
        return;
    }
    // fifo: the reader left, the writer right; five messages cross.
    let s = Scratch::new("split");
    let name = format!("ipclab-test-{}", std::process::id());
    let (_guard, said) = split("fifo", &name, &s.dir);
    assert!(said.contains(&format!("tmux attach -t {name}")));
    wait_until(30, "five messages in the reader's pane", || {
        pane(&name, 0).matches("Read message: Process ").count() == 5
    });
    let right = pane(&name, 1);
    assert_eq!(
        right.matches("Send message: Process ").count(),
        5,
        "{right}"
    );
    assert!(right.contains(" process."));
    eprintln!(
        "left pane:\n{}\nright pane:\n{right}",
        pane(&name, 0).trim_end()
    );
    wait_until(10, "the reader to remove its FIFO", || {
        !s.path("fifo1").exists()
    });

    // Again: an open session of that name is said, and --replace starts it afresh.
    let out = ipclab()
        .args(["split", "fifo", "--detach", "--session", &name, "--dir"])
        .arg(&s.dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("already open") && err.contains("--replace"),
        "{err}"
    );
    tmux(&["kill-session", "-t", &name]);

    // shm: shmcon --serve on top, shmread and shmwrite below; the writer pane has the focus.
    let s = Scratch::new("split-shm");
    let name = format!("ipclab-test-shm-{}", std::process::id());
    let (_guard2, said) = split("shm", &name, &s.dir);
    assert!(
        said.contains("shmcon") && said.contains("--serve"),
        "{said}"
    );
    wait_until(10, "the writer's prompt", || {
        pane(&name, 2).contains("Enter some text:")
    });
    assert_eq!(
        tmux(&["display-message", "-p", "-t", &name, "#{pane_index}"]).trim(),
        "2",
        "the writer pane has the focus"
    );
    let writer = format!("{name}:0.2");
    for keys in ["typed in class", "end"] {
        // -l: literal text (`end` alone is the name of the End key to tmux).
        tmux(&["send-keys", "-t", &writer, "-l", keys]);
        tmux(&["send-keys", "-t", &writer, "Enter"]);
    }
    wait_until(10, "the reader to print the line", || {
        pane(&name, 1).contains("You wrote: typed in class")
    });
    wait_until(10, "the server to remove the segment", || {
        pane(&name, 0).contains("nothing found ...")
    });
    tmux(&["kill-session", "-t", &name]);

    // shm-msg: the server left, the client right; the instructor types into the right pane.
    let s = Scratch::new("split-shmmsg");
    let key = ftok(&s.dir, b'z');
    let name = format!("ipclab-test-shmmsg-{}", std::process::id());
    let (_guard3, _) = split("shm-msg", &name, &s.dir);
    wait_until(10, "the client's prompt", || {
        pane(&name, 1).contains("Please input command:")
    });
    let right = format!("{name}:0.1");
    for keys in ["r", "typed-in-class", "q"] {
        tmux(&["send-keys", "-t", &right, keys, "Enter"]);
    }
    wait_until(10, "the server to print the word", || {
        pane(&name, 0).contains("typed-in-class")
    });
    wait_until(10, "the server to remove its objects", || {
        sysv_with_key(key).is_empty()
    });
}

#[test]
fn split_explains_a_missing_tmux() {
    let out = ipclab()
        .env("PATH", "/nonexistent")
        .args(["split", "fifo", "--detach"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("tmux is not installed"), "{err}");
}
