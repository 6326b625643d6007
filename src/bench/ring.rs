//! The shared-memory ring of `posix-shm` and `mmap-file`: one ring per direction, a
//! [`RingHeader`](crate::layout::RingHeader) (the writer's `head`, the reader's `tail`,
//! each on its own cache line with its futex-waiter count), then the slots. The writer
//! waits while the ring is full, the reader while it is empty, spinning or in futex(2).

use super::endpoints::{peer_gone, Endpoint};
use crate::layout::{RING_HEAD, RING_HEADER, RING_HEAD_WAITERS, RING_TAIL, RING_TAIL_WAITERS};
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

/// Slots per ring for messages of `size` bytes: about 4 MiB, 4 to 1024 slots.
pub fn slots_for(size: usize) -> u32 {
    ((4 << 20) / size).clamp(4, 1024) as u32
}

/// Bytes of one ring: its header and its slots.
pub fn ring_len(size: usize, slots: u32) -> usize {
    RING_HEADER + size * slots as usize
}

/// One direction's ring in a shared mapping.
pub struct Ring<'a> {
    pub region: Region<'a>,
    pub base: usize,
    pub slots: u32,
    pub size: usize,
}

impl<'a> Ring<'a> {
    fn word(&self, off: usize) -> &'a AtomicU32 {
        self.region.atomic_u32(self.base + off)
    }

    fn slot(&self, i: u32) -> usize {
        self.base + RING_HEADER + (i % self.slots) as usize * self.size
    }

    /// Wait until `ready(counter)`, watching for a termination signal or a peer that ended.
    fn wait_until(
        &self,
        counter: usize,
        waiters: usize,
        wait: Wait,
        ready: impl Fn(u32) -> bool,
    ) -> Result<()> {
        let c = self.word(counter);
        let mut spins = 0u32;
        loop {
            let v = c.load(Ordering::Acquire);
            if ready(v) {
                return Ok(());
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
                    let w = self.word(waiters);
                    w.fetch_add(1, Ordering::SeqCst);
                    if c.load(Ordering::SeqCst) == v {
                        futex::wait(c, v);
                    }
                    w.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
    }

    fn publish(&self, counter: usize, waiters: usize, wait: Wait, v: u32) {
        let c = self.word(counter);
        c.store(v, Ordering::SeqCst);
        if wait == Wait::Futex && self.word(waiters).load(Ordering::SeqCst) > 0 {
            futex::wake(c, 1);
        }
    }

    /// The writer: wait for a free slot, copy in, move `head`.
    fn put(&self, buf: &[u8], wait: Wait) -> Result<()> {
        let head = self.word(RING_HEAD).load(Ordering::Relaxed);
        let slots = self.slots;
        self.wait_until(RING_TAIL, RING_TAIL_WAITERS, wait, |tail| {
            head.wrapping_sub(tail) < slots
        })?;
        self.region.write(self.slot(head), buf);
        self.publish(RING_HEAD, RING_HEAD_WAITERS, wait, head.wrapping_add(1));
        Ok(())
    }

    /// The reader: wait for a full slot, copy out, move `tail`.
    fn take(&self, buf: &mut [u8], wait: Wait) -> Result<()> {
        let tail = self.word(RING_TAIL).load(Ordering::Relaxed);
        self.wait_until(RING_HEAD, RING_HEAD_WAITERS, wait, |head| head != tail)?;
        self.region.read_into(self.slot(tail), buf);
        self.publish(RING_TAIL, RING_TAIL_WAITERS, wait, tail.wrapping_add(1));
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
