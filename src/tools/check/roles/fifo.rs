//! IPC全解析 二 (FIFO): `./fifo1` in the working directory; each message is a C string, its
//! NUL written too (`write(fd, buf, n + 1)`).
//!
//! - `fifo-read`: the student's reader first (it makes ./fifo1, as the seed does), then
//!   ipclab's fifo-write, which waits for the FIFO and a reader and sends three messages.
//!   The reader owns the FIFO: it must be gone at the end and after Ctrl-C.
//! - `fifo-write`: ipclab's fifo-read first (it makes ./fifo1, and removes it at EOF), then
//!   `PROGRAM 3`: the seed's writer with its count as `argv[1]` (the seed sends 10, one a
//!   second); ipclab's reader prints each message it gets.
//!
//! Any FIFO left in the working directory afterwards is a leak.

use super::super::run::{sigint, Ctx, Mode, Outcome};
use super::super::Role;
use super::in_order;
use anyhow::Result;
use std::os::unix::fs::FileTypeExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

pub fn play(c: &mut Ctx) -> Result<()> {
    let sig = c.s.mode == Mode::Sigint;
    let (mut me, mut other);
    if c.s.role == Role::FifoRead {
        // Step 1: the student's reader makes ./fifo1 and waits for a writer.
        me = c.start(&mut c.student(&[])?, "student", Stdio::null())?;
        other = None;
        if sig {
            c.nap(Duration::from_millis(300))?;
            sigint(&me);
        } else {
            // Step 2: ipclab's writer waits for the FIFO and a reader, then writes.
            let w = [
                "fifo-write",
                "fifo1",
                "--count",
                "3",
                "--interval",
                "20ms",
                "--timeout",
                "5s",
            ];
            other = Some(c.start(&mut c.peer(&w)?, "peer", Stdio::null())?);
        }
    } else {
        // Step 1: ipclab's reader makes ./fifo1 and waits for a writer (it says so).
        let p = c.start(&mut c.peer(&["fifo-read", "fifo1"])?, "peer", Stdio::null())?;
        c.wait_line(&p, "waiting for a writer", c.deadline)?;
        other = Some(p);
        // Step 2: the student's writer, three messages.
        me = c.start(&mut c.student(&["3".as_ref()])?, "student", Stdio::null())?;
        if sig {
            c.wait_line(
                &me,
                "Send message",
                Instant::now() + Duration::from_millis(300),
            )?;
            sigint(&me);
        }
    }
    let event_at = Instant::now();
    c.finish(
        &mut me,
        other.as_mut(),
        event_at,
        c.deadline,
        !sig || c.s.role == Role::FifoWrite,
    )?;
    // Step 3: any FIFO left in the working directory.
    for e in std::fs::read_dir(c.dir.path())?.flatten() {
        if e.file_type().is_ok_and(|t| t.is_fifo()) {
            c.o.left.push(format!(
                "the FIFO {} (in its working directory)",
                e.file_name().to_string_lossy()
            ));
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(())
}

/// The messages the writer says it sent (its `Send message: …` lines).
fn sent(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Send message: "))
        .map(str::to_string)
        .collect()
}

fn read_lines(v: &[String]) -> Vec<String> {
    v.iter().map(|m| format!("Read message: {m}")).collect()
}

pub fn transcript(role: Role, o: &Outcome) -> Vec<String> {
    match role {
        Role::FifoRead => read_lines(&sent(&o.peer_out)),
        _ => vec![
            format!("I am {} process.", o.pid),
            format!("Send message: Process {}'s time is ", o.pid),
        ],
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    match role {
        Role::FifoRead => match sent(&o.peer_out) {
            v if v.is_empty() => {
                Err("ipclab's writer sent nothing: it never found a reader on ./fifo1".into())
            }
            v => in_order(&o.out, &read_lines(&v))
                .map(|()| "every message ipclab's fifo-write sent was read and printed, in order".into())
                .map_err(|m| format!("it never printed {m:?}")),
        },
        _ => match sent(&o.out) {
            v if v.len() != 3 => Err(format!(
                "expected 3 `Send message: …` lines (the count is argv[1]); it printed {}",
                v.len()
            )),
            v => in_order(&o.peer_out, &read_lines(&v))
                .map(|()| "every message it sent reached ipclab's reader intact, in order, one per write".into())
                .map_err(|m| format!("ipclab's reader never printed {m:?} (hint: write each message with its NUL, n + 1 bytes)")),
        },
    }
}
