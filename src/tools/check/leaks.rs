//! What a student's program left: System V objects under the run's key, and objects its
//! processes made under any other key (IPC_PRIVATE included): a segment whose creator was
//! one of them (`cpid`), a queue one of them used last (`lspid`, `lrpid`), a semaphore set
//! one of them operated on last (`sempid`, by GETPID). Only the user's own objects, and
//! only by these pids, which the kernel does not reuse within a run: an object of a test
//! or program running beside it is never taken for the student's. Reported by `no-leak`
//! and `sigint`, then removed. POSIX shm objects and FIFOs have no creator to ask: those the
//! student's processes were seen holding open or mapped (sampled every 20 ms) and that are
//! still there are theirs; the roles look at the student's directory too.

use crate::objects::sysvipc::{self, Row};
use crate::objects::Kind;
use crate::sys::ipc::{self, Key, SemGet};

/// Is `r` the student's: under the run's key, or made or last used by one of `pids`?
fn theirs(kind: Kind, r: &Row, key: Key, pids: &[u32]) -> bool {
    let by = |col: &str| pids.contains(&r.num::<u32>(col));
    (r.key() == key && key != 0)
        || match kind {
            Kind::SysvShm => by("cpid"),
            Kind::SysvMsg => by("lspid") || by("lrpid"),
            _ => (0..r.num::<i32>("nsems")).any(|n| {
                ipc::sem_get(r.id(kind), n, SemGet::Pid)
                    .is_ok_and(|p| p > 0 && pids.contains(&(p as u32)))
            }),
        }
}

/// The user's System V objects that are the student's (see [`theirs`]).
fn found(key: Key, pids: &[u32]) -> Vec<(Kind, Row)> {
    let me = nix::unistd::getuid().as_raw();
    [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem]
        .into_iter()
        .flat_map(|kind| {
            sysvipc::rows(kind)
                .into_iter()
                .filter(move |r| r.uid() == me && theirs(kind, r, key, pids))
                .map(move |r| (kind, r))
        })
        .collect()
}

/// What is left, in words.
pub fn left_behind(key: Key, pids: &[u32]) -> Vec<String> {
    found(key, pids)
        .iter()
        .map(|(kind, r)| format!("{} id {} (key {:08x})", kind.noun(), r.id(*kind), r.key()))
        .collect()
}

/// Remove what the student's program left (reported first).
pub fn remove_left(key: Key, pids: &[u32]) {
    for (kind, r) in found(key, pids) {
        let id = r.id(kind);
        let _ = match kind {
            Kind::SysvShm => ipc::shm_remove(id),
            Kind::SysvMsg => ipc::msg_remove(id),
            _ => ipc::sem_remove(id),
        };
    }
}

/// The POSIX shm objects and FIFOs the student's processes had open or mapped that are still
/// there and the user's own: reported, then removed (unlinked).
pub fn files_left(paths: &[std::path::PathBuf]) -> Vec<String> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let me = nix::unistd::getuid().as_raw();
    let mut left = Vec::new();
    for p in paths {
        let Ok(m) = std::fs::symlink_metadata(p) else {
            continue;
        };
        if m.uid() != me {
            continue;
        }
        left.push(match m.file_type().is_fifo() {
            true => format!("the FIFO {}", p.display()),
            false => format!("the POSIX shm object {}", p.display()),
        });
        let _ = std::fs::remove_file(p);
    }
    left
}
