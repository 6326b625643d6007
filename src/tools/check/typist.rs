//! The student's stdin, as the role says: nothing, a pipe nobody writes to, or the payloads
//! typed as a person types them (see [`Input::Typed`]).

use super::run::Ctx;
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

impl Ctx<'_> {
    /// Type the next line if it is due; close the stdin after the last (EOF after `end`).
    pub(super) fn type_next(&mut self) {
        let Some(t) = self.typist.as_ref() else {
            return;
        };
        let since = t.at.elapsed();
        let due = t.typed < TYPED_AT_ONCE
            || (since >= TYPING && super::run::witnessed(&self.witness).len() >= t.typed)
            || since >= TYPIST_PATIENCE;
        if !due {
            return;
        }
        let t = self.typist.as_mut().expect("checked above");
        let line = format!("{}\n", t.lines[0]);
        if t.to.write_all(line.as_bytes()).is_ok() {
            t.lines.remove(0);
            t.typed += 1;
            t.at = Instant::now();
        }
        if t.lines.is_empty() {
            self.typist = None; // its end closes the student's stdin: EOF after `end`
        }
    }
}
