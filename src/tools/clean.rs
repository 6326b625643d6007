//! `ipclab clean`: remove what crashed ipclab runs left behind, and nothing else.
//!
//! It looks only at the [`crate::objects::registry`] (yours alone: a planted one is refused):
//! objects ipclab recorded before it created them. One is stale when the run that recorded
//! it is gone (pid and start time), the object is still the one recorded (key, id or inode,
//! owner, creation time, creator: see [`crate::objects::live`]) and nobody uses it: not
//! attached (a segment; `--force` overrides only this), not open or mapped by a process,
//! not held by a running ipclab. Without `--yes` it only lists them. A record whose object
//! is gone (or whose id now names another object) is forgotten. The registry is rewritten
//! once per invocation. Exit 0 when nothing is left to clean, 1 when stale objects remain.

use crate::error::Reported;
use crate::objects::live::{self, Found};
use crate::objects::registry::{self, Record};
use crate::objects::Kind;
use crate::sys::{ipc, mem};
use crate::{out, outln};
use anyhow::Result;

// `ipclab clean`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
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
    let what = match (r.key, r.id, &r.name) {
        (Some(k), Some(id), _) => format!("{} key 0x{:08x} id {id}", r.kind.as_str(), k as u32),
        (Some(k), None, _) => format!("{} key 0x{:08x}", r.kind.as_str(), k as u32),
        (_, _, Some(n)) => format!("{} {n}", r.kind.as_str()),
        _ => r.kind.as_str().to_string(),
    };
    format!(
        "{what} (made by pid {}, `{}`, which is gone)",
        r.run.pid, r.command
    )
}

fn remove(r: &Record, found: &Found) -> Result<(), String> {
    use std::os::unix::fs::FileTypeExt;
    let id = found.id as i32;
    let path = r.name.clone().unwrap_or_default();
    let file = |check: fn(&std::fs::FileType) -> bool, rm: fn(&str) -> std::io::Result<()>| {
        // Only ever what was recorded: never a file or link that took its place.
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| check(&m.file_type())) {
            return Err(format!("{path} is no longer what was recorded: left alone"));
        }
        rm(&path).map_err(|e| e.to_string())
    };
    match r.kind {
        Kind::SysvShm => ipc::shm_remove(ipc::ShmId(id)).map_err(|e| format!("{e}")),
        Kind::SysvSem => ipc::sem_remove(ipc::SemId(id)).map_err(|e| format!("{e}")),
        Kind::SysvMsg => ipc::msg_remove(ipc::MsqId(id)).map_err(|e| format!("{e}")),
        Kind::PosixShm => mem::shm_unlink(&path).map_err(|e| format!("{e}")),
        Kind::Fifo => file(|t| t.is_fifo(), |p| std::fs::remove_file(p)),
        Kind::File => file(|t| t.is_file(), |p| std::fs::remove_file(p)),
        Kind::Dir => file(|t| t.is_dir(), |p| std::fs::remove_dir_all(p)),
        Kind::Socket => file(|t| t.is_socket(), |p| std::fs::remove_file(p)),
        Kind::RpcMapping => crate::demos::rpc::registration::remove(r),
        Kind::PosixSem => Ok(()),
    }
}

/// Clean.
pub fn run(args: Args) -> Result<()> {
    let records = registry::load()?;
    let mut dropped: Vec<Record> = Vec::new();
    let mut lines = Vec::new();
    let mut left = 0;
    for r in records.iter().filter(|r| !r.run.alive()) {
        // A dead run's use of an object is simply over: never a reason to remove it.
        if r.uses {
            dropped.push(r.clone());
            continue;
        }
        // Still there, and still the object recorded (ids, keys and names are reused)?
        let found = match r.kind {
            Kind::RpcMapping => crate::demos::rpc::registration::find(r),
            _ => live::find(r),
        };
        let Some(found) = found else {
            dropped.push(r.clone());
            continue;
        };
        let d = describe(r);
        let users = live::users(r, &found, &records);
        let attached_only = found.nattch.is_some_and(|n| n > 0);
        match users {
            Some(who) if !(args.force && attached_only) => {
                let force = if attached_only {
                    " (--force to remove)"
                } else {
                    ""
                };
                lines.push(format!("in use, kept: {d}, {who}{force}"));
                left += 1;
            }
            _ if !args.yes => {
                lines.push(format!("stale: {d}"));
                left += 1;
            }
            _ => match remove(r, &found) {
                Ok(()) => {
                    dropped.push(r.clone());
                    lines.push(format!("removed: {d}"));
                }
                Err(e) => {
                    out::warn("clean", format_args!("cannot remove {d}: {e}"));
                    left += 1;
                }
            },
        }
    }
    // One rewrite for the whole run, however many records it drops.
    if !dropped.is_empty() {
        registry::update(|v| v.retain(|o| !dropped.contains(o)))?;
    }
    if lines.is_empty() && left == 0 {
        outln!("nothing to clean: no object made by an ipclab run that has ended")?;
        return Ok(());
    }
    for l in &lines {
        outln!("{l}")?;
    }
    if left == 0 {
        return Ok(());
    }
    if !args.yes {
        outln!("{left} stale object(s): run `ipclab clean --yes` to remove them")?;
    }
    Err(Reported(1).into())
}
