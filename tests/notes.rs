//! The rest of the shared-memory and mmap notes (seed 003): parent_child_mmap
//! (`mmap-file fork`), mmap_w_ipc / mmap_r_ipc (`mmap-file send` / `receive`) and the
//! System V student pair (`sysv-student`), each beside the seed's C program, both ways.

use crate::common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::process::Command;
use std::time::Duration;

const MESSAGE: &str = "hello parent, i am your 朋友！！！";

#[test]
fn parent_child_mmap_prints_the_parents_message_and_says_what_it_changed() {
    let s = Scratch::new("pcmmap");
    let text = "The quick brown fox jumps over the lazy dog.\n";
    std::fs::write(s.path("english.txt"), text).unwrap();
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["mmap-file", "fork"])
        .succeeds();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "你是我儿子吗？\n");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("its first 22 bytes were \"The quick brown fox ju\""),
        "{err}"
    );
    let ours = std::fs::read(s.path("english.txt")).unwrap();
    assert_eq!(&ours[..22], "你是我儿子吗？\0".as_bytes());
    assert_eq!(
        &ours[22..],
        &text.as_bytes()[22..],
        "the rest of the file is kept"
    );
    // The seed's program leaves the same bytes (and may print the old text: its race).
    let Some(c) = c_program("parent_child_mmap") else {
        return;
    };
    std::fs::write(s.path("english.txt"), text).unwrap();
    let out = Command::new(&c).current_dir(&s.dir).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said == "你是我儿子吗？\n" || said == text.to_string() + "\n",
        "{said}"
    );
    assert_eq!(std::fs::read(s.path("english.txt")).unwrap(), ours);
    // --race runs the seed's order; a missing or empty file is one clear line.
    ipclab()
        .current_dir(&s.dir)
        .args(["mmap-file", "fork", "--race"])
        .assert()
        .success();
    for (file, needle) in [("missing.txt", "no such file"), ("empty.txt", "is empty")] {
        if file == "empty.txt" {
            std::fs::write(s.path(file), "").unwrap();
        }
        let err = ipclab()
            .current_dir(&s.dir)
            .args(["mmap-file", "fork", file])
            .fails_in_one_line();
        assert!(err.contains(needle), "{err}");
    }
}

/// One side of the temp pair: ipclab's (`mmap-file send|receive`) or the seed's C program.
fn side(
    s: &Scratch,
    c_name: Option<&str>,
    ipclab_args: &[&str],
    c_args: &[&str],
) -> Option<Running> {
    let mut cmd = match c_name {
        Some(name) => {
            let mut c = Command::new(c_program(name)?);
            c.args(c_args);
            c
        }
        None => {
            let mut c = cmd();
            c.args(ipclab_args);
            c
        }
    };
    cmd.current_dir(&s.dir);
    Some(Running::start(cmd))
}

#[test]
fn send_and_receive_talk_in_all_four_combinations() {
    for (c_sender, c_receiver) in [(false, false), (true, false), (false, true), (true, true)] {
        let s = Scratch::new("mmapipc");
        // The receiver first (it makes temp 4096 bytes), as the seed requires of its writer.
        let receiver = side(
            &s,
            c_receiver.then_some("mmap_r_ipc"),
            &[
                "mmap-file",
                "receive",
                "--count",
                "40",
                "--interval",
                "10ms",
            ],
            &["40", "10"],
        );
        let Some(mut receiver) = receiver else { return };
        receiver.wait_for("");
        let sender = side(
            &s,
            c_sender.then_some("mmap_w_ipc"),
            &["mmap-file", "send", "--count", "5", "--interval", "10ms"],
            &["5", "10"],
        );
        let Some(sender) = sender else { return };
        let (st, _, err) = sender.finish();
        assert!(st.success(), "sender ({c_sender}, {c_receiver}): {err}");
        let (st, out, err) = receiver.finish();
        assert!(st.success(), "receiver ({c_sender}, {c_receiver}): {err}");
        assert!(
            out.lines().any(|l| l == MESSAGE),
            "({c_sender}, {c_receiver}): {out}"
        );
        // The side that made temp removes it (ipclab); the seed leaves it (hazard 14).
        assert_eq!(
            s.path("temp").exists(),
            c_receiver,
            "({c_sender}, {c_receiver})"
        );
    }
}

#[test]
fn a_sender_started_first_makes_the_file_where_the_seeds_dies_of_sigbus() {
    let s = Scratch::new("mmapfirst");
    if let Some(c) = c_program("mmap_w_ipc") {
        let out = Command::new(&c)
            .current_dir(&s.dir)
            .args(["1", "10"])
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(7),
            "the seed's writer dies of SIGBUS"
        );
        std::fs::remove_file(s.path("temp")).unwrap();
    }
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["mmap-file", "send", "--count", "1", "--keep"])
        .succeeds();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("created temp (4096 bytes)"));
    let bytes = std::fs::read(s.path("temp")).unwrap();
    assert_eq!(bytes.len(), 4096);
    assert_eq!(&bytes[1024..1064], format!("{MESSAGE}\n").as_bytes());
    // map_normalfile1 (`mmap-file write`) will not cut it to 40 bytes without --force.
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["mmap-file", "write", "temp", "--hold", "0"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("losing its last 4056 bytes") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(s.path("temp")).unwrap(), bytes);
    let out = ipclab()
        .current_dir(&s.dir)
        .args(["mmap-file", "read", "temp"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not the 40 of map_normalfile1"));
}

/// `sysv-student write` on `key` (returns once it waits for the reader).
fn student_writer(key: &str) -> Running {
    let mut c = cmd();
    c.args(["sysv-student", "write", "--key", key]);
    let mut w = Running::start(c);
    w.wait_for_err("waiting for the reader");
    w
}

#[test]
fn the_student_pair_talks_both_ways_with_the_seeds_programs() {
    let line = "student name: hello, age: 20\n";
    // ipclab with ipclab, on a key of this test's own.
    let key = format!("{}", 0x5100_0000 + std::process::id() % 0xffff);
    let w = student_writer(&key);
    let out = ipclab()
        .args(["sysv-student", "read", "--key", &key])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), line);
    assert!(w.finish().0.success());
    assert_no_sysv(key.parse().unwrap());
    // With the seed's programs, on the seed's key 1234.
    let _lock = seed_key_lock();
    let (Some(cw), Some(cr)) = (
        c_program_opt("sysv_shmwrite", "-O0"),
        c_program("sysv_shmread"),
    ) else {
        return;
    };
    let w = student_writer("1234");
    let out = Command::new(&cr).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        line,
        "the seed's reader"
    );
    assert!(
        w.finish().0.success(),
        "ipclab's writer saw the seed's quit"
    );
    assert_no_sysv(1234);
    let w = Running::start(Command::new(&cw));
    let out = ipclab().args(["sysv-student", "read"]).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        line,
        "ipclab's reader"
    );
    let (st, _, _) = w.finish_within(Duration::from_secs(10));
    assert!(
        st.success(),
        "the seed's -O0 writer saw ipclab's quit and removed the segment"
    );
    assert_no_sysv(1234);
}

#[test]
fn the_seeds_writer_built_with_o2_never_sees_quit_and_ipclab_says_why() {
    let out = ipclab()
        .args(["sysv-student", "--explain"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("-O2") && text.contains("data race") && text.contains("Acquire"));
    let _lock = seed_key_lock();
    let Some(cw) = c_program_opt("sysv_shmwrite", "-O2") else {
        return;
    };
    let w = Running::start(Command::new(&cw));
    ipclab().args(["sysv-student", "read"]).assert().success();
    // The reader answered "quit"; a -O0 writer detaches at once. The -O2 writer spins on
    // the value it loaded before its loop: still attached, still running, a while later.
    let shmid = sysv_with_key(1234).first().map(|(_, id)| *id).unwrap();
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_millis(300) {
        assert!(
            shm_id_exists(shmid) && group_alive(w.pgid()),
            "the -O2 writer ended"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    kill(Pid::from_raw(w.pgid()), Signal::SIGKILL).unwrap();
    let _ = w.finish();
    // Its segment is left behind (hazard 4): remove it here.
    for (_, id) in sysv_with_key(1234) {
        crate::shm_sysv::ipclab_remove_shm(id);
    }
    assert_no_sysv(1234);
}

#[test]
fn a_student_writer_interrupted_removes_its_segment() {
    let key = format!("{}", 0x5200_0000 + std::process::id() % 0xffff);
    let w = student_writer(&key);
    kill(Pid::from_raw(w.pgid()), Signal::SIGINT).unwrap();
    assert_eq!(exit_code(&w.finish().0), Some(130));
    assert_no_sysv(key.parse().unwrap());
}
