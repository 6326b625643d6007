//! The slides' bounded buffer ("Producer-Consumer Problem with Shared-memory"): the POSIX
//! object NAME holds `in`, `out` and `buffer[BUFFER_SIZE]` of 64-byte items, laid out as
//! [`crate::protocols::ring`] documents (docs/check.md repeats it for students). ipclab
//! plays the controller: it makes the object, initialises the ring (BUFFER_SIZE 10, the
//! slide's busy-wait), registers the student's pid in the header (so ipclab's side notices
//! if the student's side dies) and starts ipclab's other side.
//!
//! - `ring-producer`: `PROGRAM NAME COUNT` puts items 0..COUNT; ipclab's consumer checks
//!   each one (sequence, checksum, payload: once, in order, not torn).
//! - `ring-consumer`: `PROGRAM NAME COUNT` takes COUNT items, checks them and prints
//!   `consumed COUNT items`; ipclab's producer can only finish if it took them.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::outcome::Outcome;
use super::super::Role;
use super::in_order;
use crate::objects::owner::Owner;
use crate::objects::registry::{start_time, Run};
use crate::protocols::peer;
use crate::protocols::ring::{self, Ring, RingSync};
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use anyhow::{anyhow, Result};
use std::time::{Duration, Instant};

/// BUFFER_SIZE, as the slides' example (at most 9 items in the buffer).
pub const SLOTS: u32 = 10;
/// Items per run.
pub const COUNT: u64 = 2000;

pub fn play(c: &mut Ctx) -> Result<()> {
    // Step 1: the object, sized and initialised, as shmpthreadcon --items does.
    let name = format!("/ipclab-check-ring-{}-{}", std::process::id(), c.s.run_no);
    let size = ring::object_size(SLOTS);
    let (fd, mut object) =
        Owner::create_shm(&name, 0o600).map_err(|e| anyhow!("shm_open({name}): {}", e.desc()))?;
    crate::objects::posix::size_object(&fd, size as u64, &name)?;
    let map = mem::map_file(&fd, size, Access::ReadWrite, Share::Shared)
        .map_err(|e| anyhow!("mmap: {}", e.desc()))?;
    drop(fd);
    Ring::init(map.region(), SLOTS, RingSync::Spin)?;
    // Step 2: the student's side (registered in the header), then ipclab's.
    let count = COUNT.to_string();
    let mut student = c.student(&[name.as_ref(), count.as_ref()])?;
    let mut me = c.start_student(&mut student, Input::Null)?;
    let pid = me.pid() as i32;
    let (mine, applet) = match c.s.role {
        Role::RingProducer => (peer::Role::Producer, "shmconsumer"),
        _ => (peer::Role::Consumer, "shmproducer"),
    };
    Ring::register(
        map.region(),
        mine,
        Run {
            pid,
            start: start_time(pid).unwrap_or(0),
        },
    );
    let sig = c.s.mode == Mode::Sigint;
    let args = [
        applet,
        &name,
        "--managed",
        "--items",
        &count,
        "--buffer-size",
        "10",
        "--timeout",
        "5s",
    ];
    let mut other = Some(c.start_peer(&mut c.peer(&args)?, "peer")?);
    if sig {
        c.nap(Duration::from_millis(200))?;
        sigint(&me);
    }
    let event_at = Instant::now();
    // After Ctrl-C to the student, ipclab's side sees it gone and ends by itself.
    c.finish(&mut me, other.as_mut(), event_at, c.deadline)?;
    drop(map);
    let _ = object.remove();
    Ok(())
}

pub fn transcript(role: Role, _o: &Outcome) -> Vec<String> {
    match role {
        Role::RingProducer => vec![format!("produced {COUNT} items")],
        _ => vec![format!("consumed {COUNT} items")],
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    let why = o.peer_err.lines().last().unwrap_or("");
    match role {
        Role::RingProducer => in_order(&o.peer_out, &[format!("consumed {COUNT} items")])
            .map(|()| format!("ipclab's consumer took {COUNT} items, every one once, in order, not torn"))
            .map_err(|_| format!("ipclab's consumer did not get {COUNT} good items (hint: write the whole item into buffer[in] before you move in; each item's sequence, checksum and payload as docs/check.md says){}", tail(why))),
        _ if !o.peer_ok => Err(format!("ipclab's producer could not put its {COUNT} items: the consumer did not take them (hint: move out only after you copied buffer[out])")),
        _ => in_order(&o.out, &[format!("consumed {COUNT} items")])
            .map(|()| format!("{COUNT} items crossed the buffer; it took every one"))
            .map_err(|m| format!("it never printed {m:?}")),
    }
}

/// Its end is after its COUNT items; whether they crossed is `data`'s.
pub fn end(_role: Role, _o: &Outcome) -> Result<(), String> {
    Ok(())
}

fn tail(why: &str) -> String {
    match why {
        "" => String::new(),
        w => format!("; it said: {w}"),
    }
}
