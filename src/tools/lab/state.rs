//! The progress of `ipclab lab`: which exercises were started (and where), the hints taken,
//! the last result and whether the exercise is done. One JSON file, `lab.json`, in the
//! user's private state directory (the registry's: [`crate::objects::registry::private_dir`]),
//! under the registry's rules ([`crate::objects::registry::private`]): read and written only if
//! it is a regular file of the user's, not writable by others, never through a symlink;
//! rewritten whole under a lock.

use crate::objects::registry::{self, private};
use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

const FILE: &str = "lab.json";

fn read(dir: &Path) -> Result<Progress> {
    let path = dir.join(FILE);
    match private::read(&path, "the lab's progress")? {
        None => Ok(Progress::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            anyhow!(
                "{} is damaged ({e}): remove it to start afresh",
                path.display()
            )
        }),
    }
}

/// The progress so far.
pub fn load() -> Result<Progress> {
    read(&registry::private_dir()?)
}

/// Change the record of exercise `name` under the lock and write the file back.
pub fn update(name: &str, f: impl FnOnce(&mut Record)) -> Result<Record> {
    let d = registry::private_dir()?;
    let _held = private::lock(&d, "lab.lock", "the lab's progress")?;
    let mut progress = read(&d)?;
    let record = progress.exercises.entry(name.to_string()).or_default();
    f(record);
    let record = record.clone();
    private::replace(
        &d,
        FILE,
        serde_json::to_string_pretty(&progress)?.as_bytes(),
    )
    .map_err(|e| anyhow!("cannot save the lab's progress in {}: {e}", d.display()))?;
    Ok(record)
}

/// Seconds since 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
