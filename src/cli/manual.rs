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
    after_help = "Example: ipclab completions bash > ~/.local/share/bash-completion/completions/ipclab"
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

/// Print the completion script.
pub fn completions(args: CompletionArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ipclab", &mut buf);
    crate::out::bytes(&buf)?;
    Ok(())
}

/// The man pages, as (file name, contents).
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    out.push(("ipclab.1".to_string(), buf));
    for sub in cmd.get_subcommands() {
        let name = format!("ipclab-{}", sub.get_name());
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name.clone()))
            .title(name.to_uppercase())
            .render(&mut buf)?;
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
