//! Hand-offs through byte streams: a `write` to a pipe or FIFO, and the `read` in another
//! process that got its last byte. A descriptor number means nothing across processes, so
//! each process's descriptors are followed to what they name: `pipe([r, w]) = 0 [R, W]`
//! makes a stream, `open("PATH", …) = FD` names PATH, and a child starts with its
//! parent's table as it was at the fork (or the vfork and exec). Then the bytes of each
//! stream are counted on both sides: the k-th byte written is the k-th byte read.

use super::Event;
use std::collections::HashMap;

/// The first argument of a call line (`4` of `write(4, buf, 12) = 12`) and its result.
fn fd_and_result(line: &str) -> Option<(i32, i64)> {
    let args = line.split_once('(')?.1;
    let fd = args.split([',', ')']).next()?.trim().parse().ok()?;
    let n = line
        .rsplit_once(" = ")?
        .1
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some((fd, n))
}

/// (writer's event, reader's event) for every write whose bytes another process read.
pub fn handoffs(events: &[Event]) -> Vec<(usize, usize)> {
    let mut tables: HashMap<u32, HashMap<i32, String>> = HashMap::new();
    // Per stream: the writes as (event, end offset), and the reads likewise.
    let mut writes: HashMap<String, Vec<(usize, i64)>> = HashMap::new();
    let mut reads: HashMap<String, Vec<(usize, i64)>> = HashMap::new();
    let mut totals: HashMap<(String, bool), i64> = HashMap::new();
    let mut pipes = 0;
    for (i, e) in events.iter().enumerate() {
        if e.kind == "start" {
            let parent = e.ppid.and_then(|p| tables.get(&(p as u32))).cloned();
            tables.insert(e.pid, parent.unwrap_or_default());
            continue;
        }
        if e.kind != "call" || e.line.contains("= -1 ") {
            continue;
        }
        let table = tables.entry(e.pid).or_default();
        match e.call_name() {
            "pipe" => {
                // pipe([r, w]) = 0 [R, W]
                let fds: Vec<i32> = e.line.rsplit_once('[').map_or(vec![], |(_, l)| {
                    l.trim_end_matches(']')
                        .split(',')
                        .filter_map(|f| f.trim().parse().ok())
                        .collect()
                });
                pipes += 1;
                for fd in fds {
                    table.insert(fd, format!("pipe {} #{pipes}", e.pid));
                }
            }
            "open" => {
                let path = e.line.split('"').nth(1).unwrap_or("").to_string();
                if let Some(fd) = e
                    .line
                    .rsplit_once(" = ")
                    .and_then(|(_, r)| r.trim().parse::<i32>().ok())
                {
                    table.insert(fd, path);
                }
            }
            name @ ("write" | "read") => {
                let Some((fd, n)) = fd_and_result(&e.line) else {
                    continue;
                };
                let Some(stream) = table.get(&fd).cloned() else {
                    continue;
                };
                if n <= 0 {
                    continue;
                }
                let is_write = name == "write";
                let total = totals.entry((stream.clone(), is_write)).or_default();
                *total += n;
                let side = if is_write { &mut writes } else { &mut reads };
                side.entry(stream).or_default().push((i, *total));
            }
            _ => {}
        }
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
