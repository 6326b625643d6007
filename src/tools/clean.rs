//! `ipclab clean`: remove what crashed ipclab runs left behind, and nothing else.
//!
//! It looks only at the [`crate::objects::registry`]: objects ipclab recorded when it created them.
//! One is stale when the process that created it is gone (pid and start time). Without
//! `--yes` it only lists them. It never touches an object it did not create, an object
//! whose creator still runs, or a segment still attached (nattch > 0) unless `--force`.
//! A record whose object no longer exists (or whose id now names another object) is
//! simply forgotten. Exit 0 when nothing is left to clean, 1 when stale objects remain.

use super::ls;
use crate::error::Reported;
use crate::objects::registry::{self, Kind, Record};
use crate::sys::{ipc, mem};
use crate::{out, outln};
use anyhow::Result;

/// `ipclab clean`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab clean --yes")]
pub struct Args {
    /// Remove them (without it, only list)
    #[arg(long)]
    pub yes: bool,
    /// Also remove segments still attached by some process
    #[arg(long)]
    pub force: bool,
}

fn describe(r: &Record) -> String {
    let what = match (r.kind, r.key, r.id, &r.name) {
        (_, Some(k), Some(id), _) => format!("{} key 0x{:08x} id {id}", r.kind.as_str(), k as u32),
        (_, _, _, Some(n)) => format!("{} {n}", r.kind.as_str()),
        _ => r.kind.as_str().to_string(),
    };
    format!(
        "{what} (made by pid {}, `{}`, which is gone)",
        r.pid, r.command
    )
}

fn remove(r: &Record) -> Result<(), String> {
    let res = match (r.kind, r.id, &r.name) {
        (Kind::SysvShm, Some(id), _) => ipc::shm_remove(id),
        (Kind::SysvSem, Some(id), _) => ipc::sem_remove(id),
        (Kind::SysvMsg, Some(id), _) => ipc::msg_remove(id),
        (Kind::PosixShm, _, Some(n)) => mem::shm_unlink(n),
        (Kind::Fifo, _, Some(p)) => {
            use std::os::unix::fs::FileTypeExt;
            // Only ever a FIFO: never a file that took its place.
            if !std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo()) {
                return Err(format!("{p} is no longer a FIFO: left alone"));
            }
            std::fs::remove_file(p)
                .map_err(|e| crate::sys::Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))
        }
        _ => return Ok(()),
    };
    res.map_err(|e| e.desc().to_string())
}

/// Clean.
pub fn run(args: Args) -> Result<()> {
    let objects = ls::collect();
    let mut stale = Vec::new();
    for r in registry::load() {
        if r.creator_alive() {
            continue;
        }
        // The object still there, and still the one recorded (ids are reused)?
        let live = objects.iter().find(|o| {
            o.kind == r.kind
                && match (r.id, &r.name) {
                    (Some(id), _) => o.id == Some(i64::from(id)) && o.key == r.key.map(i64::from),
                    (None, Some(n)) => o.name.as_deref() == Some(n.as_str()),
                    _ => false,
                }
        });
        match live {
            None => registry::forget(r.kind, r.id, r.name.as_deref()),
            Some(o) => stale.push((r, o.nattch.unwrap_or(0))),
        }
    }
    if stale.is_empty() {
        outln!("nothing to clean: no object made by an ipclab run that has ended")?;
        return Ok(());
    }
    let mut left = 0;
    for (r, nattch) in &stale {
        let d = describe(r);
        if *nattch > 0 && !args.force {
            outln!(
                "in use, kept: {d}, still attached by {nattch} process(es) (--force to remove)"
            )?;
            left += 1;
        } else if !args.yes {
            outln!("stale: {d}")?;
            left += 1;
        } else {
            match remove(r) {
                Ok(()) => {
                    registry::forget(r.kind, r.id, r.name.as_deref());
                    outln!("removed: {d}")?;
                }
                Err(e) => {
                    out::warn("clean", format_args!("cannot remove {d}: {e}"));
                    left += 1;
                }
            }
        }
    }
    if left == 0 {
        return Ok(());
    }
    if !args.yes {
        outln!("{left} stale object(s): run `ipclab clean --yes` to remove them")?;
    }
    Err(Reported(1).into())
}
