//! Private scratch directories (the tour's key files, the bench's FIFOs, `mmap-file demo`'s
//! file), made as `mkdtemp(3)` makes them: a random name, `mkdir` with mode 0700, which
//! fails rather than reuse anything already there, so a name planted by another user (a
//! directory, a symlink) is never followed or trusted. The name is recorded in the registry
//! before the directory exists, so even a SIGKILL leaves nothing `ipclab clean` cannot find;
//! the directory and everything in it go when the guard is dropped.

use super::registry::Entry;
use super::Kind;
use anyhow::{anyhow, Result};
use std::hash::BuildHasher;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

/// A private directory this run made; removed with its contents when dropped.
#[derive(Debug)]
pub struct Dir {
    path: PathBuf,
    entry: Entry,
}

/// A random suffix: the standard library seeds its hasher keys from the OS's randomness.
fn random() -> String {
    let n = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
    format!("{n:016x}")
}

impl Dir {
    /// `$TMPDIR/ipclab-TAG-RANDOM`, mode 0700.
    pub fn new(tag: &str) -> Result<Dir> {
        Self::new_in(&std::env::temp_dir(), tag)
    }

    /// `PARENT/ipclab-TAG-RANDOM`, mode 0700.
    pub fn new_in(parent: &Path, tag: &str) -> Result<Dir> {
        let parent = std::path::absolute(parent)?;
        for _ in 0..16 {
            let path = parent.join(format!("ipclab-{tag}-{}", random()));
            let name = path.to_string_lossy().into_owned();
            let mut entry = Entry::begin(Kind::Dir, None, Some(&name));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    let md = std::fs::symlink_metadata(&path)?;
                    entry.created(md.ino() as i64);
                    return Ok(Dir { path, entry });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => entry.forget(),
                Err(e) => {
                    entry.forget();
                    return Err(anyhow!(
                        "cannot create a scratch directory in {}: {e}",
                        parent.display()
                    ));
                }
            }
        }
        Err(anyhow!(
            "cannot create a scratch directory in {}: every name tried was taken",
            parent.display()
        ))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // remove_dir_all does not follow symlinks inside the directory.
        if std::fs::remove_dir_all(&self.path).is_ok()
            || std::fs::symlink_metadata(&self.path).is_err()
        {
            self.entry.forget();
        }
    }
}
