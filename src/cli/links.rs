//! `ipclab links DIR`: one symlink per applet, pointing at this binary, like
//! `busybox --install -s`, so that students type `shmread KEY` as on the slide.
//!
//! By default only the lecture's demos get a link (`shmcon`, `fifo-read`, `ftok`, …); the
//! tools (`ls`, `clean`, `tour`, `bench`, …) stay `ipclab TOOL`, so that `ls` keeps meaning
//! ls. `--all` adds the tools; `--seed-names` makes the seeds' program names instead
//! (`alg.8-2-shmread.o`, `msg_server`, …: see [`super::names`]), so the slides' own C
//! controller runs ipclab's children. In every case a name that another program already
//! answers to on PATH is skipped, and said so: a link in DIR must never shadow a command.

use super::names::{LECTURE, SEED_NAMES};
use crate::outln;
use anyhow::{anyhow, Context, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

// `ipclab links DIR`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab links ~/.local/bin && shmcon --help")]
pub struct Args {
    /// Where to put the links (created if missing)
    pub dir: PathBuf,
    /// Also link the tools (ls, clean, limits, split, tour, bench, …), never shadowing a command
    #[arg(long, conflicts_with = "seed_names")]
    pub all: bool,
    /// Link the seeds' program names instead (alg.8-2-shmread.o, msg_server, …), so the
    /// slides' C programs can run ipclab's
    #[arg(long)]
    pub seed_names: bool,
    /// Replace files in DIR that are in the way (never a command elsewhere on PATH)
    #[arg(long)]
    pub force: bool,
}

/// The command `name` resolves to on PATH, outside `dir`, if it is not ipclab.
fn other_command(name: &str, dir: &Path, exe: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok();
    let path = std::env::var_os("PATH")?;
    for d in std::env::split_paths(&path) {
        if d.as_os_str().is_empty() || d.canonicalize().ok() == dir {
            continue;
        }
        let candidate = d.join(name);
        let Ok(md) = std::fs::metadata(&candidate) else {
            continue;
        };
        if md.is_file() && md.permissions().mode() & 0o111 != 0 {
            let is_us = candidate.canonicalize().is_ok_and(|c| c == exe);
            return (!is_us).then_some(candidate);
        }
    }
    None
}

/// Create the links.
pub fn run(args: Args) -> Result<()> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot find the ipclab binary")?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let command = <super::Cli as clap::CommandFactory>::command();
    let names: Vec<String> = if args.seed_names {
        SEED_NAMES.iter().map(|(n, _)| n.to_string()).collect()
    } else if args.all {
        super::applet_names(&command)
            .into_iter()
            .filter(|n| n != "links" && n != "help")
            .collect()
    } else {
        LECTURE.iter().map(|n| n.to_string()).collect()
    };
    for name in &names {
        if let Some(other) = other_command(name, &args.dir, &exe) {
            outln!(
                "skipped {name}: {} is another command, which a link here could shadow (`ipclab {name}` still works)",
                other.display()
            )?;
            continue;
        }
        let link = args.dir.join(name);
        if let Ok(md) = std::fs::symlink_metadata(&link) {
            let same =
                md.file_type().is_symlink() && std::fs::read_link(&link).is_ok_and(|t| t == exe);
            if same {
                continue;
            }
            if !args.force {
                return Err(anyhow!(
                    "{} already exists and is not a link to ipclab: remove it or pass --force",
                    link.display()
                ));
            }
            std::fs::remove_file(&link)
                .with_context(|| format!("cannot replace {}", link.display()))?;
        }
        std::os::unix::fs::symlink(&exe, &link)
            .with_context(|| format!("cannot create {}", link.display()))?;
        outln!("{} -> {}", link.display(), exe.display())?;
    }
    Ok(())
}
