//! `ipclab completions SHELL` and `ipclab man DIR`: shell completions (clap_complete) and
//! man pages (clap_mangen), generated from the same clap types as the parser, so they never
//! describe options that do not exist. docs/man holds the generated pages; a test fails when
//! they are stale (regenerate with `cargo run -- man docs/man`).

use crate::cli::Cli;
use crate::outln;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::path::PathBuf;

/// `ipclab completions SHELL`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Covers ipclab and every name `ipclab links` makes (shmread, fifo-read, …).\nzsh: `source <(ipclab completions zsh)` in ~/.zshrc, after compinit; fish: `ipclab completions fish | source` in config.fish.\nExample: source <(ipclab completions bash)   (in ~/.bashrc)"
)]
pub struct CompletionArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: clap_complete::Shell,
}

/// `ipclab man DIR`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab man docs/man")]
pub struct ManArgs {
    /// Where to write ipclab.1 and ipclab-APPLET.1 (created if missing)
    pub dir: PathBuf,
}

/// Print the completion script: `ipclab`'s, then one for each name `ipclab links` gives a
/// demo (`shmread <TAB>` completes as `ipclab shmread <TAB>` does). The tools' names (`ls`,
/// `clean`) get none: they must never take over the system's commands' completions.
pub fn completions(args: CompletionArgs) -> Result<()> {
    let all = super::globals::to_all(Cli::command());
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut all.clone(), "ipclab", &mut buf);
    for name in super::names::LECTURE {
        // From the command as declared (generate fills in the bin names it completes).
        let Some(applet) = all.find_subcommand(name) else {
            continue;
        };
        let mut applet = applet.clone().name(*name);
        clap_complete::generate(args.shell, &mut applet, *name, &mut buf);
    }
    crate::out::bytes(&buf)?;
    Ok(())
}

/// The sections every page ends with: what clap cannot derive from the options.
const TRAILER: &str = r#".SH "EXIT STATUS"
.TP
0
done (also when standard output was closed early, as with | head)
.TP
1
a runtime failure, said in one line on standard error (a kernel call failed, a peer died, a check failed)
.TP
2
a usage error: a bad argument or an unknown applet
.TP
128+N
ended by signal N after cleaning up (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP)
.SH FILES
.TP
$IPCLAB_STATE_DIR, else $XDG_RUNTIME_DIR/ipclab, else $XDG_STATE_HOME/ipclab (~/.local/state/ipclab), else $TMPDIR/ipclab-UID
the per-user state directory (0700, refused if it is not yours alone): objects.tsv, the registry of what ipclab creates (read by ls and clean), and the default key files msg.key, sem.key, shm-msg.key, shmcon.key and split-shm.key
.TP
$TMPDIR/ipclab-tour-RANDOM, $TMPDIR/ipclab-mmap-RANDOM, $TMPDIR/ipclab-bench-fifo-RANDOM
private scratch directories of tour, mmap-file demo and bench, created 0700 with a random name and removed on every exit path (clean removes one a killed run left)
.TP
/proc/sysvipc/shm, /proc/sysvipc/msg, /proc/sysvipc/sem, /dev/shm
where ls, clean and the demos see the System V and POSIX objects
.SH ENVIRONMENT
.TP
IPCLAB_TRACE
1 traces every IPC system call on standard error, as --trace does (a controller passes it to its children)
.TP
IPCLAB_TIMELINE
FILE: draw the run into FILE (.html, .svg or .json), as --timeline does
.TP
IPCLAB_TIMELINE_DIR
set by ipclab for the processes of a recorded run: the private directory they record into
.TP
IPCLAB_COLOR
always or never, as --color (passed to exec'd children)
.TP
NO_COLOR
when set and not empty, --color auto prints no colour
.TP
IPCLAB_STATE_DIR
the state directory (see FILES); tests set one of their own
.TP
XDG_RUNTIME_DIR, XDG_STATE_HOME, HOME, TMPDIR
where the state directory and scratch directories go
"#;

/// The man pages, as (file name, contents).
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = super::globals::to_all(Cli::command());
    cmd.build();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    buf.extend_from_slice(TRAILER.as_bytes());
    out.push(("ipclab.1".to_string(), buf));
    for sub in cmd.get_subcommands() {
        let name = format!("ipclab-{}", sub.get_name());
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name.clone()))
            .title(name.to_uppercase())
            .render(&mut buf)?;
        buf.extend_from_slice(TRAILER.as_bytes());
        out.push((format!("{name}.1"), buf));
    }
    Ok(out)
}

/// Write the man pages.
pub fn man(args: ManArgs) -> Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    for (file, text) in pages()? {
        let path = args.dir.join(&file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        outln!("{}", path.display())?;
    }
    Ok(())
}
