//! The fault-injection matrix: for every demo and controller, at each blocking point,
//! each fault (SIGINT to the group, SIGTERM, SIGHUP, SIGKILL of each child, SIGKILL of the
//! leader then `ipclab clean`, EOF on stdin, stdout closed early, a full /dev/shm): the exit
//! status is the documented one, no process is left running, and no object remains.
//!
//! `scripts/fault-matrix.sh` runs this test and prints its table.

use crate::common::*;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    IntGroup,
    TermLeader,
    HupLeader,
    KillChild(&'static str),
    KillLeaderThenClean,
    Eof,
    HeadOne,
    FullDevShm,
}

impl Fault {
    fn label(&self) -> String {
        match self {
            Fault::IntGroup => "SIGINT to the group".into(),
            Fault::TermLeader => "SIGTERM".into(),
            Fault::HupLeader => "SIGHUP".into(),
            Fault::KillChild(c) => format!("SIGKILL of {c}"),
            Fault::KillLeaderThenClean => "SIGKILL, then ipclab clean".into(),
            Fault::Eof => "EOF on stdin".into(),
            Fault::HeadOne => "stdout closed (| head -1)".into(),
            Fault::FullDevShm => "full /dev/shm".into(),
        }
    }

    fn expected(&self) -> Option<i32> {
        match self {
            Fault::IntGroup => Some(130),
            Fault::TermLeader => Some(143),
            Fault::HupLeader => Some(129),
            Fault::KillChild(_) | Fault::FullDevShm => Some(1),
            Fault::KillLeaderThenClean => None,
            Fault::Eof | Fault::HeadOne => Some(0),
        }
    }
}

/// What a demo needs: its arguments (in `dir`), when it is at its blocking point, and what
/// it creates (to check afterwards).
struct Demo {
    name: &'static str,
    point: &'static str,
    args: Vec<String>,
    stdin: &'static str,
    ready: Ready,
    keys: Vec<u32>,
    posix: Vec<String>,
    files: Vec<PathBuf>,
    partner: Option<Vec<String>>,
    faults: Vec<Fault>,
}

enum Ready {
    Line(&'static str),
    Children(usize),
    Exists(PathBuf),
    Sysv(u32, usize),
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

const SIGS: [Fault; 4] = [
    Fault::IntGroup,
    Fault::TermLeader,
    Fault::HupLeader,
    Fault::KillLeaderThenClean,
];

fn demos(dir: &Path, tag: &str) -> Vec<Demo> {
    let keyfile = dir.join("k");
    std::fs::write(&keyfile, b"").unwrap();
    let shm_key = ftok(&keyfile, 0x27);
    let msg_key = ftok(&keyfile, b'z');
    let dot_key = ftok(dir, b'z');
    let kf = keyfile.display().to_string();
    let name = format!("ipclab-fault-{tag}");
    let fifo = dir.join("fifo1");
    let base = |name: &'static str, point: &'static str, args: Vec<String>, ready: Ready| Demo {
        name,
        point,
        args,
        stdin: "",
        ready,
        keys: vec![],
        posix: vec![],
        files: vec![],
        partner: None,
        faults: SIGS.to_vec(),
    };
    let mut v = Vec::new();
    for sync in ["flag", "sem"] {
        let mut d = base(
            if sync == "flag" {
                "shmcon"
            } else {
                "shmcon --sync sem"
            },
            "waiting for input",
            s(&["shmcon", &kf, "--sync", sync, "--interval", "10ms"]),
            Ready::Line("shmwrite process ready"),
        );
        d.keys = vec![shm_key];
        d.faults.extend([
            Fault::KillChild("shmread"),
            Fault::KillChild("shmwrite"),
            Fault::Eof,
        ]);
        v.push(d);
    }
    let mut d = base(
        "shmcon",
        "output closed early",
        s(&["shmcon", &kf]),
        Ready::Line(""),
    );
    d.keys = vec![shm_key];
    d.stdin = "Hello World!\nend\n";
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    for sync in ["spin", "sem"] {
        let mut d = base(
            if sync == "spin" {
                "shmpthreadcon --items (spin)"
            } else {
                "shmpthreadcon --items (sem)"
            },
            "mid-transfer",
            s(&[
                "shmpthreadcon",
                &name,
                "--items",
                "100000000000",
                "--sync",
                sync,
            ]),
            Ready::Children(2),
        );
        d.posix = vec![name.clone()];
        d.faults.extend([
            Fault::KillChild("shmproducer"),
            Fault::KillChild("shmconsumer"),
        ]);
        v.push(d);
    }
    let mut d = base(
        "shmpthreadcon",
        "output closed early",
        s(&["shmpthreadcon", &name]),
        Ready::Line(""),
    );
    d.posix = vec![name.clone()];
    d.faults = vec![Fault::HeadOne, Fault::FullDevShm];
    v.push(d);
    let mut d = base(
        "shmconsumer",
        "waiting for the producer",
        s(&["shmconsumer", &name, "--timeout", "60s"]),
        Ready::Exists(PathBuf::from(format!("/dev/shm/{name}"))),
    );
    d.posix = vec![name.clone()];
    v.push(d);
    let mut d = base(
        "shmproducer --items",
        "waiting for the consumer",
        s(&["shmproducer", &name, "--items", "1000"]),
        Ready::Exists(PathBuf::from(format!("/dev/shm/{name}"))),
    );
    d.posix = vec![name.clone()];
    v.push(d);
    let mut d = base(
        "fifo-read",
        "waiting for a writer",
        s(&["fifo-read"]),
        Ready::Exists(fifo.clone()),
    );
    d.files = vec![fifo.clone()];
    v.push(d);
    let mut d = base(
        "fifo-read",
        "mid-transfer",
        s(&["fifo-read"]),
        Ready::Line("Read message"),
    );
    d.files = vec![fifo.clone()];
    d.partner = Some(s(&["fifo-write", "--count", "100000", "--interval", "5ms"]));
    d.faults.push(Fault::HeadOne);
    v.push(d);
    v.push(base(
        "fifo-write",
        "waiting for a reader",
        s(&["fifo-write", "--count", "3"]),
        Ready::Line("I am "),
    ));
    let mut d = base(
        "msg-server",
        "waiting for a request",
        s(&["msg-server", "--path", &kf]),
        Ready::Line("My pid is"),
    );
    d.keys = vec![msg_key];
    v.push(d);
    let mut d = base(
        "msg-client",
        "waiting for the server",
        s(&["msg-client", "--path", &kf, "--timeout", "60s"]),
        Ready::Line("My pid is"),
    );
    d.keys = vec![msg_key];
    v.push(d);
    let mut d = base(
        "sem-demo",
        "father blocked in P",
        s(&["sem-demo", "--delay", "60s"]),
        Ready::Children(1),
    );
    d.keys = vec![dot_key];
    d.faults.push(Fault::KillChild("the forked child"));
    v.push(d);
    let mut d = base(
        "shm-msg-server",
        "waiting for a message",
        s(&["shm-msg-server"]),
        Ready::Sysv(dot_key, 3),
    );
    d.keys = vec![dot_key];
    v.push(d);
    let mut d = base(
        "shm-msg-client",
        "waiting for input",
        s(&["shm-msg-client"]),
        Ready::Line("Input q to quit"),
    );
    d.keys = vec![dot_key];
    d.partner = Some(s(&["shm-msg-server"]));
    d.faults.push(Fault::Eof);
    v.push(d);
    v.push(base(
        "mmap-file write",
        "holding the mapping",
        s(&["mmap-file", "write", "data", "--hold", "60s"]),
        Ready::Line("initialize over"),
    ));
    let mut d = base(
        "mmap-file write",
        "output closed during the hold",
        s(&["mmap-file", "write", "data", "--hold", "200ms"]),
        Ready::Line(""),
    );
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let mut d = base(
        "mmap-file demo",
        "output closed early",
        s(&["mmap-file", "demo"]),
        Ready::Line(""),
    );
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let mut d = base("pipe", "output closed early", s(&["pipe"]), Ready::Line(""));
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let mut d = base(
        "shmpthreadcon --items",
        "output closed early",
        s(&["shmpthreadcon", &name, "--items", "1000"]),
        Ready::Line(""),
    );
    d.posix = vec![name.clone()];
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let mut d = base(
        "mmap-anon",
        "child waiting (--delay)",
        s(&["mmap-anon", "--delay", "60s"]),
        Ready::Children(1),
    );
    d.faults.push(Fault::KillChild("the forked child"));
    v.push(d);
    v
}

/// Run one scenario; Err(reason) on failure.
fn scenario(demo_index: usize, fault_index: usize) -> Result<(String, String, String), String> {
    let scratch = Scratch::new("fault");
    let tag = format!("{}-{demo_index}-{fault_index}", std::process::id());
    let demos = demos(&scratch.dir, &tag);
    let d = &demos[demo_index];
    let fault = d.faults[fault_index];
    let label = (format!("{} ({})", d.name, d.point), fault.label());
    let state = scratch.path("state");
    let cmd = |args: &[String]| {
        let mut c = Command::new(bin());
        c.current_dir(&scratch.dir)
            .env("IPCLAB_STATE_DIR", &state)
            .args(args);
        c
    };
    let finish = |outcome: Result<(), String>| match outcome {
        Ok(()) => Ok((label.0.clone(), label.1.clone(), "ok".to_string())),
        Err(e) => Err(format!("{} / {}: {e}", label.0, label.1)),
    };

    if matches!(fault, Fault::HeadOne | Fault::FullDevShm) {
        let line = format!(
            "{} {}",
            bin().display(),
            d.args
                .iter()
                .map(|a| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let script = if fault == Fault::HeadOne {
            format!(
                "printf '{}' | timeout 20 {line} | head -1 >/dev/null; exit ${{PIPESTATUS[1]}}",
                d.stdin.replace('\n', "\\n")
            )
        } else {
            if !nix::unistd::geteuid().is_root() || !have("unshare") {
                return Ok((label.0, label.1, "skipped (needs root)".into()));
            }
            format!("unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs /dev/shm && timeout 20 {} --items 10 --buffer-size 100000'", line.replace('\'', "'\\''"))
        };
        let partner = d.partner.as_ref().map(|p| Running::start(cmd(p)));
        let out = Command::new("bash")
            .current_dir(&scratch.dir)
            .env("IPCLAB_STATE_DIR", &state)
            .args(["-c", &script])
            .output()
            .unwrap();
        if let Some(p) = partner {
            let _ = killpg(Pid::from_raw(p.pgid()), Signal::SIGTERM);
            let _ = p.finish();
        }
        let err = String::from_utf8_lossy(&out.stderr);
        let r = if out.status.code() != fault.expected() {
            Err(format!(
                "exit {:?}, want {:?}: {err}",
                out.status.code(),
                fault.expected()
            ))
        } else {
            leftovers(d).map_or(Ok(()), Err)
        };
        return finish(r);
    }

    let partner = d.partner.as_ref().map(|p| Running::start(cmd(p)));
    if d.name == "shm-msg-client" {
        wait_until(10, "the server", || sysv_with_key(d.keys[0]).len() == 3);
    }
    let mut r = Running::start(cmd(&d.args));
    let pgid = r.pgid();
    match &d.ready {
        Ready::Line(l) => r.wait_for(l),
        Ready::Children(n) => wait_until(10, "the children", || children_of(pgid).len() >= *n),
        Ready::Exists(p) => wait_until(10, "the object", || p.exists()),
        Ready::Sysv(k, n) => wait_until(10, "the objects", || sysv_with_key(*k).len() >= *n),
    }
    if let Ready::Children(_) = d.ready {
        std::thread::sleep(Duration::from_millis(50));
    }
    let p = Pid::from_raw(pgid);
    match fault {
        Fault::IntGroup => killpg(p, Signal::SIGINT).unwrap(),
        Fault::TermLeader => kill(p, Signal::SIGTERM).unwrap(),
        Fault::HupLeader => kill(p, Signal::SIGHUP).unwrap(),
        Fault::KillLeaderThenClean => kill(p, Signal::SIGKILL).unwrap(),
        Fault::KillChild(name) => {
            let kids = children_of(pgid);
            let victim = kids
                .iter()
                .copied()
                .find(|&c| argv0_of(c) == name)
                .or_else(|| kids.first().copied())
                .expect("a child");
            kill(Pid::from_raw(victim), Signal::SIGKILL).unwrap();
        }
        Fault::Eof => drop(r.child.stdin.take()),
        Fault::HeadOne | Fault::FullDevShm => unreachable!(),
    }
    let (status, _, err) = r.finish();
    let mut outcome = if status.code() != fault.expected() {
        Err(format!(
            "exit {:?} (signal {:?}), want {:?}; stderr: {err}",
            status.code(),
            std::os::unix::process::ExitStatusExt::signal(&status),
            fault.expected()
        ))
    } else {
        Ok(())
    };
    if outcome.is_ok() {
        wait_until(5, "the group to end", || !group_alive(pgid));
        if fault == Fault::KillLeaderThenClean {
            let out = cmd(&s(&["clean", "--yes"])).output().unwrap();
            if !out.status.success() {
                outcome = Err(format!(
                    "clean failed: {}",
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
        }
    }
    if let Some(p) = partner {
        let _ = killpg(Pid::from_raw(p.pgid()), Signal::SIGTERM);
        let _ = p.finish();
    }
    if outcome.is_ok() {
        outcome = leftovers(d).map_or(Ok(()), Err);
    }
    // Whatever happened, leave nothing behind on the machine.
    for key in &d.keys {
        for (kind, id) in sysv_with_key(*key) {
            let flag = match kind.as_str() {
                "shm" => "-m",
                "msg" => "-q",
                _ => "-s",
            };
            let _ = Command::new("ipcrm").args([flag, &id.to_string()]).status();
        }
    }
    for n in &d.posix {
        dev_shm_remove(n);
    }
    finish(outcome)
}

fn leftovers(d: &Demo) -> Option<String> {
    let mut left = Vec::new();
    for k in &d.keys {
        left.extend(
            sysv_with_key(*k)
                .into_iter()
                .map(|(kind, id)| format!("sysv {kind} {id}")),
        );
    }
    left.extend(
        d.posix
            .iter()
            .filter(|n| dev_shm_has(n))
            .map(|n| format!("/dev/shm/{n}")),
    );
    left.extend(
        d.files
            .iter()
            .filter(|f| f.exists())
            .map(|f| f.display().to_string()),
    );
    (!left.is_empty()).then(|| format!("left behind: {}", left.join(", ")))
}

#[test]
fn fault_matrix() {
    let probe = Scratch::new("probe");
    let all: Vec<(usize, usize)> = demos(&probe.dir, "probe")
        .iter()
        .enumerate()
        .flat_map(|(i, d)| (0..d.faults.len()).map(move |j| (i, j)))
        .collect();
    drop(probe);
    let queue = Mutex::new(all.clone());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..4 {
            sc.spawn(|| loop {
                let Some((i, j)) = queue.lock().unwrap().pop() else {
                    break;
                };
                let r = std::panic::catch_unwind(|| scenario(i, j))
                    .unwrap_or_else(|p| Err(format!("panicked: {:?}", p.downcast_ref::<String>())));
                results.lock().unwrap().push(((i, j), r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(k, _)| *k);
    let passed = results.iter().filter(|(_, r)| r.is_ok()).count();
    let failed: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    eprintln!("FAULT-TABLE");
    eprintln!("{:<58} {:<28} result", "demo (blocking point)", "fault");
    for (_, r) in &results {
        match r {
            Ok((d, f, res)) => eprintln!("{d:<58} {f:<28} {res}"),
            Err(e) => eprintln!("FAILED: {e}"),
        }
    }
    eprintln!("{passed} passed, {} failed", failed.len());
    eprintln!("END-FAULT-TABLE");
    assert!(results.len() >= 60, "only {} scenarios", results.len());
    assert!(failed.is_empty(), "{failed:#?}");
}
