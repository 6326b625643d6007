//! The System V objects of the 8-x demos: opening a peer's segment with errors that teach,
//! and owners that remove what a controller created (`IPC_RMID` on drop, so an early return,
//! an error or a signal-driven shutdown still cleans up).

use crate::layout::SHM_SIZE;
use crate::objects::{registry, sysvipc};
use crate::sys::ipc::{self, Attachment, Key};
use crate::sys::Errno;
use anyhow::{anyhow, Result};

/// Explain a failed shmget/shmat on `key` in one sentence.
pub fn explain(call: &str, key: Key, e: Errno) -> anyhow::Error {
    let k = key as u32;
    let entry = sysvipc::shm_by_key(key).ok().flatten();
    match (e, entry) {
        (Errno::ENOENT, _) => anyhow!(
            "{call}: no shared memory segment has key {k:x} (ENOENT): start the controller first (`ipclab shmcon PATHNAME` creates it and passes its key), or check the key"
        ),
        (Errno::EINVAL, Some(s)) => anyhow!(
            "{call}: the segment with key {k:x} (shmid {}) is {} bytes, smaller than the {SHM_SIZE} this demo needs (EINVAL): it belongs to another program; pick another key, or remove it with `ipcrm -m {}` if it is yours",
            s.shmid, s.size, s.shmid
        ),
        (Errno::EACCES, Some(s)) => anyhow!(
            "{call}: permission denied (EACCES) for segment {k:x} (shmid {}): it belongs to {} with mode {:03o}; ask its owner, or have its controller create it with --mode 666",
            s.shmid,
            sysvipc::user_name(s.uid),
            s.perms & 0o777
        ),
        (Errno::EIDRM, _) => anyhow!(
            "{call}: the segment with key {k:x} was removed meanwhile (EIDRM): start the demo again"
        ),
        (e, _) => anyhow!("{call}: {} ({})", e.desc(), e),
    }
}

/// Get and attach the 4100-byte segment of `key` (never creating it).
pub fn open(key: Key) -> Result<(i32, Attachment)> {
    let shmid = ipc::shmget(key, SHM_SIZE, 0).map_err(|e| explain("shmget()", key, e))?;
    let att = ipc::shmat(shmid, SHM_SIZE, false).map_err(|e| explain("shmat()", key, e))?;
    Ok((shmid, att))
}

/// A System V object this run created; removed (IPC_RMID) when dropped unless already removed.
#[derive(Debug)]
pub struct Owned {
    pub id: i32,
    kind: Kind,
    removed: bool,
}

/// Which kind of System V object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Shm,
    Sem,
    Msg,
}

impl Kind {
    /// The registry's name for this kind.
    pub fn registry(self) -> registry::Kind {
        match self {
            Kind::Shm => registry::Kind::SysvShm,
            Kind::Sem => registry::Kind::SysvSem,
            Kind::Msg => registry::Kind::SysvMsg,
        }
    }

    fn remove(self, id: i32) -> Result<(), Errno> {
        match self {
            Kind::Shm => ipc::shm_remove(id),
            Kind::Sem => ipc::sem_remove(id),
            Kind::Msg => ipc::msg_remove(id),
        }
    }

    fn table(self) -> sysvipc::Table {
        match self {
            Kind::Shm => sysvipc::Table::Shm,
            Kind::Sem => sysvipc::Table::Sem,
            Kind::Msg => sysvipc::Table::Msg,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Shm => "segment",
            Kind::Sem => "semaphore set",
            Kind::Msg => "message queue",
        }
    }
}

impl Owned {
    /// Take charge of object `id` (made under `key`), and record it (see [`registry`]).
    pub fn new(kind: Kind, key: Key, id: i32) -> Self {
        registry::record(kind.registry(), Some(key), Some(id), None);
        Owned {
            id,
            kind,
            removed: false,
        }
    }

    /// Someone else will remove it: forget it.
    pub fn disarm(&mut self) {
        if !self.removed {
            registry::forget(self.kind.registry(), Some(self.id), None);
        }
        self.removed = true;
    }

    /// Remove it now, reporting the error.
    pub fn remove(&mut self) -> Result<(), Errno> {
        if self.removed {
            return Ok(());
        }
        self.removed = true;
        let r = self.kind.remove(self.id);
        if !matches!(r, Err(Errno::EPERM | Errno::EACCES)) {
            registry::forget(self.kind.registry(), Some(self.id), None);
        }
        r
    }
}

/// The id of the live System V object of `kind` under `key`.
pub fn id_by_key(kind: Kind, key: Key) -> Option<i32> {
    sysvipc::ids_with_key(kind.table(), key).first().copied()
}

/// Create an object with `make` (which uses IPC_CREAT|IPC_EXCL). If one is already under
/// `key` and the registry says a dead ipclab run made it, say so on stderr, remove it and
/// create it afresh, instead of silently reusing its old contents. Any other EEXIST is
/// returned to the caller to explain.
pub fn create_fresh(
    applet: &str,
    kind: Kind,
    key: Key,
    make: impl Fn() -> Result<i32, Errno>,
) -> Result<Owned, Errno> {
    match make() {
        Ok(id) => return Ok(Owned::new(kind, key, id)),
        Err(Errno::EEXIST) => {}
        Err(e) => return Err(e),
    }
    let Some(old) = id_by_key(kind, key) else {
        return make().map(|id| Owned::new(kind, key, id));
    };
    match registry::find_sysv(kind.registry(), old) {
        Some(rec) if !rec.creator_alive() => {
            crate::out::warn(
                applet,
                format_args!(
                    "key {:x} held a stale {} (id {old}) left by a dead ipclab run (pid {}, `{}`): removing it and starting afresh",
                    key as u32,
                    kind.noun(),
                    rec.pid,
                    rec.command
                ),
            );
            let _ = kind.remove(old);
            registry::forget(kind.registry(), Some(old), None);
            make().map(|id| Owned::new(kind, key, id))
        }
        _ => Err(Errno::EEXIST),
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}

/// Create the 4100-byte segment of `key` with `mode` (IPC_CREAT|IPC_EXCL), replacing one a
/// dead ipclab run left (see [`create_fresh`]); any other segment there is explained.
pub fn create(applet: &str, key: Key, mode: u32) -> Result<Owned> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | mode as libc::c_int;
    match create_fresh(applet, Kind::Shm, key, || ipc::shmget(key, SHM_SIZE, flags)) {
        Ok(o) => Ok(o),
        Err(Errno::EEXIST) => {
            let k = key as u32;
            let old = sysvipc::shm_by_key(key)?.ok_or_else(|| anyhow!("shmget(): EEXIST"))?;
            let mine = old.uid == nix::unistd::geteuid().as_raw();
            Err(anyhow!(
                "a segment with key {k:x} already exists (shmid {}, owner {}, {} bytes, {} attached, created by pid {}{}): another program may be using this key file; pass another PATHNAME{}",
                old.shmid,
                sysvipc::user_name(old.uid),
                old.size,
                old.nattch,
                old.cpid,
                if sysvipc::pid_alive(old.cpid) { ", still running" } else { "" },
                if mine { format!(", or remove it with `ipcrm -m {}` if it is yours and unused", old.shmid) } else { String::new() }
            ))
        }
        Err(Errno::EINVAL) => Err(anyhow!(
            "shmget(): the kernel refuses a {SHM_SIZE}-byte segment (EINVAL): check /proc/sys/kernel/shmmax and shmmni (`ipclab limits`)"
        )),
        Err(Errno::ENOSPC) => Err(anyhow!(
            "shmget(): no more segments allowed (ENOSPC, kernel.shmmni or shmall reached): remove unused ones (`ipclab ls`, `ipclab clean`)"
        )),
        Err(e) => Err(explain("shmget()", key, e)),
    }
}

/// The seeds' `sem_p`/`sem_v`: `op` (-1 or +1) on semaphore 0 of `semid`, with SEM_UNDO,
/// retried on EINTR until `stop()` says to give up. `why_stopped` explains a stop that was
/// not a termination signal (for sem-demo: the child died before its V).
pub fn pv(semid: i32, op: i16, stop: fn() -> bool, why_stopped: &str) -> Result<()> {
    let ops = [ipc::SemOp {
        num: 0,
        op,
        undo: true,
    }];
    ipc::semop(semid, &ops, stop).map_err(|e| match e {
        Errno::EINTR => match crate::sys::signals::pending() {
            Some(s) => crate::error::Interrupted(s).into(),
            None => anyhow!("semop(): {why_stopped}"),
        },
        Errno::EIDRM | Errno::EINVAL => {
            anyhow!("semop(): the semaphore set was removed (its owner ended)")
        }
        e => anyhow!("semop(): {}", e.desc()),
    })
}
