//! C and ipclab as interchangeable peers under each controller: the slides' own C
//! controllers run ipclab's children through `ipclab links --seed-names`, ipclab's
//! controllers run C children (`--reader/--writer`, `--producer/--consumer`); and `links`
//! never shadows a command.

use crate::common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::process::{Command, Stdio};

/// `ipclab links --seed-names DIR`.
fn seed_links(dir: &std::path::Path) {
    ipclab()
        .args(["links", "--seed-names"])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn the_slides_c_shmcon_runs_ipclabs_reader_and_writer() {
    let Some(con) = c_program("shmcon") else {
        return;
    };
    let s = Scratch::new("cshmcon");
    seed_links(&s.dir);
    let (kf, key) = s.keyfile("k", 0x27);
    // The C controller execs ./alg.8-2-shmread.o with argv[0] = " ": ipclab's shmread.
    let out = Command::new(&con)
        .current_dir(&s.dir)
        .env("IPCLAB_STATE_DIR", state_dir())
        .arg(&kf)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"Hello World!\nend\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    for line in [
        "shmwrite process ready ...",
        "                              You wrote: Hello World!",
        "                              You wrote: end",
        "nothing found ... ",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} missing:\n{text}");
    }
    // The C controller starts the writer without waiting for the reader's ready line (ipclab's
    // shmcon waits for it), so the reader's line may land inside the writer's prompt: both
    // must be there, in whichever order the two processes reached the shared stdout.
    for part in [
        "shmread process ready ...",
        "Enter some text: ",
        "Hello World!",
    ] {
        assert!(text.contains(part), "{part:?} missing:\n{text}");
    }
    assert_no_sysv(key);
}

#[test]
fn the_slides_c_shmpthreadcon_runs_ipclabs_producer_and_consumer() {
    let Some(con) = c_program_rt("shmpthreadcon") else {
        return;
    };
    let s = Scratch::new("cshmpthread");
    seed_links(&s.dir);
    let name = shm_name("cpthread");
    let out = Command::new(&con)
        .current_dir(&s.dir)
        .env("IPCLAB_STATE_DIR", state_dir())
        .arg(&name)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("produced message: Hello World!\n"), "{text}");
    // ipclab's consumer waits for the message: no race, whatever the order.
    assert!(text.contains("consumed message: Hello World!\n"), "{text}");
    assert!(!dev_shm_has(&name));
}

#[test]
fn ipclabs_shmcon_runs_c_children_and_keeps_its_guarantees() {
    let (Some(rd), Some(wr)) = (c_program("shmread"), c_program("shmwrite")) else {
        return;
    };
    let s = Scratch::new("cchildren");
    let (kf, key) = s.keyfile("k", 0x27);
    let out = ipclab()
        .arg("shmcon")
        .arg(&kf)
        .arg("--reader")
        .arg(&rd)
        .arg("--writer")
        .arg(&wr)
        .write_stdin("from rust\nend\n")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("You wrote: from rust"), "{text}");
    assert_no_sysv(key);
    // A C child killed: the controller stops the other, removes the segment, says so once.
    let mut c = cmd();
    c.arg("shmcon")
        .arg(&kf)
        .arg("--reader")
        .arg(&rd)
        .arg("--writer")
        .arg(&wr);
    let mut r = Running::start(c);
    r.wait_for("shmwrite: shmid");
    let pgid = r.pgid();
    let reader = children_of(pgid)
        .into_iter()
        .find(|&p| argv0_of(p) == rd.to_string_lossy())
        .unwrap();
    kill(Pid::from_raw(reader), Signal::SIGKILL).unwrap();
    let (st, _, err) = r.finish();
    assert_eq!(st.code(), Some(1), "{err}");
    assert!(
        err.contains("killed by SIGKILL") && err.contains("removed shmid"),
        "{err}"
    );
    assert_group_gone(pgid);
    assert_no_sysv(key);
}

#[test]
fn ipclabs_shmpthreadcon_runs_c_children() {
    let (Some(p), Some(c)) = (c_program_rt("shmproducer"), c_program_rt("shmconsumer")) else {
        return;
    };
    let name = shm_name("cpc");
    let out = ipclab()
        .args(["shmpthreadcon", &name, "--producer"])
        .arg(&p)
        .arg("--consumer")
        .arg(&c)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("produced message: Hello World!"), "{text}");
    // The seed's consumer races its producer (hazard 2): its line may be empty.
    assert!(text.contains("consumed message: "), "{text}");
    assert!(!dev_shm_has(&name));
    // A program that cannot run is one clear line.
    let err = ipclab()
        .args(["shmpthreadcon", &name, "--producer", "/nonexistent/p"])
        .fails_in_one_line();
    assert!(err.contains("cannot run /nonexistent/p"), "{err}");
    assert!(!dev_shm_has(&name));
}

#[test]
fn links_install_the_lecture_and_never_shadow_a_command() {
    let s = Scratch::new("links2");
    let bin_dir = s.path("bin");
    // A PATH where `pipe` and `ls` are other programs.
    let other = s.path("other");
    std::fs::create_dir_all(&other).unwrap();
    for name in ["pipe", "ls"] {
        let p = other.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}:/usr/bin:/bin", bin_dir.display(), other.display());
    let run = |extra: &[&str]| {
        let out = ipclab()
            .env("PATH", &path)
            .arg("links")
            .args(extra)
            .arg(&bin_dir)
            .succeeds();
        String::from_utf8(out.stdout).unwrap()
    };
    let said = run(&[]);
    let names: Vec<String> = std::fs::read_dir(&bin_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"shmread".to_string()) && names.contains(&"ftok".to_string()));
    assert!(
        !names.contains(&"pipe".to_string()),
        "pipe shadows {}",
        other.display()
    );
    assert!(said.contains("skipped pipe:"), "{said}");
    for tool in ["ls", "clean", "tour", "bench", "split", "man", "limits"] {
        assert!(
            !names.contains(&tool.to_string()),
            "{tool} is a tool: not linked by default"
        );
    }
    // --all adds the tools, still never one another command answers to.
    let said = run(&["--all"]);
    assert!(bin_dir.join("tour").exists() && bin_dir.join("clean").exists());
    assert!(
        !bin_dir.join("ls").exists() && said.contains("skipped ls:"),
        "{said}"
    );
    // Through a link, the applet runs.
    let out = Command::new(bin_dir.join("ftok"))
        .arg(&bin_dir)
        .output()
        .unwrap();
    assert!(out.status.success());
}
