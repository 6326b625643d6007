//! The System V objects a run creates, and the 4100-byte segment of the 8-x demos.
//!
//! [`create`] makes an object with `IPC_CREAT|IPC_EXCL`: a run owns only what it creates.
//! An object already under the key is never adopted: if a dead ipclab run of yours left it
//! (and nobody uses it), it is removed and made afresh, with a word on stderr; anything else
//! is explained by [`occupied`]: whose it is, its id, and how to pick another key.

use super::owner::Owner;
use super::registry;
use super::{live, sysvipc, Kind};
use crate::layout::SHM_SIZE;
use crate::sys::ipc::{self, Attachment, Key};
use crate::sys::region::Access;
use crate::sys::Errno;
use anyhow::{anyhow, Result};

/// Explain a failed shmget/shmat on `key` in one sentence.
pub fn explain(call: &str, key: Key, e: Errno) -> anyhow::Error {
    explain_with(
        call,
        key,
        e,
        "start the controller first (`ipclab shmcon PATHNAME` creates it and passes its key)",
    )
}

/// [`explain`], with what creates the segment when there is none (`start`).
pub fn explain_with(call: &str, key: Key, e: Errno, start: &str) -> anyhow::Error {
    let k = key as u32;
    let entry = sysvipc::shm_by_key(key).ok().flatten();
    match (e, entry) {
        (Errno::ENOENT, _) => anyhow!(
            "{call}: no shared memory segment has key {k:x} (ENOENT): {start}, or check the key"
        ),
        (Errno::EINVAL, Some(s)) => anyhow!(
            "{call}: the segment with key {k:x} (shmid {}) is {} bytes, smaller than the {SHM_SIZE} this demo needs (EINVAL): it belongs to another program; pick another key, or remove it with `ipcrm -m {}` if it is yours",
            s.shmid, s.size, s.shmid
        ),
        (Errno::EACCES, Some(s)) => anyhow!(
            "{call}: permission denied (EACCES) for segment {k:x} (shmid {}): it belongs to {} with mode {:03o}; use a key file of your own (another PATHNAME), or ask its owner",
            s.shmid,
            sysvipc::user_name(s.uid),
            s.perms & 0o777
        ),
        (Errno::EIDRM, _) => anyhow!(
            "{call}: the segment with key {k:x} was removed meanwhile (EIDRM): start the demo again"
        ),
        (e, _) => crate::error::sys_error(call, e),
    }
}

/// Get and attach the 4100-byte segment of `key` (never creating it), refusing one that
/// belongs to another user unless trusted.
pub fn open(key: Key, trust: super::trust::TrustArgs) -> Result<(ipc::ShmId, Attachment)> {
    let shmid = ipc::shmget(key, SHM_SIZE, 0).map_err(|e| explain("shmget()", key, e))?;
    let att =
        ipc::shmat(shmid, SHM_SIZE, Access::ReadWrite).map_err(|e| explain("shmat()", key, e))?;
    super::trust::check_sysv(Kind::SysvShm, key, shmid, trust)?;
    Ok((shmid, att))
}

/// A stale object under `key`: made by a dead ipclab run of yours, still the one recorded,
/// and used by nobody. Returns its id and the record.
fn stale(kind: Kind, key: Key) -> Option<(i32, registry::Record)> {
    let records = registry::load().ok()?;
    records.iter().find_map(|r| {
        if r.kind != kind || r.key != Some(key) || r.uses || r.run.alive() {
            return None;
        }
        let found = live::find(r)?;
        live::users(r, &found, &records)
            .is_none()
            .then(|| (found.id as i32, r.clone()))
    })
}

/// Create an object of `kind` under `key` (IPC_CREAT|IPC_EXCL). An object a dead ipclab run
/// of yours left there is removed first, with a word on stderr; any other `EEXIST` is
/// returned for the caller to explain (see [`occupied`]).
pub fn create<I: Into<i32>>(
    kind: Kind,
    key: Key,
    make: impl Fn() -> Result<I, Errno>,
) -> Result<Owner, Errno> {
    let make = || make().map(Into::<i32>::into);
    match Owner::make(kind, key, make) {
        Err(Errno::EEXIST) => {}
        other => return other,
    }
    let Some((old, rec)) = stale(kind, key) else {
        return Err(Errno::EEXIST);
    };
    crate::out::note(format_args!(
        "key {:x} held a stale {} (id {old}) left by a dead ipclab run (pid {}, `{}`): removing it and starting afresh",
        key as u32,
        kind.noun(),
        rec.run.pid,
        rec.command
    ));
    let _ = match kind {
        Kind::SysvShm => ipc::shm_remove(ipc::ShmId(old)),
        Kind::SysvSem => ipc::sem_remove(ipc::SemId(old)),
        _ => ipc::msg_remove(ipc::MsqId(old)),
    };
    let _ = registry::update(|v| v.retain(|o| o != &rec));
    Owner::make(kind, key, make)
}

/// Why `key` cannot be used for a new object of `kind`: whose object is there, its id, and
/// how to choose another key (`hint`, e.g. "pass another PATHNAME" or "--path FILE").
pub fn occupied(kind: Kind, key: Key, hint: &str) -> anyhow::Error {
    let k = key as u32;
    let Some(row) = sysvipc::by_key(kind, key) else {
        return anyhow!("a {} with key {k:x} already exists: {hint}", kind.noun());
    };
    let id = row.id(kind);
    let mine = row.uid() == nix::unistd::geteuid().as_raw();
    let creator = match kind {
        Kind::SysvShm => {
            let cpid: i32 = row.num("cpid");
            let running = if sysvipc::pid_alive(cpid) {
                ", still running"
            } else {
                ""
            };
            format!(", created by pid {cpid}{running}")
        }
        _ => String::new(),
    };
    anyhow!(
        "a {} with key {k:x} already exists (id {id}, owner {}, mode {:03o}{creator}): another program is using this key; {hint}{}",
        kind.noun(),
        sysvipc::user_name(row.uid()),
        row.octal("perms") & 0o777,
        if mine {
            format!(", or remove it with `ipcrm {} {id}` if it is yours and unused", kind.ipcrm())
        } else {
            String::new()
        }
    )
}

/// Create the 4100-byte segment of `key` with `mode` for shmcon.
pub fn create_segment(key: Key, mode: u32) -> Result<Owner> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | mode as libc::c_int;
    create(Kind::SysvShm, key, || ipc::shmget(key, SHM_SIZE, flags)).map_err(|e| match e {
        Errno::EEXIST => occupied(Kind::SysvShm, key, "pass another PATHNAME"),
        Errno::EINVAL => anyhow!(
            "shmget(): the kernel refuses a {SHM_SIZE}-byte segment (EINVAL): check /proc/sys/kernel/shmmax and shmmni (`ipclab limits`)"
        ),
        Errno::ENOSPC => anyhow!(
            "shmget(): no more segments allowed (ENOSPC, kernel.shmmni or shmall reached): remove unused ones (`ipclab ls`, `ipclab clean`)"
        ),
        e => explain("shmget()", key, e),
    })
}

/// The seeds' `sem_p`/`sem_v`: `op` (-1 or +1) on semaphore 0 of `semid`, with SEM_UNDO
/// when `undo`. A blocked P may be ended by `stop()` (for sem-demo: the child ended, so no
/// V will come), or by a termination signal.
pub fn pv(
    semid: ipc::SemId,
    op: i16,
    undo: bool,
    stop: impl FnMut() -> Option<anyhow::Error>,
) -> Result<()> {
    let ops = [ipc::SemOp {
        num: 0,
        op,
        undo,
        ..Default::default()
    }];
    crate::error::restart_until(|| ipc::semop(semid, &ops), stop)?.map_err(|e| match e {
        Errno::EIDRM | Errno::EINVAL => {
            anyhow!("semop(): the semaphore set was removed (its owner ended)")
        }
        e => crate::error::sys_error("semop()", e),
    })
}
