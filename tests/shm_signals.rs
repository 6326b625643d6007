//! Never leak: signals and dead children in the middle of the shm demo (issue item 9).

use crate::common::*;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

/// shmcon with a writer that waits for input (stdin stays open), started in its own group.
fn start_waiting(s: &Scratch) -> (Running, u32) {
    let (path, key) = s.keyfile("k", 0x27);
    let mut cmd = cmd();
    cmd.arg("shmcon").arg(&path).args(["--interval", "10ms"]);
    let mut r = Running::start(cmd);
    r.wait_for("shmwrite process ready");
    (r, key)
}

fn child_named(controller: i32, name: &str) -> i32 {
    let mut found = None;
    wait_until(5, "the child to be listed", || {
        found = children_of(controller)
            .into_iter()
            .find(|&p| argv0_of(p) == name);
        found.is_some()
    });
    found.unwrap()
}

#[test]
fn sigint_to_the_group_while_the_writer_waits() {
    let s = Scratch::new("sigint");
    let (r, key) = start_waiting(&s);
    let pgid = r.pgid();
    killpg(Pid::from_raw(pgid), Signal::SIGINT).unwrap();
    let (st, _, err) = r.finish_after_signal();
    assert_eq!(exit_code(&st), Some(130), "stderr: {err}");
    assert_group_gone(pgid);
    assert_no_sysv(key);
}

#[test]
fn sigterm_to_the_controller_alone_ends_everything() {
    for (sig, code) in [(Signal::SIGTERM, 143), (Signal::SIGHUP, 129)] {
        let s = Scratch::new("sigterm");
        let (r, key) = start_waiting(&s);
        let pgid = r.pgid();
        kill(Pid::from_raw(pgid), sig).unwrap();
        let (st, _, err) = r.finish_after_signal();
        assert_eq!(exit_code(&st), Some(code), "{sig}: stderr: {err}");
        assert_group_gone(pgid);
        assert_no_sysv(key);
    }
}

#[test]
fn sigint_in_sem_mode_removes_the_semaphores_too() {
    let s = Scratch::new("sigint-sem");
    let (path, key) = s.keyfile("k", 0x27);
    let mut cmd = cmd();
    cmd.arg("shmcon").arg(&path).args(["--sync", "sem"]);
    let mut r = Running::start(cmd);
    r.wait_for("shmwrite process ready");
    assert_eq!(sysv_with_key(key).len(), 2, "a segment and a semaphore set");
    let pgid = r.pgid();
    killpg(Pid::from_raw(pgid), Signal::SIGINT).unwrap();
    let (st, _, _) = r.finish_after_signal();
    assert_eq!(exit_code(&st), Some(130));
    assert_group_gone(pgid);
    assert_no_sysv(key);
}

#[test]
fn sigkill_of_each_child_is_reported_and_cleaned_up() {
    for victim in ["shmread", "shmwrite"] {
        let s = Scratch::new("sigkill-child");
        let (r, key) = start_waiting(&s);
        let pgid = r.pgid();
        let pid = child_named(pgid, victim);
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
        let (st, _, err) = r.finish_after_signal();
        assert_eq!(st.code(), Some(1), "{victim}: {err}");
        let line = format!("shmcon: {victim} (pid {pid}) killed by SIGKILL");
        assert!(err.contains(&line), "expected {line:?} in {err:?}");
        // One line from shmcon (the writer may also say it saw its input close).
        assert_eq!(
            err.lines().filter(|l| l.starts_with("shmcon:")).count(),
            1,
            "{err:?}"
        );
        assert_group_gone(pgid);
        assert_no_sysv(key);
    }
}

#[test]
fn sigkill_of_the_controller_leaves_no_process_running() {
    let s = Scratch::new("sigkill-con");
    let (r, key) = start_waiting(&s);
    let pgid = r.pgid();
    kill(Pid::from_raw(pgid), Signal::SIGKILL).unwrap();
    let (st, _, _) = r.finish();
    assert_eq!(st.code(), None);
    // The children asked for SIGTERM at their parent's death (PR_SET_PDEATHSIG).
    assert_group_gone(pgid);
    // What SIGKILL cannot clean: the segment stays (a later `ipclab clean` is for that).
    for (kind, id) in sysv_with_key(key) {
        let flag = if kind == "shm" { "-m" } else { "-s" };
        let _ = std::process::Command::new("ipcrm")
            .args([flag, &id.to_string()])
            .status();
    }
}

#[test]
fn a_stale_segment_from_a_killed_run_is_replaced() {
    let s = Scratch::new("stale");
    let (r, key) = start_waiting(&s);
    let pgid = r.pgid();
    kill(Pid::from_raw(pgid), Signal::SIGKILL).unwrap();
    let _ = r.finish();
    assert_group_gone(pgid);
    // The segment (the flag demo makes no semaphore set).
    let left: Vec<String> = sysv_with_key(key).into_iter().map(|(k, _)| k).collect();
    assert_eq!(left, ["shm"], "the killed run left its segment");
    let out = ipclab()
        .arg("shmcon")
        .arg(s.path("k"))
        .args(["--interval", "10ms"])
        .write_stdin("end\n")
        .timeout(patience(std::time::Duration::from_secs(30)))
        .succeeds();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("stale shared memory segment"), "{err}");
    assert_no_sysv(key);
}
