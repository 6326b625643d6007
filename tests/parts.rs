//! One reader and one writer per segment, one reader per FIFO (hazard 1), claimed in the
//! registry, not in an object of the lesson; and what a reader says when its partner or
//! its controller goes.

use crate::common::*;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

/// shmcon --serve on a key file of this test; its key in hex.
fn serve(s: &Scratch, sync: &[&str]) -> (Running, String) {
    let (kf, key) = s.keyfile("shm.key", 0x27);
    let mut c = cmd();
    c.arg("shmcon")
        .arg(&kf)
        .args(["--serve", "--interval", "10ms"])
        .args(sync);
    let mut con = Running::start(c);
    con.wait_for("in a third terminal");
    (con, format!("{key:x}"))
}

fn side(args: &[&str]) -> Running {
    let mut c = cmd();
    c.args(args).args(["--interval", "10ms"]);
    Running::start(c)
}

#[test]
fn the_flag_demo_makes_no_semaphore_set_and_the_fix_makes_its_pair() {
    let s = Scratch::new("parts-flag");
    let (kf, _) = s.keyfile("shm.key", 0x27);
    let kf = kf.display().to_string();
    for (sync, want) in [(None, None), (Some("sem"), Some("nsems=2"))] {
        let mut args = vec!["--trace", "shmcon", kf.as_str(), "--interval", "10ms"];
        args.extend(sync.map(|s| ["--sync", s]).into_iter().flatten());
        let out = ipclab().args(&args).write_stdin("a\nend\n").succeeds();
        let err = String::from_utf8(out.stderr).unwrap();
        let semgets: Vec<&str> = err.lines().filter(|l| l.contains("] semget(")).collect();
        match want {
            None => assert!(semgets.is_empty(), "the flag demo made a set: {semgets:?}"),
            Some(n) => assert!(
                semgets.len() == 3 && semgets.iter().all(|l| l.contains(n)),
                "{semgets:?}"
            ),
        }
    }
}

#[test]
fn a_second_reader_or_writer_of_a_segment_is_refused_until_the_first_is_gone() {
    let s = Scratch::new("parts-shm");
    let (con, key) = serve(&s, &[]);
    let mut reader = side(&["shmread", &key]);
    reader.wait_for("shmread process ready");
    let mut writer = side(&["shmwrite", &key]);
    writer.wait_for("shmwrite process ready");
    for (prog, first) in [("shmread", &reader), ("shmwrite", &writer)] {
        let out = ipclab().args([prog, &key]).fails_in_one_line();
        let part = if prog == "shmread" {
            "reader"
        } else {
            "writer"
        };
        assert!(
            out.contains(&format!("already has a {part} (pid {}", first.pgid()))
                && out.contains("--force"),
            "{out}"
        );
    }
    // SIGKILL the reader: its claim ends with it, and a new reader takes its place.
    kill(Pid::from_raw(reader.pgid()), Signal::SIGKILL).unwrap();
    let _ = reader.finish();
    let mut again = side(&["shmread", &key]);
    again.wait_for("shmread process ready");
    use std::io::Write;
    writer
        .child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"end\n")
        .unwrap();
    again.wait_for("You wrote: end");
    for r in [again, writer, con] {
        let (st, out, err) = r.finish();
        assert!(st.success(), "{out}\n{err}");
    }
}

#[test]
fn a_reader_says_the_segment_was_removed_when_its_controller_ends() {
    let s = Scratch::new("parts-removed");
    let (con, key) = serve(&s, &[]);
    let mut reader = side(&["shmread", &key]);
    reader.wait_for("shmread process ready");
    let writer = side(&["shmwrite", &key]);
    // Ctrl-C in the controller's terminal: it removes the segment; the writer still runs.
    killpg(Pid::from_raw(con.pgid()), Signal::SIGINT).unwrap();
    let _ = con.finish_after_signal();
    let (st, _, err) = reader.finish_after_signal();
    assert_eq!(exit_code(&st), Some(1), "{err}");
    assert!(
        err.contains("was removed") && !err.contains("its process ended"),
        "{err}"
    );
    killpg(Pid::from_raw(writer.pgid()), Signal::SIGINT).unwrap();
    let _ = writer.finish_after_signal();
}

#[test]
fn a_second_fifo_reader_is_refused_and_hints_quote_paths() {
    let s = Scratch::new("parts-fifo");
    let dir = s.path("a dir");
    std::fs::create_dir(&dir).unwrap();
    let fifo = dir.join("f1");
    let mut c = cmd();
    c.arg("fifo-read").arg(&fifo);
    let mut first = Running::start(c);
    first.wait_for_err("waiting for a writer");
    // The hint pastes back as one word.
    let quoted = format!("`ipclab fifo-write '{}'`", fifo.display());
    assert!(first.err_text().contains(&quoted), "{}", first.err_text());
    let out = ipclab().arg("fifo-read").arg(&fifo).fails_in_one_line();
    assert!(
        out.contains(&format!("already has a reader (pid {}", first.pgid())),
        "{out}"
    );
    ipclab()
        .arg("fifo-write")
        .arg(&fifo)
        .args(["--count", "1"])
        .succeeds();
    let (st, out, _) = first.finish();
    assert!(st.success() && out.contains("Read message: "), "{out}");
    assert!(!fifo.exists());
}

#[test]
fn a_nonblocking_writer_with_no_fifo_fails_at_once() {
    let s = Scratch::new("parts-nonblock");
    let missing = s.path("nope");
    let err = ipclab()
        .arg("fifo-write")
        .arg(&missing)
        .arg("--nonblock")
        .timeout(patience(std::time::Duration::from_secs(10)))
        .fails_in_one_line();
    assert!(
        err.contains("ENOENT") && err.contains("O_NONBLOCK"),
        "{err}"
    );
}
