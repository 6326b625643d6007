//! Objects another user made. The seeds' keys (`ftok("/etc/passwd", 'z')`, `1234`) and
//! names (`fifo1`, `myshm`) are the same for everyone on a machine, so in a lab room another
//! user can plant a 0666 queue, segment or FIFO under them first and read what you send or
//! forge what you receive. ipclab uses an object that is not yours only when told to
//! (`--trust-foreign`), and says whose it is and with what mode.
//!
//! Yours means made by you and owned by you: a System V object's creator (`cuid`) never
//! changes, but its owner (`uid`) is whatever its creator last set with IPC_SET, so a
//! planted queue handed over to you is still foreign. (A file's owner can only be changed
//! by root: for files the owner is the creator.)

use super::{sysvipc, Kind};
use anyhow::{anyhow, Result};
use std::os::unix::fs::MetadataExt;

// `--trust-foreign`, for every applet that opens objects it did not create.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct TrustArgs {
    /// Use a queue, segment, semaphore set, FIFO or shm object that belongs to another user
    #[arg(long)]
    pub trust_foreign: bool,
}

/// May we read and write an object of `uid`:`gid` with permission bits `mode`?
fn accessible(uid: u32, gid: u32, mode: u32) -> bool {
    let euid = nix::unistd::geteuid().as_raw();
    let ours = |g: u32| {
        nix::unistd::getegid().as_raw() == g
            || nix::unistd::getgroups().is_ok_and(|gs| gs.iter().any(|x| x.as_raw() == g))
    };
    let bits = if euid == 0 {
        0o6
    } else if uid == euid {
        mode >> 6
    } else if ours(gid) {
        mode >> 3
    } else {
        mode
    };
    bits & 0o6 == 0o6
}

/// Refuse an object of `kind` (described by `what`, e.g. `key 0x7a0002e1`) owned by `uid`
/// (group `gid`), made by `creator` (System V; `None`: the owner made it), with permission
/// bits `mode`, unless it is ours or foreign objects are trusted. One the mode does not let
/// us use is refused as "permission denied".
pub fn check(
    kind: Kind,
    what: &str,
    (uid, gid): (u32, u32),
    creator: Option<u32>,
    mode: u32,
    args: TrustArgs,
) -> Result<()> {
    let me = nix::unistd::geteuid().as_raw();
    let creator = creator.unwrap_or(uid);
    if uid == me && creator == me {
        return Ok(());
    }
    let owner = match (uid == me, creator == me) {
        (true, false) => format!(
            "{} (who handed it to you with IPC_SET)",
            sysvipc::user_name(creator)
        ),
        _ => sysvipc::user_name(uid),
    };
    if !accessible(uid, gid, mode) {
        return Err(anyhow!(
            "permission denied: the {} {what} belongs to {owner} with mode {:03o}; use a key or path of your own, or ask its owner",
            kind.noun(),
            mode & 0o777
        ));
    }
    if args.trust_foreign {
        crate::out::note(format_args!(
            "using the {} {what} of {owner} (mode {:03o}), as --trust-foreign allows",
            kind.noun(),
            mode & 0o777
        ));
        return Ok(());
    }
    Err(anyhow!(
        "the {} {what} belongs to {owner} (mode {:03o}), not to you: another user may have made it to read or forge what you exchange; pass --trust-foreign to use it anyway, or use a key or path of your own",
        kind.noun(),
        mode & 0o777
    ))
}

/// [`check`] for the System V object `id` of `kind`, from /proc/sysvipc.
pub fn check_sysv(kind: Kind, key: i32, id: impl Into<i32>, args: TrustArgs) -> Result<()> {
    let id: i32 = id.into();
    let Some(row) = sysvipc::rows(kind).into_iter().find(|r| r.id(kind) == id) else {
        return Ok(());
    };
    let what = format!("with key 0x{:08x} (id {id})", key as u32);
    check(
        kind,
        &what,
        (row.uid(), row.num("gid")),
        Some(row.num("cuid")),
        row.octal("perms"),
        args,
    )
}

/// [`check`] for a file (FIFO, POSIX shm object, mapped file), from an open descriptor or
/// its metadata.
pub fn check_file(kind: Kind, path: &str, md: &std::fs::Metadata, args: TrustArgs) -> Result<()> {
    check(kind, path, (md.uid(), md.gid()), None, md.mode(), args)
}
