//! Handing the one-message buffer between shmwrite and shmread, two ways (`--sync`):
//!
//! - `flag` (default, the slide's protocol, and the one that talks to the C programs): the
//!   `written` field at offset 0. The writer waits while it is 1, fills `mtext`, sets it to 1;
//!   the reader waits while it is 0, prints, sets it to 0. Both poll every `--interval`
//!   (the slide's `sleep(1)`). ipclab reads the flag with Acquire and writes it with Release,
//!   so the text written before `written = 1` is visible to the reader that sees the 1 (the
//!   C program's plain `int` promises nothing: "not reliable", says the slide).
//! - `sem`: a System V set of two semaphores made by shmcon under the same key:
//!   `EMPTY` (starts at 1) and `FULL` (starts at 0). Writer: P(EMPTY) … V(FULL); reader:
//!   P(FULL) … V(EMPTY). Nobody polls; each side sleeps in the kernel until its turn.

use crate::error::{restart, sys_error};
use crate::layout::WRITTEN;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::{sysvipc, Kind};
use crate::sys::ipc::{self, Key, SemOp};
use crate::sys::region::Region;
use crate::sys::Errno;
use anyhow::{anyhow, Result};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Semaphore 0 of the set: the buffer is free for the writer.
pub const EMPTY: u16 = 0;
/// Semaphore 1 of the set: the buffer holds a message for the reader.
pub const FULL: u16 = 1;

/// How reader and writer take turns.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// The slide's `written` flag, polled (talks to the C programs)
    #[default]
    Flag,
    /// A System V semaphore pair, no polling
    Sem,
}

// `--sync` and `--interval`, shared by shmcon, shmread and shmwrite.
#[derive(clap::Args, Debug, Clone)]
pub struct SyncArgs {
    /// How reader and writer take turns
    #[arg(long, value_enum, default_value_t = SyncMode::Flag)]
    pub sync: SyncMode,
    /// How often the flag is polled (the slide's sleep(1)); e.g. 10ms, 1s
    #[arg(long, allow_hyphen_values = true, default_value = "1s", env = crate::env::INTERVAL, value_parser = crate::units::interval)]
    pub interval: Duration,
}

impl SyncArgs {
    /// The arguments to forward to an exec'd child (only those that differ from the default).
    pub fn forward(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.sync != SyncMode::Flag {
            v.extend(["--sync".to_string(), "sem".to_string()]);
        }
        if self.interval != Duration::from_secs(1) {
            v.extend(["--interval".to_string(), crate::units::show(self.interval)]);
        }
        v
    }
}

/// One side's handle on the protocol.
#[derive(Debug)]
pub enum Handoff {
    /// Polling `written`; `shmid` is watched so a peer that attached and then vanished (its
    /// process ended) ends the wait instead of a poll that never ends.
    Flag {
        interval: Duration,
        shmid: ipc::ShmId,
        most: std::cell::Cell<u64>,
    },
    Sem {
        semid: ipc::SemId,
        /// Keeps `clean` off the set while this side runs.
        _using: crate::objects::registry::Entry,
    },
}

impl Handoff {
    /// Open the protocol for the segment of `key` (for `sem`, its semaphore set).
    pub fn open(args: &SyncArgs, key: Key, shmid: ipc::ShmId, trust: TrustArgs) -> Result<Self> {
        match args.sync {
            SyncMode::Flag => Ok(Handoff::Flag {
                interval: args.interval,
                shmid,
                most: std::cell::Cell::new(0),
            }),
            SyncMode::Sem => match ipc::semget(key, 2, 0) {
                Ok(semid) => {
                    trust::check_sysv(Kind::SysvSem, key, semid, trust)?;
                    let using = crate::objects::registry::Entry::using(Kind::SysvSem, Some(key), i64::from(semid.0), None);
                    Ok(Handoff::Sem {
                        semid,
                        _using: using,
                    })
                }
                Err(Errno::ENOENT) => Err(anyhow!(
                    "semget(): no semaphore set has key {:x}: --sync sem needs the one `ipclab shmcon --sync sem` creates",
                    key as u32
                )),
                Err(e) => Err(sys_error("semget()", e)),
            },
        }
    }

    /// Poll `written` until `ready` holds (the slide's `while (...) sleep(1);`), ending on
    /// a termination signal, when the other side, once attached, has detached, or when the
    /// segment is marked for removal (its controller ended: the demo is over).
    fn wait_flag(&self, region: &Region<'_>, ready: fn(i32) -> bool, other: &str) -> Result<()> {
        let Handoff::Flag {
            interval,
            shmid,
            most,
        } = self
        else {
            return Ok(());
        };
        let flag = region.atomic_i32(WRITTEN);
        loop {
            if ready(flag.load(Ordering::Acquire)) {
                return Ok(());
            }
            let entry = sysvipc::shm_by_id(shmid.0).ok().flatten();
            let nattch = entry.as_ref().map_or(0, |e| e.nattch);
            most.set(most.get().max(nattch));
            // Gone: but a writer may have published its last message and then left (the
            // `end` and the exit race our look), so look at the flag once more first.
            let removed = entry
                .as_ref()
                .is_none_or(|e| e.perms & sysvipc::SHM_DEST != 0);
            if (removed || nattch < most.get()) && !ready(flag.load(Ordering::Acquire)) {
                return Err(Self::left(*shmid, entry.as_ref(), other));
            }
            crate::process::nap(*interval)?;
        }
    }

    /// Why the wait ends, said from what the kernel shows: a segment marked for removal
    /// (the controller ended, or `ipclab clean`), or who detached last (lpid) and whether
    /// that process still runs.
    fn left(shmid: ipc::ShmId, entry: Option<&sysvipc::ShmEntry>, other: &str) -> anyhow::Error {
        match entry {
            Some(e) if e.perms & sysvipc::SHM_DEST == 0 => {
                let alive = std::path::Path::new(&format!("/proc/{}", e.lpid)).exists();
                let who = match alive {
                    true => format!("pid {} detached (it still runs)", e.lpid),
                    false => format!("the {other} detached (its process ended)"),
                };
                anyhow!("{who} from segment {shmid} while this side waited for the {other}: stopping")
            }
            _ => anyhow!(
                "segment {shmid} was removed (IPC_RMID: its controller ended, or `ipclab clean`) while this side waited for the {other}: stopping"
            ),
        }
    }

    fn sem(semid: ipc::SemId, num: u16, op: i16) -> Result<()> {
        let ops = [SemOp {
            num,
            op,
            undo: false,
            ..Default::default()
        }];
        restart(|| ipc::semop(semid, &ops))?.map_err(|e| match e {
            Errno::EIDRM | Errno::EINVAL => {
                anyhow!("semop(): the semaphore set was removed (the controller ended)")
            }
            e => sys_error("semop()", e),
        })
    }

    /// Writer: wait until the buffer may be written.
    pub fn wait_writable(&self, region: &Region<'_>) -> Result<()> {
        match self {
            Handoff::Flag { .. } => self.wait_flag(region, |w| w == 0, "reader"),
            Handoff::Sem { semid, .. } => Self::sem(*semid, EMPTY, -1),
        }
    }

    /// Writer: the message is in `mtext`; hand it over.
    pub fn publish(&self, region: &Region<'_>) -> Result<()> {
        crate::process::jitter();
        region.atomic_i32(WRITTEN).store(1, Ordering::Release);
        if let Handoff::Flag { shmid, .. } = self {
            // Not a system call, so --trace has no line for it; a timeline draws it.
            let op = crate::sys::event::Op::FlagSet { shmid: shmid.0 };
            crate::trace::mark(op, &format!("written = 1 in shm {shmid}"));
        }
        match self {
            Handoff::Flag { .. } => Ok(()),
            Handoff::Sem { semid, .. } => Self::sem(*semid, FULL, 1),
        }
    }

    /// Reader: wait until a message is there.
    pub fn wait_readable(&self, region: &Region<'_>) -> Result<()> {
        match self {
            Handoff::Flag { shmid, .. } => {
                self.wait_flag(region, |w| w != 0, "writer")?;
                let op = crate::sys::event::Op::FlagSeen { shmid: shmid.0 };
                crate::trace::mark(op, &format!("saw written == 1 in shm {shmid}"));
                Ok(())
            }
            Handoff::Sem { semid, .. } => Self::sem(*semid, FULL, -1),
        }
    }

    /// Reader: done with the message; give the buffer back.
    pub fn release(&self, region: &Region<'_>) -> Result<()> {
        crate::process::jitter();
        region.atomic_i32(WRITTEN).store(0, Ordering::Release);
        match self {
            Handoff::Flag { .. } => Ok(()),
            Handoff::Sem { semid, .. } => Self::sem(*semid, EMPTY, 1),
        }
    }
}
