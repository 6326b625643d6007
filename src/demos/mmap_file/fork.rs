//! `mmap-file fork [PATH]`: the mmap notes' 有血缘关系进程间通信 (seed 003 二.1,
//! `parent_child_mmap.c`): a FILE mapping, `MAP_SHARED`, inherited over a plain `fork()`.
//!
//! The seed's steps:
//! 1. `open("english.txt", O_RDWR)`; its length with `lseek(fd, 0, SEEK_END)`
//! 2. `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)`, close the descriptor
//! 3. `fork()`
//! 4. the parent: `strcpy(ptr, "你是我儿子吗？")`, `wait(NULL)`
//! 5. the child: `printf("%s\n", ptr)`
//! 6. both: `munmap`
//!
//! **The race.** Nothing orders step 4 before step 5: in 2 runs out of 8 the child prints
//! the file's old text (hazard 3). ipclab's parent tells the child over a pipe that it has
//! written; `--race` leaves that out, as the seed does, and says which text the child saw.
//!
//! Also fixed: a missing or empty file is a clear error (the seed's mmap of an empty file
//! fails with EINVAL, unchecked); the message is cut to the file's length instead of being
//! written past its end; and since MAP_SHARED writes go to the file, ipclab says what it
//! changed in it (the seed silently overwrites its first 22 bytes).

use crate::error::SysContext;
use crate::layout::PARENT_MESSAGE;
use crate::out;
use crate::process::{self, Side};
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use crate::sys::{proc, Errno};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::Path;

/// The file's first bytes, for "what changed" (at most 40, lossy UTF-8, escaped).
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]);
    format!("{text:?}")
}

/// Run parent_child_mmap on PATH; `race` leaves out the parent-before-child order.
pub fn run(path: &Path, race: bool) -> Result<()> {
    let p = path.display();
    // Step 1: open the file, which must exist and hold something.
    let fd = mem::open(path, OFlag::O_RDWR | OFlag::O_NOFOLLOW, 0).map_err(|e| match e {
        Errno::ENOENT => anyhow!("{p}: no such file: the demo maps an existing file (the seed's english.txt); create one with some text, e.g. `echo hello > {p}`"),
        Errno::ELOOP => anyhow!("{p} is a symbolic link: ipclab does not write through links it did not make"),
        e => crate::error::sys_error(format_args!("open({p})"), e),
    })?;
    let len = mem::file_size(&fd)? as usize;
    if len == 0 {
        return Err(anyhow!(
            "{p} is empty: mmap of a zero-length file fails (EINVAL; the seed does not check); put some text in it first"
        ));
    }
    // Step 2: map it, shared; the descriptor is no longer needed.
    let map = mem::map_file(&fd, len, Access::ReadWrite, Share::Shared).sys("mmap()")?;
    drop(fd);
    let before = map.region().read(0, len.min(40));
    let (told_r, told_w) = proc::pipe().sys("pipe()")?;
    // Step 3: fork.
    match process::fork()? {
        Side::Child => {
            // Step 5: the child prints the C string at the start of the mapping.
            drop(told_w);
            let r = (|| -> Result<()> {
                if !race {
                    let mut b = [0u8; 1];
                    proc::read(&told_r, &mut b).sys("read(pipe)")?;
                }
                let mut line = map.region().c_string(0, len);
                line.push(b'\n');
                out::bytes(&line)?;
                Ok(())
            })();
            process::child_exit(r);
        }
        Side::Parent(child) => {
            drop(told_r);
            // Step 4: the parent writes (with its NUL, cut to the file), then tells the child.
            let mut text = PARENT_MESSAGE.as_bytes().to_vec();
            text.push(0);
            let cut = text.len() > len;
            text.truncate(len);
            map.region().write(0, &text);
            // (With --race the child does not listen, and may be gone already.)
            let told = match race {
                true => Ok(()),
                false => proc::write(&told_w, b"w").sys("write(pipe)").map(drop),
            };
            drop(told_w);
            child.join(told)?;
            // Step 6: unmap (what the mapping wrote is in the file now).
            map.unmap().sys("munmap()")?;
            out::note(format_args!(
                "{p}: its first {} bytes were {} and are now {:?}{} (MAP_SHARED writes go to the file)",
                text.len(),
                shown(&before[..text.len().min(before.len())]),
                String::from_utf8_lossy(&text),
                if cut { "; the message did not fit the file and was cut" } else { "" }
            ));
            if race {
                out::note(format_args!(
                    "--race: the child did not wait for the parent's write; run it a few times: sometimes it prints the old text"
                ));
            }
            Ok(())
        }
    }
}
