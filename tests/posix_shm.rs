//! Algorithms 8-4 … 8-6: POSIX shared memory, and the bounded buffer.

use crate::common::*;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::process::Command;
use std::time::Duration;

#[test]
fn shmpthreadcon_transcript_matches_the_slide() {
    let name = shm_name("con");
    let out = ipclab()
        .args(["shmpthreadcon", &name])
        .timeout(patience(Duration::from_secs(20)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    // Other tests' objects may be listed too: keep the slide's lines and ours.
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("total ") || l.contains(&name) || l.contains("message"))
        .collect();
    let expected = format!(
        "total [..]\n-rw------- 1 [USER] [..] 0 [..] {name}\nproduced message: Hello World!\nconsumed message: Hello World!\ntotal [..]"
    );
    assert_transcript(&ours.join("\n"), &expected);
    assert!(!dev_shm_has(&name));
}

#[test]
fn the_alias_and_mode_666_and_a_leading_slash() {
    let name = shm_name("alias");
    let out = ipclab()
        .args(["shmthreadcon", &format!("/{name}"), "--mode", "644"])
        .timeout(patience(Duration::from_secs(20)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("-rw-r--r-- ") && l.ends_with(&name)),
        "{text}"
    );
    assert!(!dev_shm_has(&name));
}

#[test]
fn the_default_consumer_never_reads_an_empty_message() {
    for i in 0..200 {
        let name = shm_name("race");
        let out = ipclab()
            .args(["shmpthreadcon", &name])
            .timeout(patience(Duration::from_secs(20)))
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "run {i}");
        assert!(
            text.contains("consumed message: Hello World!\n"),
            "run {i}: {text}"
        );
        assert!(!dev_shm_has(&name));
    }
}

#[test]
fn race_mode_runs_the_slides_flow() {
    let name = shm_name("racey");
    let out = ipclab()
        .args(["shmpthreadcon", &name, "--race"])
        .timeout(patience(Duration::from_secs(20)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    let consumed = text
        .lines()
        .find(|l| l.starts_with("consumed message:"))
        .unwrap();
    if consumed == "consumed message: " {
        assert!(String::from_utf8(out.stderr).unwrap().contains("--race"));
    }
    assert!(!dev_shm_has(&name));
}

fn ring(sync: &str, buffer: &str) {
    let name = shm_name("ring");
    let out = ipclab()
        .args([
            "shmpthreadcon",
            &name,
            "--items",
            "100000",
            "--sync",
            sync,
            "--buffer-size",
            buffer,
        ])
        .timeout(patience(Duration::from_secs(120)))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let produced = text
        .lines()
        .position(|l| l == "produced 100000 items")
        .unwrap();
    let consumed = text
        .lines()
        .position(|l| l.starts_with("consumed 100000 items, 6400000 bytes"))
        .unwrap();
    assert!(produced < consumed);
    let max = (buffer.parse::<u32>().unwrap() - 1).to_string();
    let line = text.lines().nth(consumed).unwrap();
    assert!(line.contains("every item once and in order"));
    assert!(line.contains("largest fill seen: "), "{line}");
    let fill: u32 = line
        .split("largest fill seen: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        fill <= max.parse().unwrap(),
        "at most BUFFER_SIZE-1 items: {line}"
    );
    eprintln!("--sync {sync} --buffer-size {buffer}: {line}");
    assert!(!dev_shm_has(&name));
}

#[test]
fn ring_spin_100000_items_in_order() {
    ring("spin", "10");
}

#[test]
fn ring_sem_100000_items_in_order() {
    ring("sem", "10");
}

#[test]
fn ring_sem_big_buffer() {
    ring("sem", "1024");
}

#[test]
fn standalone_producer_and_consumer_share_a_ring() {
    for sync in ["spin", "sem"] {
        let name = shm_name("ring2");
        let mut c = cmd();
        c.args(["shmconsumer", &name, "--items", "5000", "--sync", sync]);
        let consumer = Running::start(c);
        ipclab()
            .args(["shmproducer", &name, "--items", "5000", "--sync", sync])
            .timeout(patience(Duration::from_secs(30)))
            .assert()
            .success();
        let (st, text, err) = consumer.finish();
        assert!(st.success(), "{err}");
        assert!(text.contains("consumed 5000 items"));
        assert!(!dev_shm_has(&name), "the consumer removes the buffer");
    }
}

#[test]
fn mismatched_buffer_sizes_are_explained() {
    let name = shm_name("mismatch");
    let mut c = cmd();
    c.args(["shmconsumer", &name, "--items", "10", "--buffer-size", "10"]);
    let mut consumer = Running::start(c);
    consumer.wait_for_err("waiting up to");
    let out = ipclab()
        .args(["shmproducer", &name, "--items", "10", "--buffer-size", "20"])
        .timeout(patience(Duration::from_secs(30)))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("same options") || err.contains("no bounded buffer"),
        "{err}"
    );
    kill(Pid::from_raw(consumer.pgid()), Signal::SIGTERM).unwrap();
    let (st, _, _) = consumer.finish();
    assert_eq!(exit_code(&st), Some(143));
    assert!(!dev_shm_has(&name));
}

#[test]
fn a_c_producer_with_the_ipclab_consumer() {
    let Some(cp) = c_program_rt("shmproducer") else {
        return;
    };
    let name = shm_name("cprod");
    let mut c = cmd();
    c.args(["shmconsumer", &name]);
    let consumer = Running::start(c);
    wait_until(10, "the consumer's object", || {
        std::fs::metadata(format!("/dev/shm/{name}")).is_ok_and(|m| m.len() == 4100)
    });
    let out = Command::new(&cp).arg(&name).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let (st, text, _) = consumer.finish();
    assert!(st.success());
    assert_eq!(text, "consumed message: Hello World!");
    assert!(
        !dev_shm_has(&name),
        "the consumer made it, the consumer removes it"
    );
}

#[test]
fn the_ipclab_producer_with_a_c_consumer() {
    let Some(cc) = c_program_rt("shmconsumer") else {
        return;
    };
    let name = shm_name("ccons");
    let f = std::fs::File::create(format!("/dev/shm/{name}")).unwrap();
    f.set_len(4100).unwrap();
    let out = ipclab().args(["shmproducer", &name]).succeeds();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "produced message: Hello World!\n"
    );
    let out = Command::new(&cc).arg(&name).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "consumed message: Hello World!\n"
    );
    dev_shm_remove(&name);
}

/// `shmpthreadcon NAME --items 10^9`: a transfer that is still running when the test acts.
fn endless_ring(name: &str, sync: &str) -> Running {
    let mut c = cmd();
    c.args([
        "shmpthreadcon",
        name,
        "--items",
        "1000000000",
        "--sync",
        sync,
    ]);
    Running::start(c)
}

#[test]
fn sigint_during_the_ring_and_sigkill_of_a_child() {
    // Ctrl-C: everything ends with 130 and the object is unlinked.
    let name = shm_name("sigint");
    let r = endless_ring(&name, "sem");
    let pgid = r.pgid();
    wait_until(10, "both children", || children_of(pgid).len() == 2);
    killpg(Pid::from_raw(pgid), Signal::SIGINT).unwrap();
    let (st, _, err) = r.finish();
    assert_eq!(exit_code(&st), Some(130), "{err}");
    assert_group_gone(pgid);
    assert!(!dev_shm_has(&name));

    // A killed consumer: the producer is stopped, the object unlinked, exit 1.
    let name = shm_name("sigkill");
    let r = endless_ring(&name, "spin");
    let pgid = r.pgid();
    let mut consumer = 0;
    wait_until(10, "the consumer", || {
        consumer = children_of(pgid)
            .into_iter()
            .find(|&p| argv0_of(p) == "shmconsumer")
            .unwrap_or(0);
        consumer != 0
    });
    kill(Pid::from_raw(consumer), Signal::SIGKILL).unwrap();
    let (st, _, err) = r.finish();
    assert_eq!(st.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("shmconsumer (pid {consumer}) killed by SIGKILL")),
        "{err}"
    );
    assert_group_gone(pgid);
    assert!(!dev_shm_has(&name));
}

#[test]
fn bad_names_sizes_and_permissions() {
    let check = |args: &[&str], needle: &str| {
        let out = ipclab()
            .args(args)
            .timeout(patience(Duration::from_secs(20)))
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(matches!(out.status.code(), Some(1 | 2)), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        eprintln!("{args:?} -> {}", err.trim_end());
    };
    check(&["shmpthreadcon", "a/b"], "one path component");
    check(&["shmproducer", &"x".repeat(300)], "NAME_MAX");
    let missing = shm_name("missing");
    let bare = missing.trim_start_matches('/');
    check(
        &["shmproducer", &missing, "--timeout", "0"],
        &format!("start `ipclab shmconsumer {bare}`"),
    );
    check(
        &["shmconsumer", &shm_name("missing"), "--race"],
        "no such object",
    );
    check(&["shmpthreadcon", "x", "--items", "0"], "--items");
    check(
        &["shmpthreadcon", "x", "--buffer-size", "1"],
        "--buffer-size",
    );
    let name = shm_name("small");
    std::fs::File::create(format!("/dev/shm/{name}"))
        .unwrap()
        .set_len(100)
        .unwrap();
    check(&["shmproducer", &name], "SIGBUS");
    check(&["shmpthreadcon", &name], "already exists");
    dev_shm_remove(&name);

    if !skip_unless_root("a second user, for part of the test") && !skip_without("setpriv") {
        let name = shm_name("perm");
        let mut c = cmd();
        c.args(["shmconsumer", &name, "--timeout", "10s"]);
        let mut owner = Running::start(c);
        owner.wait_for_err("waiting up to");
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .args(["shmproducer", &name])
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            err.contains("permission denied") && err.contains("root") && err.contains("600"),
            "{err}"
        );
        kill(Pid::from_raw(owner.pgid()), Signal::SIGTERM).unwrap();
        let _ = owner.finish();
        assert!(!dev_shm_has(&name));
    }
}
