//! Record marking, the framing of RPC messages over TCP (RFC 5531 §11): each message is
//! one or more fragments, each behind a 4-byte mark (the last-fragment bit, then the
//! fragment's length). A server reads from many clients at once, so it parses what has
//! come so far ([`Framer`]), and bounds what one request may take across all its fragments.

use anyhow::{anyhow, bail, Result};
use std::os::fd::OwnedFd;

/// The largest request a server reads, all fragments together: the date service's calls
/// are a few dozen bytes; 64 KiB leaves room for any credential and argument.
pub const MAX_REQUEST: usize = 64 << 10;

/// One message as one record.
pub fn encode(msg: &[u8]) -> Vec<u8> {
    let mark = 0x8000_0000u32 | msg.len() as u32;
    let mut out = mark.to_be_bytes().to_vec();
    out.extend_from_slice(msg);
    out
}

/// What has come on a connection and is not yet a whole message.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    /// Bytes that just came.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole message, if it has come; `Err` when the fragments so far already
    /// pass `max` bytes (the connection should be closed).
    pub fn next_message(&mut self, max: usize) -> Result<Option<Vec<u8>>> {
        let mut at = 0;
        let mut msg = Vec::new();
        loop {
            let Some(mark) = self.buf.get(at..at + 4) else {
                return Ok(None);
            };
            let m = u32::from_be_bytes([mark[0], mark[1], mark[2], mark[3]]);
            let len = (m & 0x7fff_ffff) as usize;
            if msg.len() + len > max {
                bail!(
                    "a request of more than {} bytes (at most {max})",
                    msg.len() + len
                );
            }
            let Some(frag) = self.buf.get(at + 4..at + 4 + len) else {
                return Ok(None);
            };
            msg.extend_from_slice(frag);
            at += 4 + len;
            if m & 0x8000_0000 != 0 {
                self.buf.drain(..at);
                return Ok(Some(msg));
            }
        }
    }
}

/// Write one record on a connected socket (blocking).
pub fn write(fd: &OwnedFd, msg: &[u8]) -> Result<()> {
    let out = encode(msg);
    let mut at = 0;
    while at < out.len() {
        match crate::error::restart(|| crate::sys::proc::write(fd, &out[at..]))? {
            Ok(n) => at += n,
            Err(e) => return Err(anyhow!("write(): {}", e.desc())),
        }
    }
    Ok(())
}

/// Read one record (blocking, or until `readable` says no): `None` at EOF before it.
pub fn read(fd: &OwnedFd, readable: impl Fn() -> Result<bool>) -> Result<Option<Vec<u8>>> {
    let mut f = Framer::default();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(m) = f.next_message(MAX_REQUEST.max(1 << 20))? {
            return Ok(Some(m));
        }
        if !readable()? {
            bail!("no answer in time");
        }
        match crate::error::restart(|| crate::sys::proc::read(fd, &mut buf))? {
            Ok(0) if f.buf.is_empty() => return Ok(None),
            Ok(0) => bail!("the connection closed inside a record"),
            Ok(n) => f.push(&buf[..n]),
            Err(e) => bail!("read(): {}", e.desc()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_join_and_the_total_is_bounded() {
        let mut f = Framer::default();
        let mut two = (0x0000_0002u32).to_be_bytes().to_vec();
        two.extend_from_slice(b"ab");
        two.extend_from_slice(&(0x8000_0001u32).to_be_bytes());
        f.push(&two);
        assert_eq!(f.next_message(100).unwrap(), None);
        f.push(b"c");
        assert_eq!(f.next_message(100).unwrap(), Some(b"abc".to_vec()));
        f.push(&encode(b"next"));
        assert_eq!(f.next_message(100).unwrap(), Some(b"next".to_vec()));
        // Non-last fragments that add up past the bound: refused before they all come.
        let mut big = Framer::default();
        big.push(&(0x0000_0040u32).to_be_bytes());
        big.push(&[0u8; 0x40]);
        big.push(&(0x0000_0040u32).to_be_bytes());
        assert!(big.next_message(100).is_err());
    }

    use proptest::prelude::*;

    /// `msg` as fragments cut at `cuts` (offsets into it), the last one marked last.
    fn fragments(msg: &[u8], cuts: &[usize]) -> Vec<u8> {
        let mut at: Vec<usize> = cuts.iter().map(|c| c % (msg.len() + 1)).collect();
        at.push(0);
        at.push(msg.len());
        at.sort_unstable();
        at.dedup();
        let mut out = Vec::new();
        let pieces: Vec<&[u8]> = at.windows(2).map(|w| &msg[w[0]..w[1]]).collect();
        let pieces = if pieces.is_empty() {
            vec![&msg[..0]]
        } else {
            pieces
        };
        for (i, p) in pieces.iter().enumerate() {
            let last = if i + 1 == pieces.len() {
                0x8000_0000u32
            } else {
                0
            };
            out.extend_from_slice(&(last | p.len() as u32).to_be_bytes());
            out.extend_from_slice(p);
        }
        out
    }

    proptest! {
        /// Messages cut into any fragments, the stream arriving in any chunks: the same
        /// messages come out, in order, whole.
        #[test]
        fn any_fragmenting_and_any_chunking_give_the_messages_back(
            msgs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 1..5),
            cuts in proptest::collection::vec(any::<usize>(), 0..4),
            chunk in 1usize..17,
        ) {
            let stream: Vec<u8> = msgs.iter().flat_map(|m| fragments(m, &cuts)).collect();
            let mut f = Framer::default();
            let mut got = Vec::new();
            for c in stream.chunks(chunk) {
                f.push(c);
                while let Some(m) = f.next_message(MAX_REQUEST).unwrap() {
                    got.push(m);
                }
            }
            prop_assert_eq!(got, msgs);
        }

        /// Garbage: messages, a refusal or a wait for more; never a panic.
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut f = Framer::default();
            f.push(&bytes);
            for _ in 0..4 {
                if !matches!(f.next_message(64), Ok(Some(_))) {
                    break;
                }
            }
        }
    }
}
