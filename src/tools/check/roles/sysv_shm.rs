//! Algorithms 8-1 … 8-3: the System V segment of `ftok(PATH, 0x27)`, 4100 bytes,
//! `struct shared_struct { int written; char mtext[4096]; }`.
//!
//! - `shmread` (8-2): ipclab makes the segment as shmcon does, starts the student's reader
//!   with the key, then ipclab's shmwrite typing the payloads and `end`.
//! - `shmwrite` (8-3): the segment, ipclab's shmread (slow: the writer must wait for it),
//!   then the student's writer with the payloads and `end` on stdin.
//! - `shmcon` (8-1): the student's controller gets the key file as `argv[1]`, makes the
//!   segment and vforks+execs `./alg.8-2-shmread.o` and `./alg.8-3-shmwrite.o` (also
//!   `./shmread`, `./shmwrite`): in the scratch directory those are links to ipclab, whose
//!   applets then play the children (polling every 10 ms: `IPCLAB_INTERVAL`). The payloads
//!   and `end` are its stdin, which the writer child inherits.

use super::super::run::{sigint, Ctx, Mode, Outcome};
use super::super::Role;
use super::{each, in_order};
use crate::objects::sysv;
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use std::process::Stdio;
use std::time::{Duration, Instant};

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
    if c.s.role == Role::Shmread {
        // Step 2: the student's reader; ipclab's writer after a pause (the reader waits).
        let mut me = c.start(&mut student, "student", Stdio::null())?;
        c.wait_line(&me, "ready", Instant::now() + Duration::from_millis(300))?;
        let event_at = Instant::now();
        let mut other = None;
        if sig {
            sigint(&me);
        } else {
            c.nap(Duration::from_millis(300))?;
            let mut w = c.peer(&["shmwrite", &hex, "--interval", "10ms"])?;
            other = Some(c.start(&mut w, "peer", c.typed()?)?);
        }
        c.finish(&mut me, other.as_mut(), event_at, c.deadline, !sig)?;
    } else {
        // Step 2: ipclab's reader (slow: the writer must wait), then the student's writer.
        let mut r = c.peer(&["shmread", &hex, "--interval", "50ms"])?;
        let mut p = c.start(&mut r, "peer", Stdio::null())?;
        c.wait_line(&p, "ready", c.deadline)?;
        let stdin = if sig { Stdio::piped() } else { c.typed()? };
        let mut me = c.start(&mut student, "student", stdin)?;
        if sig {
            // Its first lines, or a moment (its stdout is a file: it may not flush).
            c.wait_line(&me, "shmid", Instant::now() + Duration::from_millis(300))?;
            sigint(&me);
        }
        let event_at = Instant::now();
        c.finish(&mut me, Some(&mut p), event_at, c.deadline, !sig)?;
    }
    drop(seg);
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
    student.env("IPCLAB_INTERVAL", "10ms");
    if let Some((seed, max)) = c.s.jitter {
        student.env("IPCLAB_JITTER", format!("{seed}:{max}"));
    }
    let sig = c.s.mode == Mode::Sigint;
    let stdin = if sig { Stdio::piped() } else { c.typed()? };
    let mut me = c.start(&mut student, "student", stdin)?;
    if sig {
        // Once the reader child is up (its line is in the shared output), Ctrl-C.
        c.wait_line(&me, "ready", Instant::now() + Duration::from_secs(2))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    c.finish(&mut me, None, event_at, c.deadline, true)?;
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
        Role::Shmread => {
            let mut v = vec![
                format!("shmread: IPC key = {:x}", o.key),
                format!("shmread: shmid = {}", o.id),
                "shmread process ready ...".to_string(),
            ];
            v.extend(each(o, "You wrote: "));
            v
        }
        Role::Shmwrite => {
            let mut v = vec![
                format!("shmwrite: IPC key = {:x}", o.key),
                format!("shmwrite: shmid = {}", o.id),
            ];
            v.extend(each(o, "shared buffer: "));
            v
        }
        _ => vec![
            format!("key generated: IPC key = {:x}", o.key),
            format!("shmcon: shmid = {}", o.id),
            format!("shmcon: shmid = {} removed", o.id),
        ],
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    let n = o.payloads.len();
    let wrote = each(o, "You wrote: ");
    match role {
        Role::Shmwrite => in_order(&o.peer_out, &wrote)
            .map_err(|m| format!("ipclab's reader never got {m:?}")),
        Role::Shmcon => in_order(&o.out, &wrote)
            .map_err(|m| format!("its reader child never printed {m:?} (are both children started, with the key as argv[1], and stdin left to the writer?)")),
        _ => in_order(&o.out, &wrote).map_err(|m| format!("it never printed {m:?}")),
    }
    .map(|()| format!("{n} distinct payloads crossed intact, in order"))
}
