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
//! the last (the picture moves in place) and fits its width (80 columns or whatever it
//! has: the waiting side said briefly, then several slots to a cell, `+` for a cell partly
//! full), since a frame that wraps cannot be redrawn; piped, each is a line of its own, at
//! its fullest, so a script or a test can read them. A line the other side prints under
//! shmpthreadcon (`produced 20 items`) clears the frame first and so starts its own line. `--delay` (and `--producer-delay`) pause after each item so a
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
    /// The terminal's width, for frames drawn in place (one column kept free: a line
    /// that fills the last column wraps on some terminals).
    width: usize,
    delay: Option<Duration>,
}

impl Show {
    /// For a buffer of `n` slots; `draw` for the side that draws.
    pub fn new(n: u32, sync: RingSync, draw: bool, delay: Option<Duration>) -> Show {
        let in_place = draw && std::io::IsTerminal::is_terminal(&std::io::stdout());
        let width = match in_place {
            true => crate::sys::term::stdout_columns().map_or(80, |c| usize::from(c).max(20) - 1),
            false => usize::MAX,
        };
        Show {
            n,
            sync,
            draw,
            in_place,
            width,
            delay,
        }
    }

    /// The frame of a step (what `--show` prints), without the line end, at its fullest.
    pub fn frame(&self, step: Step) -> String {
        self.frame_within(step, usize::MAX)
    }

    /// The frame in at most `width` columns: the waiting side said more briefly, then the
    /// slots drawn several to a cell (`+`: some full), then cut, never wrapped (a wrapped
    /// frame cannot be redrawn in place).
    pub fn frame_within(&self, step: Step, width: usize) -> String {
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
        let full = |s: u32| (s + n - out) % n < fill;
        // A take from a full buffer: the producer was waiting for the slot just freed.
        let took_from_full = matches!(
            step,
            Step::Moved {
                producer: false,
                ..
            }
        ) && fill + 2 == n;
        let waiting = |brief: bool| {
            let how = |producer: bool| match (self.sync, producer, brief) {
                (RingSync::Spin, true, false) => "busy-waiting ((in + 1) % BUFFER_SIZE == out)",
                (RingSync::Spin, false, false) => "busy-waiting (in == out)",
                (RingSync::Sem, true, false) => "blocked on `empty`",
                (RingSync::Sem, false, false) => "blocked on `full`",
                (RingSync::Spin, _, true) => "spins",
                (RingSync::Sem, true, true) => "on empty",
                (RingSync::Sem, false, true) => "on full",
            };
            if fill == n - 1 {
                format!("producer, {}", how(true))
            } else if took_from_full {
                let until = if brief { "" } else { " until this take" };
                format!("producer{until}, {}", how(true))
            } else if fill == 0 {
                format!("consumer, {}", how(false))
            } else {
                "nobody".to_string()
            }
        };
        let head = format!("{what:<15} in={inp} out={out}  fill {fill}/{}  ", n - 1);
        let slots = |per: u32| -> String {
            let cells = n.div_ceil(per);
            (0..cells)
                .map(|c| {
                    let range = c * per..((c + 1) * per).min(n);
                    let full_here = range.clone().filter(|&s| full(s)).count() as u32;
                    match full_here {
                        0 => '.',
                        k if k == range.len() as u32 => '#',
                        _ => '+',
                    }
                })
                .collect()
        };
        let line = |per: u32, brief: bool| {
            let scale = if per > 1 {
                format!(" (1 cell = {per} slots)")
            } else {
                String::new()
            };
            let w = waiting(brief);
            match brief {
                false => format!("{head}[{}]{scale}  waiting: {w}", slots(per)),
                true => format!("{head}[{}]{scale} wait: {w}", slots(per)),
            }
        };
        let fits = |l: &String| l.chars().count() <= width;
        for brief in [false, true] {
            let l = line(1, brief);
            if fits(&l) {
                return l;
            }
        }
        // The slots several to a cell: as many cells as the width leaves.
        let fixed = line(1, true).chars().count() - n as usize + " (1 cell = 00 slots)".len();
        let room = width.saturating_sub(fixed).max(1) as u32;
        let l = line(n.div_ceil(room).max(2), true);
        match fits(&l) {
            true => l,
            false => l.chars().take(width).collect(),
        }
    }

    /// Draw a step (and pause after an item, with a delay); a timeline gets every step of
    /// either side, drawn or not (the bounded-buffer plot of its page).
    pub fn step(&self, step: Step) -> Result<()> {
        if crate::trace::recording() {
            crate::trace::mark(ring_op(step, self.n), &mark(step, self.n));
        }
        if self.draw {
            let f = self.frame_within(step, self.width);
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

/// A step as a timeline records it: `ring put 5 in=6 out=2 n=10`, `ring waits full in=…`
/// (`full`: the producer waits; `empty`: the consumer).
pub fn mark(step: Step, n: u32) -> String {
    match step {
        Step::Waits { producer, inp, out } => {
            let what = if producer { "full" } else { "empty" };
            format!("ring waits {what} in={inp} out={out} n={n}")
        }
        Step::Moved {
            producer,
            item,
            inp,
            out,
        } => {
            let verb = if producer { "put" } else { "took" };
            format!("ring {verb} {item} in={inp} out={out} n={n}")
        }
    }
}

/// A step as a timeline's typed mark.
pub fn ring_op(step: Step, n: u32) -> crate::sys::event::Op {
    use crate::sys::event::{Op, RingStep};
    let (step, item, inp, out) = match step {
        Step::Waits { producer, inp, out } => {
            let s = if producer {
                RingStep::WaitsFull
            } else {
                RingStep::WaitsEmpty
            };
            (s, 0, inp, out)
        }
        Step::Moved {
            producer,
            item,
            inp,
            out,
        } => {
            let s = if producer {
                RingStep::Put
            } else {
                RingStep::Took
            };
            (s, item, inp, out)
        }
    };
    Op::Ring {
        step,
        item,
        inp,
        out,
        n,
    }
}

/// A line of the side that does not draw: when the other side draws in place on the same
/// terminal (`shown`: --show is on), the frame is cleared first, in the same write (the
/// other side's next frame cannot come between), so the line stands alone and the next
/// frame is drawn below it.
pub fn own_line(shown: bool, line: &str) -> Result<()> {
    match shown && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        true => crate::out!("\r\x1b[2K{line}\n")?,
        false => crate::outln!("{line}")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(n: u32, sync: RingSync) -> Show {
        Show {
            n,
            sync,
            draw: true,
            in_place: false,
            width: usize::MAX,
            delay: None,
        }
    }

    #[test]
    fn every_frame_fits_the_terminal_and_piped_frames_are_whole() {
        let steps = |n: u32| {
            (0..n).step_by((n as usize / 40).max(1)).flat_map(move |i| {
                [
                    Step::Waits {
                        producer: true,
                        inp: i,
                        out: (i + 1) % n,
                    },
                    Step::Moved {
                        producer: false,
                        item: 123_456,
                        inp: i,
                        out: (i + 2) % n,
                    },
                    Step::Waits {
                        producer: false,
                        inp: i,
                        out: i,
                    },
                ]
            })
        };
        for (n, sync) in [
            (10, RingSync::Spin),
            (10, RingSync::Sem),
            (64, RingSync::Spin),
            (1000, RingSync::Sem),
        ] {
            let s = show(n, sync);
            for step in steps(n) {
                for width in [79, 39] {
                    let f = s.frame_within(step, width);
                    assert!(f.chars().count() <= width, "{n} {width}: {f}");
                }
                // Piped: the whole frame, every slot drawn.
                let whole = s.frame(step);
                assert!(whole.contains("waiting: ") && whole.contains(&format!("/{}", n - 1)));
            }
        }
        // In 79 columns a 10-slot spinning buffer keeps its slots and who waits.
        let f = show(10, RingSync::Spin).frame_within(
            Step::Waits {
                producer: true,
                inp: 9,
                out: 0,
            },
            79,
        );
        assert_eq!(
            f,
            "buffer full     in=9 out=0  fill 9/9  [#########.] wait: producer, spins"
        );
        // 1000 slots in 79 columns: several to a cell, said so.
        let f = show(1000, RingSync::Sem).frame_within(
            Step::Waits {
                producer: false,
                inp: 5,
                out: 5,
            },
            79,
        );
        assert!(f.contains(" slots)") && f.chars().count() <= 79, "{f}");
    }
}
