//! Is a recorded object still there, still the one the record names, and does anyone use
//! it? What `clean` asks before it removes anything, and `ls` before it marks a row.
//!
//! Ids, keys and names are reused, so a record matches an object only when everything it
//! knows agrees: the key (System V), the id or inode once known, the owner (us), a creation
//! or change time not before the record was written, and, for a segment, the creator's pid.
//! An object is in use when a process has it attached (`nattch`), open or mapped (found in
//! /proc/PID/fd and /proc/PID/maps of our own processes), or when a live ipclab run holds a
//! record of it.

use super::registry::Record;
use super::{sysvipc, Kind};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// What is known of a recorded object that still exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its System V id or inode.
    pub id: i64,
    /// Processes attached (System V segments only).
    pub nattch: Option<u64>,
}

fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// The object `rec` names, if it still exists and is still the one recorded.
pub fn find(rec: &Record) -> Option<Found> {
    let since = rec.time - 1;
    if rec.kind.is_sysv() {
        let row = sysvipc::rows(rec.kind).into_iter().find(|r| {
            Some(r.key()) == rec.key
                && rec.id.is_none_or(|id| i64::from(r.id(rec.kind)) == id)
                && r.uid() == euid()
                && r.ctime() >= since
                && (rec.kind != Kind::SysvShm || r.num::<i32>("cpid") == rec.run.pid)
        })?;
        return Some(Found {
            id: i64::from(row.id(rec.kind)),
            nattch: (rec.kind == Kind::SysvShm).then(|| row.num("nattch")),
        });
    }
    let name = rec.name.as_deref()?;
    let path = match rec.kind {
        Kind::PosixShm => super::posix::path_of(name),
        _ => name.to_string(),
    };
    let md = std::fs::symlink_metadata(&path).ok()?;
    let t = md.file_type();
    let right_type = match rec.kind {
        Kind::PosixShm | Kind::File => t.is_file(),
        Kind::Fifo => t.is_fifo(),
        Kind::Dir => t.is_dir(),
        Kind::Socket => t.is_socket(),
        _ => false,
    };
    let same = match rec.id {
        Some(ino) => md.ino() as i64 == ino,
        None => md.ctime() >= since,
    };
    (right_type && same && md.uid() == euid()).then(|| Found {
        id: md.ino() as i64,
        nattch: None,
    })
}

/// Who uses the object, in words; `None` when nobody does. `records` are all the records,
/// so that a live run's record of the same object counts as a use.
pub fn users(rec: &Record, found: &Found, records: &[Record]) -> Option<String> {
    if let Some(n) = found.nattch.filter(|&n| n > 0) {
        return Some(format!("attached by {n} process(es)"));
    }
    let as_found = Record {
        id: Some(found.id),
        ..rec.clone()
    };
    if let Some(o) = records
        .iter()
        .find(|o| o.run != rec.run && o.same_object(&as_found) && o.run.alive())
    {
        return Some(format!("held by a running ipclab (pid {})", o.run.pid));
    }
    let path = match (rec.kind, rec.name.as_deref()) {
        (Kind::PosixShm, Some(n)) => super::posix::path_of(n),
        (Kind::Fifo | Kind::Dir | Kind::File | Kind::Socket, Some(n)) => n.to_string(),
        _ => return None,
    };
    opened_by(Path::new(&path)).map(|pid| format!("open in pid {pid}"))
}

/// A process of ours that has `path` open, mapped, or (for a directory) as its cwd.
fn opened_by(path: &Path) -> Option<i32> {
    use crate::process::procfs;
    let me = std::process::id();
    let shown = path.to_string_lossy();
    procfs::pids()
        .into_iter()
        .filter(|&pid| pid != me)
        .find(|&pid| {
            std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|c| c.starts_with(path))
                || procfs::fd_targets(pid).iter().any(|l| l == path)
                || procfs::maps(pid)
                    .lines()
                    .any(|l| l.ends_with(shown.as_ref()))
        })
        .map(|pid| pid as i32)
}
