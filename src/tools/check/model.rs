//! The protocol model the verdicts are checked on: what was sent, in order, against what
//! arrived (the messages ipclab's peer received, byte for byte, or the lines the student's
//! program printed), and, where they differ, which bug makes that difference:
//!
//! | what arrived | the bug it shows |
//! |---|---|
//! | a message with the previous, longer one's tail after it | a copy without its NUL |
//! | the previous message again, or an empty one first | the flag set before the text was there |
//! | a message missing | overwritten before it was read: no wait for the other side's turn |
//! | a message twice (printed by a reader) | the buffer not handed back after reading |
//! | fewer messages than were sent, several per read | only the first message of each read() |

/// Who received the messages: decides the words of the diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// ipclab's peer received what the student's program sent.
    Peer,
    /// The student's program printed what ipclab's peer sent; the hint for messages that
    /// never came out (its protocol's reason).
    Student(&'static str),
}

/// The hint for a reader of a FIFO that printed fewer messages than were sent.
pub const SEVERAL_PER_READ: &str =
    "a read() may bring several messages, or part of one: handle every message in what you read";
/// The hint for a shared-memory reader that printed fewer messages than were sent.
pub const UNTIL_END: &str = "keep reading until the writer's `end` message";

/// `got` against `sent` (both without trailing newlines): Ok, or the first difference and
/// what it shows.
pub fn compare(sent: &[String], got: &[String], who: Receiver) -> Result<(), String> {
    for (i, want) in sent.iter().enumerate() {
        let n = i + 1;
        let Some(g) = got.get(i) else {
            return Err(match who {
                Receiver::Peer => format!(
                    "ipclab's side got {} of {} messages; message {n} {want:?} never arrived (hint: wait for the other side to take each message before you write the next)",
                    got.len(),
                    sent.len()
                ),
                Receiver::Student(hint) => format!(
                    "it printed {} of {} messages; {want:?} is missing (hint: {hint})",
                    got.len(),
                    sent.len()
                ),
            });
        };
        if g == want {
            continue;
        }
        if g.starts_with(want.as_str()) && g.len() > want.len() {
            return Err(format!(
                "message {n} arrived as {g:?}: the end of an older, longer message after {want:?} (hint: copy the text with its NUL byte: strlen(s) + 1 bytes, or strcpy/strncpy)"
            ));
        }
        let earlier = i > 0 && g == &sent[i - 1];
        if earlier && who != Receiver::Peer {
            return Err(format!(
                "it printed {g:?} twice (hint: hand the buffer back after reading it: written = 0)"
            ));
        }
        if earlier || (g.is_empty() && !want.is_empty()) {
            return Err(format!(
                "message {n} arrived as {g:?} instead of {want:?}: the other side was told the text was ready before it was there (hint: copy the text into the buffer first, then set written = 1)"
            ));
        }
        if let Some(later) = sent[i + 1..].iter().position(|s| s == g) {
            return Err(format!(
                "message {n} {want:?} was lost: message {} came in its place (hint: wait for the other side's turn before you overwrite the buffer)",
                n + later + 1
            ));
        }
        return Err(format!("message {n} arrived as {g:?}, not {want:?}"));
    }
    match got.get(sent.len()) {
        None => Ok(()),
        Some(extra) => Err(format!(
            "{} messages arrived where {} were sent; the first extra one {extra:?} (hint: read each message once: hand the buffer back after reading)",
            got.len(),
            sent.len()
        )),
    }
}

/// The payloads of run `n`: distinct in every run, long then short (a copy without its NUL
/// keeps the old tail), each a line a person could type.
pub fn payloads(n: u64) -> Vec<String> {
    let tag = |i: u64| {
        format!(
            "{:08x}",
            (n.wrapping_mul(2654435761).wrapping_add(i)) as u32
        )
    };
    vec![
        format!(
            "check {n}.1: {} a long line, longer than every line after it",
            tag(1)
        ),
        format!("check {n}.2: {}", tag(2)),
        format!("check {n}.3: {} medium", tag(3)),
        format!("{}", tag(4)),
    ]
}

/// The lines of `text` that start (after blanks) with `prefix`, without it.
pub fn lines_after(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix(prefix))
        .map(|l| l.trim_end_matches(['\r', '\n']).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn each_difference_names_its_bug() {
        let sent = v(&["a long one", "b", "c"]);
        assert!(compare(&sent, &sent, Receiver::Peer).is_ok());
        let nul = compare(&sent, &v(&["a long one", "bong one", "c"]), Receiver::Peer);
        assert!(nul.is_err());
        let nul = compare(
            &sent,
            &v(&["a long one", "b long one", "c"]),
            Receiver::Peer,
        );
        assert!(nul.unwrap_err().contains("NUL"));
        let early = compare(
            &sent,
            &v(&["a long one", "a long one", "b"]),
            Receiver::Peer,
        );
        assert!(early.unwrap_err().contains("before it was there"));
        let empty = compare(&sent, &v(&["", "a long one"]), Receiver::Peer);
        assert!(empty.unwrap_err().contains("before it was there"));
        let lost = compare(&sent, &v(&["a long one", "c"]), Receiver::Peer);
        assert!(lost.unwrap_err().contains("lost"));
        let reader = Receiver::Student(UNTIL_END);
        let twice = compare(&sent, &v(&["a long one", "a long one"]), reader);
        assert!(twice.unwrap_err().contains("twice"));
        let few = compare(&sent, &v(&["a long one"]), reader);
        assert!(few.unwrap_err().contains("1 of 3"));
    }
}
