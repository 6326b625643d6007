//! The IPC objects of a run, read from its calls: each created with `IPC_CREAT` (shmget,
//! semget, msgget), `O_CREAT` (shm_open, mq_open) or mkfifo, and removed with `IPC_RMID`,
//! shm_unlink, mq_unlink or unlink. The picture draws each as a band from creation to
//! removal; one still there at the end gets a red mark (the run leaked it, or was asked to
//! keep it).

use super::Event;

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

/// The first quoted string of a call line: `"/name"` of `shm_open("/name", …)`.
fn quoted(line: &str) -> Option<&str> {
    let rest = line.split_once('"')?.1;
    Some(rest.split_once('"')?.0)
}

/// The result of a call line: `5177358` of `semget(…) = 5177358`.
fn result(line: &str) -> Option<&str> {
    let r = line.rsplit_once(" = ")?.1;
    r.split_whitespace().next()
}

/// The first argument: `5177358` of `semctl(5177358, 0, IPC_RMID)`.
fn first_arg(line: &str) -> Option<&str> {
    let args = line.split_once('(')?.1;
    Some(args.split([',', ')']).next()?.trim())
}

/// What a call does to an object: `(name, true)` creates it, `(name, false)` removes it.
fn effect(e: &Event) -> Option<(String, bool)> {
    let line = e.line.as_str();
    if e.kind != "call" || line.contains("= -1 ") {
        return None;
    }
    let kind = |call: &str| match call {
        "shmget" | "shmctl" => "shm",
        "semget" | "semctl" => "sem",
        _ => "msg",
    };
    match e.call_name() {
        c @ ("shmget" | "semget" | "msgget") if line.contains("IPC_CREAT") => {
            Some((format!("{} {}", kind(c), result(line)?), true))
        }
        c @ ("shmctl" | "semctl" | "msgctl") if line.contains("IPC_RMID") => {
            Some((format!("{} {}", kind(c), first_arg(line)?), false))
        }
        "shm_open" if line.contains("O_CREAT") => {
            Some((format!("/dev/shm{}", quoted(line)?), true))
        }
        "shm_unlink" => Some((format!("/dev/shm{}", quoted(line)?), false)),
        "mq_open" if line.contains("O_CREAT") => Some((format!("mqueue {}", quoted(line)?), true)),
        "mq_unlink" => Some((format!("mqueue {}", quoted(line)?), false)),
        "mkfifo" => Some((format!("fifo {}", quoted(line)?), true)),
        "unlink" => Some((format!("fifo {}", quoted(line)?), false)),
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
