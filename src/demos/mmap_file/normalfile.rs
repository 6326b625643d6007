//! map_normalfile1 and map_normalfile2 (the mmap notes' 范例1): a file of 5 `people`
//! records, mapped 10 records long.
//!
//! `write PATH` (map_normalfile1), the program's steps:
//! 1. open PATH, created and truncated
//! 2. make it 5 `people` records long (40 bytes)
//! 3. map 10 records (80 bytes: more than the file!), close the descriptor
//! 4. fill all 10 (`b`…`k`, ages 20…29), print ` initialize over `
//! 5. hold the mapping (`--hold`, the seed's `sleep(10)`), unmap, print ` umap ok `
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
use crate::sys::Errno;
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::Path;
use std::time::{Duration, Instant};

/// Records in the file (the seed's `sizeof(people)*5`).
pub const FILE_RECORDS: usize = 5;
/// Records mapped (the seed's `sizeof(people)*10`).
pub const MAP_RECORDS: usize = 10;

/// Steps 1-4 of map_normalfile1. `scratch`: PATH is in a scratch directory of the run's,
/// which takes it away at the end (the note must not promise that it stays).
pub fn write_records(path: &Path, force: bool, scratch: bool) -> Result<mem::Mapping> {
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
        match scratch {
            true => out::note(format_args!(
                "{}; it goes with the demo's scratch directory at the end",
                n.trim_end_matches("; it stays")
            )),
            false => out::note(format_args!("{n}")),
        }
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
pub fn hold_mapping(
    map: &mem::Mapping,
    hold: Duration,
    sync_every: Option<Duration>,
) -> Result<()> {
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
pub fn open_existing(path: &Path, flags: OFlag) -> Result<std::os::fd::OwnedFd> {
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
            crate::escape::shell_path(path)
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
            crate::escape::shell_path(path)
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
