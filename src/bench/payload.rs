//! What every benchmark message carries, so no mechanism can win by dropping, repeating,
//! reordering or tearing messages: its sequence number, a checksum of it, and one byte per
//! 64-byte cache line derived from both, checked by the receiver.

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

/// Stamp message `seq` into `buf`: sequence, checksum, one byte per cache line.
pub fn stamp(buf: &mut [u8], seq: u64) {
    buf[..8].copy_from_slice(&seq.to_le_bytes());
    let sum = checksum(seq, buf.len());
    buf[8..16].copy_from_slice(&sum.to_le_bytes());
    let mut i = HEADER;
    while i < buf.len() {
        buf[i] = (seq as u8) ^ (i >> 6) as u8;
        i += 64;
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
pub fn check(buf: &[u8], seq: u64) -> Result<()> {
    let got = seq_of(buf);
    if got != seq {
        bail!("message {seq}: got message {got} (lost, repeated or reordered)");
    }
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&buf[8..16]);
    if u64::from_le_bytes(sum) != checksum(seq, buf.len()) {
        bail!("message {seq}: corrupted payload (checksum)");
    }
    let mut i = HEADER;
    while i < buf.len() {
        if buf[i] != (seq as u8) ^ (i >> 6) as u8 {
            bail!("message {seq}: corrupted payload at byte {i}");
        }
        i += 64;
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

/// A zeroed message buffer of `size` bytes.
pub fn buffer(size: usize) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    reserve(&mut v, size)?;
    v.resize(size, 0);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_check() {
        for size in [16, 64, 1000, 4096] {
            let mut b = vec![0u8; size];
            stamp(&mut b, 42);
            assert!(check(&b, 42).is_ok());
            assert!(check(&b, 41).is_err());
            if size > 64 {
                b[80] ^= 1;
                assert!(check(&b, 42).unwrap_err().to_string().contains("corrupted"));
            }
        }
    }
}
