//! mmap.c (the shared-memory notes, 一): map an existing file, print it, overwrite its
//! start with TEXT; `MAP_SHARED` writes go to the file.

use super::normalfile::open_existing;
use crate::error::SysContext;
use crate::out;
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::Path;

/// `mmap.c`: map an existing file, print it as a C string, overwrite its start.
pub fn edit(path: &Path, text: &str) -> Result<()> {
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
