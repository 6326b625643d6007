//! The bounded buffer's own plot, under the lanes of a shmpthreadcon (or producer and
//! consumer) run: its fill, `in` and `out` over the items, as steps in time, and the
//! stretches when a side waited (the producer on a full buffer, the consumer on an empty
//! one), shaded. The data are the typed marks `--show`'s observer leaves in a timeline
//! (`Op::Ring`): the ring's moves are stores, not calls.

use super::axis::Axis;
use super::place::{fit, text_box, Anchor, Page, Rect};
use crate::escape::html as esc;
use crate::sys::event::{Op, RingStep};
use crate::tools::timeline::{Event, Run};
use std::fmt::Write;

/// Its height on the page.
pub const HEIGHT: f64 = 200.0;

/// One step of the buffer, from its typed mark.
struct Step {
    t: u64,
    step: RingStep,
    inp: u32,
    out: u32,
    n: u32,
}

fn step_of(e: &Event) -> Option<Step> {
    match e.op {
        Op::Ring {
            step, inp, out, n, ..
        } if n >= 2 => Some(Step {
            t: e.t,
            step,
            inp,
            out,
            n,
        }),
        _ => None,
    }
}

/// A line of the plot: its name, colour, dash pattern, and value at a step.
type Series = (&'static str, &'static str, &'static str, fn(&Step) -> u32);

/// Does the run have a buffer to plot?
pub fn present(run: &Run) -> bool {
    run.events.iter().any(|e| e.is_ring_mark())
}

/// Draw the plot in the band at `top` (full width, [`HEIGHT`] tall) onto `s`, its words
/// placed on `page`; the left margin (`left`) holds its title and scale.
pub fn draw(run: &Run, axis: &Axis, top: f64, left: f64, s: &mut String, page: &mut Page) {
    let steps: Vec<Step> = run.events.iter().filter_map(step_of).collect();
    let Some(n) = steps.first().map(|s| s.n) else {
        return;
    };
    let right = axis.segs.last().map_or(left, |g| g.x1);
    let (plot_top, plot_bottom) = (top + 34.0, top + HEIGHT - 12.0);
    let y = |v: u32| plot_bottom - (plot_bottom - plot_top) * f64::from(v) / f64::from(n - 1);
    let title = fit(&format!("the buffer ({n} slots)"), 16.0, left - 20.0);
    let _ = writeln!(
        s,
        r##"<g class="ring"><rect x="{left}" y="{plot_top}" width="{}" height="{}" fill="none" stroke="#bbb"/><text x="10" y="{}" font-size="16" font-weight="bold" fill="#333">{}</text>"##,
        right - left,
        plot_bottom - plot_top,
        plot_top + 16.0,
        esc(&title)
    );
    page.block(text_box(&title, 16.0, 10.0, plot_top + 16.0, Anchor::Start));
    // The scale: 0 and n-1 at the left edge.
    for v in [0, n - 1] {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="14" text-anchor="end" fill="#333">{v}</text>"##,
            left - 6.0,
            y(v) + 5.0
        );
        page.block(text_box(
            &v.to_string(),
            14.0,
            left - 6.0,
            y(v) + 5.0,
            Anchor::End,
        ));
    }
    // Who waited, and how long: from a side's wait to its next move.
    let waits = |w: &&Step| matches!(w.step, RingStep::WaitsFull | RingStep::WaitsEmpty);
    for (i, w) in steps.iter().enumerate().filter(|(_, w)| waits(w)) {
        let full = w.step == RingStep::WaitsFull;
        let mover = if full { RingStep::Put } else { RingStep::Took };
        let end = steps[i..]
            .iter()
            .find(|m| m.step == mover)
            .map_or(w.t, |m| m.t);
        let (x0, x1) = (axis.x(w.t), axis.x(end));
        let colour = if full { "#E69F00" } else { "#009E73" };
        let who = if full { "the producer" } else { "the consumer" };
        let _ = writeln!(
            s,
            r##"<rect class="ring-wait" x="{x0}" y="{plot_top}" width="{}" height="{}" fill="{colour}" fill-opacity="0.22"><title>{who} waited {:.3} ms: buffer {}</title></rect>"##,
            (x1 - x0).max(2.0),
            plot_bottom - plot_top,
            end.saturating_sub(w.t) as f64 / 1e6,
            if full { "full" } else { "empty" }
        );
    }
    // fill, in and out: step lines.
    let series: [Series; 3] = [
        ("fill", "#0072B2", "", |p| (p.inp + p.n - p.out) % p.n),
        ("in", "#D55E00", "8 5", |p| p.inp),
        ("out", "#CC79A7", "2 4", |p| p.out),
    ];
    for (name, colour, dash, value) in series {
        let mut d = String::new();
        for (k, p) in steps.iter().enumerate() {
            let (px, py) = (axis.x(p.t), y(value(p)));
            let _ = match k {
                0 => write!(d, "M{px:.1},{py:.1}"),
                _ => write!(d, " H{px:.1} V{py:.1}"),
            };
        }
        let width = if name == "fill" { 3.5 } else { 2.0 };
        let _ = writeln!(
            s,
            r##"<path class="ring-{name}" d="{d}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-dasharray="{dash}"><title>{name}</title></path>"##
        );
    }
    // The key, in a row above the plot.
    let key = [
        ("fill (items in the buffer)", "#0072B2"),
        ("in (next slot to fill)", "#D55E00"),
        ("out (next slot to take)", "#CC79A7"),
        ("producer waits: buffer full", "#B07800"),
        ("consumer waits: buffer empty", "#007A55"),
    ];
    let mut x = left;
    for (text, colour) in key {
        let spot = (x, top + 22.0, Anchor::Start);
        if page.place(text, 14.0, &[spot]).is_some() {
            let _ = writeln!(
                s,
                r##"<text x="{x}" y="{}" font-size="14" fill="{colour}">{}</text>"##,
                top + 22.0,
                esc(text)
            );
        }
        x += super::place::text_width(text, 14.0) + 18.0;
    }
    s.push_str("</g>\n");
    page.block(Rect::new(left, plot_top, right, plot_bottom));
}
