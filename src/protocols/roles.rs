//! One reader and one writer per segment.
//!
//! The slide's protocol works "only for exactly one reader and one writer" (hazard 1): a
//! second `shmread` beside a running one takes every other message, and may take the
//! writer's `end`, so the first reader (shmcon's own) never ends. shmcon's semaphore set
//! has, after `EMPTY` and `FULL` (see [`super::handoff`]), two slots, `READER` and `WRITER`,
//! each starting at 1. An ipclab reader or writer takes its slot with `semop(-1,
//! IPC_NOWAIT|SEM_UNDO)`: a second one finds 0 and is refused, naming the holder
//! (`GETPID`). SEM_UNDO gives the slot back when the holder exits, even by SIGKILL, so a
//! killed reader's place can be taken by a new one. The C programs never touch the set:
//! they are neither counted nor refused.

use crate::objects::{sysvipc, Kind};
use crate::sys::ipc::{self, Key, SemGet, SemOp};
use crate::sys::Errno;
use anyhow::{anyhow, Result};

/// Semaphore 2 of the controller's set: the reader's slot.
pub const READER: u16 = 2;
/// Semaphore 3: the writer's slot.
pub const WRITER: u16 = 3;
/// Semaphores in a set that has the slots.
pub const SET_SIZE: i32 = 4;

/// Which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Reader,
    Writer,
}

impl Role {
    fn slot(self) -> u16 {
        match self {
            Role::Reader => READER,
            Role::Writer => WRITER,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Writer => "writer",
        }
    }
}

/// Set the slots of a new set free (its creator, before anyone uses it).
pub fn init(semid: i32) -> Result<(), Errno> {
    ipc::sem_setval(semid, i32::from(READER), 1)?;
    ipc::sem_setval(semid, i32::from(WRITER), 1)
}

/// Take `role`'s slot in the set under `key`, if the segment's controller made one with
/// slots (a C controller, or none, makes none: then nothing is checked). `force` takes
/// part without the slot, after saying what that means.
pub fn take(key: Key, role: Role, force: bool) -> Result<()> {
    let Ok(semid) = ipc::semget(key, 0, 0) else {
        return Ok(());
    };
    let nsems: i32 = sysvipc::rows(Kind::SysvSem)
        .iter()
        .find(|r| r.id(Kind::SysvSem) == semid)
        .map_or(0, |r| r.num("nsems"));
    if nsems < SET_SIZE {
        return Ok(());
    }
    let op = SemOp {
        num: role.slot(),
        op: -1,
        undo: true,
        nowait: true,
    };
    match ipc::semop(semid, &[op]) {
        Ok(()) => Ok(()),
        Err(Errno::EAGAIN) => {
            let holder = ipc::sem_get(semid, i32::from(role.slot()), SemGet::Pid).unwrap_or(0);
            let what = format!(
                "the segment of key {:x} already has a {} (pid {holder})",
                key as u32,
                role.name()
            );
            if force {
                crate::out::note(format_args!(
                    "--force: {what}; this {} takes part anyway: each message goes to one of the two, and the other may wait for an `end` it never gets",
                    role.name()
                ));
                return Ok(());
            }
            Err(anyhow!(
                "{what}: with two, each message would go to only one of them, and the other could wait for ever for an `end` it never gets; end the other {} first, or pass --force",
                role.name()
            ))
        }
        Err(e) => Err(crate::error::sys_error("semop(slot)", e)),
    }
}
