//! Algorithms 8-1 … 8-3: the System V segment of `ftok(PATH, 0x27)`, 4100 bytes,
//! `struct shared_struct { int written; char mtext[4096]; }`.
//!
//! - `shmread` (8-2): ipclab makes the segment as shmcon does and starts the student's
//!   reader with the key; once it attached, it must wait without spinning (the CPU window:
//!   no writer yet); then ipclab's shmwrite types the payloads and `end`.
//! - `shmwrite` (8-3): the segment, ipclab's shmread (it looks at the flag every 1 ms and
//!   records exactly what it read), then the student's writer, its stdin typed line by line
//!   as the reader takes them. The reader is held (stopped) for the CPU window after the
//!   first message: the writer must wait for `written == 0` without spinning.
//! - `shmcon` (8-1): the student's controller gets the key file as `argv[1]`, makes the
//!   segment and vforks+execs `./alg.8-2-shmread.o` and `./alg.8-3-shmwrite.o` (also
//!   `./shmread`, `./shmwrite`): in the scratch directory those are links to ipclab, whose
//!   applets then play the children (polling every 10 ms: `IPCLAB_INTERVAL`). The payloads
//!   and `end` are its stdin, which the writer child inherits.
//!
//! The model: every payload, then `end`, crosses exactly once, in order, each as it was
//! typed; the program ends (status 0) only after `end` crossed.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::model::{self, Receiver};
use super::super::observe;
use super::super::outcome::Outcome;
use super::super::window::{resume, stop};
use super::super::Role;
use crate::objects::sysv;
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use std::time::{Duration, Instant};

/// How long a program has to attach the segment.
const ATTACH: Duration = Duration::from_secs(3);
/// How long ipclab's reader stays busy after the writer attached.
const HOLD: Duration = Duration::from_millis(100);

pub fn play(c: &mut Ctx) -> Result<()> {
    // Step 1: the key, as shmcon makes it (ftok(PATH, 0x27)); the segment (4100 bytes)
    // unless the student's controller is to make it.
    c.o.key = ipc::ftok(&c.keyfile, 0x27).map_err(|e| anyhow!("ftok: {}", e.desc()))?;
    let hex = format!("{:x}", c.o.key);
    if c.s.role == Role::Shmcon {
        return shmcon(c);
    }
    let seg = sysv::create_segment(c.o.key, 0o600)?;
    c.o.id = seg.id();
    let mut student = c.student(&[hex.as_ref()])?;
    let sig = c.s.mode == Mode::Sigint;
    let key = c.o.key;
    if c.s.role == Role::Shmread {
        // Step 2: the student's reader attaches and waits: no writer yet (the CPU window).
        let mut me = c.start_student(&mut student, Input::Null)?;
        attach(c, &mut me, key)?;
        c.cpu_window(&mut me, None)?;
        let event_at = Instant::now();
        let mut other = None;
        if sig {
            sigint(&me);
        } else {
            // Step 3: ipclab's writer types the payloads and `end`.
            let mut w = c.peer(&["shmwrite", &hex, "--interval", "1ms"])?;
            other = Some(c.start_peer_typing(&mut w, "peer")?);
        }
        c.finish(&mut me, other.as_mut(), event_at, c.deadline)?;
    } else {
        // Step 2: ipclab's reader, held (stopped) while the student's writer starts and
        // its first two lines are typed at once: its first message sits unread, and it
        // must wait for written == 0 (without spinning: the CPU window) rather than
        // overwrite it.
        let mut r = c.peer(&["shmread", &hex, "--interval", "1ms"])?;
        let mut p = c.start_peer(&mut r, "peer")?;
        c.wait_line(&p, "ready", c.deadline)?;
        stop(&p);
        let input = if sig { Input::Open } else { Input::Typed };
        let mut me = c.start_student(&mut student, input)?;
        attach(c, &mut me, key)?;
        if sig {
            sigint(&me);
        } else {
            c.nap(HOLD)?;
            c.measure_window(me.pid())?;
        }
        resume(&p);
        let event_at = Instant::now();
        c.finish(&mut me, Some(&mut p), event_at, c.deadline)?;
    }
    drop(seg);
    Ok(())
}

/// Wait (up to 3 s) until the program has the run's segment attached.
fn attach(c: &mut Ctx, me: &mut super::super::ctx::Proc, key: i32) -> Result<()> {
    let until = Instant::now() + ATTACH;
    let pid = me.pid();
    let seen = c.wait_until(until, |c| {
        observe::attached(&c.watch.live(false), key) || observe::state(pid).is_none_or(|s| s == 'Z')
    })?;
    c.o.used_run_object = seen && observe::attached(&c.watch.live(false), key);
    Ok(())
}

/// 8-1: the student's controller, ipclab's applets as its children.
fn shmcon(c: &mut Ctx) -> Result<()> {
    let exe = std::env::current_exe()?;
    for name in [
        "alg.8-2-shmread.o",
        "alg.8-3-shmwrite.o",
        "shmread",
        "shmwrite",
    ] {
        std::os::unix::fs::symlink(&exe, c.dir.join(name))?;
    }
    let mut student = c.student(&[c.keyfile.as_os_str()])?;
    student
        .env(crate::env::INTERVAL, "10ms")
        .env(crate::protocols::witness::VAR, &c.witness);
    if let Some((seed, max)) = c.s.jitter {
        student.env(crate::env::JITTER, format!("{seed}:{max}"));
    }
    let sig = c.s.mode == Mode::Sigint;
    let mut me = c.start_student(&mut student, if sig { Input::Open } else { Input::Typed })?;
    let key = c.o.key;
    let up = c.wait_until(Instant::now() + ATTACH, |c| {
        observe::attached(&c.watch.live(false), key)
    })?;
    c.o.used_run_object = up;
    if sig {
        // Once its children are up, Ctrl-C.
        c.nap(Duration::from_millis(100))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    c.finish(&mut me, None, event_at, c.deadline)?;
    if let Some(id) =
        c.o.out
            .lines()
            .find_map(|l| l.strip_prefix("shmcon: shmid = "))
    {
        c.o.id = id
            .split_whitespace()
            .next()
            .unwrap_or("")
            .parse()
            .unwrap_or(0);
    }
    Ok(())
}

pub fn transcript(role: Role, o: &Outcome) -> Vec<String> {
    match role {
        Role::Shmread => vec![
            format!("shmread: IPC key = {:x}", o.key),
            format!("shmread: shmid = {}", o.id),
            "shmread process ready ...".to_string(),
        ],
        Role::Shmwrite => {
            let mut v = vec![
                format!("shmwrite: IPC key = {:x}", o.key),
                format!("shmwrite: shmid = {}", o.id),
            ];
            v.extend(o.payloads.iter().map(|p| format!("shared buffer: {p}")));
            v
        }
        _ => vec![
            format!("key generated: IPC key = {:x}", o.key),
            format!("shmcon: shmid = {}", o.id),
            format!("shmcon: shmid = {} removed", o.id),
        ],
    }
}

/// The payloads, then `end`.
fn sent(o: &Outcome) -> Vec<String> {
    let mut v = o.payloads.clone();
    v.push("end".into());
    v
}

/// The slide's end test: a message whose first three bytes are `end`.
fn is_end(message: &str) -> bool {
    message.starts_with("end")
}

/// What ipclab's reader got (each message without its newline).
fn peer_got(o: &Outcome) -> Vec<String> {
    o.witness
        .iter()
        .map(|w| w.text().trim_end_matches('\n').to_string())
        .collect()
}

/// What crossed, as the role sees it.
fn crossed(role: Role, o: &Outcome) -> (Vec<String>, Receiver) {
    match role {
        Role::Shmwrite => (peer_got(o), Receiver::Peer),
        // The reader child of a student's controller is ipclab's: what it got.
        Role::Shmcon => (peer_got(o), Receiver::Peer),
        _ => (
            model::lines_after(&o.out, "You wrote: "),
            Receiver::Student(model::UNTIL_END),
        ),
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    let (got, who) = crossed(role, o);
    let sent = sent(o);
    if got.is_empty() && !o.used_run_object && role != Role::Shmcon {
        return Err(format!(
            "nothing crossed: it never attached the run's segment (key {:08x}) (hint: attach the segment of the key it was given: sscanf(argv[1], \"%x\", &key))",
            o.key as u32
        ));
    }
    // `end` is judged by the end check: here, the payloads.
    let got: Vec<String> = got.into_iter().take_while(|g| !is_end(g)).collect();
    let r = model::compare(&o.payloads, &got, who);
    match (r, role) {
        (Ok(()), _) => Ok(format!(
            "{} distinct payloads (long, then short) crossed intact, once each, in order",
            sent.len() - 1
        )),
        (Err(e), Role::Shmcon) => Err(format!("{e} (are both children started, with the key as argv[1], and stdin left to the writer?)")),
        (Err(e), _) => Err(e),
    }
}

pub fn end(role: Role, o: &Outcome) -> Result<(), String> {
    let (got, _) = crossed(role, o);
    let done = got.iter().any(|g| is_end(g));
    match (done, role) {
        (true, _) => Ok(()),
        (false, Role::Shmread) => Err(format!(
            "it ended before the writer's `end` reached it (it printed {} of {} messages)",
            got.len(),
            o.payloads.len() + 1
        )),
        (false, Role::Shmwrite) => Err("ipclab's reader never got `end`: the reader waits for ever (hint: pass the `end` line on to the reader, then stop)".into()),
        (false, _) => Err("its reader child never got `end` from the writer child".into()),
    }
}
