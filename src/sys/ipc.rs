//! System V IPC: `ftok`, shared memory (`shmget`/`shmat`/`shmdt`/`shmctl`), semaphore sets
//! (`semget`/`semop`/`semctl`) and message queues (`msgget`/`msgsnd`/`msgrcv`/`msgctl`).
//!
//! An attached segment is an [`Attachment`]: it detaches (`shmdt`) when dropped, and lends a
//! [`Region`] view through which the demos read and write the shared bytes.

use super::event::{Op, SemChange};
pub use super::region::{Access, Region};
use super::{cstring, event, Errno, SysResult};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr::NonNull;

pub use super::ids::{Key, MsqId, SemId, ShmId};

/// `ftok(pathname, proj_id)`, as glibc computes it.
pub fn ftok(path: &Path, proj_id: u8) -> SysResult<Key> {
    let c = cstring(path.as_os_str().as_bytes())?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call; ftok only stats it.
    let key = unsafe { libc::ftok(c.as_ptr(), libc::c_int::from(proj_id)) };
    let r = Errno::result(key);
    event::call(
        format_args!("ftok(\"{}\", 0x{proj_id:x})", path.display()),
        &r.map(|k| format!("0x{:08x}", k as u32)),
    );
    r
}

// ---------------------------------------------------------------------------------------
// Shared memory
// ---------------------------------------------------------------------------------------

/// `shmget(key, size, flags)`: the id of the segment.
pub fn shmget(key: Key, size: usize, flags: libc::c_int) -> SysResult<ShmId> {
    // SAFETY: shmget takes no pointers.
    let r = Errno::result(unsafe { libc::shmget(key, size, flags) }).map(ShmId);
    event::call_op(
        format_args!(
            "shmget(key=0x{:08x}, size={size}, {})",
            key as u32,
            event::ipc_flags(flags)
        ),
        &r,
        |id| super::ids::created(flags, format!("shm {id}")),
    );
    r
}

/// An attached segment; `shmdt` on drop.
#[derive(Debug)]
pub struct Attachment {
    addr: NonNull<u8>,
    len: usize,
    access: Access,
    detached: bool,
}

/// `shmat(shmid, NULL, flags)`: attach a segment of (at least) `len` bytes where the kernel likes.
///
/// `len` must not exceed the segment's size (the caller got the id from `shmget` with that
/// size, which the kernel checks: a smaller existing segment fails with EINVAL).
pub fn shmat(shmid: ShmId, len: usize, access: Access) -> SysResult<Attachment> {
    let readonly = access == Access::ReadOnly;
    let flags = if readonly { libc::SHM_RDONLY } else { 0 };
    // SAFETY: a NULL shmaddr lets the kernel choose a free range, so no existing mapping of
    // ours is replaced; Errno::result checks the (void *)-1 sentinel.
    let p = unsafe { libc::shmat(shmid.0, std::ptr::null(), flags) };
    let r = Errno::result(p).and_then(|p| NonNull::new(p.cast::<u8>()).ok_or(Errno::EFAULT));
    let flag_text = if readonly { "SHM_RDONLY" } else { "0" };
    event::call(
        format_args!("shmat({shmid}, NULL, {flag_text})"),
        &r.map(|p| format!("{:p}", p.as_ptr())),
    );
    let actual = shm_stat(shmid).map(|s| s.size).unwrap_or(len);
    r.map(|addr| Attachment {
        addr,
        len: len.min(actual),
        access,
        detached: false,
    })
}

impl Attachment {
    /// The address the segment is attached at (what the slide prints with `%p`).
    pub fn addr(&self) -> *const u8 {
        self.addr.as_ptr()
    }

    /// The attached bytes.
    pub fn region(&self) -> Region<'_> {
        // SAFETY: the attachment maps at least `len` bytes readable, and writable unless
        // attached SHM_RDONLY (`access` says which), until `self` is dropped; the borrow
        // ties the Region to `self`.
        unsafe { Region::new(self.addr, self.len, self.access) }
    }

    /// `shmdt`, reporting its error (drop does the same silently).
    pub fn detach(mut self) -> SysResult<()> {
        self.detached = true;
        shmdt(self.addr)
    }
}

impl Drop for Attachment {
    fn drop(&mut self) {
        if !self.detached {
            let _ = shmdt(self.addr);
        }
    }
}

fn shmdt(addr: NonNull<u8>) -> SysResult<()> {
    // SAFETY: `addr` came from a successful shmat and is detached only once (Attachment
    // tracks it); nothing borrows the region after this (Region borrows the Attachment).
    let r = Errno::result(unsafe { libc::shmdt(addr.as_ptr().cast()) }).map(|_| ());
    event::call(format_args!("shmdt({:p})", addr.as_ptr()), &r.map(|_| 0));
    r
}

/// What `shmctl(IPC_STAT)` tells about a segment.
#[derive(Debug, Clone, Copy)]
pub struct ShmStat {
    pub key: Key,
    pub uid: u32,
    pub mode: u32,
    pub size: usize,
    pub nattch: u64,
    pub cpid: i32,
    pub lpid: i32,
}

/// `shmctl(shmid, IPC_STAT)`.
pub fn shm_stat(shmid: ShmId) -> SysResult<ShmStat> {
    let mut ds = std::mem::MaybeUninit::<libc::shmid_ds>::zeroed();
    // SAFETY: `ds` is a writable shmid_ds the kernel fills on success.
    let r = Errno::result(unsafe { libc::shmctl(shmid.0, libc::IPC_STAT, ds.as_mut_ptr()) });
    event::call(format_args!("shmctl({shmid}, IPC_STAT, buf)"), &r);
    r?;
    // SAFETY: IPC_STAT succeeded, so the kernel initialised `ds` (it was zeroed anyway).
    let ds = unsafe { ds.assume_init() };
    Ok(ShmStat {
        key: ds.shm_perm.__key,
        uid: ds.shm_perm.uid,
        mode: u32::from(ds.shm_perm.mode),
        size: ds.shm_segsz,
        nattch: ds.shm_nattch,
        cpid: ds.shm_cpid,
        lpid: ds.shm_lpid,
    })
}

/// `shmctl(shmid, IPC_RMID, NULL)`: mark the segment for removal (done at the last detach).
pub fn shm_remove(shmid: ShmId) -> SysResult<()> {
    // SAFETY: IPC_RMID reads no buffer; NULL is allowed.
    let r = Errno::result(unsafe { libc::shmctl(shmid.0, libc::IPC_RMID, std::ptr::null_mut()) });
    event::call_op(format_args!("shmctl({shmid}, IPC_RMID, NULL)"), &r, |_| {
        Op::Removes {
            object: format!("shm {shmid}"),
        }
    });
    r.map(|_| ())
}

// ---------------------------------------------------------------------------------------
// Semaphore sets
// ---------------------------------------------------------------------------------------

/// `semget(key, nsems, flags)`.
pub fn semget(key: Key, nsems: i32, flags: libc::c_int) -> SysResult<SemId> {
    // SAFETY: semget takes no pointers.
    let r = Errno::result(unsafe { libc::semget(key, nsems, flags) }).map(SemId);
    event::call_op(
        format_args!(
            "semget(key=0x{:08x}, nsems={nsems}, {})",
            key as u32,
            event::ipc_flags(flags)
        ),
        &r,
        |id| super::ids::created(flags, format!("sem {id}")),
    );
    r
}

/// One operation of a `semop` call (`struct sembuf`, 6 bytes).
#[derive(Debug, Clone, Copy, Default)]
pub struct SemOp {
    pub num: u16,
    pub op: i16,
    /// SEM_UNDO: the kernel reverses it when the process exits.
    pub undo: bool,
    /// IPC_NOWAIT: fail with EAGAIN instead of blocking.
    pub nowait: bool,
}

/// `semop(semid, ops)`, at most 8 operations (E2BIG beyond, as the kernel's SEMOPM would).
///
/// `semop` is never restarted by the kernel after a signal handler runs (signal(7)): EINTR
/// comes back, and [`crate::error::restart`] decides what it means. Nothing is allocated
/// or formatted unless `--trace` is on: the benchmark calls this twice per message.
pub fn semop(semid: SemId, ops: &[SemOp]) -> SysResult<()> {
    let mut bufs = [libc::sembuf {
        sem_num: 0,
        sem_op: 0,
        sem_flg: 0,
    }; 8];
    if ops.len() > bufs.len() {
        return Err(Errno::E2BIG);
    }
    for (b, o) in bufs.iter_mut().zip(ops) {
        *b = libc::sembuf {
            sem_num: o.num,
            sem_op: o.op,
            sem_flg: (if o.undo { libc::SEM_UNDO as i16 } else { 0 })
                | (if o.nowait { libc::IPC_NOWAIT as i16 } else { 0 }),
        };
    }
    event::begin();
    // SAFETY: `bufs` holds `ops.len()` valid sembufs for the whole call.
    let r = Errno::result(unsafe { libc::semop(semid.0, bufs.as_mut_ptr(), ops.len()) });
    if event::active() {
        let text: Vec<String> = ops
            .iter()
            .map(|o| {
                let flg = match (o.undo, o.nowait) {
                    (true, true) => "IPC_NOWAIT|SEM_UNDO",
                    (true, false) => "SEM_UNDO",
                    (false, true) => "IPC_NOWAIT",
                    (false, false) => "0",
                };
                format!("{{{}, {:+}, {flg}}}", o.num, o.op)
            })
            .collect();
        let changes = ops
            .iter()
            .map(|o| SemChange {
                num: o.num,
                op: o.op,
            })
            .collect();
        event::call_op(
            format_args!("semop({semid}, [{}], {})", text.join(", "), ops.len()),
            &r,
            |_| Op::Semop {
                id: semid.0,
                changes,
            },
        );
    }
    r.map(|_| ())
}

/// `semctl(semid, num, SETVAL, value)`.
pub fn sem_setval(semid: SemId, num: i32, value: i32) -> SysResult<()> {
    // SAFETY: SETVAL takes the value as the variadic `union semun` argument; on Linux the
    // union is passed like an int-sized value and `val` is its first member.
    let r = Errno::result(unsafe { libc::semctl(semid.0, num, libc::SETVAL, value) });
    event::call_op(
        format_args!("semctl({semid}, {num}, SETVAL, {value})"),
        &r,
        |_| Op::Setval {
            id: semid.0,
            num,
            value,
        },
    );
    r.map(|_| ())
}

/// `semctl(semid, num, GETVAL | GETNCNT | GETZCNT | GETPID)`.
pub fn sem_get(semid: SemId, num: i32, cmd: SemGet) -> SysResult<i32> {
    let (c, name) = match cmd {
        SemGet::Val => (libc::GETVAL, "GETVAL"),
        SemGet::Ncnt => (libc::GETNCNT, "GETNCNT"),
        SemGet::Zcnt => (libc::GETZCNT, "GETZCNT"),
        SemGet::Pid => (libc::GETPID, "GETPID"),
    };
    // SAFETY: these commands read no argument; the value is the return.
    let r = Errno::result(unsafe { libc::semctl(semid.0, num, c) });
    event::call(format_args!("semctl({semid}, {num}, {name})"), &r);
    r
}

/// What [`sem_get`] asks.
#[derive(Debug, Clone, Copy)]
pub enum SemGet {
    Val,
    Ncnt,
    Zcnt,
    Pid,
}

/// `semctl(semid, 0, IPC_RMID)`.
pub fn sem_remove(semid: SemId) -> SysResult<()> {
    // SAFETY: IPC_RMID reads no argument.
    let r = Errno::result(unsafe { libc::semctl(semid.0, 0, libc::IPC_RMID) });
    event::call_op(format_args!("semctl({semid}, 0, IPC_RMID)"), &r, |_| {
        Op::Removes {
            object: format!("sem {semid}"),
        }
    });
    r.map(|_| ())
}

// Message queues: `msgget`/`msgsnd`/`msgrcv`/`msgctl` live in [`super::msgq`], re-exported
// here so every System V call is `ipc::…`.
pub use super::msgq::*;
