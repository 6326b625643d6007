//! The deterministic cases, under `strace -e inject=CALL:delay_exit=…`: the kernel has done
//! the call (the object exists) but the process has not yet returned from it.
//!
//! - A SIGKILL there, for each call that creates an object (shmget, semget, msgget, the
//!   openat of shm_open, the mknodat of mkfifo, the mkdir of a scratch directory): `ipclab
//!   clean --yes` must then find and remove everything, because every object is recorded
//!   before it is made.
//! - A SIGTERM to the controller alone while it is inside the clone3 of its first spawn: the
//!   signal must still reach the child, and the run end with 143, leaving nothing.
//!
//! The test knows the process is held in the call from strace's own line, `= N (DELAYED)`,
//! printed when the call has returned and the delay begins: a printed line, not a sleep,
//! and not /proc/PID/syscall (which also shows the number at the call's entry, before it
//! has done anything).

use crate::common::*;
use libtest_mimic::{Failed, Trial};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::Command;

/// One case: the applet, the call, and a path strace should narrow it to.
struct Case {
    name: &'static str,
    args: fn(&Path) -> Vec<String>,
    call: &'static str,
    path: Option<&'static str>,
}

fn kf(dir: &Path) -> String {
    dir.join("k").display().to_string()
}

const KILLS: &[Case] = &[
    Case {
        name: "shmcon: SIGKILL inside shmget",
        args: |d| vec!["shmcon".into(), kf(d)],
        call: "shmget",
        path: None,
    },
    Case {
        name: "shmcon --sync sem: SIGKILL inside semget",
        args: |d| vec!["shmcon".into(), kf(d), "--sync".into(), "sem".into()],
        call: "semget",
        path: None,
    },
    Case {
        name: "msg-server: SIGKILL inside msgget",
        args: |d| vec!["msg-server".into(), "--path".into(), kf(d)],
        call: "msgget",
        path: None,
    },
    Case {
        name: "sem-demo: SIGKILL inside semget",
        args: |_| vec!["sem-demo".into(), "--path".into(), ".".into()],
        call: "semget",
        path: None,
    },
    Case {
        name: "shm-msg-server: SIGKILL inside shmget",
        args: |_| vec!["shm-msg-server".into(), "--path".into(), ".".into()],
        call: "shmget",
        path: None,
    },
    Case {
        name: "shm-msg-server: SIGKILL inside msgget",
        args: |_| vec!["shm-msg-server".into(), "--path".into(), ".".into()],
        call: "msgget",
        path: None,
    },
    Case {
        name: "shm-msg-server: SIGKILL inside semget",
        args: |_| vec!["shm-msg-server".into(), "--path".into(), ".".into()],
        call: "semget",
        path: None,
    },
    Case {
        name: "shmpthreadcon: SIGKILL inside shm_open",
        args: |d| vec!["shmpthreadcon".into(), shm_name_in(d)],
        call: "openat",
        path: Some("SHM"),
    },
    Case {
        name: "fifo-read: SIGKILL inside mkfifo",
        args: |_| vec!["fifo-read".into()],
        call: "mknodat",
        path: Some("fifo1"),
    },
    Case {
        name: "mmap-file demo: SIGKILL inside mkdir",
        args: |_| vec!["mmap-file".into(), "demo".into()],
        call: "mkdir",
        path: None,
    },
];

pub fn trials() -> Vec<Trial> {
    let mut v: Vec<Trial> = KILLS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Trial::test(format!("inject: {}", c.name), move || {
                kill_inside(&KILLS[i]).map_err(Failed::from)
            })
        })
        .collect();
    v.push(Trial::test(
        "inject: shmcon: SIGTERM to the controller inside its first spawn",
        || term_inside_spawn().map_err(Failed::from),
    ));
    v
}

/// The POSIX name a case in `dir` uses: unique to the scratch directory.
fn shm_name_in(dir: &Path) -> String {
    format!(
        "ipclab-inject-{}",
        dir.file_name().unwrap().to_string_lossy()
    )
}

fn shm_name_of(scratch: &Scratch) -> String {
    shm_name_in(&scratch.dir)
}

/// `strace … ipclab ARGS` in `scratch`, its tracee's pid, and the strace process.
fn traced(
    scratch: &Scratch,
    args: &[String],
    call: &str,
    path: Option<&str>,
    inject: &str,
) -> Option<(Running, i32)> {
    if skip_without("strace") {
        return None;
    }
    let mut c = Command::new("strace");
    c.current_dir(&scratch.dir)
        .env("IPCLAB_STATE_DIR", scratch.state())
        .env("TMPDIR", &scratch.dir)
        .args(["-f", "-o"])
        .arg(scratch.path("strace.log"));
    match path {
        Some("SHM") => c.args(["-P", &format!("/dev/shm/{}", shm_name_of(scratch))]),
        Some(p) => c.args(["-P", p]),
        None => c.arg("--seccomp-bpf"),
    };
    c.args(["-e", &format!("trace={call}")])
        .args(["-e", &format!("inject={call}:{inject}")])
        .arg(bin())
        .args(args);
    let r = Running::start(c);
    let strace = r.pgid();
    // strace forks short-lived children of its own first (feature tests): the tracee is the
    // child that runs ipclab.
    let exe = bin().display().to_string();
    let runs_ipclab = |p: &i32| {
        std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|e| e.display().to_string() == exe)
    };
    let mut tracee = 0;
    wait_until(10, "the traced ipclab", || {
        tracee = children_of(strace)
            .into_iter()
            .find(runs_ipclab)
            .unwrap_or(0);
        tracee != 0
    });
    Some((r, tracee))
}

/// Wait (up to 20 s) until strace has printed that `what` returned and is being held (`= … (DELAYED)`):
/// the call has done its work (an object exists) and the process sits in the delay.
fn wait_in_call(scratch: &Scratch, pid: i32, what: &str) -> Result<(), String> {
    let start = std::time::Instant::now();
    let log = scratch.path("strace.log");
    let held = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .any(|l| l.contains(&format!("{what}(")) && l.ends_with("(DELAYED)"))
    };
    while !held() {
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let state = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let state = state
                .lines()
                .find(|l| l.starts_with("State"))
                .unwrap_or("gone")
                .to_string();
            let seen = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "strace never said pid {pid} was held in {what}: {state}; strace printed: {seen}"
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(())
}

fn kill_inside(case: &Case) -> Result<(), String> {
    let scratch = Scratch::new("inject");
    let r = kill_inside_in(case, &scratch);
    // Whatever happened, nothing of it stays on the machine.
    let left = leftovers(&scratch);
    r.and_then(|()| {
        left.is_empty()
            .then_some(())
            .ok_or_else(|| format!("left behind after clean: {left:?}"))
    })
}

fn kill_inside_in(case: &Case, scratch: &Scratch) -> Result<(), String> {
    std::fs::write(scratch.path("k"), b"").unwrap();
    let args = (case.args)(&scratch.dir);
    let Some((r, tracee)) = traced(scratch, &args, case.call, case.path, "delay_exit=20000000")
    else {
        return Ok(());
    };
    if let Err(e) = wait_in_call(scratch, tracee, case.call) {
        let _ = nix::sys::signal::killpg(Pid::from_raw(r.pgid()), Signal::SIGKILL);
        let (_, out, err) = r.finish();
        return Err(format!("{e}; output: {out}; stderr: {err}"));
    }
    kill(Pid::from_raw(tracee), Signal::SIGKILL).unwrap();
    // strace would sit out the rest of the delay: end it too.
    let _ = nix::sys::signal::killpg(Pid::from_raw(r.pgid()), Signal::SIGKILL);
    let _ = r.finish();
    wait_until(10, "the tracee to be gone", || {
        !std::path::Path::new(&format!("/proc/{tracee}")).exists()
    });
    let out = cmd()
        .current_dir(&scratch.dir)
        .env("IPCLAB_STATE_DIR", scratch.state())
        .args(["clean", "--yes"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() || !said.contains("removed: ") {
        return Err(format!(
            "clean did not remove it: {said}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn term_inside_spawn() -> Result<(), String> {
    let scratch = Scratch::new("inject-spawn");
    let r = term_inside_spawn_in(&scratch);
    let left = leftovers(&scratch);
    r.and_then(|()| {
        left.is_empty()
            .then_some(())
            .ok_or_else(|| format!("left behind: {left:?}"))
    })
}

/// The controller is held 2 s inside the clone3 that starts shmread; the SIGTERM sent then
/// must end the whole run.
fn term_inside_spawn_in(scratch: &Scratch) -> Result<(), String> {
    std::fs::write(scratch.path("k"), b"").unwrap();
    let args: Vec<String> = ["shmcon", &kf(&scratch.dir), "--interval", "10ms"]
        .map(String::from)
        .to_vec();
    let Some((mut r, tracee)) = traced(scratch, &args, "clone3", None, "delay_exit=2000000:when=1")
    else {
        return Ok(());
    };
    if let Err(e) = wait_in_call(scratch, tracee, "clone3") {
        let _ = nix::sys::signal::killpg(Pid::from_raw(r.pgid()), Signal::SIGKILL);
        let (_, out, err) = r.finish();
        return Err(format!("{e}; output: {out}; stderr: {err}"));
    }
    kill(Pid::from_raw(tracee), Signal::SIGTERM).unwrap();
    drop(r.child.stdin.take());
    let (status, _, err) = r.finish_within(std::time::Duration::from_secs(40));
    // strace exits with its tracee's status.
    if exit_code(&status) != Some(143) {
        return Err(format!("exit {:?}, want 143: {err}", exit_code(&status)));
    }
    Ok(())
}

/// What a case could have left: System V objects under the scratch keys, its shm name, its
/// FIFO, scratch directories.
fn leftovers(scratch: &Scratch) -> Vec<String> {
    let mut left = Vec::new();
    let k = scratch.path("k");
    for key in [ftok(&k, 0x27), ftok(&k, b'z'), ftok(&scratch.dir, b'z')] {
        left.extend(
            sysv_with_key(key)
                .into_iter()
                .map(|(kind, id)| format!("sysv {kind} {id}")),
        );
        for (kind, id) in sysv_with_key(key) {
            let flag = match kind.as_str() {
                "shm" => "-m",
                "msg" => "-q",
                _ => "-s",
            };
            let _ = Command::new("ipcrm").args([flag, &id.to_string()]).status();
        }
    }
    let name = shm_name_of(scratch);
    if dev_shm_has(&name) {
        left.push(format!("/dev/shm/{name}"));
        dev_shm_remove(&name);
    }
    for e in std::fs::read_dir(&scratch.dir).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n == "fifo1" || n.starts_with("ipclab-") {
            left.push(n);
        }
    }
    left
}
