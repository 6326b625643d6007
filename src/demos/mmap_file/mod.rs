//! `ipclab mmap-file`: the mmap notes' programs, one subcommand each.
//!
//! | subcommand | program of the notes | file |
//! |---|---|---|
//! | `write PATH` | map_normalfile1.c (the mmap notes' 范例1) | [`normalfile`] |
//! | `read PATH` | map_normalfile2.c | [`normalfile`] |
//! | `demo [PATH]` | both, and the notes' conclusions | [`demo`] |
//! | `fork [PATH]` | parent_child_mmap.c (the shared-memory notes, 二.1) | [`fork`] |
//! | `send [PATH]`, `receive [PATH]` | mmap_w_ipc.c, mmap_r_ipc.c (二.2) | [`ipc`] |
//! | `edit PATH TEXT` | mmap.c (the shared-memory notes, 一) | [`edit`] |

pub mod demo;
pub mod edit;
pub mod fork;
pub mod ipc;
pub mod normalfile;

use crate::error::SysContext;
use crate::layout::PEOPLE_SIZE;
use crate::sys::signals;
use crate::{out, outln};
use anyhow::Result;
use std::path::PathBuf;
use std::time::Duration;

// `ipclab mmap-file`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab mmap-file demo")]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

// What to do. (A comment, not a doc comment: that would replace the applet's about.)
#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// map_normalfile1: create PATH (5 records), map 10, fill them, hold, unmap
    Write {
        /// The file to create (it is yours: it stays)
        path: PathBuf,
        /// Use an existing file of another size anyway (cutting it to 40 bytes)
        #[arg(long)]
        force: bool,
        /// How long to hold the mapping (the seed's sleep(10))
        #[arg(long, allow_hyphen_values = true, default_value = "10s", value_parser = crate::units::duration)]
        hold: Duration,
        /// During the hold, msync the mapping this often (write it back to the file)
        #[arg(long, allow_hyphen_values = true, value_parser = crate::units::interval)]
        sync_every: Option<Duration>,
    },
    /// map_normalfile2: map 10 records of PATH and print them
    Read {
        /// A file made by `mmap-file write`
        path: PathBuf,
    },
    /// Both, the reader during the hold and after the unmap, then the seed's conclusions
    Demo {
        /// The file to use (default: a temporary one, removed at the end)
        path: Option<PathBuf>,
    },
    /// parent_child_mmap.c: a file mapping shared over fork; the parent writes, the child prints
    Fork {
        /// An existing, non-empty file (the seed's english.txt)
        #[arg(default_value = "english.txt")]
        path: PathBuf,
        /// Let the child print without waiting for the parent's write, as the seed does
        #[arg(long)]
        race: bool,
    },
    /// mmap_w_ipc.c: store the message at offset 1024 of the 4096-byte file, every 2 s
    Send {
        /// The shared file (the seed's temp)
        #[arg(default_value = "temp")]
        path: PathBuf,
        /// Time between stores (the seed's sleep(2))
        #[arg(long, allow_hyphen_values = true, default_value = "2s", value_parser = crate::units::interval)]
        interval: Duration,
        #[command(flatten)]
        ipc: ipc::IpcArgs,
    },
    /// mmap_r_ipc.c: print the string at offset 1024 of the 4096-byte file, every second
    Receive {
        /// The shared file (the seed's temp)
        #[arg(default_value = "temp")]
        path: PathBuf,
        /// Time between looks (the seed's sleep(1))
        #[arg(long, allow_hyphen_values = true, default_value = "1s", value_parser = crate::units::interval)]
        interval: Duration,
        #[command(flatten)]
        ipc: ipc::IpcArgs,
    },
    /// mmap.c: map an existing file, print it, overwrite its start with TEXT
    Edit {
        /// An existing, non-empty file
        path: PathBuf,
        /// What to write at offset 0
        text: String,
    },
}

/// Run the chosen part.
pub fn run(args: Args) -> Result<()> {
    signals::catch_termination()?;
    match args.cmd {
        Cmd::Write {
            path,
            force,
            hold,
            sync_every,
        } => {
            let map = normalfile::write_records(&path, force, false)?;
            normalfile::hold_mapping(&map, hold, sync_every)?;
            map.unmap().sys("munmap()")?;
            outln!(" umap ok ")?;
            out::warn(
                "mmap-file",
                format_args!("{} stays: the file is yours", path.display()),
            );
            Ok(())
        }
        Cmd::Read { path } => {
            let records = normalfile::read_records(&path)?;
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if size != (PEOPLE_SIZE * normalfile::FILE_RECORDS) as u64 {
                out::note(format_args!(
                    "{} is {size} bytes, not the 40 of map_normalfile1's 5 records: what follows is its bytes read as `people`, not people",
                    path.display()
                ));
            }
            normalfile::print_records(&records)?;
            Ok(())
        }
        Cmd::Demo { path } => demo::demo(path),
        Cmd::Fork { path, race } => fork::run(&path, race),
        Cmd::Send {
            path,
            interval,
            ipc,
        } => ipc::send(&path, interval, &ipc),
        Cmd::Receive {
            path,
            interval,
            ipc,
        } => ipc::receive(&path, interval, &ipc),
        Cmd::Edit { path, text } => edit::edit(&path, &text),
    }
}
