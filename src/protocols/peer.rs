//! Who is on the other side of the bounded buffer, and is it still there?
//!
//! The slides' busy-wait (`while (in == out) ;`) waits for ever if the producer died: nothing
//! in the buffer says so. Each side of ipclab's ring writes its pid and the start time of
//! that pid into the ring's header when it joins; a waiting side looks, every so often,
//! whether its peer has come (within `--timeout`) and whether it is still running, and ends
//! with one line instead of hanging. (Under shmpthreadcon the controller notices too.)

use crate::objects::registry::Run;
use crate::sys::region::Region;
use anyhow::{anyhow, Result};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Which side of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Producer,
    Consumer,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        }
    }

    fn other(self) -> Role {
        match self {
            Role::Producer => Role::Consumer,
            Role::Consumer => Role::Producer,
        }
    }

    /// Offsets of this side's pid (4 bytes) and start time (8 bytes) in the header.
    fn offsets(self, base: usize) -> (usize, usize) {
        match self {
            Role::Producer => (base, base + 8),
            Role::Consumer => (base + 4, base + 16),
        }
    }
}

/// Bytes of header the two sides' entries take (from `base`).
pub const PEERS_LEN: usize = 24;

/// One side's view of the pair.
#[derive(Debug)]
pub struct Peers<'a> {
    region: Region<'a>,
    base: usize,
    me: Role,
    since: Instant,
    timeout: Duration,
    said: std::cell::Cell<bool>,
    /// The object's name as the user gave it, for hints.
    name: String,
}

impl<'a> Peers<'a> {
    /// Join as `me` (entries at `base` of the header); wait `timeout` for the other side,
    /// saying so once unless `quiet` (a controller started both sides: nobody to start).
    pub fn join(
        region: Region<'a>,
        base: usize,
        me: Role,
        timeout: Duration,
        name: &str,
        quiet: bool,
    ) -> Peers<'a> {
        Self::register(region, base, me, Run::this());
        Peers {
            region,
            base,
            me,
            since: Instant::now(),
            timeout,
            said: std::cell::Cell::new(quiet),
            name: name.trim_start_matches('/').to_string(),
        }
    }

    /// Write `run` into `me`'s entry: a side joining, or a controller (`ipclab check`)
    /// registering a program that does not join by itself.
    pub fn register(region: Region<'_>, base: usize, me: Role, run: Run) {
        let (pid, start) = me.offsets(base);
        region.atomic_u64(start).store(run.start, Ordering::Relaxed);
        region
            .atomic_u32(pid)
            .store(run.pid as u32, Ordering::Release);
    }

    /// Clear both entries (the creator, before anyone joins).
    pub fn reset(region: Region<'_>, base: usize) {
        for role in [Role::Producer, Role::Consumer] {
            let (pid, start) = role.offsets(base);
            region.atomic_u32(pid).store(0, Ordering::Relaxed);
            region.atomic_u64(start).store(0, Ordering::Relaxed);
        }
    }

    /// Err if the other side never came within the timeout, or came and is gone.
    pub fn check(&self, item: u64) -> Result<()> {
        let other = self.me.other();
        let (pid_off, start_off) = other.offsets(self.base);
        let pid = self.region.atomic_u32(pid_off).load(Ordering::Acquire) as i32;
        if pid == 0 {
            if !self.said.replace(true) {
                crate::out::note(format_args!(
                    "waiting up to {} for a {} (start `ipclab shm{} {} --items N`)",
                    crate::units::show(self.timeout),
                    other.name(),
                    other.name(),
                    crate::escape::shell(&self.name)
                ));
            }
            if self.since.elapsed() > self.timeout {
                return Err(anyhow!(
                    "no {} came within {} (item {item} of the buffer was due): start `ipclab shm{} {} --items N`, or give a longer --timeout",
                    other.name(),
                    crate::units::show(self.timeout),
                    other.name(),
                    crate::escape::shell(&self.name)
                ));
            }
            return Ok(());
        }
        let start = self.region.atomic_u64(start_off).load(Ordering::Relaxed);
        if (Run { pid, start }).alive() {
            return Ok(());
        }
        Err(anyhow!(
            "the {} (pid {pid}) ended while this {} waited for item {item}: stopping",
            other.name(),
            self.me.name()
        ))
    }
}
