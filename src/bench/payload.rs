//! What every benchmark message carries, so no mechanism can win by dropping, repeating,
//! reordering or tearing messages: its sequence number and a checksum of it at the start,
//! and the sequence number again (mixed) in its last 8 bytes, checked by the receiver: a
//! lost, repeated or reordered message has the wrong number; a message torn by a copy that
//! was overtaken has a stale start or end.
//!
//! `--verify lines` also writes and checks one byte in every 64-byte cache line. That
//! catches a tear in the middle too, but touches every line of the message a second time:
//! at 64 KiB it costs as much as a third copy, which is why it is not the default (the
//! public benchmarks ipclab is compared with check nothing).

use anyhow::{anyhow, bail, Result};

/// Bytes of the sequence number and the checksum (the smallest message).
pub const HEADER: usize = 16;

/// The sequence number that ends a run (throughput with `--duration`, latency).
pub const END: u64 = u64::MAX;

fn checksum(seq: u64, size: usize) -> u64 {
    (seq ^ size as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
}

/// How much of each message is written and checked.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verify {
    /// The sequence number and checksum at the start, the number again at the end
    #[default]
    Ends,
    /// And one byte in every 64-byte cache line
    Lines,
}

const TRAILER_MIX: u64 = 0xA5A5_5A5A_F00D_BEEF;

/// Stamp message `seq` into `buf`.
pub fn stamp(buf: &mut [u8], seq: u64, verify: Verify) {
    buf[..8].copy_from_slice(&seq.to_le_bytes());
    let sum = checksum(seq, buf.len());
    buf[8..16].copy_from_slice(&sum.to_le_bytes());
    let n = buf.len();
    if n >= HEADER + 8 {
        buf[n - 8..].copy_from_slice(&(seq ^ TRAILER_MIX).to_le_bytes());
    }
    if verify == Verify::Lines {
        for (line, b) in buf[HEADER..n.saturating_sub(8).max(HEADER)]
            .iter_mut()
            .step_by(64)
            .enumerate()
        {
            *b = (seq as u8) ^ line as u8;
        }
    }
}

/// Mark `buf` as the end of the run.
pub fn stamp_end(buf: &mut [u8]) {
    buf[..8].copy_from_slice(&END.to_le_bytes());
}

/// The sequence number in `buf`.
pub fn seq_of(buf: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&buf[..8]);
    u64::from_le_bytes(b)
}

/// Check that `buf` is message `seq`, whole.
pub fn check(buf: &[u8], seq: u64, verify: Verify) -> Result<()> {
    let got = seq_of(buf);
    if got != seq {
        bail!("message {seq}: got message {got} (lost, repeated or reordered)");
    }
    let mut word = [0u8; 8];
    word.copy_from_slice(&buf[8..16]);
    if u64::from_le_bytes(word) != checksum(seq, buf.len()) {
        bail!("message {seq}: corrupted payload (checksum)");
    }
    let n = buf.len();
    if n >= HEADER + 8 {
        word.copy_from_slice(&buf[n - 8..]);
        if u64::from_le_bytes(word) != seq ^ TRAILER_MIX {
            bail!("message {seq}: corrupted payload (its last 8 bytes are from another message)");
        }
    }
    if verify == Verify::Lines {
        for (line, b) in buf[HEADER..n.saturating_sub(8).max(HEADER)]
            .iter()
            .step_by(64)
            .enumerate()
        {
            if *b != (seq as u8) ^ line as u8 {
                bail!(
                    "message {seq}: corrupted payload at byte {}",
                    HEADER + 64 * line
                );
            }
        }
    }
    Ok(())
}

/// The address-space limit (`ulimit -v`), in words, for an allocation that failed.
pub fn memory_limit() -> String {
    use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};
    match getrlimit(Resource::RLIMIT_AS) {
        Ok((soft, _)) if soft != RLIM_INFINITY => {
            format!("the address-space limit (ulimit -v) is {} KiB", soft / 1024)
        }
        _ => "the machine is out of memory".to_string(),
    }
}

/// Room for `n` more items, or an error naming the size and the limit (never an abort).
pub fn reserve<T>(v: &mut Vec<T>, n: usize) -> Result<()> {
    v.try_reserve_exact(n).map_err(|_| {
        anyhow!(
            "cannot allocate {} bytes: {}; ask for smaller --sizes or a smaller --count",
            n * std::mem::size_of::<T>(),
            memory_limit()
        )
    })
}

/// A zeroed message buffer of `size` bytes, starting on a cache line (see
/// [`super::ring::hot_slot_data`]: a copy to or from a slot on a cache line is then
/// co-aligned).
pub fn buffer(size: usize) -> Result<Message> {
    let mut v = Vec::new();
    reserve(&mut v, size + 63)?;
    v.resize(size + 63, 0);
    let start = v.as_ptr().align_offset(64).min(63);
    Ok(Message {
        v,
        start,
        len: size,
    })
}

/// A message buffer (see [`buffer`]).
pub struct Message {
    v: Vec<u8>,
    start: usize,
    len: usize,
}

impl std::ops::Deref for Message {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.v[self.start..self.start + self.len]
    }
}

impl std::ops::DerefMut for Message {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.v[self.start..self.start + self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_check() {
        for verify in [Verify::Ends, Verify::Lines] {
            for size in [16, 64, 1000, 4096] {
                let mut b = vec![0u8; size];
                stamp(&mut b, 42, verify);
                assert!(check(&b, 42, verify).is_ok());
                assert!(check(&b, 41, verify).is_err());
                if size > 64 {
                    // The end from another message; a middle line only with Lines.
                    let mut torn = b.clone();
                    torn[size - 1] ^= 1;
                    assert!(check(&torn, 42, verify)
                        .unwrap_err()
                        .to_string()
                        .contains("corrupted"));
                    b[80] ^= 1;
                    assert_eq!(check(&b, 42, verify).is_err(), verify == Verify::Lines);
                }
            }
        }
    }
}
