//! Algorithms 8-4 … 8-6: the POSIX object NAME, 4100 bytes, made (O_EXCL, zeroed) and
//! unlinked by the controller, as shmpthreadcon does; the message is a C string at
//! offset 0.
//!
//! - `shmconsumer` (8-6): the student's consumer, then (in the normal run, after the CPU
//!   window: it must wait, without spinning, for a message that is not there yet) ipclab's
//!   shmproducer with a message new in every run. Perturbed runs start the producer first,
//!   or with it, as shmpthreadcon's two vforks do. A consumer that reads at once (the
//!   slide's) prints an empty message: the race of 8-6.
//! - `shmproducer` (8-5): the student's producer, then at once ipclab's consumer, which
//!   waits for the message and records exactly what it read.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::outcome::Outcome;
use super::super::Role;
use crate::objects::owner::Owner;
use anyhow::{anyhow, Result};
use std::time::{Duration, Instant};

/// The slide's message (8-5's `message_0`).
const HELLO: &str = "Hello World!";

pub fn play(c: &mut Ctx) -> Result<()> {
    // Step 1: the object, as shmpthreadcon makes it (O_EXCL, 4100 bytes, zeroed).
    let name = format!("/ipclab-check-{}-{}", std::process::id(), c.s.run_no);
    let (fd, mut object) =
        Owner::create_shm(&name, 0o600).map_err(|e| anyhow!("shm_open({name}): {}", e.desc()))?;
    crate::objects::posix::size_object(&fd, crate::layout::SHM_SIZE as u64, &name)?;
    drop(fd);
    let sig = c.s.mode == Mode::Sigint;
    let mut student = c.student(&[name.as_ref()])?;
    let message = c.o.payloads[0].clone();
    // Step 2: the producer and the consumer, in the order of the run.
    let (mut me, mut other);
    if c.s.role == Role::Shmconsumer {
        let mut producer = c.peer(&["shmproducer", &name, "--managed", "--message", &message])?;
        // Perturbed runs: the producer first, or 0-3 ms before the consumer (both orders
        // of shmpthreadcon's two vforks). The normal run: the consumer waits first.
        other = match c.s.jitter {
            Some(_) if !sig => Some(c.start_peer(&mut producer, "peer")?),
            _ => None,
        };
        if let Some((seed, _)) = c.s.jitter {
            c.nap(Duration::from_micros(seed.wrapping_mul(7919) % 3000))?;
        }
        me = c.start_student(&mut student, Input::Null)?;
        if other.is_none() && !sig {
            c.cpu_window(&mut me, None)?;
            other = Some(c.start_peer(&mut producer, "peer")?);
        }
    } else {
        me = c.start_student(&mut student, Input::Null)?;
        let mut p = c.peer(&["shmconsumer", &name, "--managed", "--timeout", "5s"])?;
        other = Some(c.start_peer(&mut p, "peer")?);
    }
    if sig {
        c.nap(Duration::from_millis(300))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    c.finish(&mut me, other.as_mut(), event_at, c.deadline)?;
    let _ = object.remove();
    Ok(())
}

/// What the student's producer says it wrote (the slide's message if it says nothing).
fn produced(o: &Outcome) -> String {
    o.out
        .lines()
        .find_map(|l| l.strip_prefix("produced message: "))
        .unwrap_or(HELLO)
        .to_string()
}

pub fn transcript(role: Role, o: &Outcome) -> Vec<String> {
    match role {
        Role::Shmconsumer => vec![format!("consumed message: {}", o.payloads[0])],
        _ => vec![format!("produced message: {HELLO}")],
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    match role {
        Role::Shmconsumer => {
            let got = super::super::model::lines_after(&o.out, "consumed message: ");
            match got.first() {
                Some(m) if *m == o.payloads[0] => {
                    Ok("the producer's message (new in every run) arrived intact".into())
                }
                Some(m) if m.is_empty() => Err("it printed an empty message: it read before the producer wrote (the race of 8-6; hint: wait until the message is there, e.g. until its first byte is not 0)".into()),
                Some(m) => Err(format!("it printed {m:?}, not the producer's {:?}", o.payloads[0])),
                None => Err(format!(
                    "it never printed `consumed message: {}`",
                    o.payloads[0]
                )),
            }
        }
        _ => {
            let m = produced(o);
            match o.witness.first().map(|w| w.text()) {
                Some(g) if g == m => Ok(format!(
                    "ipclab's consumer read {m:?} intact, NUL-terminated, at offset 0"
                )),
                Some(g) => Err(format!(
                    "ipclab's consumer read {g:?} at offset 0, not {m:?} (hint: write the C string, its NUL included, at offset 0 of the mapping)"
                )),
                None => Err(format!("ipclab's consumer found no message at offset 0 within 5 s (hint: write the C string {m:?}, its NUL included, at offset 0 of the mapping)")),
            }
        }
    }
}

pub fn end(role: Role, o: &Outcome) -> Result<(), String> {
    match role {
        Role::Shmconsumer if o.out.contains("consumed message: ") => Ok(()),
        Role::Shmconsumer => Err("it ended without printing the message".into()),
        // The producer's end is after its write: whether the write was right is `data`'s.
        _ => Ok(()),
    }
}
