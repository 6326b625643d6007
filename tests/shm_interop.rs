//! Interop with C programs written against the slide's struct and `written` protocol.

use crate::common::*;
use crate::shm_sysv::ipclab_remove_shm;
use std::process::Command;

fn shmid_of(key: u32) -> i32 {
    let mut id = None;
    wait_until(10, "the C program's segment", || {
        id = sysv_with_key(key)
            .into_iter()
            .find(|(k, _)| k == "shm")
            .map(|(_, i)| i);
        id.is_some()
    });
    id.unwrap()
}

#[test]
fn ipclab_shmread_with_a_c_writer() {
    let Some(cw) = c_program("shmwrite") else {
        return;
    };
    let s = Scratch::new("interop-cw");
    let (_p, key) = s.keyfile("k", 0x27);
    // The C writer creates the segment (0666|IPC_CREAT, as on the slide) and waits for input.
    let mut c = Command::new(&cw);
    c.arg(format!("{key:x}"));
    let mut writer = Running::start(c);
    writer.wait_for("shmwrite: shmid");
    let id = shmid_of(key);
    let mut rd = cmd();
    rd.args(["shmread", &format!("{key:x}"), "--interval", "10ms"]);
    let mut reader = Running::start(rd);
    reader.wait_for("process ready");
    use std::io::Write;
    let mut stdin = writer.child.stdin.take().unwrap();
    stdin.write_all(b"Hello from C\nend\n").unwrap();
    drop(stdin);
    let (st, out, err) = reader.finish();
    assert!(st.success(), "{err}");
    assert!(
        out.contains("                              You wrote: Hello from C"),
        "{out}"
    );
    assert!(out.contains("You wrote: end"));
    assert!(writer.finish().0.success());
    ipclab_remove_shm(id);
    assert_no_sysv(key);
}

#[test]
fn a_c_reader_with_ipclab_shmwrite() {
    let Some(cr) = c_program("shmread") else {
        return;
    };
    let s = Scratch::new("interop-cr");
    let (_p, key) = s.keyfile("k", 0x27);
    let mut c = Command::new(&cr);
    c.arg(format!("{key:x}"));
    let mut reader = Running::start(c);
    reader.wait_for("process ready");
    let id = shmid_of(key);
    ipclab()
        .args(["shmwrite", &format!("{key:x}"), "--interval", "10ms"])
        .write_stdin("Hello from Rust\nend\n")
        .timeout(patience(std::time::Duration::from_secs(20)))
        .assert()
        .success();
    let (st, text, _) = reader.finish();
    assert!(st.success());
    assert!(text.contains("You wrote: Hello from Rust"), "{text}");
    assert!(text.contains("You wrote: end"));
    ipclab_remove_shm(id);
    assert_no_sysv(key);
}
