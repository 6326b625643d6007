//! The run as a picture: one swimlane per process (named by the part it plays and its pid,
//! `sysv-student write 4242`, in order of start), a dot per call on its lane with the
//! call's name beside it (`semop V`, `msgrcv`) and its whole `--trace` line on hover, an
//! arrow from a parent to each child it spawned, an arrow for each hand-off (a V to its P,
//! a msgsnd to its msgrcv), the objects' lives as bands, the bounded buffer's own plot when
//! there is one ([`ring`]), and a time axis in milliseconds, broken where nothing happens
//! ([`axis`]). Readable without a mouse, from the back row: large type, the Okabe-Ito
//! palette (safe for colour-blind readers), and no text over a dot, a band or other text
//! ([`place`]): a name that fits nowhere is left out, and the page says how many were.

pub mod axis;
pub mod labels;
pub mod marks;
pub mod place;
pub mod ring;

use super::{Kind, Run};
use crate::escape::html as esc;
use axis::Axis;
use labels::drawn;
pub use labels::{call_label, omissions, DRAW_CAP};
use place::{fit, text_box, text_width, Anchor, Page, Rect};
use std::fmt::Write;

/// Okabe-Ito: one colour per lane, in turn.
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];
const WIDTH: f64 = 1240.0;
const RIGHT: f64 = WIDTH - 24.0;
/// Room for a lane's two rows of names above its line and two below.
const LANE: f64 = 96.0;
const TOP: f64 = 56.0;
/// The height of an object's band, under the lanes.
const OBJ: f64 = 34.0;
/// Type sizes: lane names, call names, object names, the axis.
const LANE_FONT: f64 = 18.0;
const CALL_FONT: f64 = 15.0;
const OBJ_FONT: f64 = 15.0;
const AXIS_FONT: f64 = 15.0;
/// How much wider bold type is (DejaVu Sans Bold against the regular widths `text_width`
/// assumes: `shmpthreadcon 10610` measures 12.6 em bold, 10.9 em estimated).
const BOLD: f64 = 1.2;

/// What the picture is laid out on: the axis, the lanes' rows, the left margin.
struct Frame {
    axis: Axis,
    left: f64,
    /// Where the objects' rows begin, the buffer's plot, the axis.
    objects_top: f64,
    ring_top: f64,
    axis_y: f64,
    height: f64,
}

fn frame(run: &Run) -> Frame {
    // The left margin fits the longest lane name (within reason).
    let longest = run
        .lanes
        .iter()
        .map(|l| text_width(&format!("{} {}", l.role, l.pid), LANE_FONT) * BOLD)
        .fold(0.0, f64::max);
    let left = (longest + 34.0).clamp(170.0, 440.0);
    let mut times: Vec<u64> = Vec::new();
    for e in &run.events {
        times.push(e.t);
        times.extend(e.began);
    }
    let axis = Axis::new(times, left, RIGHT);
    let objects_top = TOP + run.lanes.len() as f64 * LANE;
    let ring_top = objects_top + run.objects.len() as f64 * OBJ + 8.0;
    let axis_y = ring_top
        + if ring::present(run) {
            ring::HEIGHT
        } else {
            0.0
        }
        + 10.0;
    Frame {
        axis,
        left,
        objects_top,
        ring_top,
        axis_y,
        height: axis_y + 70.0,
    }
}

/// The SVG document, and how many call names it left out of how many.
fn render(run: &Run) -> (String, usize, usize) {
    let f = frame(run);
    let (t0, x) = (run.t0(), |t: u64| f.axis.x(t));
    let lane_of = |pid: u32| run.lanes.iter().position(|l| l.pid == pid).unwrap_or(0);
    let y = |pid: u32| TOP + lane_of(pid) as f64 * LANE + LANE / 2.0;
    let drawn = drawn(run);
    let mut page = Page::new(Rect::new(0.0, 0.0, WIDTH, f.height));
    let mut s = String::new();
    let height = f.height;
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="18">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
"##
    );
    // The breaks: a shaded column each, behind everything.
    for b in f.axis.breaks() {
        let _ = writeln!(
            s,
            r##"<rect class="break" x="{}" y="{}" width="{}" height="{}" fill="#f2f2f2"><title>{:.1} ms with no call, drawn narrow</title></rect>"##,
            b.x0,
            TOP - 10.0,
            b.x1 - b.x0,
            f.axis_y - TOP + 10.0,
            (b.t1 - b.t0) as f64 / 1e6
        );
    }
    // The lanes: a band per process from its start to its end, its name at the left.
    for (i, l) in run.lanes.iter().enumerate() {
        let (c, ly) = (PALETTE[i % PALETTE.len()], y(l.pid));
        let (x0, x1) = (x(l.start), x(l.end).max(x(l.start) + 2.0));
        let name = fit(
            &format!("{} {}", l.role, l.pid),
            LANE_FONT * BOLD,
            f.left - 24.0,
        );
        let _ = writeln!(
            s,
            r#"<g class="lane" data-pid="{pid}"><text x="10" y="{ty}" fill="{c}" font-weight="bold">{name}</text><line class="band" x1="{x0}" y1="{ly}" x2="{x1}" y2="{ly}" stroke="{c}" stroke-width="6" stroke-opacity="0.35"/></g>"#,
            pid = l.pid,
            name = esc(&name),
            ty = ly + 6.0,
        );
        let mut b = text_box(&name, LANE_FONT, 10.0, ly + 6.0, Anchor::Start);
        b.x1 = 10.0 + (b.x1 - 10.0) * BOLD;
        page.block(b);
        page.block(Rect::new(x0, ly - 3.0, x1, ly + 3.0));
    }
    // The spawns: from the parent's lane down (or up) to the child's first moment.
    for l in &run.lanes {
        if let Some(p) = l.parent {
            let _ = writeln!(
                s,
                r##"<line class="spawn" x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" stroke="#333" stroke-width="2" stroke-dasharray="6 4" marker-end="url(#arrow)"><title>spawn: {who} {pid}</title></line>"##,
                x = x(l.start),
                y0 = y(p),
                y1 = y(l.pid) - 8.0,
                who = esc(&l.role),
                pid = l.pid,
            );
            page.block_line((x(l.start), y(p)), (x(l.start), y(l.pid) - 8.0));
        }
    }
    // The hand-offs: from the call that offered to the call that took.
    for &(a, b) in run.handoffs.iter().filter(|(a, b)| drawn[*a] && drawn[*b]) {
        let (a, b) = (&run.events[a], &run.events[b]);
        let _ = writeln!(
            s,
            r##"<line class="handoff" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#D55E00" stroke-width="2" marker-end="url(#arrow)"><title>{} → {}</title></line>"##,
            x(a.t),
            y(a.pid),
            x(b.t),
            y(b.pid),
            esc(&a.line),
            esc(&b.line)
        );
        page.block_line((x(a.t), y(a.pid)), (x(b.t), y(b.pid)));
    }
    let calls: Vec<usize> = (0..run.events.len())
        .filter(|&i| drawn[i] && run.events[i].kind == Kind::Call)
        .collect();
    // What blocked: a bar from the call's beginning to its return, when it is visible.
    for e in calls.iter().map(|&i| &run.events[i]) {
        let (b, w) = (
            x(e.began.unwrap_or(e.t)),
            x(e.t) - x(e.began.unwrap_or(e.t)),
        );
        if w >= 3.0 {
            let _ = writeln!(
                s,
                r##"<rect class="blocked" x="{b}" y="{}" width="{w}" height="16" fill="#999" fill-opacity="0.6"><title>blocked {:.3} ms in {}</title></rect>"##,
                y(e.pid) - 8.0,
                e.blocked() as f64 / 1e6,
                esc(&e.line)
            );
            page.block(Rect::new(b, y(e.pid) - 8.0, b + w, y(e.pid) + 8.0));
        }
    }
    // The calls: a dot each, the full line on hover.
    for &i in &calls {
        let e = &run.events[i];
        let failed = e.failed();
        let c = PALETTE[lane_of(e.pid) % PALETTE.len()];
        let _ = writeln!(
            s,
            r##"<circle class="call" cx="{}" cy="{}" r="6" fill="{}" stroke="{}"><title>[{} {}] {}</title></circle>"##,
            x(e.t),
            y(e.pid),
            if failed { "white" } else { c },
            if failed { "#D55E00" } else { "#333" },
            esc(&e.who),
            e.pid,
            esc(&e.line)
        );
        page.block(Rect::around(x(e.t), y(e.pid), 7.0));
    }
    // The flag marks (the slide's `written`, set and seen): a small diamond each.
    for e in run.events.iter().filter(|e| e.is_flag_mark()) {
        let (cx, cy) = (x(e.t), y(e.pid) - 14.0);
        let _ = writeln!(
            s,
            r##"<path class="mark" d="M{cx},{} l5,5 l-5,5 l-5,-5 z" fill="#F0E442" stroke="#333"><title>[{} {}] {} (a store or load, not a system call)</title></path>"##,
            cy - 5.0,
            esc(&e.who),
            e.pid,
            esc(&e.line)
        );
        page.block(Rect::around(cx, cy, 6.0));
    }
    // The objects: a band each from creation to removal; a red end if never removed.
    for (i, o) in run.objects.iter().enumerate() {
        let oy = f.objects_top + i as f64 * OBJ + 6.0;
        let end = o.removed.unwrap_or(run.events.last().map_or(t0, |e| e.t));
        let state = match o.removed {
            Some(r) => format!("removed at {:.3} ms", (r - t0) as f64 / 1e6),
            None => "still there when the run ended".to_string(),
        };
        let name = fit(&o.name, OBJ_FONT, f.left - 20.0);
        let (x0, w) = (x(o.created), (x(end) - x(o.created)).max(2.0));
        let _ = write!(
            s,
            r##"<g class="object"><rect class="band" x="{x0}" y="{oy}" width="{w}" height="22" fill="#56B4E9" fill-opacity="0.25" stroke="#0072B2"><title>{full}: created at {c:.3} ms, {state}</title></rect><text x="10" y="{ty}" font-size="{OBJ_FONT}" fill="#333">{name}</text>"##,
            full = esc(&o.name),
            name = esc(&name),
            c = (o.created - t0) as f64 / 1e6,
            ty = oy + 17.0,
        );
        page.block(Rect::new(x0, oy, x0 + w, oy + 22.0));
        page.block(text_box(&name, OBJ_FONT, 10.0, oy + 17.0, Anchor::Start));
        if o.removed.is_none() {
            let _ = write!(
                s,
                r##"<rect class="leak" x="{}" y="{oy}" width="8" height="22" fill="#D55E00"><title>{}: not removed</title></rect>"##,
                x(end) - 8.0,
                esc(&o.name)
            );
        }
        s.push_str("</g>\n");
    }
    if ring::present(run) {
        ring::draw(run, &f.axis, f.ring_top, f.left, &mut s, &mut page);
    }
    marks::axis_marks(run, &f.axis, f.left, f.axis_y, &mut s, &mut page);
    // Last, the call names, where they fit: the failed calls and the hand-offs' ends
    // first, then each lane's calls in time order, a repeat beside its twin skipped.
    let ends: std::collections::HashSet<usize> =
        run.handoffs.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut order = calls.clone();
    order.sort_by_key(|&i| {
        let e = &run.events[i];
        (!(e.failed() || ends.contains(&i)), e.t)
    });
    let mut last_label: std::collections::HashMap<u32, (String, f64)> = Default::default();
    let mut shown = 0;
    for i in order {
        let e = &run.events[i];
        let (cx, cy) = (x(e.t), y(e.pid));
        let label = call_label(e);
        if let Some((l, lx)) = last_label.get(&e.pid) {
            if *l == label && (cx - lx).abs() < 90.0 {
                continue;
            }
        }
        let spots = [
            (cx, cy - 13.0, Anchor::Middle),
            (cx, cy + 25.0, Anchor::Middle),
            (cx + 4.0, cy - 13.0, Anchor::Start),
            (cx - 4.0, cy + 25.0, Anchor::End),
            (cx, cy - 31.0, Anchor::Middle),
            (cx, cy + 43.0, Anchor::Middle),
            (cx + 4.0, cy + 43.0, Anchor::Start),
            (cx - 4.0, cy - 31.0, Anchor::End),
        ];
        if let Some((lx, ly, a)) = page.place(&label, CALL_FONT, &spots) {
            let _ = writeln!(
                s,
                r##"<text class="call-name" x="{lx:.1}" y="{ly:.1}" font-size="{CALL_FONT}" text-anchor="{}" fill="#222">{}</text>"##,
                a.svg(),
                esc(&label)
            );
            last_label.insert(e.pid, (label, cx));
            shown += 1;
        }
    }
    s.push_str("</svg>\n");
    (s, shown, calls.len())
}

/// The SVG document.
pub fn svg(run: &Run) -> String {
    render(run).0
}

/// The self-contained page: a title (the step's, in a tour gallery), the picture, a
/// legend, notes on what it leaves out; no script and no network.
pub fn html(run: &Run, title: Option<&str>) -> String {
    let title = title.map(str::to_string).unwrap_or_else(|| {
        run.lanes
            .first()
            .map_or("ipclab run".to_string(), |l| format!("ipclab {}", l.role))
    });
    let (svg, shown, calls) = render(run);
    let mut notes = omissions(run);
    if shown < calls {
        notes.push(format!(
            "{shown} of the {calls} calls are named on the page (the others' names would cover a dot, a band or another name): hover a dot for its call"
        ));
    }
    let breaks: Vec<String> = frame(run)
        .axis
        .breaks()
        .map(|b| format!("{:.0} ms", (b.t1 - b.t0) as f64 / 1e6))
        .collect();
    notes.push(
        "time runs left to right, stretched where calls crowd (each tick gives the true time)"
            .to_string(),
    );
    if !breaks.is_empty() {
        notes.push(format!(
            "the time axis is broken where nothing happened ({}): the shaded columns are drawn narrow",
            breaks.join(", ")
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t} — timeline</title>
<style>body{{font-family:sans-serif;font-size:18px;margin:16px;color:#222}} svg{{max-width:100%;height:auto}} .key span{{margin-right:2em}}</style>
</head><body>
<h1>{t}: who did what, when</h1>
{notes}<p class="key"><span>● a call, named beside it (hover for the <code>--trace</code> line; hollow: it failed)</span><span>┆ spawn (vfork + execv)</span><span style="color:#D55E00">→ hand-off (V to P, msgsnd to msgrcv, write to read, flag set to seen)</span><span style="color:#777">▬ blocked</span><span>◆ the written flag set / seen</span></p>
{svg}</body></html>
"#,
        t = esc(&title),
        notes = notes
            .iter()
            .map(|n| format!("<p class=\"note\">Note: {}</p>\n", esc(n)))
            .collect::<String>()
    )
}
