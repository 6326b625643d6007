//! IPC全解析 四 (信号量): the program is the whole demo. `ftok(".", 'z')` (the working
//! directory is a scratch one, so the key is new in every run), a set of one semaphore at
//! 0, fork; the child prints `Process child: pid=C` and does V; the father's P waits for
//! it, then it prints `Process father: pid=F`, and removes the set.
//!
//! `PROGRAM 100`: `argv[1]` is how long the child sleeps, in ms (the seed's sleep(2); a
//! program may ignore it). There is no peer: `repeat` perturbs by placement only (one CPU,
//! then all). The order of the two lines in its output is the semaphore's whole point:
//! with stdout a file, the child must `fflush` before its V, or the father's line may
//! reach the file first.

use super::super::run::{sigint, Ctx, Mode, Outcome};
use super::super::Role;
use super::in_order;
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use std::process::Stdio;
use std::time::{Duration, Instant};

pub fn play(c: &mut Ctx) -> Result<()> {
    // Step 1: the key the program will make, ftok(".", 'z') in its working directory.
    c.o.key = ipc::ftok(c.dir.path(), b'z').map_err(|e| anyhow!("ftok: {}", e.desc()))?;
    // Step 2: the program; Ctrl-C while the father waits in P.
    let mut me = c.start(&mut c.student(&["100".as_ref()])?, "student", Stdio::null())?;
    if c.s.mode == Mode::Sigint {
        c.nap(Duration::from_millis(50))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    c.finish(&mut me, None, event_at, c.deadline, true)
}

/// The child's pid, from its line.
fn child(o: &Outcome) -> Option<&str> {
    o.out
        .lines()
        .find_map(|l| l.strip_prefix("Process child: pid="))
}

pub fn transcript(_role: Role, o: &Outcome) -> Vec<String> {
    vec![
        "Process child: pid=".to_string(),
        format!("Process father: pid={}", o.pid),
    ]
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    match child(o) {
        None => Err("the child never printed `Process child: pid=N`".into()),
        Some(c) if c.trim() == o.pid.to_string() => {
            Err("the child's line has the father's pid: print getpid() in the child".into())
        }
        Some(_) => in_order(&o.out, &transcript(role, o))
            .map(|()| "the child's line came first, the father's after it: the semaphore ordered them".into())
            .map_err(|m| format!("{m:?} did not come after the child's line (hint: the father's P must wait for the child's V; fflush(stdout) before V, or the father's line may reach the file first)")),
    }
}
