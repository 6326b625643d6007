//! The run as a picture: one swimlane per process (named by applet and pid, in order of
//! start), a mark per call on its lane whose `<title>` is the `--trace` line (hover in a
//! browser), an arrow from a parent to each child it spawned, an arrow for each hand-off
//! (a V to its P, a msgsnd to its msgrcv), and a time axis in milliseconds. Large type and
//! the Okabe-Ito palette (safe for colour-blind readers); fits 1280×720.

use super::Run;
use std::fmt::Write;

/// Okabe-Ito: one colour per lane, in turn.
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];
const WIDTH: f64 = 1240.0;
const LEFT: f64 = 210.0;
const LANE: f64 = 70.0;
const TOP: f64 = 50.0;
/// The height of an object's band, under the lanes.
const OBJ: f64 = 34.0;

/// Calls drawn per process, at most: the first ones (a page of tens of thousands of dots
/// helps nobody and takes a browser long to open); the `.json` has them all.
pub const DRAW_CAP: usize = 2_000;

/// Which events are drawn: all but the calls past [`DRAW_CAP`] in their process.
fn drawn(run: &Run) -> Vec<bool> {
    let mut seen: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    run.events
        .iter()
        .map(|e| {
            let n = seen.entry(e.pid).or_default();
            *n += usize::from(e.kind == "call");
            e.kind != "call" || *n <= DRAW_CAP
        })
        .collect()
}

/// What the picture leaves out, in words (empty: nothing).
pub fn omissions(run: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for l in &run.lanes {
        let calls = run
            .events
            .iter()
            .filter(|e| e.pid == l.pid && e.kind == "call")
            .count();
        if calls > DRAW_CAP {
            out.push(format!(
                "{} {}: the first {DRAW_CAP} of its {calls} recorded calls are drawn (all are in a .json timeline)",
                l.who, l.pid
            ));
        }
    }
    for e in run
        .events
        .iter()
        .filter(|e| e.kind == "end" && e.line.contains("not recorded"))
    {
        out.push(format!("{} {}: {}", e.who, e.pid, e.line));
    }
    out
}

/// Escape text for XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG document.
pub fn svg(run: &Run) -> String {
    let t0 = run.t0();
    let t1 = run.events.last().map_or(1, |e| e.t).max(t0 + 1);
    let span = (t1 - t0) as f64;
    let x = |t: u64| LEFT + t.saturating_sub(t0) as f64 / span * (WIDTH - LEFT - 20.0);
    let lane_of = |pid: u32| run.lanes.iter().position(|l| l.pid == pid).unwrap_or(0);
    let y = |pid: u32| TOP + lane_of(pid) as f64 * LANE + LANE / 2.0;
    let rows = run.lanes.len() as f64 * LANE;
    let height = TOP + rows + run.objects.len() as f64 * OBJ + 70.0;
    let drawn = drawn(run);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="18">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
"##
    );
    // The lanes: a band per process from its start to its end.
    for (i, l) in run.lanes.iter().enumerate() {
        let (c, ly) = (PALETTE[i % PALETTE.len()], y(l.pid));
        let _ = writeln!(
            s,
            r#"<g class="lane" data-pid="{pid}"><text x="10" y="{ty}" fill="{c}" font-weight="bold">{who} {pid}</text><line x1="{x0}" y1="{ly}" x2="{x1}" y2="{ly}" stroke="{c}" stroke-width="6" stroke-opacity="0.35"/></g>"#,
            pid = l.pid,
            who = esc(&l.who),
            ty = ly + 6.0,
            x0 = x(l.start),
            x1 = x(l.end).max(x(l.start) + 2.0),
        );
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
                who = esc(&l.who),
                pid = l.pid,
            );
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
    }
    // What blocked: a bar from the call's beginning to its return, when it is visible.
    for (_, e) in run
        .events
        .iter()
        .enumerate()
        .filter(|(i, e)| drawn[*i] && e.kind == "call")
    {
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
        }
    }
    // The calls: a mark each, the full line on hover.
    for (_, e) in run
        .events
        .iter()
        .enumerate()
        .filter(|(i, e)| drawn[*i] && e.kind == "call")
    {
        let i = lane_of(e.pid);
        let failed = e.line.contains("= -1 ");
        let _ = writeln!(
            s,
            r##"<circle class="call" cx="{}" cy="{}" r="6" fill="{}" stroke="{}"><title>[{} {}] {}</title></circle>"##,
            x(e.t),
            y(e.pid),
            if failed {
                "white"
            } else {
                PALETTE[i % PALETTE.len()]
            },
            if failed { "#D55E00" } else { "#333" },
            esc(&e.who),
            e.pid,
            esc(&e.line)
        );
    }
    // The flag marks (the slide's `written`, set and seen): a small diamond each.
    for e in run.events.iter().filter(|e| e.kind == "mark") {
        let (cx, cy) = (x(e.t), y(e.pid) - 14.0);
        let _ = writeln!(
            s,
            r##"<path class="mark" d="M{cx},{} l5,5 l-5,5 l-5,-5 z" fill="#F0E442" stroke="#333"><title>[{} {}] {} (a store or load, not a system call)</title></path>"##,
            cy - 5.0,
            esc(&e.who),
            e.pid,
            esc(&e.line)
        );
    }
    // The objects: a band each from creation to removal; a red end if never removed.
    for (i, o) in run.objects.iter().enumerate() {
        let oy = TOP + rows + i as f64 * OBJ + 6.0;
        let end = o.removed.unwrap_or(t1);
        let state = match o.removed {
            Some(r) => format!("removed at {:.3} ms", (r - t0) as f64 / 1e6),
            None => "still there when the run ended".to_string(),
        };
        let _ = write!(
            s,
            r##"<g class="object"><rect x="{x0}" y="{oy}" width="{w}" height="22" fill="#56B4E9" fill-opacity="0.25" stroke="#0072B2"><title>{name}: created at {c:.3} ms, {state}</title></rect><text x="10" y="{ty}" font-size="15" fill="#333">{name}</text>"##,
            x0 = x(o.created),
            w = (x(end) - x(o.created)).max(2.0),
            name = esc(&o.name),
            c = (o.created - t0) as f64 / 1e6,
            ty = oy + 17.0,
        );
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
    // The axis: five ticks, in milliseconds from the first event.
    let ay = TOP + rows + run.objects.len() as f64 * OBJ + 10.0;
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{ay}" x2="{}" y2="{ay}" stroke="#333"/>"##,
        WIDTH - 20.0
    );
    for k in 0..=4 {
        let t = t0 + (span * k as f64 / 4.0) as u64;
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" text-anchor="{}" fill="#333">{:.1} ms</text>"##,
            x(t),
            ay + 28.0,
            if k == 4 { "end" } else { "middle" },
            (t - t0) as f64 / 1e6
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The self-contained page: the picture, a legend, no script and no network.
pub fn html(run: &Run) -> String {
    let title = run
        .lanes
        .first()
        .map_or("ipclab run".to_string(), |l| format!("ipclab {}", l.who));
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t} — timeline</title>
<style>body{{font-family:sans-serif;font-size:18px;margin:16px;color:#222}} svg{{max-width:100%;height:auto}} .key span{{margin-right:2em}}</style>
</head><body>
<h1>{t}: who did what, when</h1>
{notes}<p class="key"><span>● a call (hover for the <code>--trace</code> line; hollow: it failed)</span><span>┆ spawn (vfork + execv)</span><span style="color:#D55E00">→ hand-off (V to P, msgsnd to msgrcv, write to read, flag set to seen)</span><span style="color:#777">▬ blocked</span><span>◆ the written flag set / seen</span></p>
{svg}</body></html>
"#,
        t = esc(&title),
        svg = svg(run),
        notes = omissions(run)
            .iter()
            .map(|n| format!("<p class=\"note\">Note: {}</p>\n", esc(n)))
            .collect::<String>()
    )
}
