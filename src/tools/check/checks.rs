//! The checks, each a named verdict with a weight: on failure, what was expected, what
//! happened, and a hint that names the call or line to change. Each is judged on the
//! role's protocol model ([`super::model`], [`super::roles`]) and on what the runs saw.
//!
//! | check | what it asks |
//! |---|---|
//! | transcript | the slide's lines, with the run's real key, id and pids in them |
//! | data | every payload (distinct per run, long then short) crossed intact, once, in order |
//! | end | the role's end marker crossed, then the program ended by itself, status 0 |
//! | no-leak | nothing the run's processes made is left (exact when sealed) |
//! | no-stray | no process of the run is alive after the program ended (setsid included) |
//! | cpu | while it waits for the other side it does not spin: at most 25% CPU in the window |
//! | limits | it stayed within its limits (processes, memory, CPU time, file size) |
//! | sigint | Ctrl-C to its group mid-run: it ends within 5 s and leaves nothing |
//! | peer-dies | (msg-client) the queue goes away unanswered: it ends within 5 s, failing |
//! | starts-first | (mmap-write) run alone first, in an empty directory, it still delivers |
//! | repeat | the normal run again, perturbed (see [`super::repeat`]) |

use super::ctx::GRACE;
use super::outcome::Outcome;
use super::roles;
use super::Role;
use std::time::Duration;

/// One check's verdict.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Verdict {
    pub name: String,
    pub passed: bool,
    pub weight: u32,
    /// One line: what was checked, or what was expected, what happened and a hint.
    pub detail: String,
}

pub fn verdict(name: &str, weight: u32, passed: bool, detail: String) -> Verdict {
    Verdict {
        name: name.to_string(),
        passed,
        weight,
        detail,
    }
}

/// `what`, with `hint` unless it already has one.
pub fn hinted(what: String, hint: &str) -> String {
    match what.contains("hint:") {
        true => what,
        false => format!("{what} (hint: {hint})"),
    }
}

/// Why a program may never end, when it spins at the end.
const SPIN_HINT: &str =
    "it was spinning when it was stopped: a loop on a plain int flag compiled with -O2 may never see the change; use volatile or atomics, or sleep in the loop";

/// How it ended, in words, with the hint that fits what was seen.
pub fn ending(role: Role, o: &Outcome, limit: Duration) -> String {
    let why = o
        .first_err_line()
        .map_or(String::new(), |l| format!(": {l}"));
    let limits = match o.limits_hit.is_empty() {
        true => String::new(),
        false => format!(" (it hit its limits: {})", o.limits_hit.join("; ")),
    };
    match o.status {
        _ if !limits.is_empty() => format!(
            "it {}{limits}",
            o.status
                .map_or("was killed".to_string(), |st| format!("ended with {st}"))
        ),
        None if o.spinning => format!(
            "it did not end within {} s and was killed (hint: {SPIN_HINT})",
            limit.as_secs_f64()
        ),
        None if !o.other_keys.is_empty() => format!(
            "it did not end within {} s and was killed; it made {} instead of using the run's key {:08x} (hint: use the key it was given: ftok of argv[1], or the hex key in argv[1])",
            limit.as_secs_f64(),
            o.other_keys.join(", "),
            o.key as u32
        ),
        None if uses_segment(role) && !o.used_run_object => format!(
            "it did not end within {} s and was killed; it never attached the run's segment (key {:08x}) (hint: attach the segment of the key it was given: sscanf(argv[1], \"%x\", &key))",
            limit.as_secs_f64(),
            o.key as u32
        ),
        None => format!(
            "it did not end within {} s and was killed, waiting{} (hint: it waits for something that never comes: check what ends its loop)",
            limit.as_secs_f64(),
            o.blocked_in
                .last()
                .map_or(String::new(), |c| format!(" in {c}"))
        ),
        Some(st) if st.signal() == Some(libc::SIGBUS) => format!(
            "it was killed by SIGBUS{why} (hint: it touched a mapping past the end of its file: ftruncate the file to 4096 bytes before the first store or load)"
        ),
        Some(st) => format!("it ended with {st}{why}"),
    }
}

/// Roles whose program attaches the run's System V segment.
fn uses_segment(role: Role) -> bool {
    matches!(role, Role::Shmread | Role::Shmwrite)
}

pub fn transcript(role: Role, o: &Outcome) -> Option<Verdict> {
    let lines = roles::transcript(role, o);
    // A role whose seed prints nothing (mmap-write) has no transcript to check.
    if lines.is_empty() {
        return None;
    }
    let r = roles::in_order(&o.out, &lines);
    Some(verdict("transcript", 1, r.is_ok(), match r {
        Ok(()) => "the slide's lines, with the run's key, id and pids".into(),
        Err(m) => format!(
            "expected a line with {:?}; it printed {} lines (hint: print as the slide does, and fflush(stdout))",
            m,
            o.out.lines().count()
        ),
    }))
}

pub fn data(role: Role, o: &Outcome) -> Verdict {
    let r = roles::data(role, o);
    let detail = match r {
        Ok(ref what) => what.clone(),
        Err(ref m) => format!("expected the data to cross intact, in order; {m}"),
    };
    verdict("data", 3, r.is_ok(), detail)
}

pub fn end(role: Role, o: &Outcome, limit: Duration) -> Verdict {
    let marker = roles::end_marker(role);
    let right = roles::ended_right(role, o);
    match (o.ok(), right) {
        (true, Ok(())) => verdict(
            "end",
            2,
            true,
            format!("it ended by itself {marker}, status 0"),
        ),
        (true, Err(why)) => verdict(
            "end",
            2,
            false,
            format!("expected it to end {marker}; {why}"),
        ),
        (false, _) => verdict(
            "end",
            2,
            false,
            format!(
                "expected it to end by itself {marker}; {}",
                ending(role, o, limit)
            ),
        ),
    }
}

/// The hint for what was left, by kind.
fn leak_hint(left: &[String]) -> String {
    let mut hints = Vec::new();
    for (noun, hint) in [
        ("shared memory segment", "shmctl(id, IPC_RMID, 0)"),
        (
            "message queue",
            "msgctl(id, IPC_RMID, 0) once the last reply was taken",
        ),
        ("semaphore set", "semctl(id, 0, IPC_RMID)"),
        ("POSIX shm", "shm_unlink(name) when both sides are done"),
        ("FIFO", "unlink(path) when the writer is done"),
    ] {
        if left.iter().any(|l| l.contains(noun)) {
            hints.push(hint);
        }
    }
    format!("remove what you create: {}", hints.join("; "))
}

/// What was left, in words (empty: nothing).
pub fn left(o: &Outcome) -> String {
    let mut parts = Vec::new();
    if !o.left.is_empty() {
        parts.push(format!("{} (ipclab removed it)", o.left.join(", ")));
    }
    if !o.left_unproven.is_empty() {
        parts.push(format!(
            "{} (it used it and it is still there; not proven the run's, so left as it is)",
            o.left_unproven.join(", ")
        ));
    }
    parts.join("; ")
}

pub fn no_leak(o: &Outcome) -> Verdict {
    let what = left(o);
    if what.is_empty() {
        return verdict("no-leak", 2, true, "nothing of the run is left".into());
    }
    let all: Vec<String> = o.left.iter().chain(&o.left_unproven).cloned().collect();
    verdict(
        "no-leak",
        2,
        false,
        format!("left behind: {what} (hint: {})", leak_hint(&all)),
    )
}

pub fn no_stray(o: &Outcome) -> Verdict {
    match o.strays.is_empty() {
        true => verdict("no-stray", 1, true, "no process of the run left after it ended".into()),
        false => verdict("no-stray", 1, false, format!(
            "still running after it ended: {} (hint: wait for your children before you exit; a child that calls setsid() is still yours)",
            o.strays.join(", ")
        )),
    }
}

pub fn cpu(o: &Outcome) -> Verdict {
    let Some(w) = o.window else {
        return verdict(
            "cpu",
            1,
            true,
            "it never had to wait for the other side: nothing to measure".into(),
        );
    };
    let share = w.cpu.as_secs_f64() / w.wall.as_secs_f64().max(1e-3);
    // Runnable half of the time: it spins, even where a busy machine gives it little CPU.
    let ok = share <= 0.25 && w.runnable <= 0.5;
    verdict("cpu", 1, ok, format!(
        "{} ms of CPU in the {} ms it waited for the other side ({:.0}%, at most 25%), runnable in {:.0}% of the looks (at most 50%); its {} ms of start-up not counted{}",
        w.cpu.as_millis(),
        w.wall.as_millis(),
        share * 100.0,
        w.runnable * 100.0,
        w.startup.as_millis(),
        if ok { "" } else { ": it spins while it waits (hint: sleep in the polling loop, or block in the call that waits: semop, msgrcv, read)" }
    ))
}

pub fn limits(o: &Outcome, timeout: Duration) -> Verdict {
    match o.limits_hit.is_empty() {
        true => verdict(
            "limits",
            1,
            true,
            format!("within its limits ({})", super::limits::describe(timeout)),
        ),
        false => verdict(
            "limits",
            1,
            false,
            format!(
                "it hit its limits: {} (hint: a loop around fork() or malloc() that never stops?)",
                o.limits_hit.join("; ")
            ),
        ),
    }
}

pub fn sigint(role: Role, s: &Outcome) -> Verdict {
    let ok =
        s.status.is_some() && s.ended_after <= GRACE && left(s).is_empty() && s.strays.is_empty();
    if ok {
        return verdict(
            "sigint",
            1,
            true,
            format!(
                "Ctrl-C ended it in {} ms, nothing left",
                s.ended_after.as_millis()
            ),
        );
    }
    let mut why = match s.status {
        None if !s.spinning => format!(
            "it did not end within {} s of Ctrl-C and was killed (hint: do not ignore SIGINT: leave its default action, or catch it, clean up and exit)",
            GRACE.as_secs()
        ),
        _ => ending(role, s, GRACE),
    };
    if !left(s).is_empty() {
        why.push_str(&format!(
            "; left: {} (hint: catch SIGINT and remove your objects before you exit)",
            left(s)
        ));
    }
    if !s.strays.is_empty() {
        why.push_str(&format!("; still running: {}", s.strays.join(", ")));
    }
    verdict(
        "sigint",
        1,
        false,
        format!(
            "expected Ctrl-C to end it within {} s leaving nothing; {why}",
            GRACE.as_secs()
        ),
    )
}

pub fn peer_dies(role: Role, s: &Outcome) -> Verdict {
    let own = format!("receive msg.mtext is: hello, I'm client {}", s.pid);
    let ok = s.status.is_some_and(|st| !st.success()) && !s.out.contains(&own);
    let detail = if ok {
        "the queue went away unanswered: it said so and failed".into()
    } else if s.out.contains(&own) {
        "expected a failure when the queue is removed before the reply; it printed its own request as the reply (hint: check msgrcv's return value: -1 with EIDRM)".into()
    } else {
        format!(
            "expected it to end, failing, within {} s of the queue's removal; {}",
            GRACE.as_secs(),
            ending(role, s, GRACE)
        )
    };
    verdict("peer-dies", 1, ok, detail)
}

pub fn starts_first(role: Role, s: &Outcome, limit: Duration) -> Verdict {
    let ok = s.ok() && roles::data(role, s).is_ok();
    verdict(
        "starts-first",
        2,
        ok,
        if ok {
            "started alone before the reader, it made ./temp usable and its message arrived".into()
        } else {
            format!(
                "expected it to run first, in an empty directory, and still deliver; {}",
                ending(role, s, limit)
            )
        },
    )
}
