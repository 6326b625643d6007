//! The slides' bounded buffer ("Producer-Consumer Problem with Shared-memory"): a circular
//! array `buffer[BUFFER_SIZE]` with `in` (next free slot) and `out` (first full slot), in a
//! POSIX shared-memory object. Empty when `in == out`; full when `(in + 1) % BUFFER_SIZE ==
//! out`, so it holds at most BUFFER_SIZE-1 items, as the slide says.
//!
//! `--sync spin` is the slide's busy-wait (`while (((in + 1) % BUFFER_SIZE) == out) ;`),
//! with atomics (Acquire loads, Release stores, so the item written before `in` moves is the
//! item the consumer reads) and a `sched_yield` in the loop. `--sync sem` blocks instead on
//! two process-shared semaphores: `empty` (starts at BUFFER_SIZE-1) and `full` (starts at 0).
//!
//! Every item is 64 bytes: a sequence number, a checksum and 48 payload bytes derived from
//! the sequence number. The consumer checks each one, so a missing, repeated, out-of-order or
//! torn item is an error (exit 1), not a silently wrong count.
//!
//! Layout of the object (offsets in bytes):
//!
//! | offset | field |
//! |---|---|
//! | 0 | magic (`RING` once initialised) |
//! | 4 | BUFFER_SIZE |
//! | 8 | sync (0 spin, 1 sem) |
//! | 12 | largest fill level the producer saw |
//! | 16 | the two sides' pids and start times ([`super::peer`]) |
//! | 64 | `in` (own cache line) |
//! | 128 | `out` (own cache line) |
//! | 192 | `empty` semaphore, 224 `full` semaphore |
//! | 256 | the slots |

use super::peer::{Peers, Role, PEERS_LEN};
use crate::error::{check_interrupted, restart_until, SysContext};
use crate::sys::psem::PSem;
use crate::sys::region::Region;
use anyhow::{anyhow, Result};
use std::sync::atomic::Ordering;

const MAGIC: u32 = u32::from_le_bytes(*b"RING");
const OFF_MAGIC: usize = 0;
const OFF_SIZE: usize = 4;
const OFF_SYNC: usize = 8;
const OFF_MAXFILL: usize = 12;
const OFF_PEERS: usize = 16;
const _: () = assert!(OFF_PEERS + PEERS_LEN <= OFF_IN);
const OFF_IN: usize = 64;
const OFF_OUT: usize = 128;
const OFF_EMPTY: usize = 192;
const OFF_FULL: usize = 224;
const OFF_SLOTS: usize = 256;
/// Bytes before the first slot: what a side maps to read the buffer's options.
pub const HEADER: usize = OFF_SLOTS;
/// Bytes per item.
pub const ITEM: usize = 64;

/// What a side just did, for `--show` ([`super::ring_show`]): the indices as it saw them.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// It is about to wait: the buffer is full (producer) or empty (consumer).
    Waits { producer: bool, inp: u32, out: u32 },
    /// It put (producer) or took (consumer) item `item`.
    Moved {
        producer: bool,
        item: u64,
        inp: u32,
        out: u32,
    },
}

/// Told of every step; it may print, or sleep (`--delay`), or fail.
pub type Observer<'o> = &'o mut dyn FnMut(Step) -> Result<()>;

/// Size of the object for `slots` slots.
pub fn object_size(slots: u32) -> usize {
    OFF_SLOTS + slots as usize * ITEM
}

/// The ring over a mapped object.
pub struct Ring<'a> {
    region: Region<'a>,
    n: u32,
    sync: RingSync,
    peers: Option<Peers<'a>>,
}

fn item(seq: u64) -> [u8; ITEM] {
    let mut b = [0u8; ITEM];
    b[..8].copy_from_slice(&seq.to_le_bytes());
    b[8..16].copy_from_slice(&checksum(seq).to_le_bytes());
    for (i, x) in b[16..].iter_mut().enumerate() {
        *x = (seq as u8).wrapping_add(i as u8);
    }
    b
}

fn checksum(seq: u64) -> u64 {
    seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xA5A5_A5A5_A5A5_A5A5
}

impl<'a> Ring<'a> {
    /// Set up a fresh ring in `region` (the creator does this once, before anyone else uses it).
    pub fn init(region: Region<'a>, n: u32, sync: RingSync) -> Result<Self> {
        if region.len() < object_size(n) {
            return Err(anyhow!("the object is too small for {n} slots"));
        }
        region.atomic_u32(OFF_SIZE).store(n, Ordering::Relaxed);
        region
            .atomic_u32(OFF_SYNC)
            .store(sync as u32, Ordering::Relaxed);
        region.atomic_u32(OFF_MAXFILL).store(0, Ordering::Relaxed);
        region.atomic_u32(OFF_IN).store(0, Ordering::Relaxed);
        region.atomic_u32(OFF_OUT).store(0, Ordering::Relaxed);
        Peers::reset(region, OFF_PEERS);
        PSem::at(region, OFF_EMPTY).init(n - 1)?;
        PSem::at(region, OFF_FULL).init(0)?;
        region.atomic_u32(OFF_MAGIC).store(MAGIC, Ordering::Release);
        Ok(Ring {
            region,
            n,
            sync,
            peers: None,
        })
    }

    /// The other side's options (BUFFER_SIZE, sync), which must be ours.
    pub fn check_options(region: &Region<'_>, n: u32, sync: RingSync) -> Result<()> {
        let got_n = region.load_u32(OFF_SIZE);
        let got_sync = region.load_u32(OFF_SYNC);
        if got_n != n || got_sync != sync as u32 {
            return Err(anyhow!(
                "the other side set the buffer up with --buffer-size {got_n} --sync {}: give both sides the same options",
                if got_sync == 1 { "sem" } else { "spin" }
            ));
        }
        Ok(())
    }

    /// Is the ring in `region` initialised?
    pub fn ready(region: &Region<'_>) -> bool {
        region.len() >= OFF_SLOTS && region.load_u32(OFF_MAGIC) == MAGIC
    }

    /// Use a ring another process initialised, checking it matches what we were told.
    pub fn open(region: Region<'a>, n: u32, sync: RingSync) -> Result<Self> {
        if !Self::ready(&region) {
            return Err(anyhow!("the object holds no bounded buffer"));
        }
        Self::check_options(&region, n, sync)?;
        if region.len() < object_size(n) {
            return Err(anyhow!("the object is smaller than {n} slots need"));
        }
        Ok(Ring {
            region,
            n,
            sync,
            peers: None,
        })
    }

    fn slot(&self, i: u32) -> usize {
        OFF_SLOTS + i as usize * ITEM
    }

    /// The largest fill level the producer saw.
    pub fn max_fill(&self) -> u32 {
        self.region.load_u32(OFF_MAXFILL)
    }

    /// Take part as `role`: the other side's death, or its not coming within `timeout`,
    /// then ends a wait with an error instead of a hang.
    /// Take part as `role` (see [`Peers::join`]).
    pub fn join(&mut self, role: Role, timeout: std::time::Duration, name: &str, quiet: bool) {
        self.peers = Some(Peers::join(
            self.region,
            OFF_PEERS,
            role,
            timeout,
            name,
            quiet,
        ));
    }

    /// Register `run` as `role` in the ring's header, for a program that does not join by
    /// itself (a student's C side under `ipclab check`): the other side then notices its end.
    pub fn register(region: Region<'_>, role: Role, run: crate::objects::registry::Run) {
        Peers::register(region, OFF_PEERS, role, run);
    }

    fn look_around(&self, item: u64) -> Result<()> {
        check_interrupted()?;
        self.peers.as_ref().map_or(Ok(()), |p| p.check(item))
    }

    /// The slide's busy-wait, looking around every 4096 turns.
    fn spin_until(&self, item: u64, mut ready: impl FnMut() -> bool) -> Result<()> {
        let mut spins = 0u32;
        while !ready() {
            spins = spins.wrapping_add(1);
            if spins % 4096 == 0 {
                self.look_around(item)?;
            }
            std::thread::yield_now();
        }
        Ok(())
    }

    /// P on a semaphore, looking around every 100 ms while blocked.
    fn sem_wait(&self, sem: &PSem<'_>, item: u64) -> Result<()> {
        let slice = std::time::Duration::from_millis(100);
        loop {
            let taken = restart_until(|| sem.wait_timeout(slice), || self.look_around(item).err())?
                .sys("sem_timedwait()")?;
            if taken {
                return Ok(());
            }
            self.look_around(item)?;
        }
    }

    /// Producer: put items 0..count into the buffer. `before_last` runs just before the last
    /// item is published (the producer prints its line there, so it always comes before the
    /// consumer's summary in a shared transcript).
    pub fn produce(
        &self,
        count: u64,
        before_last: impl FnOnce() -> Result<()>,
        seen: Observer,
    ) -> Result<()> {
        let mut before_last = Some(before_last);
        let inp = self.region.atomic_u32(OFF_IN);
        let out = self.region.atomic_u32(OFF_OUT);
        let empty = PSem::at(self.region, OFF_EMPTY);
        let full = PSem::at(self.region, OFF_FULL);
        let n = self.n;
        let mut max_fill = 0;
        let mut said = Ok(());
        for seq in 0..count {
            // A blocked sem_wait returns EINTR on a signal; an unblocked loop must look.
            if seq % 1024 == 0 {
                check_interrupted()?;
            }
            crate::process::jitter_now_and_then();
            let i = inp.load(Ordering::Relaxed);
            let o = out.load(Ordering::Acquire);
            if (i + 1) % n == o {
                seen(Step::Waits {
                    producer: true,
                    inp: i,
                    out: o,
                })?;
            }
            match self.sync {
                // while (((in + 1) % BUFFER_SIZE) == out) ; /* buffer full, do nothing */
                RingSync::Spin => {
                    self.spin_until(seq, || (i + 1) % n != out.load(Ordering::Acquire))?
                }
                RingSync::Sem => self.sem_wait(&empty, seq)?,
            }
            // buffer[in] = next_produced; in = (in + 1) % BUFFER_SIZE;
            self.region.write(self.slot(i), &item(seq));
            if seq + 1 == count {
                if let Some(f) = before_last.take() {
                    // Publish the last item even if saying so failed (stdout closed):
                    // the consumer is waiting for it.
                    said = f();
                }
            }
            let next = (i + 1) % n;
            inp.store(next, Ordering::Release);
            let fill = (next + n - out.load(Ordering::Relaxed)) % n;
            if fill > max_fill {
                max_fill = fill;
                self.region
                    .atomic_u32(OFF_MAXFILL)
                    .store(max_fill, Ordering::Relaxed);
            }
            if self.sync == RingSync::Sem {
                full.post().sys("sem_post()")?;
            }
            let o = out.load(Ordering::Relaxed);
            seen(Step::Moved {
                producer: true,
                item: seq,
                inp: next,
                out: o,
            })?;
        }
        said
    }

    /// Consumer: take `count` items, checking each arrives once and in order.
    pub fn consume(&self, count: u64, seen: Observer) -> Result<()> {
        let inp = self.region.atomic_u32(OFF_IN);
        let out = self.region.atomic_u32(OFF_OUT);
        let empty = PSem::at(self.region, OFF_EMPTY);
        let full = PSem::at(self.region, OFF_FULL);
        let n = self.n;
        for expected in 0..count {
            if expected % 1024 == 0 {
                check_interrupted()?;
            }
            crate::process::jitter_now_and_then();
            let o = out.load(Ordering::Relaxed);
            let i = inp.load(Ordering::Acquire);
            if i == o {
                seen(Step::Waits {
                    producer: false,
                    inp: i,
                    out: o,
                })?;
            }
            match self.sync {
                // while (in == out) ; /* buffer empty, do nothing */
                RingSync::Spin => self.spin_until(expected, || inp.load(Ordering::Acquire) != o)?,
                RingSync::Sem => self.sem_wait(&full, expected)?,
            }
            // next_consumed = buffer[out]; out = (out + 1) % BUFFER_SIZE;
            let mut got = [0u8; ITEM];
            self.region.read_into(self.slot(o), &mut got);
            out.store((o + 1) % n, Ordering::Release);
            if self.sync == RingSync::Sem {
                empty.post().sys("sem_post()")?;
            }
            check(&got, expected)?;
            let (i, o) = (inp.load(Ordering::Acquire), (o + 1) % n);
            seen(Step::Moved {
                producer: false,
                item: expected,
                inp: i,
                out: o,
            })?;
        }
        Ok(())
    }
}

fn check(got: &[u8], expected: u64) -> Result<()> {
    let mut w = [0u8; 8];
    w.copy_from_slice(&got[..8]);
    let seq = u64::from_le_bytes(w);
    if got != item(seq) {
        return Err(anyhow!(
            "item {expected}: the slot holds a torn or corrupted item (sequence {seq}, checksum wrong)"
        ));
    }
    match seq.cmp(&expected) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(anyhow!(
            "item {expected} is missing: item {seq} arrived in its place"
        )),
        std::cmp::Ordering::Less => Err(anyhow!(
            "item {seq} arrived again (or out of order) where item {expected} was expected"
        )),
    }
}

pub use super::ring_args::RingSync;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_check() {
        assert!(check(&item(7), 7).is_ok());
        assert!(check(&item(8), 7)
            .unwrap_err()
            .to_string()
            .contains("missing"));
        assert!(check(&item(6), 7)
            .unwrap_err()
            .to_string()
            .contains("again"));
        let mut torn = item(7);
        torn[40] ^= 1;
        assert!(check(&torn, 7).unwrap_err().to_string().contains("torn"));
    }
}
