//! Seed 004 examples 1 and 2, seed 003 mmap.c: memory-mapped files and anonymous mappings.

use crate::common::*;
use std::process::Command;

#[test]
fn mmap_anon_transcript_matches_the_seed() {
    let out = ipclab().arg("mmap-anon").succeeds();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "child read: the 1 people's age is 20\nchild read: the 2 people's age is 21\nchild read: the 3 people's age is 22\nchild read: the 4 people's age is 23\nchild read: the 5 people's age is 24\nparent read: the first people,s age is 100\numap\numap ok\n"
    );
}

#[test]
fn mmap_anon_private_shares_nothing() {
    let out = ipclab().args(["mmap-anon", "--private"]).succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("child read: the 1 people's age is 0\n"),
        "{text}"
    );
    assert!(
        text.contains("parent read: the first people,s age is 20\n"),
        "{text}"
    );
}

const TEN: &str = "name: b age 20;\nname: c age 21;\nname: d age 22;\nname: e age 23;\nname: f age 24;\nname: g age 25;\nname: h age 26;\nname: i age 27;\nname: j age 28;\nname: k age 29;\n";

#[test]
fn write_then_read_and_the_file_stays_40_bytes() {
    let s = Scratch::new("mmapfile");
    let f = s.path("test_shm");
    let out = ipclab()
        .args(["mmap-file", "write"])
        .arg(&f)
        .args(["--hold", "0", "--sync-every", "10ms"])
        .succeeds();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        // map_normalfile1's printf: a blank on either side.
        " initialize over \n umap ok \n"
    );
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("stays: the file is yours"));
    assert_eq!(std::fs::metadata(&f).unwrap().len(), 40);
    let out = ipclab().args(["mmap-file", "read"]).arg(&f).succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("name: b age 20;\nname: c age 21;"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 10);
}

#[test]
fn demo_reads_during_the_hold_and_shows_sigbus() {
    let out = ipclab().args(["mmap-file", "demo"]).succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    let during = text.split("during the hold ---\n").nth(1).unwrap();
    assert!(during.starts_with(TEN), "{text}");
    assert!(text.contains("1. the file is 40 bytes"));
    assert!(text.contains("during the hold they were visible"));
    assert!(text.contains("was killed by SIGBUS"), "{text}");
    let pid = out.status.code();
    assert_eq!(pid, Some(0));
}

#[test]
fn demo_on_a_named_file_keeps_it() {
    let s = Scratch::new("mmapdemo");
    let f = s.path("data");
    ipclab()
        .args(["mmap-file", "demo"])
        .arg(&f)
        .assert()
        .success();
    assert!(f.exists());
}

#[test]
fn interop_with_c_programs_on_the_people_layout() {
    let Some(c) = c_program("people") else { return };
    let s = Scratch::new("people");
    let f = s.path("shared");
    // C writes, ipclab reads.
    let out = Command::new(&c).arg("write").arg(&f).output().unwrap();
    assert!(out.status.success());
    let out = ipclab()
        .args(["mmap-file", "read"])
        .arg(&f)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "name: b age 20;\nname: c age 21;\nname: d age 22;\nname: e age 23;\nname: f age 24;\n"
        ),
        "{text}"
    );
    // ipclab writes, C reads.
    ipclab()
        .args(["mmap-file", "write"])
        .arg(&f)
        .args(["--hold", "0"])
        .assert()
        .success();
    let out = Command::new(&c).arg("read").arg(&f).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "name: b age 20;\nname: c age 21;\nname: d age 22;\nname: e age 23;\nname: f age 24;\n"
    );
}

#[test]
fn edit_overwrites_the_start_within_the_file() {
    let s = Scratch::new("edit");
    let f = s.path("test.txt");
    std::fs::write(&f, "hello mmap, this is the original text\n").unwrap();
    let out = ipclab()
        .args(["mmap-file", "edit"])
        .arg(&f)
        .arg("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyaaaaa")
        .succeeds();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "buf = hello mmap, this is the original text\n\n"
    );
    let after = std::fs::read(&f).unwrap();
    assert_eq!(after.len(), 38, "a mapping never grows the file");
    assert!(after.iter().all(|&b| b == b'y'));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("writing the first 38"));
}

#[test]
fn missing_and_empty_files_are_clear_errors_not_sigbus() {
    let s = Scratch::new("mmapbad");
    let empty = s.path("empty");
    std::fs::write(&empty, b"").unwrap();
    let missing = s.path("missing");
    for (args, needle) in [
        (
            vec!["mmap-file", "read", missing.to_str().unwrap()],
            "mmap-file write",
        ),
        (vec!["mmap-file", "read", empty.to_str().unwrap()], "SIGBUS"),
        (
            vec!["mmap-file", "edit", empty.to_str().unwrap(), "x"],
            "EINVAL",
        ),
        (
            vec!["mmap-file", "read", s.dir.to_str().unwrap()],
            "not a regular file",
        ),
        (
            vec!["mmap-file", "write", "/nonexistent/dir/f"],
            "directory does not exist",
        ),
        (vec!["mmap-anon", "--delay", "x"], "not a duration"),
    ] {
        let out = ipclab().args(&args).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(matches!(out.status.code(), Some(1 | 2)), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        eprintln!("{args:?} -> {}", err.trim_end());
    }
    assert!(
        !missing.exists(),
        "reading never creates the file (the seed's map_normalfile2 does)"
    );
}
