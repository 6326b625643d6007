//! XDR (RFC 4506), the subset the date service uses: 4-byte big-endian integers, strings
//! and opaque data padded to 4 bytes. Written by hand: the format is a page of the RFC, and
//! the crates that implement it (xdr-codec, serde-xdr) are unmaintained or pull in a code
//! generator for what is here 60 lines. Every value written is also noted with its field
//! name, so `--trace` can show the marshalled bytes of a call field by field.

use anyhow::{anyhow, Result};

/// An XDR encoder that remembers which bytes are which field.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
    /// (field name, offset, length).
    pub fields: Vec<(String, usize, usize)>,
}

impl Writer {
    fn note(&mut self, name: &str, start: usize) {
        self.fields
            .push((name.to_string(), start, self.bytes.len() - start));
    }
    pub fn u32(&mut self, name: &str, v: u32) -> &mut Self {
        let s = self.bytes.len();
        self.bytes.extend_from_slice(&v.to_be_bytes());
        self.note(name, s);
        self
    }
    pub fn i32(&mut self, name: &str, v: i32) -> &mut Self {
        self.u32(name, v as u32)
    }
    /// A string or opaque: its length, the bytes, zero padding to a multiple of 4.
    pub fn bytes(&mut self, name: &str, b: &[u8]) -> &mut Self {
        let s = self.bytes.len();
        self.bytes
            .extend_from_slice(&(b.len() as u32).to_be_bytes());
        self.bytes.extend_from_slice(b);
        self.bytes.resize(self.bytes.len().div_ceil(4) * 4, 0);
        self.note(name, s);
        self
    }
    /// The bytes in hex, one field per line: `  0000  0000 0001  msg_type`.
    pub fn dump(&self) -> String {
        self.fields
            .iter()
            .map(|(n, at, len)| {
                let hex: Vec<String> = self.bytes[*at..at + len]
                    .chunks(4)
                    .map(|w| w.iter().map(|b| format!("{b:02x}")).collect())
                    .collect();
                format!("  {at:04x}  {:<36} {n}", hex.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// An XDR decoder over a received message.
pub struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, at: 0 }
    }
    pub fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self
            .buf
            .get(self.at..self.at + 4)
            .ok_or_else(|| anyhow!("XDR: the message ends before {what}"))?;
        self.at += 4;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn i32(&mut self, what: &str) -> Result<i32> {
        Ok(self.u32(what)? as i32)
    }
    pub fn bytes(&mut self, what: &str, max: usize) -> Result<&'a [u8]> {
        let n = self.u32(what)? as usize;
        if n > max {
            return Err(anyhow!("XDR: {what} of {n} bytes (at most {max})"));
        }
        let b = self
            .buf
            .get(self.at..self.at + n)
            .ok_or_else(|| anyhow!("XDR: the message ends inside {what}"))?;
        self.at += n.div_ceil(4) * 4;
        Ok(b)
    }
    /// `n` bytes of opaque data, padded to 4 (an `opaque_auth` body); None if cut short.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.buf.get(self.at..self.at.checked_add(n)?)?;
        self.at += n.div_ceil(4) * 4;
        Some(b)
    }
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.at.min(self.buf.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Field {
        U32(u32),
        I32(i32),
        Bytes(Vec<u8>),
    }

    fn field() -> impl Strategy<Value = Field> {
        prop_oneof![
            any::<u32>().prop_map(Field::U32),
            any::<i32>().prop_map(Field::I32),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Field::Bytes),
        ]
    }

    proptest! {
        /// What the writer encodes, the reader decodes, field by field; every field ends on
        /// a 4-byte boundary (RFC 4506 §3).
        #[test]
        fn what_is_written_reads_back(fields in proptest::collection::vec(field(), 0..12)) {
            let mut w = Writer::default();
            for f in &fields {
                match f {
                    Field::U32(v) => w.u32("u", *v),
                    Field::I32(v) => w.i32("i", *v),
                    Field::Bytes(b) => w.bytes("b", b),
                };
                prop_assert_eq!(w.bytes.len() % 4, 0);
            }
            let mut r = Reader::new(&w.bytes);
            for f in &fields {
                match f {
                    Field::U32(v) => prop_assert_eq!(r.u32("u").unwrap(), *v),
                    Field::I32(v) => prop_assert_eq!(r.i32("i").unwrap(), *v),
                    Field::Bytes(b) => prop_assert_eq!(r.bytes("b", 40).unwrap(), &b[..]),
                }
            }
            prop_assert!(r.rest().is_empty());
        }

        /// Any bytes, read any way: an error or a value, never a panic, never past the end.
        #[test]
        fn garbage_is_refused_not_read_past(buf in proptest::collection::vec(any::<u8>(), 0..64), ops in proptest::collection::vec(0u8..4, 0..12)) {
            let mut r = Reader::new(&buf);
            for op in ops {
                let _ = match op {
                    0 => r.u32("u").map(|_| ()),
                    1 => r.bytes("b", 16).map(|_| ()),
                    2 => r.take(5).map(|_| ()).ok_or_else(|| anyhow!("short")),
                    _ => r.i32("i").map(|_| ()),
                };
                prop_assert!(r.rest().len() <= buf.len());
            }
        }
    }
}
