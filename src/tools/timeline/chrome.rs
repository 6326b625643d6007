//! The run in the Chrome Trace Event format: `{"traceEvents": [...]}` with timestamps in
//! microseconds from the run's first moment. Each process is a pid with one thread (tid =
//! pid), named by its applet (`ph: M`); its life is a complete event (`ph: X`); a call is an
//! instant (`ph: i`), or a complete event as long as it blocked when it was timed; spawns
//! and hand-offs are flow events (`ph: s` then `ph: f`, the same id).

use super::{Kind, Run};
use crate::sys::event::Op;
use serde::Serialize;

/// One event of the format (the fields a kind does not use are left out).
#[derive(Serialize, Default)]
struct Ev<'a> {
    ph: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    cat: &'a str,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bp: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Args<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Args<'a> {
    Name {
        name: String,
    },
    /// A call's line, its typed effect and errno (read back by `timeline merge`).
    Call {
        call: &'a str,
        #[serde(skip_serializing_if = "is_other")]
        op: &'a Op,
        #[serde(skip_serializing_if = "Option::is_none")]
        errno: Option<&'a str>,
    },
}

fn is_other(op: &&Op) -> bool {
    **op == Op::Other
}

/// The JSON text: one event per line (compact, and still readable with grep).
pub fn render(run: &Run) -> anyhow::Result<String> {
    let t0 = run.t0();
    let us = |t: u64| t.saturating_sub(t0) as f64 / 1000.0;
    let mut out: Vec<Ev> = Vec::new();
    for l in &run.lanes {
        let (pid, tid) = (l.pid, l.pid);
        let name = format!("{} {}", l.role, l.pid);
        out.push(Ev {
            ph: "M",
            name: "process_name",
            pid,
            tid,
            args: Some(Args::Name { name }),
            ..Ev::default()
        });
        let (ts, dur) = (Some(us(l.start)), Some(us(l.end) - us(l.start)));
        out.push(Ev {
            ph: "X",
            name: &l.who,
            cat: "process",
            pid,
            tid,
            ts,
            dur,
            ..Ev::default()
        });
    }
    // A call is an instant, or a complete event as long as it blocked; a flag mark (the
    // slide's `written`, not a call) is an instant.
    for e in run
        .events
        .iter()
        .filter(|e| matches!(e.kind, Kind::Call | Kind::Mark))
    {
        let mark = e.kind == Kind::Mark;
        let (name, cat) = match (mark, e.is_ring_mark()) {
            (true, true) => ("ring", "ring"),
            (true, false) => ("written", "flag"),
            _ => (e.call_name(), "ipc"),
        };
        let at = Ev {
            name,
            cat,
            pid: e.pid,
            tid: e.pid,
            args: Some(Args::Call {
                call: &e.line,
                op: &e.op,
                errno: e.errno.as_deref(),
            }),
            ..Ev::default()
        };
        out.push(match e.began {
            Some(b) if !mark => Ev {
                ph: "X",
                ts: Some(us(b)),
                dur: Some(us(e.t) - us(b)),
                ..at
            },
            _ => Ev {
                ph: "i",
                s: Some("t"),
                ts: Some(us(e.t)),
                ..at
            },
        });
    }
    // (name, from (pid, t), to (pid, t)).
    type Flow<'n> = (&'n str, (u32, u64), (u32, u64));
    let mut flows: Vec<Flow> = Vec::new();
    for l in &run.lanes {
        if let Some(p) = l.parent {
            flows.push(("spawn", (p, l.start), (l.pid, l.start)));
        }
    }
    for &(a, b) in &run.handoffs {
        let (a, b) = (&run.events[a], &run.events[b]);
        flows.push(("hand-off", (a.pid, a.t), (b.pid, b.t)));
    }
    for (n, (name, from, to)) in flows.into_iter().enumerate() {
        let id = Some(n as u64 + 1);
        out.push(Ev {
            ph: "s",
            name,
            cat: name,
            pid: from.0,
            tid: from.0,
            ts: Some(us(from.1)),
            id,
            ..Ev::default()
        });
        out.push(Ev {
            ph: "f",
            bp: Some("e"),
            name,
            cat: name,
            pid: to.0,
            tid: to.0,
            ts: Some(us(to.1)),
            id,
            ..Ev::default()
        });
    }
    // otherData.t0_ns: the run's first moment on CLOCK_MONOTONIC, so `ipclab timeline
    // merge` can put runs of one machine on one axis.
    let mut text = format!(
        "{{\"displayTimeUnit\": \"ms\", \"otherData\": {{\"t0_ns\": {t0}, \"tool\": \"ipclab {}\"}},\n\"traceEvents\": [\n",
        env!("CARGO_PKG_VERSION")
    );
    for (i, e) in out.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&serde_json::to_string(e)?);
    }
    text.push_str("\n]}\n");
    Ok(text)
}
