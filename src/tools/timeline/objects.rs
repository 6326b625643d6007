//! The IPC objects of a run, read from its calls: each created with `IPC_CREAT` (shmget,
//! semget, msgget), `O_CREAT` (shm_open, mq_open) or mkfifo, and removed with `IPC_RMID`,
//! shm_unlink, mq_unlink or unlink. The picture draws each as a band from creation to
//! removal; one still there at the end gets a red mark (the run leaked it, or was asked to
//! keep it).

use super::Event;
use crate::sys::event::Op;

/// One object's life.
#[derive(Debug, Clone)]
pub struct Object {
    /// `shm 5341237`, `sem 5177358`, `msg 12`, `/dev/shm/NAME`, `fifo PATH`.
    pub name: String,
    pub created: u64,
    pub removed: Option<u64>,
    /// Who created it, and who removed it.
    pub creator: u32,
    pub remover: Option<u32>,
}

/// What an event does to an object: `(name, true)` creates it, `(name, false)` removes it.
fn effect(e: &Event) -> Option<(String, bool)> {
    match &e.op {
        Op::Creates { object } => Some((object.clone(), true)),
        Op::Removes { object } => Some((object.clone(), false)),
        _ => None,
    }
}

/// Every object created during the run, in order of creation.
pub fn lifetimes(events: &[Event]) -> Vec<Object> {
    let mut out: Vec<Object> = Vec::new();
    for e in events {
        match effect(e) {
            Some((name, true)) => out.push(Object {
                name,
                created: e.t,
                removed: None,
                creator: e.pid,
                remover: None,
            }),
            Some((name, false)) => {
                if let Some(o) = out
                    .iter_mut()
                    .rev()
                    .find(|o| o.name == name && o.removed.is_none())
                {
                    o.removed = Some(e.t);
                    o.remover = Some(e.pid);
                }
            }
            None => {}
        }
    }
    out
}
