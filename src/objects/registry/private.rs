//! Files of the private directory ([`super::private_dir`]) read and rewritten under the
//! registry's rules, for the registry's table and for any other record kept there (the
//! lab's progress): a file is trusted only if it is a regular file of the user's that no one
//! else may write, it is never opened through a symlink, and a change is written whole into
//! `NAME.new` (0600) and renamed over the old file while an exclusive `flock` is held.

use crate::error::SysContext;
use crate::sys::Errno;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// The text of `path` (None: there is none), refused unless it is a private file of
/// the user's; `what` names it in the errors (`the registry`).
pub fn read(path: &Path, what: &str) -> Result<Option<String>> {
    let f = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow!("cannot read {what} {}: {e}", path.display())),
    };
    let md = f.metadata()?;
    if !md.is_file() || md.uid() != euid() || md.mode() & 0o022 != 0 {
        return Err(anyhow!(
            "{what} {} is not a private file of yours (owner {}, mode {:03o}): ipclab will not trust it; remove it",
            path.display(),
            crate::objects::sysvipc::user_name(md.uid()),
            md.mode() & 0o777
        ));
    }
    Ok(Some(std::io::read_to_string(f)?))
}

/// Hold an exclusive lock on `dir/name` (made 0600 if missing) until the guard is dropped;
/// taken even after Ctrl-C (a run that cleans up must be able to drop its records).
pub fn lock(dir: &Path, name: &str, what: &str) -> Result<nix::fcntl::Flock<std::fs::File>> {
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dir.join(name))
        .map_err(|e| anyhow!("cannot lock {what} in {}: {e}", dir.display()))?;
    crate::error::uninterrupted(|| {
        let file = lock
            .try_clone()
            .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
        nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive).map_err(|(_, e)| e)
    })
    .sys(format_args!("flock({}/{name})", dir.display()))
}

/// Replace `dir/name` with `text`, under the lock the caller holds: only we write this
/// directory, so a fixed `NAME.new` is safe, and a copy a killed run left is overwritten.
pub fn replace(dir: &Path, name: &str, text: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{name}.new"));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)?;
    out.write_all(text)?;
    out.sync_all()?;
    std::fs::rename(&tmp, dir.join(name))
}
