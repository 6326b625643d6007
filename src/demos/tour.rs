//! `ipclab tour`: every demo, with built-in input and fast intervals, one after another,
//! each under a heading that names its slide, then a check that nothing was left behind.
//!
//! The tour works in a private temporary directory (its key files live there), so the
//! leak check knows exactly which keys and names are its own and never blames, or touches,
//! another program's objects.

use crate::outln;
use anyhow::{anyhow, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `ipclab tour`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab tour")]
pub struct Args {}

/// One run of one applet.
struct Step {
    heading: String,
    args: Vec<String>,
    stdin: &'static [u8],
}

/// The temporary directory, removed at the end.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn steps(dir: &Path) -> Vec<Step> {
    let key = dir.join("shm.key").display().to_string();
    let posix = format!("ipclab-tour-{}", std::process::id());
    let s = |heading: &str, args: &[&str], stdin: &'static [u8]| Step {
        heading: heading.to_string(),
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin,
    };
    vec![
        s(
            "The ftok() note: where a System V key comes from",
            &["ftok", &key],
            b"",
        ),
        s(
            "Algorithms 8-1, 8-2, 8-3: shmcon vforks shmread and shmwrite (the `written` flag)",
            &["shmcon", &key, "--interval", "10ms"],
            b"Hello World!\nend\n",
        ),
        s(
            "Algorithms 8-1 … 8-3 again with --sync sem: a semaphore pair instead of polling",
            &["shmcon", &key, "--sync", "sem"],
            b"Hello World!\nend\n",
        ),
        s(
            "Algorithms 8-4, 8-5, 8-6: shmpthreadcon vforks shmproducer and shmconsumer (POSIX shm)",
            &["shmpthreadcon", &posix],
            b"",
        ),
        s(
            "The bounded buffer (in, out, BUFFER_SIZE): 100000 items, busy-waiting as on the slide",
            &["shmpthreadcon", &posix, "--items", "100000", "--sync", "spin"],
            b"",
        ),
        s(
            "The bounded buffer again, blocking on semaphores (empty, full)",
            &["shmpthreadcon", &posix, "--items", "100000", "--sync", "sem"],
            b"",
        ),
        s(
            "Seed 004 example 1: two processes share a mapped file (map_normalfile1/2)",
            &["mmap-file", "demo"],
            b"",
        ),
        s(
            "Seed 004 example 2: parent and child share an anonymous mapping",
            &["mmap-anon"],
            b"",
        ),
    ]
}

/// The System V objects (kind, id) whose key is one of `keys`.
fn sysv_objects(keys: &[i32]) -> Vec<String> {
    let mut found = Vec::new();
    for kind in ["shm", "msg", "sem"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/sysvipc/{kind}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let (Some(k), Some(id)) = (f.first(), f.get(1)) {
                if k.parse::<i32>().is_ok_and(|k| keys.contains(&k)) {
                    found.push(format!("System V {kind} id {id} (key {k})"));
                }
            }
        }
    }
    found
}

/// Run the tour.
pub fn run(_args: Args) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the ipclab binary")?;
    let dir = std::env::temp_dir().join(format!("ipclab-tour-{}", std::process::id()));
    std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = TempDir(dir);
    let keyfile = dir.0.join("shm.key");
    std::fs::write(&keyfile, b"").context("cannot create the tour's key file")?;
    let keys: Vec<i32> = [0x27u8]
        .iter()
        .filter_map(|p| crate::sys::ipc::ftok(&keyfile, *p).ok())
        .collect();

    let mut failed = Vec::new();
    for (i, step) in steps(&dir.0).iter().enumerate() {
        if i > 0 {
            outln!()?;
        }
        outln!("=== {} ===", step.heading)?;
        outln!(
            "$ ipclab {}",
            step.args
                .join(" ")
                .replace(&*dir.0.to_string_lossy(), "$TOUR")
        )?;
        let mut child = Command::new(&exe)
            .args(&step.args)
            .stdin(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {}", exe.display()))?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(step.stdin).ok();
        }
        let status = child.wait()?;
        if !status.success() {
            failed.push(format!("`ipclab {}` ({status})", step.args[0]));
        }
    }

    outln!("\n=== Leak check: what the tour created is gone ===")?;
    let mut left = sysv_objects(&keys);
    left.extend(
        std::fs::read_dir("/dev/shm")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(&format!("ipclab-tour-{}", std::process::id())))
            .map(|n| format!("/dev/shm/{n}")),
    );
    if left.is_empty() {
        outln!("nothing left behind: no System V object under the tour's keys, no /dev/shm entry of its own")?;
    } else {
        for l in &left {
            outln!("LEFT BEHIND: {l}")?;
        }
        failed.push(format!("{} object(s) left behind", left.len()));
    }
    if failed.is_empty() {
        outln!("tour complete: every demo ran and cleaned up")?;
        Ok(())
    } else {
        Err(anyhow!("tour failed: {}", failed.join("; ")))
    }
}
