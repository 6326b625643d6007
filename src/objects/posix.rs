//! Pieces shared by the POSIX shared-memory demos (algorithms 8-4 … 8-6): object names, and
//! the slide's `ls -l /dev/shm/` rendered from the directory itself.

use super::Kind;
use crate::error::SysContext;
use crate::sys::time;
use anyhow::{anyhow, Result};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// Where Linux keeps POSIX shared-memory objects.
pub const DEV_SHM: &str = "/dev/shm";

/// The path the POSIX shm object `/name` lives at.
pub fn path_of(name: &str) -> String {
    format!("{DEV_SHM}{name}")
}

/// Normalise a POSIX shm name: `myshm` and `/myshm` are the same object, `/myshm`.
pub fn name(s: &str) -> Result<String, String> {
    let bare = s.strip_prefix('/').unwrap_or(s);
    if bare.is_empty() {
        return Err("an empty name: give a name like myshm".into());
    }
    if bare.contains('/') {
        return Err(format!(
            "'{s}' has a '/' after the first character: a POSIX shm name is one path component, like myshm"
        ));
    }
    if bare.len() > 255 {
        return Err(format!(
            "a name of {} bytes: NAME_MAX is 255 (the object is a file in /dev/shm)",
            bare.len()
        ));
    }
    if bare == "." || bare == ".." {
        return Err(format!(
            "'{s}' is not a usable name: give a name like myshm"
        ));
    }
    Ok(format!("/{bare}"))
}

/// The default object name: per user, so two students on one server do not collide.
pub fn default_name(what: &str) -> String {
    let user = crate::objects::sysvipc::user_name(nix::unistd::geteuid().as_raw());
    format!("/ipclab-{user}-{what}")
}

fn mode_string(mode: u32) -> String {
    let kind = match mode & libc::S_IFMT {
        libc::S_IFDIR => 'd',
        libc::S_IFLNK => 'l',
        libc::S_IFIFO => 'p',
        libc::S_IFSOCK => 's',
        libc::S_IFCHR => 'c',
        libc::S_IFBLK => 'b',
        _ => '-',
    };
    let mut s = String::from(kind);
    for (shift, special, ch) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        s.push(match (mode & special != 0, x) {
            (true, true) => ch,
            (true, false) => ch.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// The lines `ls -l /dev/shm/` prints: `total N`, then one per entry, sorted by name.
pub fn ls_dev_shm() -> Result<Vec<String>> {
    let mut entries: Vec<(String, std::fs::Metadata)> = std::fs::read_dir(DEV_SHM)
        .map_err(|e| anyhow!("cannot list {DEV_SHM}: {e}"))?
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            std::fs::symlink_metadata(e.path()).ok().map(|m| (n, m))
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let total: u64 = entries.iter().map(|(_, m)| m.blocks() / 2).sum();
    let cols: Vec<[String; 6]> = entries
        .iter()
        .map(|(n, m)| {
            let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(m.gid()))
                .ok()
                .flatten()
                .map(|g| g.name)
                .unwrap_or_else(|| m.gid().to_string());
            [
                mode_string(m.permissions().mode()),
                m.nlink().to_string(),
                crate::objects::sysvipc::user_name(m.uid()),
                group,
                m.size().to_string(),
                format!("{} {n}", time::ls_date(m.mtime(), now)),
            ]
        })
        .collect();
    let w = |i: usize| cols.iter().map(|c| c[i].len()).max().unwrap_or(0);
    let (w1, w2, w3, w4) = (w(1), w(2), w(3), w(4));
    let mut lines = vec![format!("total {total}")];
    for c in &cols {
        lines.push(format!(
            "{} {:>w1$} {:<w2$} {:<w3$} {:>w4$} {}",
            c[0], c[1], c[2], c[3], c[4], c[5]
        ));
    }
    Ok(lines)
}

/// Refuse the object open as `fd` if another user owns it, unless trusted (see
/// [`super::trust`]).
pub fn check_owner(
    name: &str,
    fd: &std::os::fd::OwnedFd,
    trust: super::trust::TrustArgs,
) -> anyhow::Result<()> {
    let md = std::fs::File::from(fd.try_clone()?).metadata()?;
    super::trust::check_file(Kind::PosixShm, &format!("{DEV_SHM}{name}"), &md, trust)
}

/// Explain a failed shm_open in one sentence.
pub fn explain_open(name: &str, e: crate::sys::Errno, hint: &str) -> anyhow::Error {
    use crate::sys::Errno;
    let path = format!("{DEV_SHM}{name}");
    match e {
        Errno::ENOENT => anyhow!("shm_open({name}): no such object ({path} is missing): {hint}"),
        Errno::EACCES => {
            let owner = std::fs::metadata(&path)
                .map(|m| {
                    format!(
                        "it belongs to {} with mode {:03o}",
                        crate::objects::sysvipc::user_name(m.uid()),
                        m.permissions().mode() & 0o777
                    )
                })
                .unwrap_or_default();
            anyhow!("shm_open({name}): permission denied (EACCES): {owner}; use a name of your own, or ask its owner")
        }
        Errno::EEXIST => anyhow!(
            "shm_open({name}): {path} already exists: another run may be using this name; pass another NAME, or remove {path} if it is yours and unused"
        ),
        Errno::ENAMETOOLONG => anyhow!("shm_open(): the name is too long (NAME_MAX 255)"),
        Errno::EINVAL => anyhow!("shm_open({name}): invalid name: one component, like myshm"),
        e => crate::error::sys_error(format_args!("shm_open({name})"), e),
    }
}

/// Step "size it": `ftruncate` the new object to `len` and reserve its pages, so that a full
/// /dev/shm is a clear ENOSPC now instead of a SIGBUS at the first touch later.
pub fn size_object(fd: impl std::os::fd::AsFd + Copy, len: u64, name: &str) -> anyhow::Result<()> {
    use crate::sys::{mem, Errno};
    mem::ftruncate(fd, len).sys(format_args!("ftruncate({name}, {len})"))?;
    mem::reserve(fd, len).map_err(|e| match e {
        Errno::ENOSPC => anyhow!(
            "{DEV_SHM} is full (ENOSPC): {len} bytes could not be reserved for {name}; free some space (`ipclab ls`, `ipclab clean`) or ask for less (--buffer-size)"
        ),
        e => crate::error::sys_error(format_args!("posix_fallocate({name})"), e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("myshm").unwrap(), "/myshm");
        assert_eq!(name("/myshm").unwrap(), "/myshm");
        assert!(name("a/b").is_err());
        assert!(name("/a/b").is_err());
        assert!(name("").is_err());
        assert!(name(&"x".repeat(256)).is_err());
    }

    #[test]
    fn modes() {
        assert_eq!(mode_string(0o100644), "-rw-r--r--");
        assert_eq!(mode_string(0o100600), "-rw-------");
        assert_eq!(mode_string(0o041777), "drwxrwxrwt");
    }
}
