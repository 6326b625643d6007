//! Hand-offs through byte streams: a `write` to a pipe or FIFO, and the `read` in another
//! process that got its last byte. A descriptor number means nothing across processes, so
//! each process's descriptors are followed to what they name: `pipe([r, w]) = 0 [R, W]`
//! makes a stream, `open("PATH", …) = FD` names PATH, and a child starts with its
//! parent's table as it was at the fork (or the vfork and exec). Then the bytes of each
//! stream are counted on both sides: the k-th byte written is the k-th byte read.

use super::{Event, Kind};
use crate::sys::event::Op;
use std::collections::HashMap;

/// (writer's event, reader's event) for every write whose bytes another process read.
pub fn handoffs(events: &[Event]) -> Vec<(usize, usize)> {
    let mut tables: HashMap<u32, HashMap<i32, String>> = HashMap::new();
    // Per stream: the writes as (event, end offset), and the reads likewise.
    let mut writes: HashMap<String, Vec<(usize, i64)>> = HashMap::new();
    let mut reads: HashMap<String, Vec<(usize, i64)>> = HashMap::new();
    let mut totals: HashMap<(String, bool), i64> = HashMap::new();
    let mut pipes = 0;
    for (i, e) in events.iter().enumerate() {
        if e.kind == Kind::Start {
            let parent = e.ppid.and_then(|p| tables.get(&(p as u32))).cloned();
            tables.insert(e.pid, parent.unwrap_or_default());
            continue;
        }
        let table = tables.entry(e.pid).or_default();
        let (fd, n, is_write) = match &e.op {
            Op::Pipe { read, write } => {
                pipes += 1;
                for fd in [*read, *write] {
                    table.insert(fd, format!("pipe {} #{pipes}", e.pid));
                }
                continue;
            }
            Op::Open { path, fd } => {
                table.insert(*fd, path.clone());
                continue;
            }
            Op::Write { fd, bytes } => (*fd, *bytes, true),
            Op::Read { fd, bytes } => (*fd, *bytes, false),
            _ => continue,
        };
        let Some(stream) = table.get(&fd).cloned() else {
            continue;
        };
        if n <= 0 {
            continue;
        }
        let total = totals.entry((stream.clone(), is_write)).or_default();
        *total += n;
        let side = if is_write { &mut writes } else { &mut reads };
        side.entry(stream).or_default().push((i, *total));
    }
    let mut out = Vec::new();
    for (stream, ws) in &writes {
        let Some(rs) = reads.get(stream) else {
            continue;
        };
        for &(w, end) in ws {
            if let Some(&(r, _)) = rs.iter().find(|&&(_, got)| got >= end) {
                if events[w].pid != events[r].pid {
                    out.push((w, r));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(pid: u32, kind: Kind, ppid: Option<i32>, op: Op) -> Event {
        Event {
            t: 0,
            pid,
            who: "test".into(),
            kind,
            line: String::new(),
            ppid,
            began: None,
            role: None,
            errno: None,
            op,
        }
    }

    #[test]
    fn bytes_are_followed_through_a_pipe_inherited_at_fork_and_a_named_fifo() {
        let call = |pid, op| ev(pid, Kind::Call, None, op);
        let events = vec![
            call(1, Op::Pipe { read: 3, write: 4 }),
            ev(2, Kind::Start, Some(1), Op::Other), // the child inherits 3 and 4
            call(1, Op::Write { fd: 4, bytes: 12 }),
            call(2, Op::Read { fd: 3, bytes: 5 }),
            call(2, Op::Read { fd: 3, bytes: 7 }), // the write's last byte: its hand-off
            call(
                5,
                Op::Open {
                    path: "/tmp/f".into(),
                    fd: 6,
                },
            ),
            call(
                7,
                Op::Open {
                    path: "/tmp/f".into(),
                    fd: 3,
                },
            ),
            call(5, Op::Write { fd: 6, bytes: 50 }),
            call(7, Op::Read { fd: 3, bytes: 50 }),
            call(7, Op::Read { fd: 3, bytes: 0 }), // EOF: nothing
        ];
        let mut got = handoffs(&events);
        got.sort_unstable();
        assert_eq!(got, vec![(2, 4), (7, 8)]);
    }
}
