//! Seed 004 范例1 (`map_normalfile1.c` / `map_normalfile2.c`; seed 003 `mmap_w_ipc.c` /
//! `mmap_r_ipc.c`): two unrelated processes share memory by mapping the same ordinary file;
//! and seed 003's `mmap.c`: edit a file through a mapping.
//!
//! `write PATH` (map_normalfile1), the seed's steps:
//! 1. open PATH, created and truncated
//! 2. make it 5 `people` records long (40 bytes)
//! 3. map 10 records (80 bytes: more than the file!), close the descriptor
//! 4. fill all 10 (`b`…`k`, ages 20…29), print `initialize over`
//! 5. hold the mapping (`--hold`, the seed's `sleep(10)`), unmap, print `umap ok`
//!
//! `read PATH` (map_normalfile2) maps 10 records and prints them. `demo` runs both, the
//! reader during the hold and after the unmap, and prints the seed's conclusions from what
//! it observed. `edit PATH TEXT` is `mmap.c`.
//!
//! Fixed from the C programs: a missing or empty file is a clear error, not a SIGBUS or an
//! EINVAL nobody checks (hazards 20, 21); names are NUL-terminated (hazard 19); the SIGBUS
//! of touching beyond the file's last page is shown in a child, caught and explained.

use crate::layout::{people_record, PEOPLE_AGE, PEOPLE_SIZE};
use crate::process::{self, Side};
use crate::sys::mem::{self, Share};
use crate::sys::proc;
use crate::sys::spawn::Exit;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Records in the file (the seed's `sizeof(people)*5`).
const FILE_RECORDS: usize = 5;
/// Records mapped (the seed's `sizeof(people)*10`).
const MAP_RECORDS: usize = 10;

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
            hold,
            sync_every,
        } => {
            let map = write_records(&path)?;
            hold_mapping(&map, hold, sync_every)?;
            map.unmap().map_err(|e| anyhow!("munmap(): {}", e.desc()))?;
            outln!("umap ok")?;
            out::warn(
                "mmap-file",
                format_args!("{} stays: the file is yours", path.display()),
            );
            Ok(())
        }
        Cmd::Read { path } => {
            print_records(&read_records(&path)?)?;
            Ok(())
        }
        Cmd::Demo { path } => demo(path),
        Cmd::Edit { path, text } => edit(&path, &text),
    }
}

/// Steps 1-4 of map_normalfile1.
fn write_records(path: &Path) -> Result<mem::Mapping> {
    // Step 1: open, created and truncated (0600; the seed's 00777 makes a data file executable).
    let fd = mem::open(
        path,
        OFlag::O_CREAT | OFlag::O_RDWR | OFlag::O_TRUNC | OFlag::O_NOFOLLOW,
        0o600,
    )
    .map_err(|e| match e {
        Errno::ENOENT => anyhow!(
            "cannot create {}: its directory does not exist",
            path.display()
        ),
        e => open_error(path, e),
    })?;
    // Step 2: 5 records long.
    mem::ftruncate(&fd, (PEOPLE_SIZE * FILE_RECORDS) as u64)?;
    // Step 3: map 10 records, then the descriptor is no longer needed.
    let map = mem::map_file(&fd, PEOPLE_SIZE * MAP_RECORDS, true, Share::Shared)
        .map_err(|e| anyhow!("mmap(): {}", e.desc()))?;
    drop(fd);
    // Step 4: fill all 10.
    let region = map.region();
    for i in 0..MAP_RECORDS {
        region.write(i * PEOPLE_SIZE, &people_record(i));
    }
    outln!("initialize over")?;
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
        map.msync().map_err(|e| anyhow!("msync(): {}", e.desc()))?;
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

fn open_error(path: &Path, e: Errno) -> anyhow::Error {
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
        e => anyhow!("open({}): {}", path.display(), e.desc()),
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
    let map = mem::map_file(&fd, PEOPLE_SIZE * MAP_RECORDS, false, Share::Shared)
        .map_err(|e| anyhow!("mmap(): {}", e.desc()))?;
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

fn print_records(records: &[(String, i32)]) -> Result<()> {
    for (name, age) in records {
        outln!("name: {name} age {age};")?;
    }
    Ok(())
}

/// Run `f` in a forked child that reports a few bytes back; returns them, how it ended and
/// the error it reported.
fn in_child(f: impl FnOnce() -> Result<Vec<u8>>) -> Result<(Vec<u8>, Exit, Option<String>)> {
    let (r, w) = proc::pipe()?;
    match process::fork()? {
        Side::Child => {
            drop(r);
            let result = f().map(|bytes| {
                let _ = proc::write(&w, &bytes);
            });
            process::child_exit(result);
        }
        Side::Parent(child) => {
            drop(w);
            let mut got = Vec::new();
            let mut buf = [0u8; 256];
            loop {
                match proc::read(&r, &mut buf) {
                    Ok(0) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(Errno::EINTR) => crate::error::check_interrupted()?,
                    Err(_) => break,
                }
            }
            let (how, report) = child.wait()?;
            Ok((got, how, report))
        }
    }
}

/// A reader in a separate process (its own open and mmap), printing; returns the ages seen.
fn reader_process(path: &Path) -> Result<Vec<i32>> {
    let path = path.to_path_buf();
    let (bytes, how, report) = in_child(move || {
        let recs = read_records(&path)?;
        print_records(&recs)?;
        Ok(recs.iter().flat_map(|(_, a)| a.to_ne_bytes()).collect())
    })?;
    if how != Exit::Code(0) {
        return Err(anyhow!(
            report.unwrap_or_else(|| format!("the reader process {how}"))
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// `mmap-file demo`: write, read during the hold and after, conclude.
fn demo(path: Option<PathBuf>) -> Result<()> {
    // Without PATH, a file in a private scratch directory (random name, 0700, recorded),
    // removed with it on every way out.
    let (path, _temp) = match path {
        Some(p) => (p, None),
        None => {
            let dir = crate::objects::scratch::Dir::new("mmap")?;
            (dir.join("test_shm"), Some(dir))
        }
    };
    outln!("--- map_normalfile1: this process ---")?;
    let map = write_records(&path)?;
    outln!("--- map_normalfile2: another process, during the hold ---")?;
    let during = reader_process(&path)?;
    map.unmap().map_err(|e| anyhow!("munmap(): {}", e.desc()))?;
    outln!("umap ok")?;
    outln!("--- map_normalfile2: another process, after umap ok ---")?;
    let after = reader_process(&path)?;
    let size = std::fs::metadata(&path)?.len();

    outln!("--- what this run showed ---")?;
    outln!(
        "1. the file is {size} bytes: mapping {} bytes and writing them all did not make it grow",
        PEOPLE_SIZE * MAP_RECORDS
    )?;
    let tail = |v: &[i32]| {
        v.get(FILE_RECORDS..)
            .map(|t| t.to_vec())
            .unwrap_or_default()
    };
    let seen = |v: &[i32]| tail(v).iter().any(|&a| a != 0);
    outln!(
        "2. records 6-10 lie beyond the end of the file: during the hold they were {} to the other process (both map the same page of the page cache); after the unmap they were {}; they are never written to the file",
        if seen(&during) { "visible" } else { "not visible" },
        if seen(&after) {
            "still visible (the page is still cached; once it is written back and dropped, a reader sees zeros, as the seed did)"
        } else {
            "zeros (the page was written back and reread: only the file's 40 bytes survive)"
        }
    )?;
    let path2 = path.clone();
    let (_, how, _) = in_child(move || {
        let fd = mem::open(&path2, OFlag::O_RDONLY, 0).map_err(|e| open_error(&path2, e))?;
        let map = mem::map_file(&fd, 2 * 4096, false, Share::Shared)?;
        let _ = mem::touch(&map, 4096);
        Ok(Vec::new())
    })?;
    match how {
        Exit::Signal(nix::sys::signal::Signal::SIGBUS) => outln!(
            "3. a child that mapped two pages of this {size}-byte file and touched byte 4096 (beyond the file's last page) was killed by SIGBUS: the usable part of a mapping is the file's size rounded up to a page"
        )?,
        other => outln!("3. a child touching byte 4096 beyond the file's last page {other} (expected SIGBUS)")?,
    }
    if _temp.is_none() {
        out::warn(
            "mmap-file",
            format_args!("{} stays: the file is yours", path.display()),
        );
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
    let map = mem::map_file(&fd, len, true, Share::Shared)
        .map_err(|e| anyhow!("mmap(): {}", e.desc()))?;
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
    map.unmap().map_err(|e| anyhow!("munmap(): {}", e.desc()))?;
    Ok(())
}
