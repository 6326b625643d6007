//! [`Owner`]: the one guard for every IPC object a run creates, System V (a segment, a
//! queue, a semaphore set, by id) or POSIX (a shm object, by name).
//!
//! It is recorded in the registry *before* the object exists (so a SIGKILL between
//! `semget` returning and the record being written cannot leave an object `clean` does not
//! know), completed with the id (or the inode), and removes the object when dropped
//! (`IPC_RMID`, `shm_unlink`), so an early return, an error or a signal-driven shutdown
//! still cleans up. A failed create forgets the record again.

use super::registry::Entry;
use super::Kind;
use crate::sys::ipc::{self, Key};
use crate::sys::{mem, Errno, SysResult};
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;

/// How the object is named to the kernel.
#[derive(Debug)]
enum Handle {
    /// A System V id.
    Id(i32),
    /// A POSIX name, `/name`.
    Name(String),
}

/// An IPC object this run owns: removed when dropped, unless removed already or disowned.
#[derive(Debug)]
pub struct Owner {
    kind: Kind,
    handle: Handle,
    entry: Option<Entry>,
}

fn inode_of(fd: &OwnedFd) -> i64 {
    nix::sys::stat::fstat(fd).map_or(0, |st| st.st_ino as i64)
}

fn inode_at(name: &str) -> Option<i64> {
    std::fs::symlink_metadata(super::posix::path_of(name))
        .ok()
        .map(|m| m.ino() as i64)
}

impl Owner {
    /// Create a System V object of `kind` under `key` with `make` (which passes
    /// IPC_CREAT|IPC_EXCL).
    pub fn make<I: Into<i32>>(
        kind: Kind,
        key: Key,
        make: impl Fn() -> SysResult<I>,
    ) -> SysResult<Owner> {
        let mut entry = Entry::begin(kind, Some(key), None);
        match make().map(Into::into) {
            Ok(id) => {
                entry.created(i64::from(id));
                Ok(Owner {
                    kind,
                    handle: Handle::Id(id),
                    entry: Some(entry),
                })
            }
            Err(e) => {
                entry.forget();
                Err(e)
            }
        }
    }

    /// Create the POSIX shm object NAME exclusively (O_CREAT|O_EXCL|O_RDWR), with `mode`
    /// set on the descriptor (fchmod), whatever the umask.
    pub fn create_shm(name: &str, mode: u32) -> SysResult<(OwnedFd, Owner)> {
        use nix::fcntl::OFlag;
        let mut entry = Entry::begin(Kind::PosixShm, None, Some(name));
        match mem::shm_open(name, OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_RDWR, mode) {
            Ok(fd) => {
                entry.created(inode_of(&fd));
                let owner = Owner {
                    kind: Kind::PosixShm,
                    handle: Handle::Name(name.to_string()),
                    entry: Some(entry),
                };
                mem::fchmod(&fd, mode)?;
                Ok((fd, owner))
            }
            Err(e) => {
                entry.forget();
                Err(e)
            }
        }
    }

    /// The POSIX shm object NAME, not (yet) ours to remove (see [`Owner::adopt`]).
    pub fn not_ours(name: &str) -> Owner {
        Owner {
            kind: Kind::PosixShm,
            handle: Handle::Name(name.to_string()),
            entry: None,
        }
    }

    /// The System V id (-1 for a POSIX object).
    /// The segment's id (an Owner of a System V segment).
    pub fn shm_id(&self) -> crate::sys::ipc::ShmId {
        crate::sys::ipc::ShmId(self.id())
    }

    /// The set's id.
    pub fn sem_id(&self) -> crate::sys::ipc::SemId {
        crate::sys::ipc::SemId(self.id())
    }

    /// The queue's id.
    pub fn msq_id(&self) -> crate::sys::ipc::MsqId {
        crate::sys::ipc::MsqId(self.id())
    }

    pub fn id(&self) -> i32 {
        match self.handle {
            Handle::Id(id) => id,
            Handle::Name(_) => -1,
        }
    }

    /// Take over the removal of a POSIX object another process of ours made.
    pub fn adopt(&mut self) {
        if let (None, Handle::Name(name)) = (&self.entry, &self.handle) {
            let mut entry = Entry::begin(self.kind, None, Some(name));
            if let Some(ino) = inode_at(name) {
                entry.created(ino);
            }
            self.entry = Some(entry);
        }
    }

    /// Leave the removal to another process (its record is forgotten).
    pub fn disown(&mut self) {
        if let Some(mut e) = self.entry.take() {
            e.forget();
        }
    }

    /// Remove it now, reporting the error. A POSIX object is unlinked only if it is still
    /// the one recorded (its inode); one already gone (the other side of a pair removed
    /// it) is done. The record stays when the removal was refused (EPERM, EACCES), for
    /// `clean` to try again.
    pub fn remove(&mut self) -> SysResult<()> {
        let Some(mut entry) = self.entry.take() else {
            return Ok(());
        };
        let r = match &self.handle {
            Handle::Id(id) => match self.kind {
                Kind::SysvShm => ipc::shm_remove(ipc::ShmId(*id)),
                Kind::SysvSem => ipc::sem_remove(ipc::SemId(*id)),
                _ => ipc::msg_remove(ipc::MsqId(*id)),
            },
            Handle::Name(name) => match (inode_at(name), entry.id()) {
                (None, _) => Ok(()),
                (Some(now), Some(was)) if now != was => Ok(()),
                _ => match mem::shm_unlink(name) {
                    Err(Errno::ENOENT) => Ok(()),
                    other => other,
                },
            },
        };
        if matches!(r, Err(Errno::EPERM | Errno::EACCES)) {
            self.entry = Some(entry);
        } else {
            entry.forget();
        }
        r
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}
