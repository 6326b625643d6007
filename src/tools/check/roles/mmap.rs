//! The mmap notes' 无血缘关系进程间通信 (mmap_w_ipc.c, mmap_r_ipc.c): two unrelated
//! processes share the 4096-byte file `./temp`; the message (`hello parent, i am your
//! 朋友！！！\n`) is a C string at offset 1024. The seeds loop for ever; here the program
//! gets `ROUNDS MS` as `argv[1]`, `argv[2]` (as the tests' copies take them).
//!
//! - `mmap-read`: `PROGRAM 8 100`, started first as the notes say (it makes `temp` 4096
//!   bytes); then ipclab's `mmap-file send`. It must print the message.
//! - `mmap-write`: ipclab's `mmap-file receive` first, then `PROGRAM 8 50`; ipclab's reader
//!   must print the message. `starts-first`: the writer alone in an empty directory, the
//!   reader 300 ms later: the seed's writer maps an empty file and dies of SIGBUS.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::outcome::Outcome;
use super::super::Role;
use crate::layout::IPC_MESSAGE;
use anyhow::Result;
use std::time::{Duration, Instant};

pub fn play(c: &mut Ctx) -> Result<()> {
    let sig = c.s.mode == Mode::Sigint;
    let (mut me, mut other);
    if c.s.role == Role::MmapRead {
        // Step 1: the student's reader makes temp; Step 2: ipclab's writer.
        me = c.start_student(
            &mut c.student(&["8".as_ref(), "100".as_ref()])?,
            Input::Null,
        )?;
        // It makes ./temp (the writer must not, or the file would be the writer's).
        let temp = c.dir.join("temp");
        c.wait_until(Instant::now() + Duration::from_secs(2), |_| temp.exists())?;
        if !sig {
            c.cpu_window(&mut me, None)?;
        }
        let w = [
            "mmap-file",
            "send",
            "temp",
            "--count",
            "40",
            "--interval",
            "20ms",
        ];
        other = Some(c.start_peer(&mut c.peer(&w)?, "peer")?);
    } else {
        // Step 1: ipclab's reader makes temp (unless the writer is to start first).
        let r = [
            "mmap-file",
            "receive",
            "temp",
            "--count",
            "12",
            "--interval",
            "50ms",
        ];
        let first = c.s.mode == Mode::StartsFirst;
        other = None;
        if !first {
            let p = c.start_peer(&mut c.peer(&r)?, "peer")?;
            c.wait_line(
                &p,
                "created temp",
                Instant::now() + Duration::from_millis(500),
            )?;
            other = Some(p);
        }
        // Step 2: the student's writer.
        me = c.start_student(&mut c.student(&["8".as_ref(), "50".as_ref()])?, Input::Null)?;
        if first {
            c.nap(Duration::from_millis(300))?;
            other = Some(c.start_peer(&mut c.peer(&r)?, "peer")?);
        } else if !sig {
            c.cpu_window(&mut me, None)?;
        }
    }
    if sig {
        c.nap(Duration::from_millis(200))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    c.finish(&mut me, other.as_mut(), event_at, c.deadline)
}

fn message() -> String {
    IPC_MESSAGE.trim_end().to_string()
}

pub fn transcript(role: Role, _o: &Outcome) -> Vec<String> {
    match role {
        Role::MmapRead => vec![message()],
        // The seed's writer prints nothing.
        _ => vec![],
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    let m = message();
    match role {
        Role::MmapRead if o.out.contains(&m) => Ok("it printed the writer's message from offset 1024".into()),
        Role::MmapRead => Err(format!("it never printed {m:?} (hint: print the C string at offset 1024 of the 4096-byte mapping, in every round)")),
        _ if o.witness.iter().any(|w| w.text().trim_end() == m) => Ok("ipclab's reader found its message at offset 1024".into()),
        _ => Err(format!("ipclab's reader never saw {m:?} at offset 1024 (hint: strcpy(ptr + 1024, msg) into a MAP_SHARED mapping of ./temp)")),
    }
}

/// Its end is after its rounds; whether the message crossed is `data`'s.
pub fn end(_role: Role, _o: &Outcome) -> Result<(), String> {
    Ok(())
}
