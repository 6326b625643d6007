//! The fault-injection matrix: for every demo and controller, at each blocking point, each
//! fault (see [`super::demos`]): the exit status is the documented one, no process is left
//! running, and no object remains. One trial per (demo, point, fault).

#[path = "demos.rs"]
mod demos;

use crate::common::*;
use demos::{demos, s, Demo, Fault, Ready};
use libtest_mimic::{Failed, Trial};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::process::Command;

/// One trial per scenario.
pub fn trials() -> Vec<Trial> {
    let probe = Scratch::new("probe");
    let table = demos(&probe.dir, "probe");
    let mut v = Vec::new();
    for (i, d) in table.iter().enumerate() {
        for (j, f) in d.faults.iter().enumerate() {
            let name = format!("matrix: {} ({}) / {}", d.name, d.point, f.label());
            v.push(Trial::test(name, move || {
                scenario(i, j).map_err(Failed::from)
            }));
        }
    }
    assert!(v.len() >= 60, "only {} scenarios", v.len());
    v
}

/// Wait for `r` to reach `ready`.
fn reach(r: &mut Running, ready: &Ready) {
    match ready {
        Ready::Line(l) => r.wait_for(l),
        Ready::ErrLine(l) => r.wait_for_err(l),
        Ready::Children(n) => {
            let pgid = r.pgid();
            wait_until(10, "the children", || children_of(pgid).len() >= *n)
        }
    }
}

/// The demo's command in the scenario's directory, with the scenario's own state directory.
fn demo_cmd(scratch: &Scratch, args: &[String]) -> Command {
    let mut c = cmd();
    c.current_dir(&scratch.dir)
        .env("IPCLAB_STATE_DIR", scratch.state())
        .args(args);
    c
}

/// A fault that needs a shell: a closed stdout, or a tiny /dev/shm.
fn shell_fault(scratch: &Scratch, d: &Demo, fault: Fault) -> Result<(), String> {
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
        if skip_unless_root("a full /dev/shm is a tmpfs mounted in a mount namespace")
            || skip_without("unshare")
        {
            return Ok(());
        }
        format!(
            "unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs /dev/shm && timeout 20 {} --items 10 --buffer-size 100000'",
            line.replace('\'', "'\\''")
        )
    };
    let partner = d.partner.as_ref().map(|(p, ready)| {
        let mut r = Running::start(demo_cmd(scratch, p));
        reach(&mut r, ready);
        r
    });
    let out = Command::new("bash")
        .current_dir(&scratch.dir)
        .env("IPCLAB_STATE_DIR", scratch.state())
        .args(["-c", &script])
        .output()
        .unwrap();
    if let Some(p) = partner {
        let _ = killpg(Pid::from_raw(p.pgid()), Signal::SIGTERM);
        let _ = p.finish();
    }
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != fault.expected() {
        return Err(format!(
            "exit {:?}, want {:?}: {err}",
            out.status.code(),
            fault.expected()
        ));
    }
    leftovers(d).map_or(Ok(()), Err)
}

/// Run one scenario; Err(reason) on failure.
fn scenario(demo_index: usize, fault_index: usize) -> Result<(), String> {
    let scratch = Scratch::new("fault");
    let tag = format!("{}-{demo_index}-{fault_index}", std::process::id());
    let table = demos(&scratch.dir, &tag);
    let d = &table[demo_index];
    let fault = d.faults[fault_index];
    let outcome = match fault {
        Fault::HeadOne | Fault::FullDevShm => shell_fault(&scratch, d, fault),
        _ => signal_fault(&scratch, d, fault),
    };
    // Whatever happened, leave nothing behind on the machine.
    remove_all(d);
    outcome
}

fn signal_fault(scratch: &Scratch, d: &Demo, fault: Fault) -> Result<(), String> {
    let partner = d.partner.as_ref().map(|(p, ready)| {
        let mut r = Running::start(demo_cmd(scratch, p));
        reach(&mut r, ready);
        r
    });
    let mut r = Running::start(demo_cmd(scratch, &d.args));
    let pgid = r.pgid();
    reach(&mut r, &d.ready);
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
                .ok_or("no child to kill")?;
            kill(Pid::from_raw(victim), Signal::SIGKILL).unwrap();
        }
        Fault::KillPartner => {
            let other = partner.as_ref().ok_or("no other side")?;
            // The test has just read its ready line: only this side may notice now.
            kill(Pid::from_raw(other.pgid()), Signal::SIGKILL).unwrap();
        }
        Fault::Eof => drop(r.child.stdin.take()),
        Fault::HeadOne | Fault::FullDevShm => unreachable!(),
    }
    // Keep stdin open until the end (a closed stdin would be an EOF fault of its own).
    let stdin = r.child.stdin.take();
    let (status, _, err) = r.finish();
    drop(stdin);
    let code = exit_code(&status);
    let want = fault.expected();
    let got = if fault == Fault::KillLeaderThenClean {
        None
    } else {
        code
    };
    if got != want {
        return Err(format!("exit {code:?}, want {want:?}; stderr: {err}"));
    }
    let said = err.lines().filter(|l| !l.starts_with('[')).count();
    if want == Some(1) && said != 1 {
        return Err(format!(
            "one line on stderr expected (besides --trace): {err}"
        ));
    }
    wait_until(5, "the group to end", || !group_alive(pgid));
    // The other side of a pair holds what it shares (clean rightly keeps that): end it first.
    if let Some(p) = partner {
        let _ = killpg(Pid::from_raw(p.pgid()), Signal::SIGTERM);
        let _ = p.finish();
    }
    if fault == Fault::KillLeaderThenClean {
        let out = demo_cmd(scratch, &s(&["clean", "--yes"])).output().unwrap();
        if !out.status.success() {
            return Err(format!(
                "clean failed: {}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    leftovers(d).map_or(Ok(()), Err)
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

fn remove_all(d: &Demo) {
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
}
