//! The multi-call binary: subcommands, argv[0] applets, `ipclab links`.

use crate::common::*;

#[test]
fn help_lists_every_applet_with_its_algorithm() {
    let out = ipclab().arg("--help").succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    for (name, algo) in [
        ("shmcon", "Algorithm 8-1"),
        ("shmread", "Algorithm 8-2"),
        ("shmwrite", "Algorithm 8-3"),
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap();
        assert!(line.contains(algo), "{line}");
    }
}

#[test]
fn a_symlink_named_after_an_applet_runs_it() {
    let s = Scratch::new("links");
    let out = ipclab().arg("links").arg(&s.dir).succeeds();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.contains("shmread -> "));
    // `shmread zz` through the link: the applet's own error, under its own name.
    let out = std::process::Command::new(s.path("shmread"))
        .env("IPCLAB_STATE_DIR", state_dir())
        .arg("zz")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("shmread: "));
    // The link runs the whole demo too.
    let (key_path, key) = s.keyfile("k", 0x27);
    let out = std::process::Command::new(s.path("shmcon"))
        .env("IPCLAB_STATE_DIR", state_dir())
        .arg(&key_path)
        .args(["--interval", "10ms"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_no_sysv(key);
    // Running links again is a no-op; a stranger in the way is an error.
    assert!(ipclab()
        .arg("links")
        .arg(&s.dir)
        .output()
        .unwrap()
        .status
        .success());
    std::fs::remove_file(s.path("ftok")).unwrap();
    std::fs::write(s.path("ftok"), b"mine").unwrap();
    let out = ipclab().arg("links").arg(&s.dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn colours_only_when_asked_or_on_a_terminal_and_one_per_process() {
    let s = Scratch::new("colour");
    let (kf, key) = s.keyfile("k", 0x27);
    let run = |extra: &[&str]| {
        let out = ipclab()
            .args(extra)
            .arg("shmcon")
            .arg(&kf)
            .args(["--interval", "10ms"])
            .write_stdin("hi\nend\n")
            .succeeds();
        String::from_utf8(out.stdout).unwrap()
    };
    let plain = run(&[]);
    assert!(!plain.contains('\x1b'), "no colour in a pipe by default");
    assert!(!run(&["--color", "never"]).contains('\x1b'));
    let coloured = run(&["--color", "always"]);
    let code = |needle: &str| {
        let line = coloured.lines().find(|l| l.contains(needle)).unwrap();
        line.split('m').next().unwrap().to_string()
    };
    assert_ne!(code("shmcon: shmid"), code("shmread: shmid"), "{coloured}");
    assert_ne!(code("shmread: shmid"), code("shmwrite: shmid"));
    // Apart from the colour codes, the text is unchanged (ids and addresses masked).
    let strip = |t: &str| {
        let mut out = String::new();
        let mut chars = t.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else if c.is_ascii_hexdigit() && c.is_ascii_digit() {
                if !out.ends_with('N') {
                    out.push('N');
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    let mask = |t: &str| {
        strip(t)
            .lines()
            .filter(|l| !l.contains("attached at"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(mask(&coloured), mask(&plain));
    assert_no_sysv(key);
}

#[test]
fn the_options_every_applet_takes_work_before_and_after_it_and_below_it() {
    // --trace before the applet, after it, and after a sub-applet (mmap-file send): the
    // options are given to the applet that runs only, but everywhere it can be written.
    let s = Scratch::new("globals");
    for args in [
        &["--trace", "pipe"][..],
        &["pipe", "--trace"][..],
        &["mmap-file", "send", "--count", "1", "--trace"][..],
    ] {
        let out = ipclab().current_dir(&s.dir).args(args).succeeds();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(") = "), "{args:?} traced nothing: {err}");
    }
    // --color after the applet, and every applet's help and completion name all three.
    let out = ipclab().args(["pipe", "--color", "always"]).succeeds();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b["));
    for applet in ["pipe", "shmcon", "check"] {
        let out = ipclab().args([applet, "--help"]).succeeds();
        let help = String::from_utf8_lossy(&out.stdout);
        for opt in ["--trace", "--color", "--timeline"] {
            assert!(help.contains(opt), "{applet} --help lacks {opt}");
        }
    }
    let out = ipclab().args(["completions", "bash"]).succeeds();
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(script.contains("ipclab__subcmd__pipe)") && script.matches("--timeline").count() > 30);
}
