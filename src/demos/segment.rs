//! The System V objects of the 8-x demos: opening a peer's segment with errors that teach,
//! and owners that remove what a controller created (`IPC_RMID` on drop, so an early return,
//! an error or a signal-driven shutdown still cleans up).

use crate::ipcs;
use crate::layout::SHM_SIZE;
use crate::sys::ipc::{self, Attachment, Key};
use crate::sys::Errno;
use anyhow::{anyhow, Result};

/// Explain a failed shmget/shmat on `key` in one sentence.
pub fn explain(call: &str, key: Key, e: Errno) -> anyhow::Error {
    let k = key as u32;
    let entry = ipcs::shm_by_key(key).ok().flatten();
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
            ipcs::user_name(s.uid),
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

impl Owned {
    /// Take ownership of object `id`.
    pub fn new(kind: Kind, id: i32) -> Self {
        Owned {
            id,
            kind,
            removed: false,
        }
    }

    /// Someone else will remove it: forget it.
    pub fn disarm(&mut self) {
        self.removed = true;
    }

    /// Remove it now, reporting the error.
    pub fn remove(&mut self) -> Result<(), Errno> {
        if self.removed {
            return Ok(());
        }
        self.removed = true;
        match self.kind {
            Kind::Shm => ipc::shm_remove(self.id),
            Kind::Sem => ipc::sem_remove(self.id),
            Kind::Msg => ipc::msg_remove(self.id),
        }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}

/// Create the 4100-byte segment of `key` with `mode` (IPC_CREAT|IPC_EXCL).
///
/// A segment already under the key is an error that says whose it is, except one left by a
/// run that died (same owner, right size, nobody attached, creator gone): that is said on
/// stderr, removed and created anew, rather than silently reusing its old contents.
pub fn create(applet: &str, key: Key, mode: u32) -> Result<Owned> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | mode as libc::c_int;
    match ipc::shmget(key, SHM_SIZE, flags) {
        Ok(id) => return Ok(Owned::new(Kind::Shm, id)),
        Err(Errno::EEXIST) => {}
        Err(Errno::EINVAL) => {
            return Err(anyhow!(
                "shmget(): the kernel refuses a {SHM_SIZE}-byte segment (EINVAL): check /proc/sys/kernel/shmmax and shmmni (`ipcs -l`)"
            ))
        }
        Err(Errno::ENOSPC) => {
            return Err(anyhow!(
                "shmget(): no more segments allowed (ENOSPC, kernel.shmmni or shmall reached): remove unused ones (`ipcs -m`, `ipcrm -m ID`)"
            ))
        }
        Err(e) => return Err(explain("shmget()", key, e)),
    }
    let k = key as u32;
    let Some(old) = ipcs::shm_by_key(key)? else {
        // Removed between the two looks: try once more.
        let id = ipc::shmget(key, SHM_SIZE, flags).map_err(|e| explain("shmget()", key, e))?;
        return Ok(Owned::new(Kind::Shm, id));
    };
    let mine = old.uid == nix::unistd::geteuid().as_raw();
    let stale =
        mine && old.nattch == 0 && old.size == SHM_SIZE as u64 && !ipcs::pid_alive(old.cpid);
    if !stale {
        return Err(anyhow!(
            "a segment with key {k:x} already exists (shmid {}, owner {}, {} bytes, {} attached, created by pid {}{}): another controller may be using this key file; pass another PATHNAME{}",
            old.shmid,
            ipcs::user_name(old.uid),
            old.size,
            old.nattch,
            old.cpid,
            if ipcs::pid_alive(old.cpid) { ", still running" } else { "" },
            if mine { format!(", or remove it with `ipcrm -m {}`", old.shmid) } else { String::new() }
        ));
    }
    crate::out::warn(
        applet,
        format_args!(
            "key {k:x} held a stale segment (shmid {}) left by pid {}, which is gone: removing it and starting afresh",
            old.shmid, old.cpid
        ),
    );
    ipc::shm_remove(old.shmid).map_err(|e| {
        anyhow!(
            "shmctl(IPC_RMID) of stale shmid {}: {}",
            old.shmid,
            e.desc()
        )
    })?;
    let id = ipc::shmget(key, SHM_SIZE, flags).map_err(|e| explain("shmget()", key, e))?;
    Ok(Owned::new(Kind::Shm, id))
}
