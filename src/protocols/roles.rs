//! One reader and one writer per segment, one reader per FIFO.
//!
//! The slide's protocol works "only for exactly one reader and one writer" (hazard 1): a
//! second `shmread` beside a running one takes every other message, and may take the
//! writer's `end`, so the first reader (shmcon's own) never ends; a second `fifo-read` on one
//! FIFO splits the messages with the first. So an ipclab reader or writer claims its part
//! in the registry (a use record naming the part, see
//! [`Entry::claim`](crate::objects::registry::Entry::claim)), checked and written under the
//! registry's lock: a second one finds the first's record, alive, and is refused, naming it.
//! The record ends with its run, even by SIGKILL (a dead run's record is not counted), so
//! a killed reader's place can be taken by a new one.
//!
//! Nothing of the lesson is used for this: the flag demo (shmcon without `--sync sem`) makes
//! no semaphore set, so `--trace` and the timeline show only the segment, as on the slide.
//! The C programs keep no registry: they are neither counted nor refused; and the registry
//! is per user (another user's reader is not seen, the segment's mode keeps that user out).

use crate::objects::registry::{Entry, Part};
use crate::objects::Kind;
use anyhow::{anyhow, Result};

/// Which side.
pub type Role = Part;

/// What the object is, for the messages: `the segment of key 2700c1a1`, `the FIFO fifo1`.
pub struct Object<'a> {
    pub kind: Kind,
    pub key: Option<i32>,
    /// The System V id, or the FIFO's inode.
    pub id: i64,
    /// The FIFO's absolute path.
    pub name: Option<&'a str>,
    pub shown: String,
    /// The program whose part it is (`shmread`, `fifo-read`).
    pub program: &'a str,
    /// What else goes wrong with two (after "each message goes to one of the two").
    pub risk: &'a str,
}

/// Claim `role` for this run while it lives (the returned record; keep it), unless another
/// live run plays it. `force` takes part anyway, after saying what that means.
pub fn take(object: &Object<'_>, role: Role, force: bool) -> Result<Option<Entry>> {
    let holder = match Entry::claim(object.kind, object.key, object.id, object.name, role) {
        Ok(entry) => return Ok(Some(entry)),
        Err(holder) => holder,
    };
    let what = format!(
        "{} already has a {} (pid {}, `{}`)",
        object.shown,
        role.as_str(),
        holder.run.pid,
        crate::escape::terminal(&holder.command)
    );
    if force {
        crate::out::note(format_args!(
            "--force: {what}; this {} takes part anyway: each message goes to one of the two{}",
            role.as_str(),
            object.risk
        ));
        return Ok(None);
    }
    Err(anyhow!(
        "{what}: with two, each message would go to only one of them{}; end the other {} first, or pass --force",
        object.risk,
        object.program
    ))
}

/// Claim `role` of the System V segment `shmid` (key `key`); see [`take`].
pub fn take_segment(
    key: i32,
    shmid: crate::sys::ipc::ShmId,
    role: Role,
    force: bool,
) -> Result<Option<Entry>> {
    let program = match role {
        Part::Reader => "shmread",
        Part::Writer => "shmwrite",
    };
    let object = Object {
        kind: Kind::SysvShm,
        key: Some(key),
        id: i64::from(shmid),
        name: None,
        shown: format!("the segment of key {:x}", key as u32),
        program,
        risk: ", and the other could wait for ever for an `end` it never gets",
    };
    take(&object, role, force)
}
