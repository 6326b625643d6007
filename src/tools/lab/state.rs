//! The progress of `ipclab lab`: which exercises were started (and where), the hints taken,
//! the last result and whether the exercise is done. One JSON file, `lab.json`, in the
//! user's private state directory (the registry's: [`crate::objects::registry::private_dir`]),
//! under the registry's rules: read and written only if it is a regular file of the user's,
//! not writable by others, never through a symlink; rewritten whole under a lock.

use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Every exercise's record, by name.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub exercises: BTreeMap<String, Record>,
}

/// One exercise's record.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Where `lab start` wrote it.
    pub dir: Option<PathBuf>,
    /// Hints taken.
    #[serde(default)]
    pub hints: u32,
    /// `lab grade` passed once.
    #[serde(default)]
    pub done: bool,
    /// The last result: checks failing (0: all passed) and when (seconds since 1970).
    pub failing: Option<u32>,
    pub graded: Option<bool>,
    pub when: Option<u64>,
}

fn file(dir: &Path) -> PathBuf {
    dir.join("lab.json")
}

fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

fn read(dir: &Path) -> Result<Progress> {
    let path = file(dir);
    let f = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Progress::default()),
        Err(e) => return Err(anyhow!("cannot read {}: {e}", path.display())),
    };
    let md = f.metadata()?;
    if !md.is_file() || md.uid() != euid() || md.mode() & 0o022 != 0 {
        return Err(anyhow!(
            "{} is not a private file of yours: ipclab will not trust it; remove it",
            path.display()
        ));
    }
    let text = std::io::read_to_string(f)?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{} is damaged ({e}): remove it to start afresh",
            path.display()
        )
    })
}

/// The progress so far.
pub fn load() -> Result<Progress> {
    read(&crate::objects::registry::private_dir()?)
}

/// Change the record of exercise `name` under the lock and write the file back.
pub fn update(name: &str, f: impl FnOnce(&mut Record)) -> Result<Record> {
    let d = crate::objects::registry::private_dir()?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(d.join("lab.lock"))
        .map_err(|e| anyhow!("cannot lock {}: {e}", d.join("lab.lock").display()))?;
    let _held = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
        .map_err(|(_, e)| anyhow!("cannot lock the lab's progress: {e}"))?;
    let mut progress = read(&d)?;
    let record = progress.exercises.entry(name.to_string()).or_default();
    f(record);
    let record = record.clone();
    let tmp = d.join("lab.json.new");
    let write = || -> std::io::Result<()> {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        out.write_all(serde_json::to_string_pretty(&progress)?.as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&tmp, file(&d))
    };
    write().map_err(|e| anyhow!("cannot save the lab's progress in {}: {e}", d.display()))?;
    Ok(record)
}

/// Seconds since 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
