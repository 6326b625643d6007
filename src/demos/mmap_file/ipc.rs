//! `mmap-file send [PATH]` and `mmap-file receive [PATH]`: the mmap notes'
//! 无血缘关系进程间通信 (seed 003 二.2, `mmap_w_ipc.c` and `mmap_r_ipc.c`): two unrelated
//! processes share a 4096-byte file (`temp`), and the message lives at offset 1024.
//!
//! send (mmap_w_ipc), the seed's steps:
//! 1. `open("temp", O_RDWR|O_CREAT, 0664)`
//! 2. `mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)`
//! 3. every 2 s: `strcpy(ptr + 1024, "hello parent, i am your 朋友！！！\n")`
//!
//! receive (mmap_r_ipc):
//! 1. `open("temp", O_RDWR|O_CREAT, 0664)`, `ftruncate(fd, 4096)`
//! 2. `mmap` the file's length
//! 3. every 1 s: `printf("%s\n", ptr + 1024)`
//!
//! Fixed from the C programs: the seed's writer started first finds (or makes) an empty
//! `temp`, maps 4096 bytes of it and dies of SIGBUS at its first store (hazard 14): ipclab's
//! sender makes a missing file 4096 bytes and says so, and makes an empty one (the seed's
//! writer leaves such a file) 4096 bytes too; either side refuses a file of another size
//! unless `--force` (the seed's reader would silently cut it to 4096). Both stop after
//! `--count` rounds (default: until Ctrl-C, as the seeds); the side that created `temp`
//! removes it when it ends (`--keep` leaves it); the writer's unreachable
//! `munmap(ptr, 8192)` of a 4096-byte mapping is not copied. There is still no
//! synchronisation between the two, as in the seed: the reader prints what is there each
//! time it looks (an empty line before the writer's first store), which is the lesson.

use crate::error::SysContext;
use crate::layout::{IPC_FILE_SIZE, IPC_MESSAGE, IPC_MESSAGE_AT};
use crate::objects::datafile::{DataFile, SizeRule};
use crate::objects::trust::TrustArgs;
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use crate::{out, process};
use anyhow::Result;
use std::path::Path;
use std::time::Duration;

// What both sides are told.
#[derive(clap::Args, Debug, Clone)]
pub struct IpcArgs {
    /// Stop after N rounds (default: until Ctrl-C, as the seed)
    #[arg(long, allow_negative_numbers = true, value_parser = crate::units::count)]
    pub count: Option<u64>,
    /// Use a file of another size anyway (resizing it to 4096 bytes)
    #[arg(long)]
    pub force: bool,
    /// Leave the file in place if this side created it
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// Steps 1 and 2 of either side: the 4096-byte file, mapped.
fn map(path: &Path, args: &IpcArgs) -> Result<(DataFile, mem::Mapping)> {
    let rule = SizeRule {
        force: args.force,
        keep: args.keep,
        mode: 0o600,
    };
    let (file, note) = DataFile::open(path, IPC_FILE_SIZE as u64, rule, args.trust)?;
    if let Some(n) = note {
        out::note(format_args!("{n}"));
    }
    let map =
        mem::map_file(&file.fd, IPC_FILE_SIZE, Access::ReadWrite, Share::Shared).sys("mmap()")?;
    Ok((file, map))
}

/// Rounds until `--count` (or for ever), napping `interval` after each.
fn rounds(args: &IpcArgs, interval: Duration, mut each: impl FnMut() -> Result<()>) -> Result<()> {
    let mut done = 0;
    while args.count.is_none_or(|n| done < n) {
        process::jitter();
        each()?;
        done += 1;
        if args.count.is_none_or(|n| done < n) {
            process::nap(interval)?;
        }
    }
    Ok(())
}

/// mmap_w_ipc: store the message at offset 1024 every `interval`.
pub fn send(path: &Path, interval: Duration, args: &IpcArgs) -> Result<()> {
    let (_file, map) = map(path, args)?;
    let mut text = IPC_MESSAGE.as_bytes().to_vec();
    text.push(0);
    // Step 3: the seed's strcpy, every round.
    rounds(args, interval, || {
        map.region().write(IPC_MESSAGE_AT, &text);
        Ok(())
    })?;
    map.unmap().sys("munmap()")
}

/// mmap_r_ipc: print the C string at offset 1024 every `interval` (after the first nap,
/// as the seed's `sleep(1)` comes before its printf).
pub fn receive(path: &Path, interval: Duration, args: &IpcArgs) -> Result<()> {
    let (_file, map) = map(path, args)?;
    // Step 3: sleep, then print what is there.
    rounds(args, Duration::ZERO, || {
        process::nap(interval)?;
        let mut line = map
            .region()
            .c_string(IPC_MESSAGE_AT, IPC_FILE_SIZE - IPC_MESSAGE_AT);
        crate::protocols::witness::got(&line);
        line.push(b'\n');
        out::bytes(&line)?;
        Ok(())
    })?;
    map.unmap().sys("munmap()")
}
