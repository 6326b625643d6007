//! Algorithms 8-1 … 8-3: transcripts and synchronisation.

use crate::common::*;

/// The slide's transcript (001), with ids, keys, addresses and the owner masked. The slide's printf
/// leaves a blank before three of the newlines (`\x20` below).
const SLIDE: &str = "\
max record number = 1, shm size = 4100
shared file object created
key generated: IPC key = [..]
shmcon: shmid = [..]
shmcon: shared Memory attached at 0x[..]

----- Shared Memory Segments -----\x20
0x[..] [..] [USER] 600 4100 1

----- Shared Memory Segments -----\x20
0x[..] [..] [USER] 600 4100 0
                              shmread: IPC key = [..]
                              shmread: shmid = [..]
                              shmread: shared memory attached at 0x[..]
                              shmread process ready ...

shmwrite: IPC key = [..]
shmwrite: shmid = [..]
shmwrite: shared memory attached at 0x[..]
shmwrite process ready ...
Enter some text: Hello World!
shared buffer: Hello World!

                              You wrote: Hello World!

Enter some text: end
shared buffer: end

                              You wrote: end

shmcon: shmid = [..] removed\x20

----- Shared Memory Segments -----\x20
nothing found ...\x20";

#[test]
fn piped_transcript_matches_the_slide() {
    let s = Scratch::new("transcript");
    let path = s.path("myshm");
    let out = ipclab()
        .args(["shmcon"])
        .arg(&path)
        .args(["--interval", "10ms"])
        .write_stdin("Hello World!\nend\n")
        .timeout(patience(std::time::Duration::from_secs(30)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_transcript(&text, SLIDE);
    // The key printed is ftok(PATHNAME, 0x27) of the file shmcon created (and removed).
    assert!(!path.exists(), "the key file shmcon created is removed");
    let key_line = text.lines().nth(2).unwrap();
    let key = u32::from_str_radix(key_line.rsplit(' ').next().unwrap(), 16).unwrap();
    assert_eq!(key >> 24, 0x27);
    assert_no_sysv(key);
}

#[test]
fn existing_key_file_is_kept_and_mode_666_reproduces_the_slide() {
    let s = Scratch::new("keep");
    let (path, key) = s.keyfile("k", 0x27);
    let out = ipclab()
        .arg("shmcon")
        .arg(&path)
        .args(["--interval", "10ms", "--mode", "666"])
        .write_stdin("end\n")
        .timeout(patience(std::time::Duration::from_secs(30)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("shared file object created"));
    assert!(text.contains(&format!("key generated: IPC key = {key:x}")));
    assert!(text.contains(&format!("0x{key:08x} ")));
    assert!(
        text.lines()
            .any(|l| line_matches("0x[..] [..] [USER] 666 4100 1", l)),
        "{text}"
    );
    assert!(path.exists(), "a key file the user gave is theirs");
    assert_no_sysv(key);
}

#[test]
fn sem_mode_passes_10000_lines_once_and_in_order() {
    let s = Scratch::new("sem10k");
    let (path, key) = s.keyfile("k", 0x27);
    let mut input = String::new();
    for i in 0..10_000 {
        input.push_str(&format!("line {i}\n"));
    }
    input.push_str("end\n");
    let t = std::time::Instant::now();
    let out = ipclab()
        .arg("shmcon")
        .arg(&path)
        .args(["--sync", "sem"])
        .write_stdin(input)
        .timeout(patience(std::time::Duration::from_secs(120)))
        .output()
        .unwrap();
    eprintln!("10,000 lines through shmcon --sync sem: {:?}", t.elapsed());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let got: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("You wrote: line "))
        .collect();
    assert_eq!(got.len(), 10_000);
    for (i, n) in got.iter().enumerate() {
        assert_eq!(*n, i.to_string(), "item {i} out of order");
    }
    assert_no_sysv(key);
}

#[test]
fn eof_without_end_acts_as_end() {
    let s = Scratch::new("eof");
    let (path, key) = s.keyfile("k", 0x27);
    let out = ipclab()
        .arg("shmcon")
        .arg(&path)
        .args(["--interval", "10ms"])
        .write_stdin("only line\n")
        .timeout(patience(std::time::Duration::from_secs(30)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("You wrote: only line"));
    assert!(text.contains("You wrote: end"));
    assert!(text.contains("nothing found ..."));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("end of input"), "{err}");
    assert_no_sysv(key);
}

#[test]
fn long_line_is_cut_with_a_warning() {
    let s = Scratch::new("long");
    let (path, key) = s.keyfile("k", 0x27);
    let long = "x".repeat(10_000);
    let out = ipclab()
        .arg("shmcon")
        .arg(&path)
        .args(["--sync", "sem"])
        .write_stdin(format!("{long}\nend\n"))
        .timeout(patience(std::time::Duration::from_secs(30)))
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    let wrote = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("You wrote: x"))
        .unwrap();
    assert_eq!(wrote.len() + 1, 4095);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("10001 bytes cut to 4095"), "{err}");
    assert_no_sysv(key);
}

#[test]
fn ftok_agrees_with_the_formula() {
    let s = Scratch::new("ftok");
    let (path, key) = s.keyfile("k", b'z');
    let out = ipclab()
        .arg("ftok")
        .arg(&path)
        .args(["--proj-id", "z"])
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(&format!("= 0x{key:08x}")),
        "{text}"
    );
    assert!(text.contains("glibc's ftok agrees"));
}

#[test]
fn standalone_reader_and_writer_meet_through_a_segment() {
    // shmcon in one "terminal" is the usual way; here the children run by hand against a
    // segment a C helper created, the way students pair programs in two terminals.
    let s = Scratch::new("standalone");
    let (_p, key) = s.keyfile("k", 0x27);
    let Some(id) = mkseg(key, 4100, "600") else {
        return;
    };
    let mut reader = cmd();
    reader.args(["shmread", &format!("{key:x}"), "--interval", "10ms"]);
    let mut r = Running::start(reader);
    r.wait_for("ready");
    ipclab()
        .args(["shmwrite", &format!("{key:x}"), "--interval", "10ms"])
        .write_stdin("two terminals\nend\n")
        .timeout(patience(std::time::Duration::from_secs(20)))
        .assert()
        .success();
    let (st, out, _) = r.finish();
    assert!(st.success());
    assert!(out.contains("You wrote: two terminals"));
    ipclab_remove_shm(id);
    assert_no_sysv(key);
}

/// Remove a segment the test itself created (with ipcrm, from util-linux).
pub fn ipclab_remove_shm(id: i32) {
    let _ = std::process::Command::new("ipcrm")
        .args(["-m", &id.to_string()])
        .status();
}
