//! `ipclab mmap-file`: the mmap notes' programs, one subcommand each.
//!
//! | subcommand | seed program | file |
//! |---|---|---|
//! | `write PATH` | map_normalfile1.c (seed 004 范例1) | here |
//! | `read PATH` | map_normalfile2.c | here |
//! | `demo [PATH]` | both, and the notes' conclusions | [`super::mmap_demo`] |
//! | `fork [PATH]` | parent_child_mmap.c (seed 003 二.1) | [`super::mmap_fork`] |
//! | `send [PATH]`, `receive [PATH]` | mmap_w_ipc.c, mmap_r_ipc.c (seed 003 二.2) | [`super::mmap_ipc`] |
//! | `edit PATH TEXT` | mmap.c (seed 003 一) | here |
//!
//! `write PATH` (map_normalfile1), the seed's steps:
//! 1. open PATH, created and truncated
//! 2. make it 5 `people` records long (40 bytes)
//! 3. map 10 records (80 bytes: more than the file!), close the descriptor
//! 4. fill all 10 (`b`…`k`, ages 20…29), print `initialize over`
//! 5. hold the mapping (`--hold`, the seed's `sleep(10)`), unmap, print `umap ok`
//!
//! `read PATH` (map_normalfile2) maps 10 records and prints them.
//!
//! Fixed from the C programs: a missing or empty file is a clear error, not a SIGBUS or an
//! EINVAL nobody checks (hazards 20, 21); names are NUL-terminated (hazard 19); `write`
//! never truncates a file of another size unless `--force` (the seed's O_TRUNC cuts any
//! file of that name to 40 bytes) and never writes through a symlink; the SIGBUS of
//! touching beyond the file's last page is shown in a child, caught and explained (`demo`).

use crate::error::SysContext;
use crate::layout::{people_record, PEOPLE_AGE, PEOPLE_SIZE};
use crate::objects::datafile::{DataFile, SizeRule};
use crate::objects::trust::TrustArgs;
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Records in the file (the seed's `sizeof(people)*5`).
pub const FILE_RECORDS: usize = 5;
/// Records mapped (the seed's `sizeof(people)*10`).
pub const MAP_RECORDS: usize = 10;

/// `ipclab mmap-file`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab mmap-file demo")]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// What to do.
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
        ipc: super::mmap_ipc::IpcArgs,
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
        ipc: super::mmap_ipc::IpcArgs,
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
            let map = write_records(&path, force)?;
            hold_mapping(&map, hold, sync_every)?;
            map.unmap().sys("munmap()")?;
            outln!(" umap ok ")?;
            out::warn(
                "mmap-file",
                format_args!("{} stays: the file is yours", path.display()),
            );
            Ok(())
        }
        Cmd::Read { path } => {
            let records = read_records(&path)?;
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if size != (PEOPLE_SIZE * FILE_RECORDS) as u64 {
                out::note(format_args!(
                    "{} is {size} bytes, not the 40 of map_normalfile1's 5 records: what follows is its bytes read as `people`, not people",
                    path.display()
                ));
            }
            print_records(&records)?;
            Ok(())
        }
        Cmd::Demo { path } => super::mmap_demo::demo(path),
        Cmd::Fork { path, race } => super::mmap_fork::run(&path, race),
        Cmd::Send {
            path,
            interval,
            ipc,
        } => super::mmap_ipc::send(&path, interval, &ipc),
        Cmd::Receive {
            path,
            interval,
            ipc,
        } => super::mmap_ipc::receive(&path, interval, &ipc),
        Cmd::Edit { path, text } => edit(&path, &text),
    }
}

/// Steps 1-4 of map_normalfile1.
pub fn write_records(path: &Path, force: bool) -> Result<mem::Mapping> {
    // Steps 1 and 2: the file, 5 records long (0600; the seed's 00777 makes a data file
    // executable). The seed's O_TRUNC would cut any file of that name to 40 bytes: a file
    // of another size is refused unless --force.
    let rule = SizeRule {
        force,
        keep: true,
        mode: 0o600,
    };
    let size = (PEOPLE_SIZE * FILE_RECORDS) as u64;
    let (file, note) = DataFile::open(path, size, rule, TrustArgs::default())?;
    if let Some(n) = note {
        out::note(format_args!("{n}"));
    }
    // Step 3: map 10 records, then the descriptor is no longer needed.
    let map = mem::map_file(
        &file.fd,
        PEOPLE_SIZE * MAP_RECORDS,
        Access::ReadWrite,
        Share::Shared,
    )
    .sys("mmap()")?;
    drop(file);
    // Step 4: fill all 10.
    let region = map.region();
    for i in 0..MAP_RECORDS {
        region.write(i * PEOPLE_SIZE, &people_record(i));
    }
    // The notes' printf(" initialize over \n") and printf(" umap ok \n"): blanks kept.
    outln!(" initialize over ")?;
    Ok(map)
}

/// Step 5's hold (the seed's `sleep(10)`): [`crate::process::nap`], ending early on a termination
/// signal, with an `msync` every `sync_every` if asked.
fn hold_mapping(map: &mem::Mapping, hold: Duration, sync_every: Option<Duration>) -> Result<()> {
    let Some(every) = sync_every else {
        return crate::process::nap(hold);
    };
    let end = Instant::now() + hold;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        crate::process::nap(left.min(every))?;
        map.msync().sys("msync()")?;
    }
}

/// Open PATH (never creating it), insisting on a regular file.
fn open_existing(path: &Path, flags: OFlag) -> Result<std::os::fd::OwnedFd> {
    let fd = mem::open(path, flags, 0).map_err(|e| open_error(path, e))?;
    let st = nix::sys::stat::fstat(&fd)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(anyhow!(
            "{} is not a regular file (a directory, device or FIFO cannot be mapped like this)",
            path.display()
        ));
    }
    Ok(fd)
}

pub fn open_error(path: &Path, e: Errno) -> anyhow::Error {
    match e {
        Errno::ENOENT => anyhow!(
            "{}: no such file (or its directory is missing): run `ipclab mmap-file write {}` first",
            path.display(),
            path.display()
        ),
        Errno::EACCES => anyhow!("{}: permission denied", path.display()),
        Errno::EISDIR => anyhow!("{}: is a directory, not a file", path.display()),
        Errno::ELOOP => anyhow!(
            "{} is a symbolic link: ipclab does not write through links it did not make; give the file itself",
            path.display()
        ),
        Errno::ENXIO => anyhow!(
            "{} is not a regular file (a socket or a device with nothing behind it, ENXIO)",
            path.display()
        ),
        e => crate::error::sys_error(format_args!("open({})", path.display()), e),
    }
}

/// map_normalfile2: the 10 records as (name, age).
pub fn read_records(path: &Path) -> Result<Vec<(String, i32)>> {
    let fd = open_existing(path, OFlag::O_RDONLY)?;
    let size = mem::file_size(&fd)?;
    if size == 0 {
        return Err(anyhow!(
            "{} is empty: touching a mapping of an empty file raises SIGBUS (the seed's map_normalfile2 dies so); run `ipclab mmap-file write {}` first",
            path.display(),
            path.display()
        ));
    }
    let map = mem::map_file(
        &fd,
        PEOPLE_SIZE * MAP_RECORDS,
        Access::ReadOnly,
        Share::Shared,
    )
    .sys("mmap()")?;
    let region = map.region();
    Ok((0..MAP_RECORDS)
        .map(|i| {
            let r = region.read(i * PEOPLE_SIZE, PEOPLE_SIZE);
            let name: Vec<u8> = r[..4].iter().take_while(|&&b| b != 0).copied().collect();
            let age = i32::from_ne_bytes([
                r[PEOPLE_AGE],
                r[PEOPLE_AGE + 1],
                r[PEOPLE_AGE + 2],
                r[PEOPLE_AGE + 3],
            ]);
            (String::from_utf8_lossy(&name).into_owned(), age)
        })
        .collect())
}

pub fn print_records(records: &[(String, i32)]) -> Result<()> {
    for (name, age) in records {
        outln!("name: {name} age {age};")?;
    }
    Ok(())
}

/// `mmap.c`: map an existing file, print it as a C string, overwrite its start.
fn edit(path: &Path, text: &str) -> Result<()> {
    let fd = open_existing(path, OFlag::O_RDWR | OFlag::O_NOFOLLOW)?;
    let len = mem::file_size(&fd)? as usize;
    if len == 0 {
        return Err(anyhow!(
            "{} is empty: mmap of a zero-length file fails with EINVAL (the seed's mmap.c); put something in it first",
            path.display()
        ));
    }
    let map = mem::map_file(&fd, len, Access::ReadWrite, Share::Shared).sys("mmap()")?;
    drop(fd);
    let region = map.region();
    let mut line = b"buf = ".to_vec();
    line.extend_from_slice(&region.c_string(0, len));
    line.push(b'\n');
    out::bytes(&line)?;
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0);
    if bytes.len() > len {
        out::warn(
            "mmap-file",
            format_args!(
                "TEXT is {} bytes with its NUL, the file {len}: writing the first {len} (a mapping never grows the file)",
                bytes.len()
            ),
        );
        bytes.truncate(len);
    }
    region.write(0, &bytes);
    map.unmap().sys("munmap()")?;
    Ok(())
}
