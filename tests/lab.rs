//! `ipclab lab`: every starter compiles as written and fails its checks; filled with the
//! reference program of tests/c it passes; `watch` follows file writes (a broken save shows
//! the compiler's line, a fixed one the checks); a grade marks the exercise done and the
//! progress survives a new run; `start` never writes over a file.

use crate::common::*;
use std::path::{Path, PathBuf};

/// The reference program of each exercise (tests/c), and the headers it includes.
const REFERENCES: &[(&str, &str, &[&str])] = &[
    ("shmread", "shmread.c", &[]),
    ("shmwrite", "shmwrite.c", &[]),
    ("shmcon", "check_shmcon_ok.c", &[]),
    ("shmproducer", "shmproducer.c", &[]),
    ("shmconsumer", "check_shmconsumer_ok.c", &[]),
    (
        "ring-producer",
        "check_ring_producer_ok.c",
        &["check_ring.h"],
    ),
    (
        "ring-consumer",
        "check_ring_consumer_ok.c",
        &["check_ring.h"],
    ),
    ("fifo-write", "fifo_write.c", &[]),
    ("fifo-read", "check_fifo_read_ok.c", &[]),
    ("msg-client", "check_msg_client_ok.c", &[]),
    ("msg-server", "check_msg_server_ok.c", &[]),
    ("sem-demo", "check_sem_demo_ok.c", &[]),
    ("mmap-write", "check_mmap_write_ok.c", &[]),
    ("mmap-read", "mmap_r_ipc.c", &[]),
    ("date-client", "sock_date_client.c", &[]),
    ("rpc-client", "rpc_date_client.c", &[]),
];

/// `ipclab lab ARGS` in `dir` with the state directory `state`.
fn lab(dir: &Path, state: &Path, args: &[&str]) -> std::process::Output {
    ipclab()
        .current_dir(dir)
        .env("IPCLAB_STATE_DIR", state)
        .env("LANG", "C")
        .arg("lab")
        .args(args)
        .timeout(patience(std::time::Duration::from_secs(120)))
        .output()
        .unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A private state directory inside `s`.
fn state_in(s: &Scratch) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let d = s.dir.join("state");
    std::fs::DirBuilder::new().mode(0o700).create(&d).unwrap();
    d
}

fn program_of(dir: &Path) -> String {
    let mk = std::fs::read_to_string(dir.join("Makefile")).unwrap();
    mk.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(t, _)| !t.starts_with('#') && !t.contains(' '))
                .map(|(t, _)| t.to_string())
        })
        .unwrap()
}

/// Put the reference program of `name` into its exercise directory.
fn fill(name: &str, dir: &Path) {
    let (_, file, headers) = REFERENCES.iter().find(|(n, _, _)| *n == name).unwrap();
    let c = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    std::fs::copy(c.join(file), dir.join(format!("{}.c", program_of(dir)))).unwrap();
    for h in headers.iter().chain(["shmdata.h"].iter()) {
        if std::fs::metadata(dir.join(h)).is_err() {
            std::fs::copy(c.join(h), dir.join(h)).unwrap();
        }
    }
}

fn can_build() -> bool {
    have_or_skip("make") && have_or_skip("gcc")
}

/// Start each exercise of `names`: the starter fails `lab test`; the reference passes.
fn starters_fail_and_references_pass(names: &[&str]) {
    if !can_build() {
        return;
    }
    let s = Scratch::new("lab-starters");
    let state = state_in(&s);
    for name in names {
        let o = lab(&s.dir, &state, &["start", name]);
        assert!(o.status.success(), "{}", text(&o));
        let dir = s.dir.join(name);
        let o = lab(&dir, &state, &["test"]);
        let t = text(&o);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{name}: the starter must fail its checks:\n{t}"
        );
        assert!(
            t.contains("FAIL  "),
            "{name}: the starter built and named a failing check:\n{t}"
        );
        assert!(
            !t.contains("build failed"),
            "{name}: the starter compiles as written:\n{t}"
        );
        fill(name, &dir);
        let o = lab(&dir, &state, &["test"]);
        assert!(
            o.status.success(),
            "{name}: the reference passes:\n{}",
            text(&o)
        );
        assert!(
            text(&o).contains("checks pass: run `ipclab lab grade`"),
            "{}",
            text(&o)
        );
    }
}

#[test]
fn system_v_starters_fail_and_the_references_pass() {
    starters_fail_and_references_pass(&["shmread", "shmwrite", "shmcon"]);
}

#[test]
fn posix_starters_fail_and_the_references_pass() {
    starters_fail_and_references_pass(&[
        "shmproducer",
        "shmconsumer",
        "ring-producer",
        "ring-consumer",
    ]);
}

#[test]
fn fifo_and_msg_starters_fail_and_the_references_pass() {
    starters_fail_and_references_pass(&["fifo-write", "fifo-read", "msg-client", "msg-server"]);
}

#[test]
fn sem_mmap_and_socket_starters_fail_and_the_references_pass() {
    starters_fail_and_references_pass(&["sem-demo", "mmap-write", "mmap-read", "date-client"]);
}

#[test]
fn the_rpc_starter_fails_and_the_reference_passes_through_rpcbind() {
    let rpcbind = std::process::Command::new("rpcinfo")
        .arg("-p")
        .output()
        .is_ok_and(|o| o.status.success());
    if !can_build() || !have("rpcgen") || !rpcbind {
        skipped("no running rpcbind or no rpcgen (.ci/run installs rpcbind, rpcsvc-proto and libtirpc-dev, and starts rpcbind)");
        return;
    }
    let _one = seed_key_lock(); // the fixed program number
    starters_fail_and_references_pass(&["rpc-client"]);
}

#[test]
fn a_grade_marks_the_exercise_done_and_the_progress_survives() {
    if !can_build() {
        return;
    }
    let s = Scratch::new("lab-grade");
    let state = state_in(&s);
    assert!(lab(&s.dir, &state, &["start", "shmread", "mine"])
        .status
        .success());
    let dir = s.dir.join("mine");
    for n in 1..=2 {
        let o = lab(&dir, &state, &["hint"]);
        assert!(
            text(&o).contains(&format!("hint {n} of 3 for shmread")),
            "{}",
            text(&o)
        );
    }
    // Not done yet: the starter fails the grade (exit 1), and says so.
    let o = lab(&dir, &state, &["grade", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], false);
    fill("shmread", &dir);
    let o = lab(&dir, &state, &["grade", "--format", "tap"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("TAP version")
            || String::from_utf8_lossy(&o.stdout).contains("ok 1"),
        "{}",
        text(&o)
    );
    // A new run reads the progress back.
    let o = lab(&s.dir, &state, &["status"]);
    let t = text(&o);
    assert!(t.contains("1 of 16 exercises done"), "{t}");
    let line = t.lines().find(|l| l.starts_with("shmread")).unwrap();
    assert!(
        line.contains("done")
            && line.contains("hints 2")
            && line.contains(&dir.display().to_string()),
        "{line}"
    );
    let o = lab(&s.dir, &state, &["list", "--lang", "zh"]);
    let t = text(&o);
    assert!(
        t.contains("System V 共享内存读者")
            && t.lines()
                .any(|l| l.contains("shmread") && l.contains("done")),
        "{t}"
    );
}

#[test]
fn start_never_writes_over_a_file_and_refuses_an_untrusted_progress_file() {
    let s = Scratch::new("lab-start");
    let state = state_in(&s);
    std::fs::create_dir(s.dir.join("fifo-read")).unwrap();
    std::fs::write(s.dir.join("fifo-read/Makefile"), "mine\n").unwrap();
    let o = lab(&s.dir, &state, &["start", "fifo-read"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("never writes over a file"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read_to_string(s.dir.join("fifo-read/Makefile")).unwrap(),
        "mine\n"
    );
    assert!(
        std::fs::metadata(s.dir.join("fifo-read/fifo_read.c")).is_err(),
        "nothing written"
    );
    // An unknown name is a usage error, one line.
    let o = lab(&s.dir, &state, &["start", "shmreed"]);
    assert_eq!(
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).lines().count()
        ),
        (Some(2), 1),
        "{}",
        text(&o)
    );
    // A progress file that is a symlink is not followed.
    std::os::unix::fs::symlink("/etc/passwd", state.join("lab.json")).unwrap();
    let o = lab(&s.dir, &state, &["status"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn watch_rebuilds_on_every_save_and_ctrl_c_ends_it() {
    if !can_build() {
        return;
    }
    let s = Scratch::new("lab-watch");
    let state = state_in(&s);
    assert!(lab(&s.dir, &state, &["start", "fifo-write"])
        .status
        .success());
    let dir = s.dir.join("fifo-write");
    let mut c = cmd();
    c.current_dir(&dir)
        .env("IPCLAB_STATE_DIR", &state)
        .args(["lab", "watch"]);
    let mut w = Running::start(c);
    w.wait_for("FAIL  ");
    w.wait_for("watching");
    std::fs::write(dir.join("fifo_write.c"), "int main( { broken\n").unwrap();
    w.wait_for_err("fifo_write.c:1:");
    w.wait_for("build failed");
    fill("fifo-write", &dir);
    w.wait_for("all 9 checks pass");
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(w.pgid()),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let (status, _, err) = w.finish_after_signal();
    assert!(
        matches!(status.code(), Some(130) | None),
        "{status:?} {err}"
    );
    assert!(
        std::fs::metadata(dir.join("fifo1")).is_err(),
        "no FIFO left"
    );
}
