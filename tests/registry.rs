//! The registry and the temporary paths: nothing followed through a planted symlink, names
//! nobody can guess, records that two runs never share, and a registry that cannot be
//! written is said, not silent.

use crate::common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The old predictable names, planted as symlinks to `victim` for a range of pids.
fn spray(tmp: &Path, victim: &Path) {
    let me = std::process::id();
    for pid in me..me + 400 {
        for name in [
            format!("ipclab-mmap-{pid}.dat"),
            format!("ipclab-tour-{pid}"),
            format!("ipclab-bench-fifo-{pid}"),
        ] {
            let _ = std::os::unix::fs::symlink(victim, tmp.join(name));
        }
    }
}

#[test]
fn temp_paths_are_private_random_and_never_followed() {
    let s = Scratch::new("spray");
    let tmp = s.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let victim = s.path("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    spray(&tmp, &victim);
    let planted = std::fs::read_dir(&tmp).unwrap().count();
    for args in [
        &["mmap-file", "demo"][..],
        &["tour", "mmap"],
        &["bench", "--only", "fifo", "--sizes", "64", "--count", "200"],
    ] {
        ipclab().env("TMPDIR", &tmp).args(args).assert().success();
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "precious\n",
            "{args:?}"
        );
        // Its scratch directory is gone again: only the planted links remain.
        assert_eq!(
            std::fs::read_dir(&tmp).unwrap().count(),
            planted,
            "{args:?}"
        );
    }
    // A link given as a path to write is refused, not followed.
    let link = s.path("link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = ipclab()
        .args(["mmap-file", "write"])
        .arg(&link)
        .args(["--hold", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    let out = ipclab().arg("fifo-read").arg(&link).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn a_registry_that_cannot_be_written_is_a_warning_not_silence() {
    let s = Scratch::new("badreg");
    std::fs::write(s.path("k"), b"").unwrap();
    // objects.tsv is a directory; then the state directory is a file.
    let state = s.state();
    std::fs::create_dir(state.join("objects.tsv")).unwrap();
    let as_file = s.path("state-file");
    std::fs::write(&as_file, b"").unwrap();
    for dir in [&state, &as_file] {
        let out = ipclab()
            .env("IPCLAB_STATE_DIR", dir)
            .args(["sem-demo", "--delay", "0", "--path"])
            .arg(s.path("k"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("warning:") && err.contains("not recorded"),
            "{err}"
        );
        // ls and clean refuse it, in one line.
        let out = ipclab()
            .env("IPCLAB_STATE_DIR", dir)
            .arg("ls")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
    assert_no_sysv(ftok(&s.path("k"), b'z'));
}

#[test]
fn two_runs_on_one_name_keep_their_own_records() {
    let s = Scratch::new("tworuns");
    let state = s.state();
    let name = shm_name("tworuns");
    let run = |args: &[&str]| {
        let mut c = cmd();
        c.env("IPCLAB_STATE_DIR", &state).args(args);
        Running::start(c)
    };
    // The consumer makes the buffer; the producer joins it: both record it; both killed.
    let mut consumer = run(&[
        "shmconsumer",
        &name,
        "--items",
        "100000000000",
        "--timeout",
        "60s",
    ]);
    consumer.wait_for_err("waiting up to");
    let mut producer = run(&[
        "--trace",
        "shmproducer",
        &name,
        "--items",
        "100000000000",
        "--sync",
        "spin",
    ]);
    producer.wait_for_err("mmap(");
    for r in [&consumer, &producer] {
        kill(Pid::from_raw(r.pgid()), Signal::SIGKILL).unwrap();
    }
    let _ = (consumer.finish(), producer.finish());
    let out = ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .args(["clean", "--yes"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said}");
    let bare = name.trim_start_matches('/');
    assert!(
        said.contains(&format!("removed: posix-shm /{bare}")),
        "{said}"
    );
    assert!(!dev_shm_has(&name));
    // Two readers on one FIFO (the second with --force: one would be refused): the second
    // never erases the first one's record, and clean keeps the FIFO while the second still
    // has it open.
    let fifo = s.path("fifo1");
    let fifo_arg = fifo.to_str().unwrap();
    let mut first = run(&["fifo-read", fifo_arg]);
    first.wait_for_err("waiting for a writer");
    let mut second = run(&["fifo-read", fifo_arg, "--force"]);
    second.wait_for_err("waiting for a writer");
    kill(Pid::from_raw(first.pgid()), Signal::SIGKILL).unwrap();
    let _ = first.finish();
    let clean = || {
        let out = ipclab()
            .env("IPCLAB_STATE_DIR", &state)
            .args(["clean", "--yes"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = clean();
    assert!(
        said.contains("in use, kept: fifo") && said.contains("held by a running ipclab"),
        "{said}"
    );
    assert!(fifo.exists());
    kill(Pid::from_raw(second.pgid()), Signal::SIGKILL).unwrap();
    let _ = second.finish();
    let said = clean();
    assert!(said.contains("removed: fifo"), "{said}");
    assert!(!fifo.exists());
}

#[test]
fn clean_reads_once_writes_once_and_leaves_no_temp_file() {
    let s = Scratch::new("manyrecords");
    let state = s.state();
    let mut text =
        String::from("# ipclab objects v2: kind key id name pid start seq time role command\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "sysv-shm\t{}\t{}\t-\t999999\t1\t{i}\t0\tmade\tipclab shmcon /tmp/k{i}\n",
            0x5100_0000 + i,
            2_000_000 + i
        ));
    }
    let reg = state.join("objects.tsv");
    std::fs::write(&reg, text).unwrap();
    std::fs::set_permissions(&reg, PermissionsExt::from_mode(0o600)).unwrap();
    ipclab()
        .env("IPCLAB_STATE_DIR", &state)
        .args(["clean", "--yes"])
        .assert()
        .success();
    // Every record named an object that is gone: all forgotten, in one rewrite.
    let left = std::fs::read_to_string(&reg).unwrap();
    assert_eq!(left.lines().filter(|l| !l.starts_with('#')).count(), 0);
    let names: Vec<_> = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        !names.iter().any(|n| n.to_string_lossy().contains(".new")),
        "{names:?}"
    );
}
