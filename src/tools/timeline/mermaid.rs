//! `--timeline run.mmd`: the run as a Mermaid sequence diagram, text a student pastes into
//! a lab report (GitHub and GitLab draw a ```mermaid block in Markdown). Each process is a
//! participant (`shmread 4243`, by the part it plays), in order of start; in time order
//! come its spawns (`vfork + execv`), its hand-offs as messages carrying the calls' words
//! (`semop V → semop P`, `msgsnd → msgrcv`), and the objects' lives as notes (`shmget
//! creates shm 43`, `shmctl IPC_RMID removes it`). The calls themselves are in the .json
//! and on the picture; a diagram of every call would be too long to read.
//!
//! Mermaid reads `;` and `#` in a message as syntax: text is reduced to letters, digits and
//! a few safe signs, so nothing a run recorded can break (or inject into) the diagram.

use super::Run;
use std::fmt::Write;

/// Text safe in a Mermaid message or note.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            c if c.is_alphanumeric() => c,
            ' ' | '_' | '.' | '/' | '+' | '-' | '=' | '(' | ')' | '[' | ']' | '→' | '*' => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a moment of the diagram says.
enum Line {
    Spawn { parent: u32, child: u32 },
    Handoff { from: u32, to: u32, text: String },
    Note { over: u32, text: String },
}

/// The diagram's text.
pub fn render(run: &Run) -> String {
    let mut at: Vec<(u64, usize, Line)> = Vec::new();
    for l in &run.lanes {
        if let Some(parent) = l.parent {
            at.push((
                l.start,
                at.len(),
                Line::Spawn {
                    parent,
                    child: l.pid,
                },
            ));
        }
    }
    for &(a, b) in &run.handoffs {
        let (a, b) = (&run.events[a], &run.events[b]);
        let word = |e: &super::Event| match e.op {
            crate::sys::event::Op::FlagSet { .. } => "written = 1".to_string(),
            crate::sys::event::Op::FlagSeen { .. } => "saw written == 1".to_string(),
            _ => super::picture::call_label(e),
        };
        let text = format!("{} → {}", word(a), word(b));
        at.push((
            b.t,
            at.len(),
            Line::Handoff {
                from: a.pid,
                to: b.pid,
                text,
            },
        ));
    }
    for o in &run.objects {
        let text = format!("creates {}", o.name);
        at.push((
            o.created,
            at.len(),
            Line::Note {
                over: o.creator,
                text,
            },
        ));
        if let (Some(t), Some(pid)) = (o.removed, o.remover) {
            let text = format!("removes {}", o.name);
            at.push((t, at.len(), Line::Note { over: pid, text }));
        }
    }
    at.sort_by_key(|(t, k, _)| (*t, *k));
    let mut s = String::from("sequenceDiagram\n");
    for l in &run.lanes {
        let _ = writeln!(
            s,
            "    participant p{} as {} {}",
            l.pid,
            safe(&l.role),
            l.pid
        );
    }
    for (_, _, line) in at {
        let _ = match line {
            Line::Spawn { parent, child } => {
                writeln!(s, "    p{parent}->>p{child}: vfork + execv (starts it)")
            }
            Line::Handoff { from, to, text } => writeln!(s, "    p{from}->>p{to}: {}", safe(&text)),
            Line::Note { over, text } => writeln!(s, "    Note over p{over}: {}", safe(&text)),
        };
    }
    for o in run.objects.iter().filter(|o| o.removed.is_none()) {
        let _ = writeln!(
            s,
            "    Note over p{}: {} still there at the end",
            o.creator,
            safe(&o.name)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_recorded_can_break_the_diagram() {
        assert_eq!(safe("semop V → semop P; #x <b>"), "semop V → semop P x b");
        assert_eq!(
            safe("msg 5 type 888\nNote over"),
            "msg 5 type 888 Note over"
        );
    }
}
