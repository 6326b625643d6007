//! IPC全解析 四 (信号量): the program is the whole demo. `ftok(".", 'z')` (the working
//! directory is a scratch one, so the key is new in every run), a set of one semaphore at
//! 0, fork; the child prints `Process child: pid=C` and does V; the father's P waits for
//! it, then it prints `Process father: pid=F`, and removes the set.
//!
//! `PROGRAM 500`: `argv[1]` is how long the child sleeps, in ms (the seed's sleep(2); a
//! program may ignore it). There is no peer: ipclab delays the child's turn itself. Once
//! the father has started up and waits, its child is stopped (SIGSTOP) for a while (800 ms
//! in the normal run, 0.2–1.5 s at random in perturbed ones), so a father that sleeps
//! instead of waiting in P prints first, whatever it sleeps; meanwhile the father must
//! wait without spinning (the CPU window), and the call it waits in is looked at (a
//! `nanosleep` is not a P). With stdout a file, the child must `fflush` before its V, or the father's
//! line may reach the file first.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::outcome::Outcome;
use super::super::Role;
use super::in_order;
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use nix::sys::signal::Signal;
use std::time::{Duration, Instant};

/// How long the child sleeps (`argv[1]`, ms) before its line and its V.
const CHILD_SLEEP: &str = "500";

pub fn play(c: &mut Ctx) -> Result<()> {
    // Step 1: the key the program will make, ftok(".", 'z') in its working directory.
    c.o.key = ipc::ftok(c.dir.path(), b'z').map_err(|e| anyhow!("ftok: {}", e.desc()))?;
    // Step 2: the program; its child sleeps 500 ms, time enough for ipclab to catch it.
    let mut me = c.start_student(&mut c.student(&[CHILD_SLEEP.as_ref()])?, Input::Null)?;
    // Step 3: once the father has started up and waits, its child (a fork of it) is
    // stopped; the father must go on waiting meanwhile, without spinning. (Or: Ctrl-C
    // while the father waits in P.)
    let father = me.pid();
    let mut child = None;
    c.wait_until(Instant::now() + Duration::from_secs(3), |c| {
        c.watch.look();
        child = super::super::observe::children(father).last().copied();
        // The father waits when it sleeps in a call (not one loading its code): calm alone
        // is also what a father looks like that a busy machine has not run yet.
        let waits = matches!(
            super::super::observe::blocked_in(father),
            Some(call) if call != "open" && call != "read"
        );
        child.is_some() && waits && c.watch.calm(Duration::from_millis(60))
    })?;
    if c.s.mode == Mode::Sigint {
        sigint(&me);
    } else {
        if let Some(kid) = child {
            crate::sys::signals::kill(kid as i32, Signal::SIGSTOP);
            let hold = match c.s.jitter {
                Some((seed, _)) => {
                    Duration::from_millis(200 + seed.wrapping_mul(2654435761) % 1300)
                }
                None => Duration::from_millis(800),
            };
            let until = Instant::now() + hold;
            c.measure_window(father)?;
            c.nap(until.saturating_duration_since(Instant::now()))?;
            crate::sys::signals::kill(kid as i32, Signal::SIGCONT);
        }
    }
    let event_at = Instant::now();
    c.finish(&mut me, None, event_at, c.deadline)
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
    let order = match child(o) {
        None => return Err("the child never printed `Process child: pid=N`".into()),
        Some(c) if c.trim() == o.pid.to_string() => {
            return Err("the child's line has the father's pid: print getpid() in the child".into())
        }
        Some(_) => in_order(&o.out, &transcript(role, o)),
    };
    if order.is_err() {
        return Err("the father printed before the child, whose turn was delayed: the father did not wait for the child's V (hint: the father's P must block until the child's V; sleep() is not a wait; and fflush(stdout) before V)".into());
    }
    let slept = o.blocked_in.iter().any(|c| c == "sleep");
    if slept && !o.blocked_in.iter().any(|c| c == "semop") {
        return Err("while the child was held the father slept (nanosleep) instead of waiting in P: the order was luck (hint: the father's semop(P) must block until the child's V; sleep() is not a wait)".into());
    }
    if o.sealed && !o.kinds_seen.iter().any(|k| k == "sysv-sem") {
        return Err("the lines came in order, but no semaphore set ever existed: the order was luck (hint: semget, SETVAL 0, P in the father, V in the child)".into());
    }
    Ok("the child's line came first, the father's after it, however long the child was delayed: the semaphore ordered them".into())
}

pub fn end(_role: Role, o: &Outcome) -> Result<(), String> {
    match o.out.contains("Process father: pid=") {
        true => Ok(()),
        false => Err("it ended without the father's line".into()),
    }
}
