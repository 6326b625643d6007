//! `--show`: the slides' bounded buffer drawn while it runs. One frame per step of the side
//! that draws (the consumer under shmpthreadcon; either side alone):
//!
//! ```text
//! took item 5     in=7 out=6  fill 1/9  [......#...]  waiting: nobody
//! buffer empty    in=7 out=7  fill 0/9  [..........]  waiting: consumer, busy-waiting (in == out)
//! put item 12     in=3 out=4  fill 9/9  [###.######]  waiting: producer, blocked on `empty`
//! ```
//!
//! `#` is a full slot, `.` an empty one: slots `out` … `in-1` are full (the buffer holds at
//! most BUFFER_SIZE-1 items, so one slot stays empty). On a terminal each frame replaces
//! the last (the picture moves in place); piped, each is a line of its own, so a script or
//! a test can read them. `--delay` (and `--producer-delay`) pause after each item so a
//! class can follow.

use super::ring::{RingSync, Step};
use anyhow::Result;
use std::time::Duration;

/// The drawing side's state.
pub struct Show {
    n: u32,
    sync: RingSync,
    /// Draw at all (else only the delay applies).
    draw: bool,
    /// Redraw in place (a terminal) or one line per frame.
    in_place: bool,
    delay: Option<Duration>,
}

impl Show {
    /// For a buffer of `n` slots; `draw` for the side that draws.
    pub fn new(n: u32, sync: RingSync, draw: bool, delay: Option<Duration>) -> Show {
        let in_place = draw && std::io::IsTerminal::is_terminal(&std::io::stdout());
        Show {
            n,
            sync,
            draw,
            in_place,
            delay,
        }
    }

    /// The frame of a step (what `--show` prints), without the line end.
    pub fn frame(&self, step: Step) -> String {
        let (what, inp, out) = match step {
            Step::Waits { producer, inp, out } => {
                let w = if producer {
                    "buffer full"
                } else {
                    "buffer empty"
                };
                (w.to_string(), inp, out)
            }
            Step::Moved {
                producer,
                item,
                inp,
                out,
            } => {
                let verb = if producer { "put" } else { "took" };
                (format!("{verb} item {item}"), inp, out)
            }
        };
        let n = self.n;
        let fill = (inp + n - out) % n;
        let slots: String = (0..n)
            .map(|s| if (s + n - out) % n < fill { '#' } else { '.' })
            .collect();
        let how = |producer: bool| match (self.sync, producer) {
            (RingSync::Spin, true) => "busy-waiting ((in + 1) % BUFFER_SIZE == out)",
            (RingSync::Spin, false) => "busy-waiting (in == out)",
            (RingSync::Sem, true) => "blocked on `empty`",
            (RingSync::Sem, false) => "blocked on `full`",
        };
        // A take from a full buffer: the producer was waiting for the slot just freed.
        let took_from_full = matches!(
            step,
            Step::Moved {
                producer: false,
                ..
            }
        ) && fill + 2 == n;
        let waiting = if fill == n - 1 {
            format!("producer, {}", how(true))
        } else if took_from_full {
            format!("producer until this take, {}", how(true))
        } else if fill == 0 {
            format!("consumer, {}", how(false))
        } else {
            "nobody".to_string()
        };
        format!(
            "{what:<15} in={inp} out={out}  fill {fill}/{}  [{slots}]  waiting: {waiting}",
            n - 1
        )
    }

    /// Draw a step (and pause after an item, with a delay).
    pub fn step(&self, step: Step) -> Result<()> {
        if self.draw {
            let f = self.frame(step);
            if self.in_place {
                crate::out!("\r\x1b[2K{f}")?;
            } else {
                crate::outln!("{f}")?;
            }
        }
        if let (Some(d), Step::Moved { .. }) = (self.delay, step) {
            crate::process::nap(d)?;
        }
        Ok(())
    }

    /// After the last frame: end the line a terminal frame left open.
    pub fn done(&self) -> Result<()> {
        if self.in_place {
            crate::outln!()?;
        }
        Ok(())
    }
}
