//! `ipclab ls`, `ipclab clean`, `ipclab limits`, and the record behind them.

use crate::common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::process::Command;

const KEYS: [&str; 13] = [
    "kind",
    "key",
    "id",
    "name",
    "owner",
    "perms",
    "size",
    "nattch",
    "status",
    "cpid",
    "lpid",
    "by_ipclab",
    "creator_alive",
];

fn ls_json(state: &std::path::Path) -> Vec<serde_json::Value> {
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", state)
        .args(["ls", "--json"])
        .succeeds();
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).expect("ls --json parses")
}

#[test]
fn ls_marks_what_ipclab_made_and_whether_its_creator_lives() {
    let s = Scratch::new("ls");
    let state = s.path("state");
    let (kf, key) = s.keyfile("k", 0x27);
    let mut c = cmd();
    c.env("IPCLAB_STATE_DIR", &state)
        .arg("shmcon")
        .arg(&kf)
        .args(["--sync", "sem"]);
    let mut r = Running::start(c);
    r.wait_for("shmwrite process ready");
    let all = ls_json(&state);
    for o in &all {
        let keys: Vec<&String> = o.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), KEYS.len(), "{o}");
        for k in KEYS {
            assert!(o.get(k).is_some(), "missing {k} in {o}");
        }
        // Keys as the table shows them (and lsipc --json): "0x" and 8 hex digits.
        assert!(
            o["key"].is_null()
                || o["key"]
                    .as_str()
                    .is_some_and(|k| k.len() == 10 && k.starts_with("0x")),
            "{o}"
        );
    }
    let ours: Vec<&serde_json::Value> = all
        .iter()
        .filter(|o| o["key"] == format!("0x{key:08x}"))
        .collect();
    assert_eq!(ours.len(), 2, "segment and semaphore set: {ours:?}");
    for o in &ours {
        assert_eq!(o["by_ipclab"], true);
        assert_eq!(o["creator_alive"], true);
        assert_eq!(o["perms"], "0600");
    }
    let shm = ours.iter().find(|o| o["kind"] == "sysv-shm").unwrap();
    assert_eq!(shm["size"], 4100);
    assert_eq!(shm["nattch"], 2);
    // The table view, --mine.
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .args(["ls", "--mine"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("KIND "), "{text}");
    assert!(
        text.contains(&format!("0x{key:08x}")) && text.contains("running"),
        "{text}"
    );
    // After SIGKILL of the controller, its objects show a dead creator; clean lists them,
    // then removes them, then has nothing left.
    kill(Pid::from_raw(r.pgid()), Signal::SIGKILL).unwrap();
    let _ = r.finish();
    wait_until(5, "the children to end", || {
        sysv_with_key(key)
            .iter()
            .all(|_| crate::common::shm_nattch(key).unwrap_or(0) == 0)
    });
    let ours: Vec<serde_json::Value> = ls_json(&state)
        .into_iter()
        .filter(|o| o["key"] == format!("0x{key:08x}"))
        .collect();
    assert!(ours.iter().all(|o| o["creator_alive"] == false), "{ours:?}");
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .arg("clean")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("2 stale object(s)"));
    ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .args(["clean", "--yes"])
        .assert()
        .success();
    assert_no_sysv(key);
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .arg("clean")
        .succeeds();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("nothing to clean"));
}

#[test]
fn clean_never_touches_what_ipclab_did_not_make_nor_what_is_in_use() {
    let Some(reader) = c_program("shmread") else {
        return;
    };
    let s = Scratch::new("clean");
    let state = s.path("state");
    // A stranger's segment (made by a C program): never touched.
    let (_kf, stranger) = s.keyfile("stranger", 0x27);
    let Some(stranger_id) = mkseg(stranger, 4100, "600") else {
        return;
    };
    // An ipclab segment left by a killed run, still attached by a C reader.
    let (kf, key) = s.keyfile("k", 0x27);
    let _cleanup = KeyGuard(vec![stranger, key]);
    let mut c = cmd();
    c.env("IPCLAB_STATE_DIR", &state).arg("shmcon").arg(&kf);
    let mut r = Running::start(c);
    r.wait_for("shmwrite process ready");
    // Keep shmcon's stdin open: an EOF would make the writer send `end` to the C reader.
    let _stdin = r.child.stdin.take();
    let mut cr = Command::new(&reader);
    cr.arg(format!("{key:x}"));
    let mut c_reader = Running::start(cr);
    c_reader.wait_for("process ready");
    kill(Pid::from_raw(r.pgid()), Signal::SIGKILL).unwrap();
    let _ = r.finish();
    wait_until(5, "only the C reader attached", || {
        shm_nattch(key) == Some(1)
    });
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .args(["clean", "--yes"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("in use, kept") && text.contains("--force"),
        "{text}"
    );
    assert!(shm_id_exists(stranger_id));
    ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .args(["clean", "--yes", "--force"])
        .assert()
        .success();
    assert!(
        shm_id_exists(stranger_id),
        "a stranger's segment is never removed"
    );
    kill(Pid::from_raw(c_reader.pgid()), Signal::SIGKILL).unwrap();
    let _ = c_reader.finish();
    wait_until(5, "the removed segment to go", || {
        sysv_with_key(key).is_empty()
    });
    crate::shm_sysv::ipclab_remove_shm(stranger_id);
    assert_no_sysv(stranger);
}

#[test]
fn limits_show_the_slides_view_and_parse_as_json() {
    let out = ipclab().arg("limits").succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "------ Messages Limits --------",
        "max queues system wide = ",
        "max size of message (bytes) = ",
        "------ Shared Memory Limits --------",
        "max number of segments = ",
        "------ Semaphore Limits --------",
        "semaphore max value = 32767",
        "RLIMIT_MSGQUEUE (bytes) = ",
        "/dev/shm size (bytes) = ",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    let msgmax = std::fs::read_to_string("/proc/sys/kernel/msgmax").unwrap();
    assert!(text.contains(&format!("max size of message (bytes) = {}", msgmax.trim())));
    let out = ipclab().args(["limits", "--json"]).output().unwrap();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.len() >= 14);
    for o in &v {
        for k in ["section", "name", "limit", "used", "percent"] {
            assert!(o.get(k).is_some(), "{o}");
        }
        // Numbers as numbers (an "unlimited" shmall in KiB is above u64: a float to a
        // JSON reader, as in any JSON).
        assert!(o["limit"].is_number(), "{o}");
        assert!(o["used"].is_null() || o["used"].is_u64(), "{o}");
    }
}
