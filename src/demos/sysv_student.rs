//! The System V 使用案例 of the shared-memory notes (seed 003: `shmwrite.cpp` and
//! `shmread.cpp`, `sysv_shmwrite` / `sysv_shmread` in the lecture notes): one
//! `struct student { char name[32]; int age; }` (36 bytes) in the segment of key 1234.
//!
//! `write`, the seed's steps:
//! 1. `shmget((key_t)1234, sizeof(student), 0666|IPC_CREAT)`
//! 2. `shmat`
//! 3. `strcpy(name, "hello"); age = 20;`
//! 4. wait until `name` starts with `quit` (the reader's answer)
//! 5. `shmdt`, `shmctl(IPC_RMID)`
//!
//! `read`:
//! 1. `shmget((key_t)1234, 0, 0)` (size 0: the segment that is there)
//! 2. `shmat`
//! 3. print `student name: hello, age: 20`
//! 4. `memcpy(shared, "quit", 4)`: four bytes, no NUL (`name` becomes `quito`)
//! 5. `shmdt`
//!
//! **The lesson of step 4.** The seed's writer spins on `memcmp(shared->name, "quit", 4)`
//! over plain memory: a data race, which C leaves undefined. At `-O2` gcc sees no write to
//! `name` inside the loop, loads it once, and the loop never ends: the writer spins at 100%
//! CPU for ever and never removes its segment (hazard 4). ipclab's writer loads the first
//! four bytes with an atomic Acquire load and naps between looks; its reader stores `quit`
//! with one Release store, after its print. `ipclab sysv-student --explain` says this.
//!
//! Also fixed: the segment is created `IPC_EXCL` (one already under the key is explained,
//! never adopted) and 0600 (`--mode 666` is the seed's); the writer removes it on Ctrl-C,
//! SIGTERM or SIGHUP too; the reader waits for the writer's last store (`age`) instead of
//! racing it, and refuses a segment that is too small or another user's.

use crate::error::{check_interrupted, SysContext};
use crate::layout::{STUDENT_AGE, STUDENT_KEY, STUDENT_SIZE};
use crate::objects::sysv::{self as segment};
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::sys::ipc::{self, Key};
use crate::sys::region::Access;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// `quit` as the first four bytes of `name`, read as one native-endian word.
const QUIT: i32 = i32::from_ne_bytes(*b"quit");

// `ipclab sysv-student write|read`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Example: ipclab sysv-student write   (then `ipclab sysv-student read` in another terminal)"
)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
    /// Say why the seed's writer hangs when compiled with -O2
    #[arg(long)]
    pub explain: bool,
}

// The two sides. (A comment: a doc comment would replace the applet's about.)
#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// shmwrite.cpp: create the segment, store "hello", 20, wait for the reader's "quit"
    Write {
        /// The key: decimal like the seed's 1234, or hex like 0x4d2
        #[arg(long, default_value = "1234", value_parser = parse_key)]
        key: Key,
        /// Permissions of the segment, octal (the seed uses 666)
        #[arg(long, default_value = "600", value_parser = crate::units::mode)]
        mode: u32,
        /// How long to wait for the reader (0: until Ctrl-C, as the seed)
        #[arg(long, allow_hyphen_values = true, default_value = "0", value_parser = crate::units::duration)]
        timeout: Duration,
    },
    /// shmread.cpp: print the student, answer "quit"
    Read {
        /// The key: decimal like the seed's 1234, or hex like 0x4d2
        #[arg(long, default_value = "1234", value_parser = parse_key)]
        key: Key,
        /// How long to wait for the writer's segment and its data
        #[arg(long, allow_hyphen_values = true, default_value = "10s", value_parser = crate::units::duration)]
        timeout: Duration,
        #[command(flatten)]
        trust: TrustArgs,
    },
}

/// A key in decimal (`1234`, as the seed writes it) or hex (`0x4d2`).
fn parse_key(s: &str) -> Result<Key, String> {
    let t = s.trim();
    let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16),
        None => t.parse::<i64>(),
    };
    match v {
        Ok(0) => Err("key 0 is IPC_PRIVATE, which always makes a new private segment: give 1234 or another key".into()),
        Ok(k) if (1..=i64::from(u32::MAX)).contains(&k) => Ok(k as u32 as Key),
        _ => Err(format!("'{s}' is not a key: give a number like 1234 or 0x4d2")),
    }
}

const EXPLAIN: &str = "\
Why the seed's shmwrite hangs at -O2

  while (true) { if (memcmp(shared->name, \"quit\", 4) == 0) break; }

Nothing inside the loop writes shared->name, and nothing tells the compiler that another
process may. Two threads of execution touching the same bytes without synchronisation is a
data race, which C leaves undefined, so gcc -O2 may load the four bytes once, before the
loop, and compare the same register for ever. The reader's \"quit\" never reaches the loop:
the writer spins at 100% CPU and never gets to shmdt and IPC_RMID (hazard 4 of the notes).

The cure is to make the other process's write visible: a volatile or, properly, an atomic
load (C11 atomic_load_explicit(..., memory_order_acquire)); better still, a semaphore, so
that the writer sleeps instead of spinning. ipclab's writer reads the four bytes with an
atomic Acquire load and naps between looks; its reader writes them with one Release store.

Try it: gcc -O0 and gcc -O2 builds of the seed's shmwrite, each with `ipclab sysv-student
read` (or the seed's shmread) as the reader; `ipclab check` grades your own.";

/// Run the chosen side.
pub fn run(args: Args) -> Result<()> {
    match args.cmd {
        _ if args.explain => {
            outln!("{EXPLAIN}")?;
            Ok(())
        }
        Some(Cmd::Write { key, mode, timeout }) => write(key, mode, timeout),
        Some(Cmd::Read { key, timeout, trust }) => read(key, timeout, trust),
        None => Err(crate::error::usage(
            "say which side: `ipclab sysv-student write` or `ipclab sysv-student read` (or --explain)",
        )),
    }
}

fn write(key: Key, mode: u32, timeout: Duration) -> Result<()> {
    signals::catch_termination()?;
    // Step 1: the segment (ours alone: IPC_EXCL).
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | mode as libc::c_int;
    let mut shm = segment::create(Kind::SysvShm, key, || ipc::shmget(key, STUDENT_SIZE, flags))
        .map_err(|e| match e {
            Errno::EEXIST => segment::occupied(Kind::SysvShm, key, "pass another --key"),
            e => crate::error::sys_error("shmget()", e),
        })?;
    // Step 2: attach.
    let att = ipc::shmat(shm.shm_id(), STUDENT_SIZE, Access::ReadWrite).sys("shmat()")?;
    let region = att.region();
    // Step 3: the student, age last (the reader waits for it).
    let mut name = [0u8; 32];
    name[..5].copy_from_slice(b"hello");
    region.write(0, &name);
    region.atomic_i32(STUDENT_AGE).store(20, Ordering::Release);
    // Step 4: wait for "quit", with an atomic load (see the module's lesson).
    out::note(format_args!(
        "waiting for the reader's \"quit\" (`ipclab sysv-student read{}`)",
        if key == STUDENT_KEY {
            String::new()
        } else {
            format!(" --key {key}")
        }
    ));
    let word = region.atomic_i32(0);
    let start = Instant::now();
    while word.load(Ordering::Acquire) != QUIT {
        check_interrupted()?;
        if !timeout.is_zero() && start.elapsed() > timeout {
            return Err(anyhow!(
                "no reader answered \"quit\" within {}: the segment is removed",
                crate::units::show(timeout)
            ));
        }
        crate::process::nap(Duration::from_millis(5))?;
    }
    // Step 5: detach and remove.
    att.detach().sys("shmdt()")?;
    let shmid = shm.id();
    shm.remove()
        .sys(format_args!("shmctl({shmid}, IPC_RMID)"))?;
    Ok(())
}

fn read(key: Key, timeout: Duration, trust: TrustArgs) -> Result<()> {
    signals::catch_termination()?;
    // Step 1: the segment that is there (size 0: whatever its size).
    let start = Instant::now();
    let shmid = loop {
        match ipc::shmget(key, 0, 0) {
            Ok(id) => break id,
            Err(Errno::ENOENT) if start.elapsed() < timeout => {
                crate::process::nap(Duration::from_millis(10))?
            }
            Err(e) => {
                return Err(segment::explain_with(
                    "shmget()",
                    key,
                    e,
                    "start the writer first (`ipclab sysv-student write` creates it)",
                ))
            }
        }
    };
    trust::check_sysv(Kind::SysvShm, key, shmid, trust)?;
    let size = ipc::shm_stat(shmid).sys("shmctl(IPC_STAT)")?.size;
    if size < STUDENT_SIZE {
        return Err(anyhow!(
            "the segment of key {key} (shmid {shmid}) is {size} bytes, smaller than struct student ({STUDENT_SIZE}): it belongs to another program"
        ));
    }
    // Step 2: attach.
    let att = ipc::shmat(shmid, STUDENT_SIZE, Access::ReadWrite)
        .map_err(|e| segment::explain("shmat()", key, e))?;
    let region = att.region();
    // Step 3: print, once the writer's last store (age) is there.
    let age = region.atomic_i32(STUDENT_AGE);
    while age.load(Ordering::Acquire) == 0 && start.elapsed() < timeout {
        crate::process::nap(Duration::from_millis(1))?;
    }
    let name = region.c_string(0, 32);
    let mut line = b"student name: ".to_vec();
    line.extend_from_slice(&name);
    line.extend_from_slice(format!(", age: {}\n", age.load(Ordering::Acquire)).as_bytes());
    out::bytes(&line)?;
    // Step 4: answer, four bytes in one store.
    region.atomic_i32(0).store(QUIT, Ordering::Release);
    // Step 5: detach.
    att.detach().sys("shmdt()")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(parse_key("1234").unwrap(), 1234);
        assert_eq!(parse_key("0x4d2").unwrap(), 1234);
        assert!(parse_key("0").is_err() && parse_key("x").is_err() && parse_key("-3").is_err());
    }
}
