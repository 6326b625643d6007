//! The student's stdin, as the role says: nothing, a pipe nobody writes to, or the payloads
//! typed as a person types them (see [`Input::Typed`]).

use std::io::Write;
use std::time::{Duration, Instant};

/// How the student's stdin is fed.
pub enum Input {
    Null,
    /// The payloads and `end`, as a person types them: the first two lines at once (a
    /// writer that does not wait for the reader overwrites the first), each later one once
    /// ipclab's peer has received the one before (and 40 ms more: a writer that sets its
    /// flag before it has the text then hands over an old one, every time).
    Typed,
    /// A pipe nobody writes to (the program waits for input).
    Open,
}

/// The typist: the write end of the student's stdin and the lines still to type.
pub struct Typist {
    to: std::fs::File,
    lines: Vec<String>,
    typed: usize,
    /// When the last line was typed.
    at: Instant,
}

/// How long the typist waits for the peer to receive a line before it types the next one
/// anyway (a program that never hands a line over still gets its input, and its `end`).
const TYPIST_PATIENCE: Duration = Duration::from_millis(1500);

/// Between two typed lines.
const TYPING: Duration = Duration::from_millis(40);
/// Lines typed at once, before the typist waits for the peer.
const TYPED_AT_ONCE: usize = 2;

impl Typist {
    /// A typist for `lines`, writing to `to` (non-blocking).
    pub fn new(to: std::fs::File, lines: Vec<String>) -> Typist {
        Typist {
            to,
            lines,
            typed: 0,
            at: Instant::now(),
        }
    }
}

impl Typist {
    /// Type the next line if it is due, `heard` lines having reached ipclab's peer; true
    /// once the last is typed (the caller drops the typist, closing the stdin: EOF).
    pub fn type_if_due(&mut self, heard: usize) -> bool {
        let since = self.at.elapsed();
        let due = self.typed < TYPED_AT_ONCE
            || (since >= TYPING && heard >= self.typed)
            || since >= TYPIST_PATIENCE;
        if !due {
            return false;
        }
        let line = format!("{}\n", self.lines[0]);
        if self.to.write_all(line.as_bytes()).is_ok() {
            self.lines.remove(0);
            self.typed += 1;
            self.at = Instant::now();
        }
        self.lines.is_empty()
    }
}
