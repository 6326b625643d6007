//! The time axis drawn under the lanes: its ticks in milliseconds, its breaks where nothing
//! happens ([`super::axis`]), placed so that no label covers another ([`super::place`]).

use super::axis::Axis;
use super::place::*;
use super::*;
use std::fmt::Write;

/// The axis: its line, a zigzag and the time left out at each break, and the time at the
/// start of each stretch and at the end, where they fit.
pub fn axis_marks(run: &Run, axis: &Axis, left: f64, axis_y: f64, s: &mut String, page: &mut Page) {
    let (ay, t0) = (axis_y, run.t0());
    let _ = writeln!(
        s,
        r##"<line class="axis" x1="{}" y1="{ay}" x2="{RIGHT}" y2="{ay}" stroke="#333"/>"##,
        left
    );
    for b in axis.breaks() {
        let mid = (b.x0 + b.x1) / 2.0;
        let _ = writeln!(
            s,
            r##"<path d="M{},{ay} l6,-8 l6,16 l6,-8" fill="white" stroke="#333" stroke-width="2"/>"##,
            mid - 9.0
        );
        let text = format!("+{:.0} ms", (b.t1 - b.t0) as f64 / 1e6);
        if let Some((lx, ly, _)) = page.place(&text, 13.0, &[(mid, ay + 26.0, Anchor::Middle)]) {
            let _ = writeln!(
                s,
                r##"<text class="break-label" x="{lx:.1}" y="{ly}" font-size="13" text-anchor="middle" fill="#555">{}</text>"##,
                esc(&text)
            );
        }
    }
    // Ticks: the ends, the first moment after each break, then one every 130 px or so
    // where there is room; each says its true time.
    let ms = |t: u64| format!("{:.1} ms", t.saturating_sub(t0) as f64 / 1e6);
    let (first, last) = (axis.segs[0], axis.segs[axis.segs.len() - 1]);
    let mut ticks: Vec<(f64, u64, Anchor)> = vec![
        (first.x0, first.t0, Anchor::Start),
        (last.x1, last.t1, Anchor::End),
    ];
    for b in axis.breaks() {
        ticks.push((b.x1, b.t1, Anchor::Start));
    }
    let mut px = left + 130.0;
    while px < RIGHT - 60.0 {
        let t = axis.t_at(px);
        ticks.push((axis.x(t), t, Anchor::Middle));
        px += 130.0;
    }
    for (tx, t, a) in ticks {
        let text = ms(t);
        if axis.breaks().any(|b| tx > b.x0 + 1.0 && tx < b.x1 - 1.0) {
            continue;
        }
        if page
            .place(&text, AXIS_FONT, &[(tx, ay + 26.0, a)])
            .is_some()
        {
            let _ = writeln!(
                s,
                r##"<line x1="{tx:.1}" y1="{ay}" x2="{tx:.1}" y2="{}" stroke="#333"/><text class="tick" x="{tx:.1}" y="{}" font-size="{AXIS_FONT}" text-anchor="{}" fill="#333">{}</text>"##,
                ay + 6.0,
                ay + 26.0,
                a.svg(),
                esc(&text)
            );
        }
    }
}
