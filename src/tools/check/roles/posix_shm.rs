//! Algorithms 8-4 … 8-6: the POSIX object NAME, 4100 bytes, made (O_EXCL, zeroed) and
//! unlinked by the controller, as shmpthreadcon does; the message is a C string at
//! offset 0.
//!
//! - `shmconsumer` (8-6): ipclab's shmproducer (a message new in every run), then at once
//!   the student's consumer, as shmpthreadcon vforks them: the consumer must wait for the
//!   message, which may not be there yet (the race of 8-6).
//! - `shmproducer` (8-5): the student's producer, then at once ipclab's consumer, which
//!   waits for the message and prints it.

use super::super::run::{sigint, Ctx, Mode, Outcome};
use super::super::Role;
use super::in_order;
use crate::objects::owner::Owner;
use anyhow::{anyhow, Result};
use std::process::Stdio;
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
    let ipclab_side: &[&str] = match c.s.role {
        Role::Shmconsumer => &["shmproducer", &name, "--managed", "--message", &message],
        _ => &["shmconsumer", &name, "--managed", "--timeout", "5s"],
    };
    // Step 2: the producer, then at once the consumer (shmpthreadcon's order).
    let (mut me, mut other);
    if c.s.role == Role::Shmconsumer {
        other = (!sig)
            .then(|| {
                c.peer(ipclab_side)
                    .and_then(|mut p| c.start(&mut p, "peer", Stdio::null()))
            })
            .transpose()?;
        // Perturbed runs also start the consumer 0-3 ms late, so both orders happen.
        if let Some((seed, _)) = c.s.jitter {
            c.nap(Duration::from_micros(seed.wrapping_mul(7919) % 3000))?;
        }
        me = c.start(&mut student, "student", Stdio::null())?;
    } else {
        me = c.start(&mut student, "student", Stdio::null())?;
        let mut p = c.peer(ipclab_side)?;
        other = Some(c.start(&mut p, "peer", Stdio::null())?);
    }
    if sig {
        c.nap(Duration::from_millis(300))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    c.finish(&mut me, other.as_mut(), event_at, c.deadline, true)?;
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
        Role::Shmconsumer => in_order(&o.out, &[format!("consumed message: {}", o.payloads[0])])
            .map(|()| "the producer's message (new in every run) arrived intact".into())
            .map_err(|m| {
                format!(
                    "it never printed {m:?}: it read before the producer wrote (the race of 8-6)"
                )
            }),
        _ => {
            let m = produced(o);
            in_order(&o.peer_out, &[format!("consumed message: {m}")])
                .map(|()| format!("ipclab's consumer read {m:?} intact, NUL-terminated, at offset 0"))
                .map_err(|_| format!("ipclab's consumer did not read {m:?} at offset 0 within 5 s (hint: write the C string, its NUL included, at offset 0 of the mapping)"))
        }
    }
}
