//! The checks, each a named verdict with a weight: on failure, what was expected, what
//! happened, and a hint.
//!
//! | check | what it asks |
//! |---|---|
//! | transcript | the slide's lines, with the run's real key, id and pids in them |
//! | data | every payload ipclab's peer sent (distinct per run) crossed intact, in order |
//! | end | the program ends by itself, status 0, after the role's end (`end`, the reply, EOF…) |
//! | no-leak | nothing under the run's key, no System V object its processes made or used last (segment creator, queue sender or receiver, semaphore sempid), no POSIX shm object or FIFO they held open or mapped, no FIFO in its directory |
//! | no-stray | no process of its group is left after it ends |
//! | cpu | while it waits it does not spin: CPU time at most 25% of the run's time |
//! | sigint | Ctrl-C to its group mid-run: it ends within 2 s and leaves nothing |
//! | peer-dies | (msg-client) the queue goes away unanswered: it ends within 2 s, failing |
//! | repeat | the normal run again N times, the peer pausing at random at each hand-off (from the seed), alternately on one CPU and on two: every run's data arrives and it ends |

use super::roles;
use super::run::{self as scenario, Mode, Outcome, Setup};
use super::Args;
use anyhow::Result;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// One check's verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    pub name: &'static str,
    pub passed: bool,
    pub weight: u32,
    /// One line: what was checked, or what was expected, what happened and a hint.
    pub detail: String,
}

fn verdict(name: &'static str, weight: u32, passed: bool, detail: String) -> Verdict {
    Verdict {
        name,
        passed,
        weight,
        detail,
    }
}

/// `what`, with `hint` unless it already has one.
fn hinted(what: String, hint: &str) -> String {
    match what.contains("hint:") {
        true => what,
        false => format!("{what} (hint: {hint})"),
    }
}

/// How it ended, in words.
fn ending(o: &Outcome, limit: Duration) -> String {
    let why = o
        .err
        .lines()
        .next()
        .map_or(String::new(), |l| format!(": {l}"));
    match o.status {
        None => format!(
            "it did not end within {} s and was killed",
            limit.as_secs_f64()
        ),
        Some(st) if st.signal() == Some(libc::SIGBUS) => format!(
            "it was killed by SIGBUS{why} (hint: it touched a mapping past the end of its file: ftruncate the file to 4096 bytes before the first store or load)"
        ),
        Some(st) => format!("it ended with {st}{why}"),
    }
}

/// Every check asked for, in order.
pub fn all(args: &Args, seed: u64) -> Result<Vec<Verdict>> {
    let role = args.role;
    let want = |n: &str| {
        (args.only.is_empty() || args.only.iter().any(|o| o == n))
            && super::validate::applies(n, role)
    };
    let setup = |mode, jitter, run_no| Setup {
        role: args.role,
        program: &args.program,
        mode,
        jitter,
        timeout: args.timeout,
        run_no,
    };
    let mut v = Vec::new();
    let o = scenario::run(&setup(Mode::Normal, None, seed))?;
    // A role whose seed prints nothing (mmap-write) has no transcript to check.
    let lines = roles::transcript(role, &o);
    if want("transcript") && !lines.is_empty() {
        let r = roles::in_order(&o.out, &lines);
        v.push(verdict("transcript", 1, r.is_ok(), match r {
            Ok(()) => "the slide's lines, with the run's key, id and pids".into(),
            Err(m) => format!("expected a line with {m:?}; it printed {} lines (hint: print as the slide does, and fflush(stdout))", o.out.lines().count()),
        }));
    }
    if want("data") {
        let r = roles::data(role, &o);
        v.push(verdict(
            "data",
            3,
            r.is_ok(),
            match r {
                Ok(what) => what,
                Err(m) => format!(
                    "expected the data to cross intact, in order; {}",
                    hinted(m, "wait for the other side's turn before the next message")
                ),
            },
        ));
    }
    if want("end") {
        let ok = o.status.is_some_and(|s| s.success());
        let marker = roles::end_marker(role);
        v.push(verdict(
            "end",
            2,
            ok,
            if ok {
                format!("it ended by itself {marker}, status 0")
            } else {
                format!(
                    "expected it to end by itself {marker}; {}",
                    hinted(ending(&o, args.timeout), SPIN_HINT)
                )
            },
        ));
    }
    if want("no-leak") {
        v.push(verdict(
            "no-leak",
            2,
            o.left.is_empty(),
            if o.left.is_empty() {
                "nothing of the run is left".into()
            } else {
                format!(
                    "left behind: {} (ipclab removed it; hint: remove what you create: IPC_RMID for System V objects, unlink for a FIFO)",
                    o.left.join(", ")
                )
            },
        ));
    }
    if want("no-stray") {
        v.push(verdict("no-stray", 1, !o.stray, if o.stray { "a process of its group was still running after it ended (hint: wait for your children)".into() } else { "no process of its group left".into() }));
    }
    if want("cpu") {
        let share = o.cpu.as_secs_f64() / o.wall.as_secs_f64().max(1e-3);
        let ok = share <= 0.25;
        v.push(verdict("cpu", 1, ok, format!("{} ms of CPU in a {} ms run ({:.0}%, at most 25%){}", o.cpu.as_millis(), o.wall.as_millis(), share * 100.0,
            if ok { "" } else { ": it spins while it waits (hint: sleep in the polling loop, or block on a semaphore)" })));
    }
    if want("sigint") {
        let s = scenario::run(&setup(Mode::Sigint, None, seed + 1))?;
        let ok = s.status.is_some()
            && s.ended_after <= Duration::from_secs(2)
            && s.left.is_empty()
            && !s.stray;
        v.push(verdict(
            "sigint",
            1,
            ok,
            if ok {
                format!(
                    "Ctrl-C ended it in {} ms, nothing left",
                    s.ended_after.as_millis()
                )
            } else {
                format!(
                    "expected Ctrl-C to end it within 2 s leaving nothing; {}{}{}",
                    ending(&s, Duration::from_secs(2)),
                    if s.left.is_empty() {
                        String::new()
                    } else {
                        format!("; left: {}", s.left.join(", "))
                    },
                    if s.stray {
                        "; a process of its group was still running"
                    } else {
                        ""
                    }
                )
            },
        ));
    }
    if want("peer-dies") {
        let s = scenario::run(&setup(Mode::PeerDies, None, seed + 2))?;
        let own = format!("receive msg.mtext is: hello, I'm client {}", s.pid);
        let ok = s.status.is_some_and(|st| !st.success()) && !s.out.contains(&own);
        v.push(verdict("peer-dies", 1, ok, if ok { "the queue went away unanswered: it said so and failed".into() } else if s.out.contains(&own) {
            "expected a failure when the queue is removed before the reply; it printed its own request as the reply (hint: check msgrcv's return value: -1 with EIDRM)".into()
        } else {
            format!("expected it to end, failing, within 2 s of the queue's removal; {}", ending(&s, Duration::from_secs(2)))
        }));
    }
    if want("starts-first") {
        let s = scenario::run(&setup(Mode::StartsFirst, None, seed + 3))?;
        let ok = s.status.is_some_and(|st| st.success()) && roles::data(role, &s).is_ok();
        v.push(verdict(
            "starts-first",
            2,
            ok,
            if ok {
                "started alone before the reader, it made ./temp usable and its message arrived"
                    .into()
            } else {
                format!(
                    "expected it to run first, in an empty directory, and still deliver; {}",
                    ending(&s, args.timeout)
                )
            },
        ));
    }
    if want("repeat") {
        v.push(repeat(args, seed, &setup)?);
    }
    Ok(v)
}

/// Why a program may never end.
const SPIN_HINT: &str =
    "a loop on a plain int flag compiled with -O2 may never see the change: volatile, atomics or a sleep";

/// Hung runs in a row, from the first, after which `repeat` stops.
const HUNG_RUNS: u64 = 3;

/// The normal run N times, perturbed.
fn repeat<'a>(
    args: &Args,
    seed: u64,
    setup: &dyn Fn(Mode, Option<(u64, u64)>, u64) -> Setup<'a>,
) -> Result<Verdict> {
    let all_cpus = crate::process::affinity::my_cpus();
    let (mut failed, mut first, mut ran, mut hung) = (0, None, 0, 0);
    for i in 0..args.repeat {
        // A program that hangs in the first runs hangs in all: not N timeouts more.
        if i == HUNG_RUNS && failed == HUNG_RUNS && hung == HUNG_RUNS {
            break;
        }
        crate::error::check_interrupted()?;
        // Alternately on one CPU (every hand-off a context switch) and on two (both sides
        // running at once), as the lab machines run them.
        let one = i % 2 == 0 || all_cpus.len() < 2;
        let place = &all_cpus[..all_cpus.len().min(if one { 1 } else { 2 })];
        if !place.is_empty() {
            crate::process::affinity::pin(place)?;
        }
        let o = scenario::run(&setup(
            Mode::Normal,
            Some((seed + 100 + i, 2000)),
            seed + 100 + i,
        ));
        if !all_cpus.is_empty() {
            crate::process::affinity::pin(&all_cpus)?;
        }
        let o = o?;
        // A hung run says so first: whatever data did not cross follows from it.
        let ended =
            |o: &Outcome| (!o.status.is_some_and(|s| s.success())).then(|| ending(o, args.timeout));
        let bad = match o.status {
            None => ended(&o).map(|e| hinted(e, SPIN_HINT)),
            Some(_) => roles::data(args.role, &o).err().or_else(|| ended(&o)),
        };
        ran += 1;
        if o.status.is_none() {
            hung += 1;
        }
        if let Some(why) = bad {
            failed += 1;
            first.get_or_insert(format!(
                "run {} ({}): {why}",
                i + 1,
                if one { "one CPU" } else { "two CPUs" }
            ));
        }
    }
    Ok(verdict(
        "repeat",
        3,
        failed == 0,
        match first {
            None => format!("{} perturbed runs (seed {seed}), all passed", args.repeat),
            Some(f) => format!(
                "{failed} of {ran} perturbed runs failed (seed {seed}){}; first: {}",
                if ran < args.repeat {
                    format!(", all hung: the other {} not run", args.repeat - ran)
                } else {
                    String::new()
                },
                hinted(f, "a race: wait for the other side's turn")
            ),
        },
    ))
}
