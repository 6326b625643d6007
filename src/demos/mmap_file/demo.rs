//! `mmap-file demo`: map_normalfile1 and map_normalfile2 of the mmap notes (seed 004 范例1)
//! in one run: this process writes, another process reads during the hold and after the
//! unmap, and the run prints the notes' three conclusions from what it observed.

use super::normalfile::{
    open_error, print_records, read_records, write_records, FILE_RECORDS, MAP_RECORDS,
};
use crate::error::SysContext;
use crate::layout::PEOPLE_SIZE;
use crate::process::{self, Side};
use crate::sys::mem::{self, Share};
use crate::sys::proc;
use crate::sys::region::Access;
use crate::sys::spawn::Exit;
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::path::{Path, PathBuf};

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
            let got = process::read_all(&r)?;
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
pub fn demo(path: Option<PathBuf>) -> Result<()> {
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
    let map = write_records(&path, false, _temp.is_some())?;
    outln!("--- map_normalfile2: another process, during the hold ---")?;
    let during = reader_process(&path)?;
    map.unmap().sys("munmap()")?;
    outln!(" umap ok ")?;
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
        let map = mem::map_file(&fd, 2 * 4096, Access::ReadOnly, Share::Shared)?;
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
