//! The data files the mmap demos share (`temp` of mmap_w_ipc/mmap_r_ipc, the file of
//! map_normalfile1): a file of a known size that two processes map.
//!
//! The seeds open them `O_RDWR|O_CREAT` and truncate them to their size, destroying
//! whatever the user had in a file of that name. ipclab never follows a symlink there, uses
//! a file of the right size as it is, makes an empty one the right size, and refuses a file
//! of any other size unless `--force` (saying how much would be cut). A file it creates is
//! recorded first (see [`super::registry`]) and removed when the demo ends, unless kept.

use super::registry::Entry;
use super::{trust, Kind};
use crate::error::SysContext;
use crate::sys::mem;
use crate::sys::Errno;
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// How to treat an existing file of another size.
#[derive(Debug, Clone, Copy)]
pub struct SizeRule {
    /// Resize it anyway.
    pub force: bool,
    /// Keep a file this run creates (the seeds' write sides leave theirs).
    pub keep: bool,
    /// Permissions if this run creates it.
    pub mode: u32,
}

/// An open data file of the size asked for.
#[derive(Debug)]
pub struct DataFile {
    pub fd: OwnedFd,
    pub path: PathBuf,
    created: Option<(Entry, u64)>,
}

impl DataFile {
    /// Open PATH (never following a symlink) at exactly `size` bytes, creating it if
    /// missing. Returns the file and what was done to it, in words (for a note).
    pub fn open(
        path: &Path,
        size: u64,
        rule: SizeRule,
        trust_args: trust::TrustArgs,
    ) -> Result<(DataFile, Option<String>)> {
        let shown = path.display();
        match mem::open(path, OFlag::O_RDWR | OFlag::O_NOFOLLOW, 0) {
            Ok(fd) => {
                let md = std::fs::File::from(fd.try_clone()?).metadata()?;
                if !md.is_file() {
                    return Err(anyhow!("{shown} is not a regular file: give the path of a file"));
                }
                trust::check_file(Kind::File, &shown.to_string(), &md, trust_args)?;
                let note = match md.len() {
                    n if n == size => None,
                    0 => {
                        size_file(&fd, size, path)?;
                        Some(format!("{shown} was empty: made it {size} bytes"))
                    }
                    n if rule.force => {
                        size_file(&fd, size, path)?;
                        Some(format!("{shown} was {n} bytes: {} it to {size} (--force)", if n > size { "cut" } else { "extended" }))
                    }
                    n => {
                        let what = if n > size {
                            format!("cut it to {size} bytes, losing its last {} bytes", n - size)
                        } else {
                            format!("change its size from {n} to {size} bytes")
                        };
                        return Err(anyhow!(
                            "{shown} is {n} bytes, not the {size} this demo maps: using it would {what}; pass --force to do so, or give another PATH"
                        ));
                    }
                };
                Ok((DataFile { fd, path: path.into(), created: None }, note))
            }
            Err(Errno::ENOENT) => Self::create(path, size, rule),
            Err(Errno::ELOOP) => Err(anyhow!(
                "{shown} is a symbolic link: ipclab does not map through links it did not make; give the file itself"
            )),
            Err(e) => Err(crate::error::sys_error(format_args!("open({shown})"), e)),
        }
    }

    fn create(path: &Path, size: u64, rule: SizeRule) -> Result<(DataFile, Option<String>)> {
        let shown = path.display();
        let abs = std::path::absolute(path)?.display().to_string();
        let mut entry = (!rule.keep).then(|| Entry::begin(Kind::File, None, Some(&abs)));
        let flags = OFlag::O_RDWR | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW;
        let fd = match mem::open(path, flags, rule.mode) {
            Ok(fd) => fd,
            Err(e) => {
                if let Some(en) = entry.as_mut() {
                    en.forget();
                }
                return Err(match e {
                    Errno::ENOENT => anyhow!("cannot create {shown}: its directory does not exist"),
                    e => crate::error::sys_error(format_args!("open({shown}, O_CREAT)"), e),
                });
            }
        };
        let ino = std::fs::File::from(fd.try_clone()?).metadata()?.ino();
        if let Some(en) = entry.as_mut() {
            en.created(ino as i64);
        }
        // Owned from here on: a failure to size it removes what was created.
        let file = DataFile {
            fd,
            path: path.into(),
            created: entry.map(|e| (e, ino)),
        };
        if let Err(e) = size_file(&file.fd, size, path) {
            // Made by this run and never used: it goes, even if it was to stay.
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.ino() == ino) {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
        let note = if rule.keep {
            format!("created {shown} ({size} bytes); it stays")
        } else {
            format!("created {shown} ({size} bytes); it goes when this side ends")
        };
        Ok((file, Some(note)))
    }
}

/// `ftruncate` to `size`, then reserve the blocks (`posix_fallocate`), so a full file
/// system is one line now instead of a SIGBUS at the first store through the mapping.
fn size_file(fd: &OwnedFd, size: u64, path: &Path) -> Result<()> {
    let shown = path.display();
    mem::ftruncate(fd, size).sys(format_args!("ftruncate({shown})"))?;
    match mem::reserve(fd, size) {
        Ok(()) => Ok(()),
        Err(e @ (Errno::ENOSPC | Errno::EDQUOT)) => Err(anyhow!(
            "the file system of {shown} is full ({}): its {size} bytes could not be reserved; free some space or use another directory",
            e.desc()
        )),
        // A file system without fallocate (some network ones): sized, not reserved.
        Err(Errno::EOPNOTSUPP | Errno::EINVAL) => Ok(()),
        Err(e) => Err(crate::error::sys_error(format_args!("posix_fallocate({shown})"), e)),
    }
}

impl Drop for DataFile {
    /// A file this run created (and was not asked to keep) goes, if it is still that file.
    fn drop(&mut self) {
        if let Some((mut entry, ino)) = self.created.take() {
            if std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.ino() == ino) {
                let _ = std::fs::remove_file(&self.path);
            }
            entry.forget();
        }
    }
}
