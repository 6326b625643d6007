//! `ipclab tour`: every demo runs and nothing leaks.

use crate::common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

#[test]
fn the_tour_runs_every_demo_and_leaks_nothing() {
    let out = ipclab()
        .arg("tour")
        .timeout(patience(std::time::Duration::from_secs(120)))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("=== Algorithms 8-1, 8-2, 8-3"));
    assert!(text.contains("You wrote: Hello World!"));
    assert!(text.contains("nothing left behind"));
    assert!(text
        .trim_end()
        .ends_with("tour complete: every demo ran and cleaned up"));
}

#[test]
fn sections_list_pause_and_trace() {
    let out = ipclab().args(["tour", "--list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for sec in ["shm ", "mmap ", "msg "] {
        assert!(text.lines().any(|l| l.starts_with(sec)), "{sec}: {text}");
    }
    assert!(
        text.contains("algorithms 8-0") && text.contains("IPC全解析") && !text.contains("seed ")
    );
    let out = ipclab().args(["tour", "mmap"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("mmap() 范例2") && !text.contains("Algorithms 8-1"));
    // --pause waits for a line per step; end of input stops the tour with an error that
    // says how far it got.
    let out = ipclab()
        .args(["tour", "msg", "--pause"])
        .write_stdin("\n")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    assert_eq!(text.matches("[press Enter for: ").count(), 2);
    assert!(err.contains("end of input after 1 of 5 steps"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // --trace reaches every demo the tour runs: the other terminal's trace is shown in its
    // "meanwhile" section, as that terminal would show it.
    let out = ipclab().args(["--trace", "tour", "msg"]).succeeds();
    let err = String::from_utf8(out.stderr).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for call in ["] pipe(", "] msgsnd(", "] semop(", "] shmat("] {
        assert!(err.contains(call), "{call} not traced");
    }
    let meanwhile = text.split("--- meanwhile").nth(1).unwrap_or_default();
    assert!(meanwhile.contains("] mkfifo("), "{meanwhile}");
}

/// `tour ARGS` with its scratch directories under `scratch` and a state directory of its own.
fn tour_cmd(scratch: &Scratch, args: &[&str]) -> std::process::Command {
    let mut c = cmd();
    c.arg("tour")
        .args(args)
        .env("TMPDIR", &scratch.dir)
        .env("IPCLAB_STATE_DIR", scratch.state());
    c
}

/// Nothing of a tour is left: no scratch directory, nothing in its registry.
fn assert_tour_left_nothing(scratch: &Scratch) {
    let left: Vec<_> = std::fs::read_dir(&scratch.dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "state")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let out = ipclab()
        .args(["ls", "--mine", "--json"])
        .env("IPCLAB_STATE_DIR", scratch.state())
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim(), "[]", "objects left: {text}");
}

#[test]
fn ctrl_c_at_the_pause_prompt_ends_the_tour_at_once() {
    let scratch = Scratch::new("tour-prompt");
    let mut run = Running::start(tour_cmd(&scratch, &["msg", "--pause"]));
    // Enter for the first step (the pipe); then the tour prints its output and the second
    // prompt and waits there, its stdin a pipe that stays open and says nothing.
    use std::io::Write;
    run.child.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
    run.wait_for("then read() returned 0");
    wait_blocked_in(run.pgid(), "poll");
    kill(Pid::from_raw(run.pgid()), Signal::SIGINT).unwrap();
    let (status, out, err) = run.finish_after_signal();
    assert_eq!(exit_code(&status), Some(130), "{out}\n{err}");
    assert_eq!(out.matches("[press Enter for: ").count(), 2, "{out}");
    assert_tour_left_nothing(&scratch);
}

#[test]
fn a_signal_while_the_other_terminal_runs_ends_the_tour_and_its_partner() {
    // The tour forwards the signal to both terminals of a two-terminal step; the partner
    // must not start with the signal blocked (it would wait for its peer for ever).
    for (partner, sig) in [
        ("fifo-read", Signal::SIGTERM),
        ("msg-server", Signal::SIGHUP),
        ("shm-msg-server", Signal::SIGTERM),
    ] {
        let scratch = Scratch::new("tour-signal");
        let mut run = Running::start(tour_cmd(&scratch, &["msg"]));
        run.wait_for(&format!("(other terminal) $ ipclab {partner} "));
        kill(Pid::from_raw(run.pgid()), sig).unwrap();
        let pgid = run.pgid();
        let (status, out, err) = run.finish_after_signal();
        assert!(
            !status.success() && !out.contains("tour complete"),
            "{partner}: {status}\n{out}\n{err}"
        );
        assert_group_gone(pgid);
        assert_tour_left_nothing(&scratch);
    }
}

#[test]
fn two_tours_and_a_sem_demo_share_the_room() {
    // The class's default semaphore key is busy (a sem-demo waits 3 s on it); two tours
    // at once each use keys of their own.
    let scratch = Scratch::new("tour-room");
    let mut sem = Running::start({
        let mut c = cmd();
        c.args(["sem-demo", "--delay", "3s"])
            .env("IPCLAB_STATE_DIR", scratch.state());
        c
    });
    sem.wait_for("Process father");
    let tours: Vec<_> = (0..2)
        .map(|_| {
            let mut c = tour_cmd(&scratch, &["msg"]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for t in tours {
        let out = t.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("tour complete"),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (status, _, err) = sem.finish();
    assert!(status.success(), "{err}");
    assert_tour_left_nothing(&scratch);
}
