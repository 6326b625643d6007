//! The vfork/execv flow, seen by strace: a CLONE_VFORK clone (or vfork) then the execve of
//! the ipclab binary, for each child.

use crate::common::*;

#[test]
fn children_are_vforked_and_exec_the_same_binary() {
    if skip_without("strace") {
        return;
    }
    let s = Scratch::new("strace");
    let (path, key) = s.keyfile("k", 0x27);
    let log = s.path("trace.txt");
    let out = std::process::Command::new("strace")
        .args(["-f", "-e", "trace=vfork,clone,clone3,execve", "-o"])
        .arg(&log)
        .arg(bin())
        .arg("shmcon")
        .arg(&path)
        .args(["--interval", "10ms"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    let bin = bin().canonicalize().unwrap();
    for applet in ["shmread", "shmwrite"] {
        let exec = text
            .lines()
            .position(|l| l.contains("execve(") && l.contains(&format!("[\"{applet}\"")))
            .unwrap_or_else(|| panic!("no execve of {applet}:\n{text}"));
        assert!(text
            .lines()
            .nth(exec)
            .unwrap()
            .contains(bin.to_str().unwrap()));
        let vfork = text
            .lines()
            .take(exec)
            .any(|l| l.contains("vfork(") || (l.contains("clone") && l.contains("CLONE_VFORK")));
        assert!(vfork, "no vfork before {applet}'s execve:\n{text}");
    }
    let clones = text
        .lines()
        .filter(|l| l.contains("CLONE_VFORK") || l.contains("vfork("))
        .count();
    assert_eq!(clones, 2, "{text}");
    assert_no_sysv(key);
}
