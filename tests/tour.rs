//! `ipclab tour`: every demo runs and nothing leaks.

use crate::common::*;

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
    // --trace reaches every demo the tour runs.
    let out = ipclab().args(["--trace", "tour", "msg"]).succeeds();
    let err = String::from_utf8(out.stderr).unwrap();
    for call in ["] pipe(", "] mkfifo(", "] msgget(", "] semop(", "] shmat("] {
        assert!(err.contains(call), "{call} not traced");
    }
}
