//! Waits say what they wait for (one line, once), honour `--timeout` on both sides, and
//! name what the user typed; a side started first finds its peer when it comes.

use crate::common::*;
use std::time::Duration;

#[test]
fn a_producer_started_first_waits_for_the_consumer() {
    let s = Scratch::new("prodfirst");
    let name = shm_name("prodfirst");
    let mut producer = started_in(&s.dir, &["shmproducer", &name, "--timeout", "20s"]);
    producer.wait_for_err("does not exist yet");
    let out = run_in(&s.dir, &["shmconsumer", &name]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "consumed message: Hello World!\n"
    );
    let (st, stdout, err) = producer.finish();
    assert!(st.success(), "{err}");
    assert_eq!(stdout.trim_end(), "produced message: Hello World!");
    // The wait was said once, naming the consumer to start with the user's NAME.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("ipclab shmconsumer {name}")), "{err}");
    assert!(!dev_shm_has(&name));
}

#[test]
fn a_producer_with_no_consumer_times_out_creating_nothing() {
    let name = shm_name("prodnone");
    let out = ipclab()
        .args(["shmproducer", &name, "--timeout", "200ms"])
        .timeout(patience(Duration::from_secs(20)))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].contains("waiting up to 200ms"), "{err}");
    assert!(lines[1].contains("no consumer made"), "{err}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains(&format!("ipclab shmconsumer {name}"))),
        "{err}"
    );
    assert!(!dev_shm_has(&name));
}

#[test]
fn a_consumer_with_no_producer_times_out_and_cleans_up() {
    let name = shm_name("timeout");
    let out = ipclab()
        .args(["shmconsumer", &name, "--timeout", "200ms"])
        .timeout(patience(Duration::from_secs(20)))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    // What it waits for (once), then why it stopped (one line), both naming NAME.
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("waiting up to 200ms for a producer"),
        "{err}"
    );
    assert!(lines[1].contains("no producer wrote"), "{err}");
    let bare = name.trim_start_matches('/');
    assert!(
        lines
            .iter()
            .all(|l| l.contains(&format!("shmproducer {bare}"))),
        "{err}"
    );
    assert!(!dev_shm_has(&name));
}

#[test]
fn a_client_with_no_server_waits_then_gives_up_creating_nothing() {
    let s = Scratch::new("msgnone");
    let (key_path, key) = s.keyfile("k", b'z');
    let out = run_in(
        &s.dir,
        &[
            "msg-client",
            "--path",
            key_path.to_str().unwrap(),
            "--timeout",
            "300ms",
        ],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("waiting up to 300ms for `ipclab msg-server --path"),
        "{err}"
    );
    assert!(lines[1].contains("no msg-server created a queue"), "{err}");
    assert_no_sysv(key);
}

#[test]
fn a_writer_started_first_waits_for_the_reader() {
    let s = Scratch::new("fifofirst");
    let mut writer = started_in(&s.dir, &["fifo-write", "--count", "2", "--interval", "0"]);
    writer.wait_for_err("waiting for fifo-read to create it");
    let out = run_in(&s.dir, &["fifo-read"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
    let (st, _, err) = writer.finish();
    assert!(st.success());
    assert!(err.contains("waiting for fifo-read to create it"), "{err}");
    assert!(!s.path("fifo1").exists());
}

#[test]
fn a_producer_waits_for_the_object_to_be_sized() {
    // The consumer makes the object (O_CREAT|O_EXCL), then sizes it: a producer opening it
    // in between must wait, not touch it (SIGBUS) nor give up.
    let name = shm_name("sizing");
    let path = std::path::Path::new("/dev/shm").join(&name);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap();
    // Removed however the test ends: the test made it.
    struct Made(std::path::PathBuf);
    impl Drop for Made {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let _made = Made(path.clone());
    let out = ipclab()
        .args(["shmproducer", &name, "--timeout", "200ms"])
        .timeout(patience(Duration::from_secs(20)))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is 0 bytes, not 4100"), "{err}");
    // Sized while it waits: it writes its message.
    let mut c = cmd();
    c.args(["shmproducer", &name, "--timeout", "20s"]);
    let producer = Running::start(c);
    f.set_len(4100).unwrap();
    let (st, stdout, err) = producer.finish();
    assert!(st.success(), "{err}");
    assert_eq!(stdout.trim_end(), "produced message: Hello World!");
}
