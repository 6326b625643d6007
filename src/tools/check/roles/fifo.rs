//! IPC全解析 二 (FIFO): `./fifo1` in the working directory; each message is a C string, its
//! NUL written too (`write(fd, buf, n + 1)`).
//!
//! - `fifo-read`: the student's reader first (it makes ./fifo1, as the seed does, and waits
//!   for a writer: the CPU window), then ipclab's fifo-write: three messages together
//!   (`--burst 3`: in the pipe at once, as a fast writer's are when the reader was busy, so
//!   one read() returns all three), then three spaced. The reader must print each once,
//!   in order, and end at EOF; it owns the FIFO, which must be gone at the end and after
//!   Ctrl-C.
//! - `fifo-write`: ipclab's fifo-read first (it makes ./fifo1, and removes it at EOF), then
//!   `PROGRAM 3`: the seed's writer with its count as `argv[1]` (the seed sends 10, one a
//!   second); ipclab's reader records each message it gets, exactly.
//!
//! Any FIFO left in the working directory afterwards is a leak.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::model::{self, Receiver};
use super::super::outcome::Outcome;
use super::super::Role;
use anyhow::Result;
use std::time::{Duration, Instant};

/// Messages ipclab's writer sends: the first `BURST` back to back.
const MESSAGES: &str = "6";
const BURST: &str = "3";

pub fn play(c: &mut Ctx) -> Result<()> {
    let sig = c.s.mode == Mode::Sigint;
    let (mut me, mut other);
    if c.s.role == Role::FifoRead {
        // Step 1: the student's reader makes ./fifo1 and waits for a writer.
        me = c.start_student(&mut c.student(&[])?, Input::Null)?;
        other = None;
        if sig {
            c.nap(Duration::from_millis(300))?;
            sigint(&me);
        } else {
            c.cpu_window(&mut me, None)?;
            // Step 2: ipclab's writer waits for the FIFO and a reader, then writes.
            let w = [
                "fifo-write",
                "fifo1",
                "--count",
                MESSAGES,
                "--burst",
                BURST,
                "--interval",
                "30ms",
                "--timeout",
                "5s",
            ];
            other = Some(c.start_peer(&mut c.peer(&w)?, "peer")?);
        }
    } else {
        // Step 1: ipclab's reader makes ./fifo1 and waits for a writer (it says so).
        let p = c.start_peer(&mut c.peer(&["fifo-read", "fifo1"])?, "peer")?;
        c.wait_line(&p, "waiting for a writer", c.deadline)?;
        other = Some(p);
        // Step 2: the student's writer, three messages.
        me = c.start_student(&mut c.student(&["3".as_ref()])?, Input::Null)?;
        if sig {
            c.nap(Duration::from_millis(300))?;
            sigint(&me);
        } else {
            c.cpu_window(&mut me, None)?;
        }
    }
    let event_at = Instant::now();
    c.finish(&mut me, other.as_mut(), event_at, c.deadline)
}

/// The messages a writer says it sent (its `Send message: …` lines).
fn sent(text: &str) -> Vec<String> {
    model::lines_after(text, "Send message: ")
}

pub fn transcript(role: Role, o: &Outcome) -> Vec<String> {
    match role {
        Role::FifoRead => sent(&o.peer_out)
            .iter()
            .map(|m| format!("Read message: {m}"))
            .collect(),
        _ => vec![
            format!("I am {} process.", o.pid),
            format!("Send message: Process {}'s time is ", o.pid),
        ],
    }
}

/// What crossed: (sent, received, who received).
fn crossed(role: Role, o: &Outcome) -> (Vec<String>, Vec<String>, Receiver) {
    match role {
        Role::FifoRead => (
            sent(&o.peer_out),
            model::lines_after(&o.out, "Read message: "),
            Receiver::Student(model::SEVERAL_PER_READ),
        ),
        _ => (
            sent(&o.out),
            o.witness
                .iter()
                .map(|w| w.text().trim_end_matches('\n').to_string())
                .collect(),
            Receiver::Peer,
        ),
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    let (sent, got, who) = crossed(role, o);
    match role {
        Role::FifoRead if sent.is_empty() => {
            Err("ipclab's writer sent nothing: it never found a reader on ./fifo1".into())
        }
        Role::FifoWrite if sent.len() != 3 => Err(format!(
            "expected 3 `Send message: …` lines (the count is argv[1]); it printed {}",
            sent.len()
        )),
        _ => model::compare(&sent, &got, who).map(|()| match role {
            Role::FifoRead => format!("all {} messages ipclab's fifo-write sent (3 of them back to back) were printed once, in order", sent.len()),
            _ => "every message it sent reached ipclab's reader intact, in order, one per write with its NUL".into(),
        }),
    }
}

pub fn end(role: Role, o: &Outcome) -> Result<(), String> {
    match role {
        Role::FifoRead if o.peer_ok => Ok(()),
        Role::FifoRead => Err(format!(
            "it ended before the writer closed: ipclab's writer {} (hint: read until read() returns 0, end of file)",
            o.peer_err
                .lines()
                .last()
                .map_or("did not finish".to_string(), |l| format!("said: {}", crate::escape::terminal(l)))
        )),
        _ if o.peer_ok => Ok(()),
        _ => Err("ipclab's reader did not see its messages end (end of file) after it ended".into()),
    }
}
