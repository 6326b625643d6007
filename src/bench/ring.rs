//! The shared-memory ring of `posix-shm` and `mmap-file`: one ring per direction, a
//! [`RingHeader`](crate::layout::RingHeader) (the writer's `head`, the reader's `tail`,
//! each on its own cache line with its futex-waiter count), then the slots, each starting
//! on a cache line. The writer waits while the ring is full, the reader while it is empty,
//! spinning or in futex(2).
//!
//! How many slots: for latency (ping-pong) one hot slot, shared by both directions from
//! 4 KiB up and one per direction below, so a round trip touches the same few hot lines
//! every time (as the fastest C ping-pongs do);
//! for throughput as many as fit half the L2 cache (read from sysfs; `--ring-bytes`
//! overrides), at least 4 and at most 1024: big enough that the writer rarely waits, small
//! enough that the lines stay in cache between the writer's store and the reader's load.

use super::endpoints::{peer_gone, Endpoint};
use crate::layout::{
    HOT_SLOT_DATA, HOT_SLOT_SEQ, HOT_SLOT_WAITERS, RING_HEAD, RING_HEADER, RING_HEAD_WAITERS,
    RING_TAIL, RING_TAIL_WAITERS,
};
use crate::sys::futex;
use crate::sys::region::Region;
use anyhow::Result;
use std::sync::atomic::{AtomicU32, Ordering};

/// How a ring's reader and writer wait.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wait {
    /// Busy-wait (with a spin-loop hint): lowest latency, burns a CPU
    #[default]
    Spin,
    /// Sleep in futex(2) when there is nothing to do
    Futex,
}

/// How the shared memory of posix-shm and mmap-file is laid out, per direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One hot slot (latency).
    HotSlot,
    /// A ring of this many slots (throughput).
    Ring(u32),
}

impl Shape {
    /// Bytes per direction for messages of `size` (a multiple of 64).
    pub fn len(self, size: usize) -> usize {
        match self {
            Shape::HotSlot => hot_slot_len(size),
            Shape::Ring(slots) => ring_len(size, slots),
        }
    }
}

/// Bytes from one slot to the next: the message, rounded up to whole cache lines.
pub fn stride(size: usize) -> usize {
    size.next_multiple_of(64)
}

/// Bytes of one ring: its header and its slots (a multiple of 64: the next ring starts on
/// a cache line too).
pub fn ring_len(size: usize, slots: u32) -> usize {
    RING_HEADER + stride(size) * slots as usize
}

/// Slots of a throughput ring of about `bytes` for messages of `size`: 4 to 1024.
pub fn slots_in(bytes: usize, size: usize) -> u32 {
    (bytes / stride(size)).clamp(4, 1024) as u32
}

/// The bytes per direction of a throughput ring when `--ring-bytes` is not given, and why:
/// half the L2 cache of CPU `cpu` (where the receiver runs), from sysfs.
pub fn default_ring_bytes(cpu: usize) -> (usize, String) {
    let dir = format!("/sys/devices/system/cpu/cpu{cpu}/cache");
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let l2 = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|e| {
            let p = e.path();
            (read(p.join("level")).trim() == "2" && read(p.join("type")).trim() != "Instruction")
                .then(|| crate::units::size(read(p.join("size")).trim()).ok())
                .flatten()
        });
    match l2 {
        Some(l2) => (
            l2 / 2,
            format!(
                "half the {} L2 cache of cpu{cpu}",
                crate::units::size_name(l2)
            ),
        ),
        None => (512 << 10, "no L2 size in sysfs: 512K".to_string()),
    }
}

/// A shared counter and the number of futex waiters beside it.
#[derive(Clone, Copy)]
struct Counter<'a> {
    value: &'a AtomicU32,
    waiters: &'a AtomicU32,
}

impl<'a> Counter<'a> {
    fn at(region: Region<'a>, value: usize, waiters: usize) -> Counter<'a> {
        Counter {
            value: region.atomic_u32(value),
            waiters: region.atomic_u32(waiters),
        }
    }

    /// Wait until `ready(value)`, spinning or in futex(2), watching every so often for a
    /// termination signal or a peer that ended. The value seen is returned.
    fn wait_until(self, wait: Wait, ready: impl Fn(u32) -> bool) -> Result<u32> {
        let mut spins = 0u32;
        loop {
            let v = self.value.load(Ordering::Acquire);
            if ready(v) {
                return Ok(v);
            }
            let look = match wait {
                Wait::Spin => {
                    spins = spins.wrapping_add(1);
                    spins % 4096 == 0
                }
                Wait::Futex => true,
            };
            if look {
                crate::error::check_interrupted()?;
                if let Some(e) = peer_gone() {
                    return Err(e);
                }
            }
            match wait {
                Wait::Spin if look => std::thread::yield_now(),
                Wait::Spin => std::hint::spin_loop(),
                Wait::Futex => {
                    self.waiters.fetch_add(1, Ordering::SeqCst);
                    if self.value.load(Ordering::SeqCst) == v {
                        futex::wait(self.value, v);
                    }
                    self.waiters.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
    }

    /// Publish `v`: a release store when spinning (the reader's acquire load pairs with
    /// it); sequentially consistent with futex, so a waiter is never missed.
    fn publish(self, wait: Wait, v: u32) {
        match wait {
            Wait::Spin => self.value.store(v, Ordering::Release),
            Wait::Futex => {
                self.value.store(v, Ordering::SeqCst);
                if self.waiters.load(Ordering::SeqCst) > 0 {
                    futex::wake(self.value, 1);
                }
            }
        }
    }
}

/// One direction's ring in a shared mapping (throughput). Each side keeps its own index and
/// a copy of the other's, reloading the shared one only when the copy says full (writer) or
/// empty (reader): the two counters' lines move between the CPUs only when they must.
pub struct Ring<'a> {
    region: Region<'a>,
    head: Counter<'a>,
    tail: Counter<'a>,
    slots_at: usize,
    slots: u32,
    stride: usize,
    /// This side's index (head for the writer, tail for the reader), and the other's as
    /// last seen.
    mine: u32,
    theirs: u32,
}

impl<'a> Ring<'a> {
    /// The ring at `base` of `region` with `slots` slots for messages of `size`.
    pub fn at(region: Region<'a>, base: usize, slots: u32, size: usize) -> Ring<'a> {
        Ring {
            region,
            head: Counter::at(region, base + RING_HEAD, base + RING_HEAD_WAITERS),
            tail: Counter::at(region, base + RING_TAIL, base + RING_TAIL_WAITERS),
            slots_at: base + RING_HEADER,
            slots,
            stride: stride(size),
            mine: 0,
            theirs: 0,
        }
    }

    fn slot(&self, i: u32) -> usize {
        self.slots_at + (i % self.slots) as usize * self.stride
    }

    /// The writer: wait for a free slot, copy in, move `head`.
    fn put(&mut self, buf: &[u8], wait: Wait) -> Result<()> {
        let (head, slots) = (self.mine, self.slots);
        if head.wrapping_sub(self.theirs) >= slots {
            self.theirs = self
                .tail
                .wait_until(wait, |tail| head.wrapping_sub(tail) < slots)?;
        }
        self.region.write(self.slot(head), buf);
        self.mine = head.wrapping_add(1);
        self.head.publish(wait, self.mine);
        Ok(())
    }

    /// The reader: wait for a full slot, copy out, move `tail`.
    fn take(&mut self, buf: &mut [u8], wait: Wait) -> Result<()> {
        let tail = self.mine;
        if self.theirs == tail {
            self.theirs = self.head.wait_until(wait, |head| head != tail)?;
        }
        self.region.read_into(self.slot(tail), buf);
        self.mine = tail.wrapping_add(1);
        self.tail.publish(wait, self.mine);
        Ok(())
    }
}

/// This side's two rings: it puts into one and takes from the other.
pub struct RingPair<'a> {
    pub tx: Ring<'a>,
    pub rx: Ring<'a>,
    pub wait: Wait,
}

impl Endpoint for RingPair<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        self.tx.put(buf, self.wait)
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        self.rx.take(buf, self.wait)
    }
}

/// Bytes of the hot slot: its sequence word and futex-waiter count, then the message,
/// rounded up to whole cache lines.
pub fn hot_slot_len(size: usize) -> usize {
    (hot_slot_data(size) + size).next_multiple_of(64)
}

/// Where the message starts in a hot slot: right after the sequence word below a page (a
/// small message and its number share one cache line), on the next cache line from a page
/// up. A large copy wants its source and destination equally aligned (the message buffers
/// are 64-byte aligned: [`super::payload::buffer`]): on this machine's AMD EPYC, glibc 2.36's
/// `rep movsb` copy of 64 KiB between addresses 8 bytes apart modulo 64 took 24-34 µs one
/// way against 3.1-3.8 µs co-aligned (scripts/pingpong-layout.c).
pub fn hot_slot_data(size: usize) -> usize {
    match size >= SHARED_FROM {
        true => 64,
        false => HOT_SLOT_DATA,
    }
}

/// A hot slot (latency): the sequence number of the last message written, its waiters,
/// and the message right after them, so a small message and its sequence number share one
/// cache line. The parent writes odd numbers, the child even ones: in a ping-pong a side
/// writes only after it has read the other's message, so even one slot shared by both
/// directions (as goldsborough's shm and mmap share one buffer) is never written by both
/// at once.
pub struct HotSlot<'a> {
    region: Region<'a>,
    seq: Counter<'a>,
    data: usize,
}

impl<'a> HotSlot<'a> {
    /// The slot at `base` of `region`, for messages of `size` bytes.
    pub fn at(region: Region<'a>, base: usize, size: usize) -> HotSlot<'a> {
        HotSlot {
            region,
            seq: Counter::at(region, base + HOT_SLOT_SEQ, base + HOT_SLOT_WAITERS),
            data: base + hot_slot_data(size),
        }
    }
}

/// One side of the hot slot(s): the parent sends 1, 3, 5… and waits for 2, 4, 6…; the
/// child waits for 1, 3, 5… and answers 2, 4, 6…. `tx` and `rx` are one slot for large
/// messages and two for small ones ([`shared_hot_slot`]).
pub struct HotSlots<'a> {
    pub tx: HotSlot<'a>,
    pub rx: HotSlot<'a>,
    /// The number this side publishes next (1 for the parent, 2 for the child).
    pub next_tx: u32,
    /// The number it waits for next (2 for the parent, 1 for the child).
    pub next_rx: u32,
    pub wait: Wait,
}

/// One hot slot for both directions from this size up, one per direction below it. Two
/// slots let each side write lines the other is not reading; from a page up the shared
/// slot wins, since the reply goes into lines the replier already holds. Measured on 2
/// vCPUs, interleaved (one-way ns, two slots / one): 64 B 43-46 / 50-58; 1 KiB 53-59 /
/// 73-79; 2 KiB swings either way (68-149 / 91-136); 4 KiB 300 / 185 and 64 KiB 1860 /
/// 1390 in the comparison with goldsborough (docs/bench.md).
pub fn shared_hot_slot(size: usize) -> bool {
    size >= SHARED_FROM
}

/// See [`shared_hot_slot`].
pub const SHARED_FROM: usize = 4096;

impl Endpoint for HotSlots<'_> {
    fn send(&mut self, buf: &[u8]) -> Result<()> {
        let tx = &self.tx;
        tx.region.write(tx.data, buf);
        tx.seq.publish(self.wait, self.next_tx);
        self.next_tx = self.next_tx.wrapping_add(2);
        Ok(())
    }
    fn recv(&mut self, buf: &mut [u8]) -> Result<()> {
        let want = self.next_rx;
        self.rx.seq.wait_until(self.wait, |seq| seq == want)?;
        self.rx.region.read_into(self.rx.data, buf);
        self.next_rx = want.wrapping_add(2);
        Ok(())
    }

    /// The reply: in one shared slot, the message copied out whole and written back whole
    /// (as the C ping-pongs do), never left in place; between two slots, copied slot to
    /// slot (read once, written once), its two ends kept in `buf` for the check unless
    /// `whole`.
    fn echo(&mut self, buf: &mut [u8], whole: bool) -> Result<()> {
        if whole || buf.len() < 32 || self.tx.data == self.rx.data {
            self.recv(buf)?;
            return self.send(buf);
        }
        let want = self.next_rx;
        self.rx.seq.wait_until(self.wait, |seq| seq == want)?;
        self.next_rx = want.wrapping_add(2);
        let n = buf.len();
        let (rx, tx) = (&self.rx, &self.tx);
        rx.region.copy_within(rx.data, tx.data, n);
        rx.region.read_into(rx.data, &mut buf[..16]);
        rx.region.read_into(rx.data + n - 16, &mut buf[n - 16..]);
        tx.seq.publish(self.wait, self.next_tx);
        self.next_tx = self.next_tx.wrapping_add(2);
        Ok(())
    }
}
