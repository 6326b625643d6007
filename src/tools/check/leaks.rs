//! What a student's program left behind, after a run.
//!
//! **Sealed** (`ns`): the run's IPC namespace, /dev/shm and /tmp are its own, so everything
//! still in them that ipclab's side did not make (its objects are in the run's private
//! registry) is the program's, however briefly its maker lived: reported, and gone with
//! the namespace.
//!
//! **Not sealed** (`none`): the user's objects are all around. Only what is proven the
//! run's is removed: a segment whose creator (`cpid`) was one of the program's processes,
//! anything under the run's own key (its key file is new in every run), a FIFO or POSIX
//! object in the run's scratch directory. A queue or semaphore set it used (no creator
//! pid to prove it made it) or a file elsewhere it held open is reported, not touched:
//! it may be another program's (a running `msg-server`, a `fifo-read` in another
//! terminal).

use super::observe::Watch;
use super::outcome::Outcome;
use crate::objects::registry::Record;
use crate::objects::sysvipc::{self, Row};
use crate::objects::Kind;
use crate::sys::ipc::{self, SemGet};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Find what the run left (into `o.left`, `o.left_unproven`, `o.other_keys`).
pub fn collect(o: &mut Outcome, watch: &Watch, sealed: bool, since: i64, scratch: &Path) {
    let made_by_ipclab = crate::objects::registry::load().unwrap_or_default();
    let ours = |kind: Kind, id: i64| {
        made_by_ipclab
            .iter()
            .any(|r: &Record| r.kind == kind && r.id == Some(id) && !r.uses)
    };
    let key = o.key;
    let pids = watch.pids.clone();
    let me = nix::unistd::getuid().as_raw();
    for kind in Kind::SYSV {
        for r in sysvipc::rows(kind) {
            let id = r.id(kind);
            if ours(kind, i64::from(id)) || r.uid() != me {
                continue;
            }
            let what = format!("{} id {id} (key {:08x})", kind.noun(), r.key() as u32);
            let proven = sealed
                || (kind == Kind::SysvShm && pids.contains(&r.num::<u32>("cpid")))
                || (r.key() == key && key != 0 && r.ctime() >= since);
            if proven {
                if r.key() != key && r.key() != 0 {
                    o.other_keys
                        .push(format!("{} key {:08x}", kind.noun(), r.key() as u32));
                }
                o.left.push(what);
                let _ = remove(kind, id);
            } else if used_by(kind, &r, &pids) && r.ctime() >= since {
                o.left_unproven.push(what);
            }
        }
    }
    let scratch = scratch.to_path_buf();
    let mut files: Vec<PathBuf> = watch.paths.clone();
    if sealed {
        files.extend(everything_in(Path::new(crate::objects::posix::DEV_SHM)));
        files.extend(everything_in(Path::new("/tmp")));
    }
    files.extend(everything_in(&scratch));
    files.sort();
    files.dedup();
    for p in files {
        let Ok(m) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let shm = p.starts_with(crate::objects::posix::DEV_SHM);
        if !(shm || m.file_type().is_fifo()) || m.uid() != me {
            continue;
        }
        let kind = if shm { Kind::PosixShm } else { Kind::Fifo };
        if ours(kind, m.ino() as i64) {
            continue;
        }
        let what = match shm {
            true => format!("the POSIX shm object {}", p.display()),
            false if p.starts_with(&scratch) => format!(
                "the FIFO {} (in its working directory)",
                p.strip_prefix(&scratch).unwrap_or(&p).display()
            ),
            false => format!("the FIFO {}", p.display()),
        };
        if sealed || p.starts_with(&scratch) {
            o.left.push(what);
            let _ = std::fs::remove_file(&p);
        } else {
            o.left_unproven.push(what);
        }
    }
}

/// Did one of `pids` use the object last (a queue's sender or receiver, a set's sempid)?
fn used_by(kind: Kind, r: &Row, pids: &[u32]) -> bool {
    let by = |col: &str| pids.contains(&r.num::<u32>(col));
    match kind {
        Kind::SysvShm => by("cpid") || by("lpid"),
        Kind::SysvMsg => by("lspid") || by("lrpid"),
        _ => (0..r.num::<i32>("nsems")).any(|n| {
            ipc::sem_get(ipc::SemId(r.id(kind)), n, SemGet::Pid)
                .is_ok_and(|p| p > 0 && pids.contains(&(p as u32)))
        }),
    }
}

fn remove(kind: Kind, id: i32) -> crate::sys::SysResult<()> {
    match kind {
        Kind::SysvShm => ipc::shm_remove(ipc::ShmId(id)),
        Kind::SysvMsg => ipc::msg_remove(ipc::MsqId(id)),
        _ => ipc::sem_remove(ipc::SemId(id)),
    }
}

/// Every FIFO and file under `dir` (not following links; a few levels deep).
fn everything_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() && depth < 4 {
                todo.push((e.path(), depth + 1));
            } else if !t.is_dir() && !t.is_symlink() {
                out.push(e.path());
            }
        }
    }
    out
}
