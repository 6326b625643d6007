//! Errors that teach: one line on stderr, exit 2 for usage, 1 at run time, never a panic.

use crate::common::*;

/// Run and check: exit status, one stderr line containing `needle`, no panic text.
fn one_line(args: &[&str], code: i32, needle: &str) -> String {
    let out = ipclab()
        .args(args)
        .timeout(patience(std::time::Duration::from_secs(20)))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "{args:?}: want one line, got {err:?}"
    );
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
    eprintln!("{args:?} -> {}", err.trim_end());
    err
}

#[test]
fn malformed_keys() {
    one_line(&["shmread"], 2, "KEY");
    one_line(&["shmread", "zz"], 2, "hex digits");
    one_line(&["shmwrite", "-1"], 2, "without a sign");
    one_line(&["shmread", "0x"], 2, "hex digits must follow 0x");
    one_line(&["shmread", "100000000"], 2, "32 bits");
    one_line(&["shmread", "0"], 2, "IPC_PRIVATE");
}

#[test]
fn no_segment_for_the_key_says_how_to_create_one() {
    let s = Scratch::new("nokey");
    let (_p, key) = s.keyfile("k", 0x7e);
    one_line(&["shmread", &format!("{key:x}")], 1, "ipclab shmcon");
    one_line(&["shmwrite", &format!("{key:x}")], 1, "ENOENT");
}

#[test]
fn a_segment_of_another_size_is_explained() {
    let s = Scratch::new("size");
    let (_p, key) = s.keyfile("k", 0x7d);
    let Some(id) = mkseg(key, 100, "600") else {
        return;
    };
    one_line(
        &["shmread", &format!("{key:x}")],
        1,
        "is 100 bytes, smaller than the 4100",
    );
    crate::shm_sysv::ipclab_remove_shm(id);
    assert_no_sysv(key);
}

#[test]
fn permission_denied_names_owner_and_mode() {
    if skip_unless_root("to act as another user") || skip_without("setpriv") {
        return;
    }
    let s = Scratch::new("perm");
    let (_p, key) = s.keyfile("k", 0x7c);
    let Some(id) = mkseg(key, 4100, "600") else {
        return;
    };
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(["shmread", &format!("{key:x}")])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    crate::shm_sysv::ipclab_remove_shm(id);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("permission denied") && err.contains("root") && err.contains("600"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert_no_sysv(key);
}

#[test]
fn pathname_in_a_missing_directory() {
    let s = Scratch::new("missingdir");
    let p = s.path("no/such/dir/key");
    let err = one_line(
        &["shmcon", p.to_str().unwrap()],
        1,
        "directory does not exist",
    );
    assert!(err.starts_with("shmcon: "));
}

#[test]
fn bad_intervals_modes_and_proj_ids() {
    one_line(&["shmcon", "--interval", "0"], 2, "above zero");
    one_line(
        &["shmread", "1234", "--interval", "soon"],
        2,
        "not a duration",
    );
    one_line(&["shmcon", "--mode", "888"], 2, "octal");
    one_line(&["shmcon", "--proj-id", "300"], 2, "low 8 bits");
    one_line(&["shmcon", "--sync", "mutex"], 2, "mutex");
    one_line(&["nosuchapplet"], 2, "nosuchapplet");
}

#[test]
fn an_unknown_name_runs_ipclab_and_a_mistake_names_the_nearest_applet() {
    let s = Scratch::new("argv0");
    let link = s.path("shmreed");
    std::os::unix::fs::symlink(bin(), &link).unwrap();
    // Under any other name the binary is ipclab itself (as coreutils does)...
    let out = std::process::Command::new(&link)
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("ipclab "));
    // ...and a command line that then fails says under which name, and what was meant.
    let out = std::process::Command::new(&link)
        .arg("27011c6c")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("run as 'shmreed', which names no applet")
            && err.contains("did you mean 'shmread'?"),
        "{err}"
    );
    // A mistyped applet gets the same suggestion; `ipclab` alone prints its help and exits 2.
    let out = ipclab().arg("shmcn").output().unwrap();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("did you mean 'shmcon'?"));
    let out = ipclab().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Usage:") && !err.contains("ipclab: ipclab:"),
        "{err}"
    );
}

#[test]
fn ftok_of_a_missing_file() {
    one_line(&["ftok", "/nonexistent/ipclab"], 1, "touch");
}

#[test]
fn check_says_what_was_meant_in_one_line() {
    // The program without `--`, and a mistyped role: both corrected in the line it gives.
    let err = one_line(&["check", "--jobs", "2", "shmreed", "./my prog"], 2, "");
    assert!(
        err.contains("'shmreed' is no role, did you mean 'shmread'?")
            && err.contains("`ipclab check --jobs 2 shmread -- './my prog'`"),
        "{err}"
    );
    // A C source file: compile it first.
    let err = one_line(&["check", "shmread", "dir/prog.c"], 2, "compile it first");
    assert!(
        err.contains("`cc -o ./prog dir/prog.c`") && err.contains("shmread -- ./prog`"),
        "{err}"
    );
    // A mistyped role alone, and an option: clap's tips in our words.
    one_line(
        &["check", "fifo-raed", "--", "./a"],
        2,
        "did you mean 'fifo-read'?",
    );
    one_line(&["shmcon", "--sync", "semm"], 2, "did you mean 'sem'?");
    one_line(
        &["shmread", "1", "--intreval", "1s"],
        2,
        "did you mean '--interval'?",
    );
}
