//! fifo-read: make the FIFO, open it for reading, print each message until EOF.

use super::{at_path, check_fifo, not_a_fifo, open_error, AtPath, PIPE_BUF};
use crate::error::{restart, sys_error, SysContext};
use crate::objects::registry::Entry;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::out;
use crate::protocols::roles;
use crate::sys::{mem, proc, signals, Errno};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

// `ipclab fifo-read [PATH]`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab fifo-read   (then `ipclab fifo-write` in another terminal)"
)]
pub struct ReadArgs {
    /// The FIFO (the seed's `fifo1` in the current directory)
    #[arg(default_value = "fifo1")]
    pub path: PathBuf,
    /// Permissions of the FIFO if this side creates it, octal
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
    /// Leave the FIFO in place at the end
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Read even if another fifo-read already reads this FIFO (the messages are then split
    /// between the two)
    #[arg(long)]
    pub force: bool,
}

/// The FIFO this run created (unlinked when dropped unless kept), or found in place (a
/// use record keeps `clean` off it while this run lives); and this run's claim to be its
/// reader (see [`crate::protocols::roles`]).
struct Created {
    path: PathBuf,
    entry: Option<Entry>,
    _uses: Option<Entry>,
    _reader: Option<Entry>,
}

impl Drop for Created {
    fn drop(&mut self) {
        if let Some(mut e) = self.entry.take() {
            let _ = mem::unlink(&self.path);
            e.forget();
        }
    }
}

/// Step 1: `mkfifo(PATH)`, recorded before it exists (so a SIGKILL in between cannot leave
/// an unrecorded FIFO); its mode is set with fchmod on a descriptor opened without
/// following symlinks, never by path (a path swapped for a symlink would be followed).
fn make_fifo(args: &ReadArgs) -> Result<(Created, Option<u64>)> {
    let path = &args.path;
    let abs = std::path::absolute(path)?.display().to_string();
    let mut entry = (!args.keep).then(|| Entry::begin(Kind::Fifo, None, Some(&abs)));
    let made = mem::mkfifo(path, args.mode);
    let mut created = Created {
        path: path.clone(),
        entry: None,
        _uses: None,
        _reader: None,
    };
    match made {
        Ok(()) => {
            created.entry = entry.take();
            // O_PATH: a handle to check what was made, which (unlike O_RDONLY) is no reader
            // for a writer waiting to open the FIFO.
            let probe = mem::open(path, OFlag::O_PATH | OFlag::O_NOFOLLOW, 0)
                .sys(format_args!("open({})", path.display()))?;
            let md = check_fifo(path, &probe, TrustArgs::default())?;
            if let Some(e) = created.entry.as_mut() {
                e.created(md.ino() as i64);
            }
            created._reader = claim(args, &abs, md.ino())?;
            Ok((created, Some(md.ino())))
        }
        Err(e) => {
            if let Some(mut en) = entry.take() {
                en.forget();
            }
            match e {
                Errno::EEXIST => match at_path(path) {
                    AtPath::Fifo => {
                        // Before the open blocks: a FIFO another user planted is refused.
                        let md = std::fs::symlink_metadata(path)?;
                        trust::check_file(
                            Kind::Fifo,
                            &path.display().to_string(),
                            &md,
                            args.trust,
                        )?;
                        // Not ours to remove, but ours to keep `clean` off while we use it.
                        let ino = md.ino() as i64;
                        created._uses = Some(Entry::using(Kind::Fifo, None, ino, Some(&abs)));
                        created._reader = claim(args, &abs, md.ino())?;
                        Ok((created, None))
                    }
                    AtPath::Other(what) => Err(not_a_fifo(path, what)),
                    AtPath::Missing => Err(anyhow!("{} vanished meanwhile", path.display())),
                },
                Errno::ENOENT => Err(anyhow!(
                    "cannot create the FIFO {}: its directory does not exist",
                    path.display()
                )),
                e => Err(sys_error(format_args!("mkfifo({})", path.display()), e)),
            }
        }
    }
}

/// Claim the reader's part of the FIFO at `abs`: a second fifo-read on it is refused.
fn claim(args: &ReadArgs, abs: &str, ino: u64) -> Result<Option<Entry>> {
    let object = roles::Object {
        kind: Kind::Fifo,
        key: None,
        id: ino as i64,
        name: Some(abs),
        shown: format!("the FIFO {}", args.path.display()),
        program: "fifo-read",
        risk: "",
    };
    roles::take(&object, roles::Role::Reader, args.force)
}

/// Run the reader.
pub fn run_read(args: ReadArgs) -> Result<()> {
    signals::catch_termination()?;
    let path = &args.path;
    // Step 1: make the FIFO (or find one there).
    let (_created, ino) = make_fifo(&args)?;
    out::note(format_args!(
        "waiting for a writer on {} (start `ipclab fifo-write {}`)",
        path.display(),
        crate::escape::shell_path(path)
    ));
    // Step 2: open for reading (blocks until a writer comes), never through a symlink; the
    // FIFO opened must be the one made (or, if it was there, one we may trust).
    let fd =
        restart(|| mem::open(path, OFlag::O_RDONLY | OFlag::O_NOFOLLOW, 0))?.map_err(
            |e| match e {
                Errno::ELOOP => not_a_fifo(path, "a symbolic link (not followed)"),
                e => open_error(path, e),
            },
        )?;
    let md = check_fifo(path, &fd, args.trust)?;
    if ino.is_some_and(|i| i != md.ino()) {
        return Err(anyhow!(
            "{} was replaced by another FIFO while this reader waited: not reading from it",
            path.display()
        ));
    }
    // Step 3: read until EOF; one line per NUL-terminated message.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 2 * PIPE_BUF];
    loop {
        crate::process::jitter();
        let n = match restart(|| proc::read(&fd, &mut buf))?.sys("read()")? {
            0 => break,
            n => n,
        };
        pending.extend_from_slice(&buf[..n]);
        while let Some(nul) = pending.iter().position(|&b| b == 0) {
            print_message(&pending[..nul])?;
            pending.drain(..=nul);
        }
    }
    if !pending.is_empty() {
        // A writer that ended without the NUL (not ours, not the seed's): still print it once.
        print_message(&pending)?;
    }
    Ok(())
}

fn print_message(text: &[u8]) -> Result<()> {
    crate::protocols::witness::got(text);
    let mut line = b"Read message: ".to_vec();
    line.extend_from_slice(text);
    if !text.ends_with(b"\n") {
        line.push(b'\n');
    }
    out::bytes(&line)?;
    Ok(())
}
