//! `ipclab links DIR`: one symlink per applet, pointing at this binary, like
//! `busybox --install -s`, so that students type `shmread KEY` as on the slide.

use crate::cli::APPLETS;
use crate::outln;
use anyhow::{anyhow, Context, Result};
use std::path::PathBuf;

/// `ipclab links DIR`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab links ~/.local/bin && shmcon --help")]
pub struct Args {
    /// Where to put the links (created if missing)
    pub dir: PathBuf,
    /// Replace files that are in the way
    #[arg(long)]
    pub force: bool,
}

/// Create the links.
pub fn run(args: Args) -> Result<()> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot find the ipclab binary")?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    for (name, _) in APPLETS.iter().filter(|(n, _)| *n != "links") {
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
