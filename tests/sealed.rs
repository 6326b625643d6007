//! Gradings sealed from everything else (`ipclab check --isolation ns`): hostile programs
//! (tests/students/*hostile*) cannot reach the grader, the user's other work or the file
//! system; what they leave is found and goes with their run; a whole class graded with
//! `--batch` beside three demos the user is running leaves those untouched. Without
//! namespaces (`--isolation none`), only what is proven the run's own is removed.

use crate::common::*;
use crate::graded::{failed, grade};
use std::path::Path;
use std::time::Duration;

/// Can this machine seal a grading? (Not: the test says it skipped, and why.)
fn sealing() -> bool {
    let Some(p) = student_program("shmproducer_shell.sh") else {
        return false;
    };
    let out = ipclab()
        .args([
            "check",
            "shmproducer",
            "--isolation",
            "ns",
            "--only",
            "data",
            "--format",
            "json",
            "--",
        ])
        .arg(p)
        .timeout(patience(Duration::from_secs(60)))
        .output()
        .unwrap();
    if out.status.code() == Some(2) {
        skipped(&format!(
            "namespaces cannot be made here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        return false;
    }
    true
}

/// Processes still running whose command line names `what`.
fn running(what: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|p| {
            let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
            let state = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            String::from_utf8_lossy(&cmd).contains(what) && !state.contains(") Z")
        })
        .collect()
}

#[test]
fn hostile_programs_are_graded_and_leave_nothing() {
    if !sealing() {
        return;
    }
    let s = Scratch::new("hostile");
    // Kills its parent: the report still comes.
    let p = student_program("kill_parent_hostile.c").unwrap();
    let (code, report) = grade("shmread", &p, &["--repeat", "2"]);
    assert!(code.is_some() && report["checks"].is_array(), "{report}");
    // Five children that leave its session, each with a private segment.
    let p = student_program("setsid_hostile.c").unwrap();
    let (_, report) = grade("shmread", &p, &["--only", "no-leak,no-stray"]);
    assert_eq!(failed(&report), ["no-leak", "no-stray"], "{report}");
    assert!(
        running(&p.to_string_lossy()).is_empty(),
        "its children outlived the grading"
    );
    // 200 processes: the limit, said as such.
    let p = student_program("fork_many_hostile.c").unwrap();
    let (_, report) = grade("shmread", &p, &["--only", "end,limits"]);
    assert!(failed(&report).contains(&"limits".to_string()), "{report}");
    assert!(running(&p.to_string_lossy()).is_empty());
    // Every signal ignored: Ctrl-C does not end it, the grader does.
    let p = student_program("ignore_signals_hostile.c").unwrap();
    let (_, report) = grade("shmread", &p, &["--only", "sigint"]);
    assert_eq!(failed(&report), ["sigint"], "{report}");
    assert!(running(&p.to_string_lossy()).is_empty());
    // Escape sequences: shown escaped, in the table too.
    let p = student_program("escape_hostile.sh").unwrap();
    let out = ipclab()
        .args([
            "check",
            "shmread",
            "--seed",
            "1",
            "--only",
            "transcript,end",
            "--",
        ])
        .arg(&p)
        .timeout(patience(Duration::from_secs(60)))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        !table.bytes().any(|b| b == 0x1b || b == b'\r' || b == 0x07),
        "control characters reached the report:\n{table:?}"
    );
    assert!(table.contains("\\x1b"), "{table}");
    // Writes outside its run: the file system is read-only there.
    let target = s.path("owned");
    let p = student_program("write_outside_hostile.sh").unwrap();
    let out = ipclab()
        .env("HOSTILE_TARGET", &target)
        .args(["check", "shmread", "--only", "end", "--"])
        .arg(&p)
        .timeout(patience(Duration::from_secs(60)))
        .output()
        .unwrap();
    assert!(out.status.code().is_some());
    assert!(!target.exists(), "a sealed program wrote outside its run");
}

/// A demo of the user's, running beside the grading, in its own group.
fn live(dir: &Path, args: &[&str], ready: &str) -> Running {
    let mut r = started_in(dir, args);
    if let Some(stripped) = ready.strip_prefix("stderr:") {
        r.wait_for_err(stripped);
    } else {
        r.wait_for(ready);
    }
    r
}

#[test]
fn a_hostile_batch_leaves_the_users_running_demos_alone() {
    if !sealing() {
        return;
    }
    let s = Scratch::new("live");
    let (kf, msg_key) = s.keyfile("msg.key", b'z');
    let kf = kf.to_str().unwrap().to_string();
    let fifo = s.path("live.fifo");
    let fifo_s = fifo.to_str().unwrap().to_string();
    let (shm_kf, _) = s.keyfile("shm.key", 0x27);
    let server = live(
        &s.dir,
        &["msg-server", "--path", &kf, "--count", "1"],
        "My pid is",
    );
    let reader = live(
        &s.dir,
        &["fifo-read", &fifo_s],
        "stderr:waiting for a writer",
    );
    let shm = live(
        &s.dir,
        &[
            "shmcon",
            shm_kf.to_str().unwrap(),
            "--serve",
            "--interval",
            "10ms",
        ],
        "in a third terminal",
    );
    let shm_key = shm
        .seen
        .iter()
        .find_map(|l| l.strip_prefix("key generated: IPC key = "))
        .unwrap()
        .to_string();
    // A class of hostile submissions, two at a time.
    let class = s.path("class");
    std::fs::create_dir(&class).unwrap();
    for f in [
        "remove_everything_hostile.sh",
        "kill_parent_hostile.c",
        "setsid_hostile.c",
        "escape_hostile.sh",
        "shmread_wrong_key.c",
    ] {
        let p = student_program(f).unwrap();
        std::os::unix::fs::symlink(&p, class.join(f.split('.').next().unwrap())).unwrap();
    }
    let book = s.path("book");
    let out = ipclab()
        .current_dir(&s.dir)
        .env("LIVE_FIFO", &fifo)
        .env("LIVE_KEYFILE", &kf)
        .args(["check", "shmread", "--batch"])
        .arg(&class)
        .args([
            "--jobs",
            "2",
            "--repeat",
            "2",
            "--budget",
            "6s",
            "--gradebook",
        ])
        .arg(&book)
        .timeout(patience(Duration::from_secs(300)))
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("5 submissions"), "{summary}");
    let csv = std::fs::read_to_string(s.path("book.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6, "{csv}");
    assert!(
        csv.starts_with("student,score,max,error,transcript,"),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("book.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    // The three demos are untouched, and still work.
    assert!(
        !sysv_with_key(msg_key).is_empty(),
        "the msg-server's queue is gone"
    );
    let client = run_in(&s.dir, &["msg-client", "--path", &kf]);
    assert!(String::from_utf8_lossy(&client.stdout).contains("hello, I'm server"));
    assert!(server.finish().0.success());
    assert!(
        std::fs::symlink_metadata(&fifo).is_ok_and(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_fifo()
        }),
        "the FIFO is gone"
    );
    let w = run_in(
        &s.dir,
        &["fifo-write", &fifo_s, "--count", "1", "--interval", "0"],
    );
    assert!(w.status.success());
    let (st, out, _) = reader.finish();
    assert!(st.success() && out.contains("Read message: "), "{out}");
    let w = ipclab()
        .args(["shmwrite", &shm_key, "--interval", "10ms"])
        .write_stdin("end\n")
        .timeout(patience(Duration::from_secs(30)))
        .output()
        .unwrap();
    assert!(w.status.success(), "{}", String::from_utf8_lossy(&w.stderr));
    let mut r = started_in(&s.dir, &["shmread", &shm_key, "--interval", "10ms"]);
    r.wait_for("You wrote: end");
    assert!(shm.finish().0.success());
    drop(r);
}

#[test]
fn without_namespaces_only_what_is_proven_the_runs_is_removed() {
    let (Some(p), Some(seed_server)) = (
        student_program("use_live_queue.py"),
        c_program("msg_server"),
    ) else {
        return;
    };
    let s = Scratch::new("unsealed");
    let (kf, key) = s.keyfile("msg.key", b'z');
    let _guard = KeyGuard(vec![key]);
    let kf = kf.to_str().unwrap().to_string();
    // The seed's server (not ipclab's: no registry knows its queue), serving for ever.
    let mut c = std::process::Command::new(&seed_server);
    c.args([kf.as_str(), "10"]);
    let mut server = Running::start(c);
    server.wait_for("My pid is");
    let out = ipclab()
        .current_dir(&s.dir)
        .env("LIVE_KEYFILE", &kf)
        .env(
            "PATH",
            format!(
                "/usr/bin:/bin:{}",
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .args([
            "check",
            "msg-client",
            "--isolation",
            "none",
            "--only",
            "no-leak",
            "--format",
            "json",
            "--",
        ])
        .arg(&p)
        .timeout(patience(Duration::from_secs(60)))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // It was the queue's last sender and receiver: at most reported, never removed.
    let detail = report["checks"][0]["detail"].as_str().unwrap();
    assert!(!detail.contains("ipclab removed"), "{detail}");
    assert!(
        !sysv_with_key(key).is_empty(),
        "the running server's queue was removed"
    );
    let client = run_in(&s.dir, &["msg-client", "--path", &kf]);
    assert!(String::from_utf8_lossy(&client.stdout).contains("hello, I'm server"));
    drop(server);
}
