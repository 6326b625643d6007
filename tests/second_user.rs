//! A second user on the same machine (user 65534, through `setpriv`; the tests need root
//! and skip otherwise): objects of another user are refused (permission denied when their
//! mode says so; otherwise refused unless `--trust-foreign`), and objects or a registry
//! another user planted never make ipclab read their text, forge replies or remove your
//! objects.

use crate::common::*;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const NOBODY: u32 = 65534;

/// Run ipclab as user 65534 (nobody), with `stdin`, killed after 20 s at most.
fn as_nobody(args: &[&str], stdin: &str) -> std::process::Output {
    nobody_cmd(args)
        .write_stdin(stdin)
        .timeout(patience(Duration::from_secs(20)))
        .output()
        .unwrap()
}

fn nobody_cmd(args: &[&str]) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(args)
        .env("IPCLAB_STATE_DIR", nobody_state());
    c
}

/// A state directory of nobody's own.
fn nobody_state() -> PathBuf {
    let d = state_dir().join("nobody");
    if !d.exists() {
        std::fs::create_dir_all(&d).unwrap();
        nix::unistd::chown(&d, Some(NOBODY.into()), Some(NOBODY.into())).unwrap();
        std::fs::set_permissions(&d, PermissionsExt::from_mode(0o700)).unwrap();
    }
    d
}

fn can_switch_user() -> bool {
    if skip_unless_root("to act as a second user") || skip_without("setpriv") {
        return false;
    }
    true
}

/// A directory every user may write (like /tmp: sticky), for key files and FIFOs.
fn shared_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ipclab-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, PermissionsExt::from_mode(0o1777)).unwrap();
    dir
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One line on stderr, exit 1, containing every needle.
fn refused(out: std::process::Output, what: &str, needles: &[&str]) {
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{what}: {err}");
    let last = err.lines().last().unwrap_or("");
    for n in needles {
        assert!(last.contains(n), "{what}: {n:?} not in {err}");
    }
    eprintln!("{what} -> {}", last);
}

#[test]
fn another_users_objects_need_permission_and_trust() {
    if !can_switch_user() {
        return;
    }
    let dir = shared_dir("perm");
    let kf = dir.join("k");
    std::fs::write(&kf, b"").unwrap();
    std::fs::set_permissions(&kf, PermissionsExt::from_mode(0o644)).unwrap();
    let (key, msg_key) = (ftok(&kf, 0x27), ftok(&kf, b'z'));
    let kfs = kf.display().to_string();
    for (mode, trust) in [("600", false), ("666", false), ("666", true)] {
        let flag: &[&str] = if trust { &["--trust-foreign"] } else { &[] };
        let expect = |out: std::process::Output, what: &str| match (mode, trust) {
            ("600", _) => refused(out, what, &["ermission denied", "root", "600"]),
            (_, false) => refused(out, what, &["belongs to root", "666", "--trust-foreign"]),
            _ => assert!(out.status.success(), "{what}: {}", stderr(&out)),
        };
        // System V segment: a served segment with our reader; the second user writes.
        let mut c = cmd();
        c.arg("shmcon")
            .arg(&kf)
            .args(["--serve", "--interval", "10ms", "--mode", mode]);
        let mut con = Running::start(c);
        con.wait_for("in a third terminal");
        let key_hex = format!("{key:x}");
        let mut c = cmd();
        c.args(["shmread", key_hex.as_str(), "--interval", "10ms"]);
        let mut reader = Running::start(c);
        reader.wait_for("shmread process ready");
        let args = [&["shmwrite", key_hex.as_str(), "--interval", "10ms"], flag].concat();
        expect(as_nobody(&args, "from nobody\nend\n"), "segment");
        if trust {
            reader.wait_for("You wrote: from nobody");
        }
        for r in [reader, con] {
            let _ = killpg(Pid::from_raw(r.pgid()), Signal::SIGINT);
            let _ = r.finish();
        }
        // Message queue.
        let mut c = cmd();
        c.args(["msg-server", "--path", &kfs, "--mode", mode, "--count", "1"]);
        let mut srv = Running::start(c);
        srv.wait_for("My pid is");
        let args = [
            &["msg-client", "--path", kfs.as_str(), "--timeout", "5s"],
            flag,
        ]
        .concat();
        expect(as_nobody(&args, ""), "queue");
        if !trust {
            killpg(Pid::from_raw(srv.pgid()), Signal::SIGTERM).unwrap();
        }
        let _ = srv.finish();
        // POSIX shm object.
        let name = shm_name("perm");
        let mut c = cmd();
        c.args(["shmconsumer", &name, "--mode", mode, "--timeout", "10s"]);
        let mut cons = Running::start_with_stderr(c);
        cons.wait_for_err("waiting");
        expect(
            as_nobody(&[&["shmproducer", name.as_str()], flag].concat(), ""),
            "POSIX object",
        );
        if !trust {
            killpg(Pid::from_raw(cons.pgid()), Signal::SIGTERM).unwrap();
        }
        let _ = cons.finish();
        // FIFO.
        let fifo = dir.join("fifo1");
        let mut c = cmd();
        c.arg("fifo-read").arg(&fifo).args(["--mode", mode]);
        let mut rd = Running::start_with_stderr(c);
        rd.wait_for_err("waiting for a writer");
        let args = [
            &["fifo-write", fifo.to_str().unwrap(), "--count", "1"],
            flag,
        ]
        .concat();
        expect(as_nobody(&args, ""), "FIFO");
        if !trust {
            killpg(Pid::from_raw(rd.pgid()), Signal::SIGTERM).unwrap();
        }
        let _ = rd.finish();
        assert_no_sysv(key);
        assert_no_sysv(msg_key);
        assert!(!dev_shm_has(&name));
        assert!(!fifo.exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Nobody's `msg-server --mode 666` on a key file in a shared directory: the queue is theirs.
#[test]
fn a_planted_queue_and_fifo_are_refused() {
    if !can_switch_user() {
        return;
    }
    let dir = shared_dir("plant");
    let kf = dir.join("k");
    std::fs::write(&kf, b"").unwrap();
    std::fs::set_permissions(&kf, PermissionsExt::from_mode(0o644)).unwrap();
    let kfs = kf.display().to_string();
    let mut c = std::process::Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(["msg-server", "--path", &kfs, "--mode", "666"])
        .env("IPCLAB_STATE_DIR", nobody_state());
    let mut planted = Running::start(c);
    planted.wait_for("My pid is");
    let out = ipclab()
        .args(["msg-client", "--path", &kfs, "--timeout", "2s"])
        .output()
        .unwrap();
    refused(
        out,
        "planted queue",
        &["belongs to nobody", "--trust-foreign"],
    );
    // The planter never saw a request.
    killpg(Pid::from_raw(planted.pgid()), Signal::SIGTERM).unwrap();
    let (_, text, _) = planted.finish();
    assert!(!text.contains("receive msg"), "{text}");
    assert_no_sysv(ftok(&kf, b'z'));

    // A FIFO planted at the path a reader will use.
    let fifo = dir.join("fifo1");
    let st = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "mkfifo",
            "-m",
            "666",
        ])
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let out = ipclab().arg("fifo-read").arg(&fifo).output().unwrap();
    refused(
        out,
        "planted FIFO (reader)",
        &["belongs to nobody", "--trust-foreign"],
    );
    let out = ipclab()
        .arg("fifo-write")
        .arg(&fifo)
        .args(["--count", "1", "--timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(fifo.exists(), "a FIFO ipclab did not make is not removed");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Plant a registry as nobody in `dir` naming `rows`, and make `dir` nobody's.
fn plant_registry(dir: &Path, rows: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("objects.tsv"), rows).unwrap();
    for p in [dir.to_path_buf(), dir.join("objects.tsv")] {
        nix::unistd::chown(&p, Some(NOBODY.into()), Some(NOBODY.into())).unwrap();
    }
}

#[test]
fn a_planted_registry_never_makes_clean_remove_your_objects() {
    if !can_switch_user() {
        return;
    }
    let s = Scratch::new("plantreg");
    let (_, key) = s.keyfile("k", 0x51);
    let Some(id) = mkseg(key, 4100, "600") else {
        return;
    };
    let row = format!(
        "sysv-shm\t{}\t{id}\t-\t999999\t1\t0\t0\tmade\tipclab shmcon\n",
        key as i32
    );
    // Through IPCLAB_STATE_DIR, and through the /tmp fallback another user created first.
    let planted = s.path("planted");
    plant_registry(&planted, &row);
    let tmp = s.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, PermissionsExt::from_mode(0o1777)).unwrap();
    plant_registry(&tmp.join("ipclab-0"), &row);
    for (what, env) in [
        (
            "IPCLAB_STATE_DIR",
            vec![("IPCLAB_STATE_DIR", planted.clone())],
        ),
        ("the /tmp fallback", vec![("TMPDIR", tmp.clone())]),
    ] {
        let mut c = assert_cmd::Command::new(bin());
        c.env_remove("IPCLAB_STATE_DIR")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("HOME")
            .envs(env)
            .args(["clean", "--yes"]);
        let out = c.output().unwrap();
        refused(out, what, &["nobody", "will not trust it"]);
        assert!(shm_id_exists(id), "{what}: the segment was removed");
    }
    crate::shm_sysv::ipclab_remove_shm(id);
    assert_no_sysv(key);
}

#[test]
fn a_queue_handed_over_with_ipc_set_is_still_foreign() {
    if !can_switch_user() {
        return;
    }
    let Some(plant) = c_program("plant_queue") else {
        return;
    };
    // Root makes a 0666 queue under a key of a shared directory, and hands it to nobody:
    // its owner is nobody now, its creator still root.
    let dir = shared_dir("handed");
    let kf = dir.join("k");
    std::fs::write(&kf, b"").unwrap();
    std::fs::set_permissions(&kf, PermissionsExt::from_mode(0o644)).unwrap();
    let key = ftok(&kf, b'z');
    let _guard = KeyGuard(vec![key]);
    let out = std::process::Command::new(&plant)
        .arg(&kf)
        .arg(NOBODY.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kf_s = kf.to_str().unwrap();
    refused(
        as_nobody(&["msg-client", "--path", kf_s, "--timeout", "2s"], ""),
        "a queue handed over",
        &[
            "belongs to root (who handed it to you with IPC_SET)",
            "--trust-foreign",
        ],
    );
    // Nothing was sent on it: the planter reads nothing of nobody's.
    let qnum = std::fs::read_to_string("/proc/sysvipc/msg")
        .unwrap()
        .lines()
        .skip(1)
        .find(|l| {
            l.split_whitespace()
                .next()
                .and_then(|k| k.parse::<i64>().ok())
                == Some(key as i32 as i64)
        })
        .and_then(|l| l.split_whitespace().nth(4)?.parse::<u64>().ok());
    assert_eq!(qnum, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
