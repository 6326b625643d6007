//! The record of what ipclab creates: every System V object, POSIX shm object, FIFO and
//! scratch directory a run creates is entered here *before* it exists (kind and key or
//! name), completed with its id once the kernel gave one, and forgotten when the run
//! removes it. What remains after a crash (SIGKILL, power loss) is what `ipclab clean`
//! offers to remove and what `ipclab ls` marks.
//!
//! **Yours alone.** The registry lives in a directory only you can write: `$IPCLAB_STATE_DIR`
//! (tests), else `$XDG_RUNTIME_DIR/ipclab`, else `$XDG_STATE_HOME/ipclab` (or
//! `~/.local/state/ipclab`), else `$TMPDIR/ipclab-UID`. The directory is created 0700; on
//! every use it must be a real directory (never a symlink), owned by you and writable by
//! nobody else, and `objects.tsv` a regular file of yours: otherwise ipclab refuses it (a
//! planted registry could make `clean` remove your objects).
//!
//! **Made or used.** A run records what it makes (`made`: `clean` may remove it once the run
//! is gone) and what it uses but did not make (`uses`: a FIFO it found, a queue it joins,
//! a segment it attaches), so that `clean` leaves an object alone while any live run holds
//! it. A `uses` record never makes anything removable.
//!
//! **One record per run.** A record names the run that made it (pid, start time of that pid
//! and a sequence number within the run), so two runs never share, overwrite or erase each
//! other's records. Every change takes an exclusive `flock` on `lock`, rewrites the table
//! into `objects.tsv.new` and renames it over the old one.
//!
//! A demo never fails because its record could not be written: it warns once, on stderr,
//! that `clean` will not know about what it creates.

//!
//! The parts: [`record`] is one line of the table (and its text format), [`entry`] is a
//! run's handle on its own record; this file finds, checks, reads and rewrites the table.

pub mod entry;
pub mod private;
pub mod record;

pub use entry::Entry;
pub use record::{start_time, Part, Record, Run};

use anyhow::{anyhow, Result};
use record::{line, parse, HEADER};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

pub(crate) fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// A directory owned by us (not a symlink), that nobody else may write.
fn check_dir(d: &Path) -> Result<()> {
    let md = std::fs::symlink_metadata(d).map_err(|e| anyhow!("{}: {e}", d.display()))?;
    if !md.is_dir() {
        return Err(anyhow!(
            "{} is not a directory (a {}): ipclab will not use it as its registry; remove it or set IPCLAB_STATE_DIR",
            d.display(),
            if md.file_type().is_symlink() { "symbolic link" } else { "file" }
        ));
    }
    if md.uid() != euid() || md.mode() & 0o022 != 0 {
        return Err(anyhow!(
            "{} belongs to {} with mode {:03o}: a registry there could have been written by someone else, so ipclab will not trust it; remove it, or set IPCLAB_STATE_DIR to a directory of yours",
            d.display(),
            super::sysvipc::user_name(md.uid()),
            md.mode() & 0o777
        ));
    }
    Ok(())
}

/// Where the registry lives (not yet checked or created).
fn location() -> PathBuf {
    let env_dir = |v: &str| {
        std::env::var_os(v)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(d) = std::env::var_os(crate::env::STATE_DIR).filter(|v| !v.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = env_dir("XDG_RUNTIME_DIR") {
        if std::fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir() && m.uid() == euid()) {
            return d.join("ipclab");
        }
    }
    if let Some(home) = env_dir("HOME") {
        if std::fs::symlink_metadata(&home).is_ok_and(|m| m.is_dir() && m.uid() == euid()) {
            let state = env_dir("XDG_STATE_HOME").unwrap_or_else(|| home.join(".local/state"));
            return state.join("ipclab");
        }
    }
    std::env::temp_dir().join(format!("ipclab-{}", euid()))
}

/// The per-user private directory: created 0700 if missing, refused if it is not ours
/// alone. It holds the registry and the default key files.
pub fn private_dir() -> Result<PathBuf> {
    let d = location();
    if std::fs::symlink_metadata(&d).is_err() {
        // The parents (~/.local/state) too, but only the last component is ours to check.
        let r = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&d);
        if let Err(e) = r {
            return Err(anyhow!("cannot create {}: {e}", d.display()));
        }
    }
    check_dir(&d)?;
    Ok(d)
}

fn file(dir: &Path) -> PathBuf {
    dir.join("objects.tsv")
}

/// Read the table of `dir`, refusing a file that is not a regular file of ours.
fn read(dir: &Path) -> Result<Vec<Record>> {
    let text = private::read(&file(dir), "the registry")?.unwrap_or_default();
    Ok(text.lines().filter_map(parse).collect())
}

/// Every record, from a registry checked to be yours alone.
pub fn load() -> Result<Vec<Record>> {
    read(&private_dir()?)
}

/// Change the table under the lock, and write it back once.
pub fn update(f: impl FnOnce(&mut Vec<Record>)) -> Result<()> {
    let d = private_dir()?;
    let _held = private::lock(&d, "lock", "the registry")?;
    let mut records = read(&d)?;
    f(&mut records);
    let mut text = String::from(HEADER);
    records.iter().for_each(|r| text.push_str(&line(r)));
    private::replace(&d, "objects.tsv", text.as_bytes())
        .map_err(|e| anyhow!("cannot write the registry in {}: {e}", d.display()))
}
