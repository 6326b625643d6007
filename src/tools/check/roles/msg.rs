//! IPC全解析 三 (消息队列): the queue of `ftok(PATH, 'z')`; a request is type 888 with
//! `hello, I'm client PID`, the reply type 999 with `hello, I'm server PID`
//! (`struct msg_form { long mtype; char mtext[256]; }`).
//!
//! - `msg-client`: `PROGRAM PATH`. ipclab's msg-server first, as the seed's order has it;
//!   it is held (stopped) while the client waits for its reply: the CPU window. For
//!   `sigint` and `peer-dies`, a queue that never answers (Ctrl-C, or the queue removed
//!   under the waiting client).
//! - `msg-server`: `PROGRAM PATH 3` serves three requests (the seed serves for ever; its
//!   count is `argv[2]` here, as the tests' copy takes it), then removes its queue.
//!   Once its queue is there it must wait for requests without spinning (the CPU window);
//!   then ipclab's msg-client asks three times, one after the other, each with its own pid,
//!   and records the reply it got (the last one takes it 100 ms late: a server must not
//!   remove its queue before). A client that gets no reply ends the scenario: the verdict
//!   is known.

use super::super::ctx::{sigint, Ctx, Input, Mode};
use super::super::outcome::Outcome;
use super::super::Role;
use super::in_order;
use crate::objects::{sysvipc, Kind};
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use std::time::{Duration, Instant};

/// Requests a `msg-server` run serves.
const REQUESTS: usize = 3;

pub fn play(c: &mut Ctx) -> Result<()> {
    c.o.key = ipc::ftok(&c.keyfile, b'z').map_err(|e| anyhow!("ftok: {}", e.desc()))?;
    let kf = c.keyfile.to_string_lossy().into_owned();
    if c.s.role == Role::MsgServer {
        return server(c, &kf);
    }
    let mut student = c.student(&[c.keyfile.as_os_str()])?;
    if c.s.mode == Mode::Normal {
        // Step 1: ipclab's server first, as the seed's order has it.
        let srv = ["msg-server", "--path", &kf, "--count", "1"];
        let mut p = c.start_peer(&mut c.peer(&srv)?, "peer")?;
        c.wait_line(&p, "My pid is", c.deadline)?;
        c.o.id = sysvipc::ids_with_key(Kind::SysvMsg, c.o.key)
            .first()
            .copied()
            .unwrap_or(0);
        // Step 2: the student's client asks; the server, held, answers after the window.
        let mut me = c.start_student(&mut student, Input::Null)?;
        c.cpu_window(&mut me, Some(&p))?;
        let event_at = Instant::now();
        return c.finish(&mut me, Some(&mut p), event_at, c.deadline);
    }
    // Step 1: a queue that never answers; Step 2: the client; Step 3: Ctrl-C or IPC_RMID.
    let mut q = crate::objects::owner::Owner::make(Kind::SysvMsg, c.o.key, || {
        ipc::msgget(c.o.key, libc::IPC_CREAT | libc::IPC_EXCL | 0o700)
    })
    .map_err(|e| anyhow!("msgget: {}", e.desc()))?;
    c.o.id = q.id();
    let mut me = c.start_student(&mut student, Input::Null)?;
    let key = c.o.key;
    c.wait_until(Instant::now() + Duration::from_secs(2), |_| {
        sysvipc::by_key(Kind::SysvMsg, key).is_some_and(|r| r.num::<u64>("qnum") > 0)
    })?;
    c.nap(Duration::from_millis(50))?;
    let event_at = Instant::now();
    match c.s.mode {
        Mode::Sigint => sigint(&me),
        _ => drop(q.remove()),
    }
    c.finish(&mut me, None, event_at, c.deadline)?;
    drop(q);
    Ok(())
}

/// The student's server; ipclab's clients, one after the other.
fn server(c: &mut Ctx, kf: &str) -> Result<()> {
    let count = REQUESTS.to_string();
    let mut student = c.student(&[c.keyfile.as_os_str(), count.as_ref()])?;
    let mut me = c.start_student(&mut student, Input::Null)?;
    let key = c.o.key;
    let up = c.wait_until(Instant::now() + Duration::from_secs(3), |_| {
        sysvipc::by_key(Kind::SysvMsg, key).is_some()
    })?;
    c.o.used_run_object = up;
    if c.s.mode == Mode::Sigint {
        c.nap(Duration::from_millis(100))?;
        sigint(&me);
    } else if up {
        c.cpu_window(&mut me, None)?;
        for i in 0..REQUESTS {
            // The last client is slow to take its reply: a server that removes its queue
            // right after its last msgsnd loses it.
            let slow = if i + 1 == REQUESTS { "100ms" } else { "0" };
            let ask = [
                "msg-client",
                "--path",
                kf,
                "--timeout",
                "3s",
                "--wait-before-reply",
                slow,
            ];
            let mut p = c.start_peer(&mut c.peer(&ask)?, &format!("client{i}"))?;
            let st = c.wait_other(&mut p, Duration::from_secs(5))?;
            c.o.peer_out.push_str(&super::super::observe::read(
                &c.dir.join(&format!("client{i}.out")),
            ));
            c.o.peer_err.push_str(&super::super::observe::read(
                &c.dir.join(&format!("client{i}.err")),
            ));
            if !st.is_some_and(|s| s.success()) {
                break;
            }
        }
    }
    let event_at = Instant::now();
    c.finish(&mut me, None, event_at, c.deadline)
}

/// The clients' pids, from their transcripts.
fn client_pids(peer_out: &str) -> Vec<String> {
    peer_out
        .lines()
        .filter_map(|l| l.strip_prefix("My pid is: "))
        .map(|p| p.trim_end_matches('.').to_string())
        .collect()
}

pub fn transcript(role: Role, o: &Outcome) -> Vec<String> {
    match role {
        Role::MsgClient => vec![
            format!("Message Queue - Client key is: {}.", o.key),
            "My msqid is: ".to_string(),
            format!("My pid is: {}.", o.pid),
            format!(
                "Client: receive msg.mtext is: hello, I'm server {}.",
                o.peer_pid
            ),
            "Client: receive msg.mtype is: 999.".to_string(),
        ],
        _ => {
            let mut v = vec![
                format!("Message Queue - Server key is: {}.", o.key),
                "My msqid is: ".to_string(),
                format!("My pid is: {}.", o.pid),
            ];
            for pid in client_pids(&o.peer_out) {
                v.push(format!(
                    "Server: receive msg.mtext is: hello, I'm client {pid}."
                ));
                v.push("Server: receive msg.mtype is: 888.".into());
            }
            v
        }
    }
}

/// Why ipclab's client got no reply, from what it said.
fn why_no_reply(o: &Outcome) -> String {
    if o.peer_err.contains("was removed") {
        "the queue was removed before the client took its reply (hint: IPC_RMID only after the last reply was taken: after your last msgsnd, wait for the queue to empty (msg_qnum 0) or for the client's next step)".into()
    } else {
        format!("a client got no type-999 reply within 3 s (hint: reply with mtype 999 and the text `hello, I'm server {}`, on the run's queue)", o.pid)
    }
}

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    let got: Vec<String> = o.witness.iter().map(|w| w.text()).collect();
    match role {
        Role::MsgClient => {
            let asked = format!("hello, I'm client {}", o.pid);
            if !got.iter().any(|g| g.contains(&asked)) {
                return Err(format!("ipclab's server got no request {asked:?} from it (hint: msgsnd type 888 on the queue of ftok(argv[1], 'z'))"));
            }
            in_order(&o.out, &[format!("hello, I'm server {}", o.peer_pid)])
                .map_err(|_| "it did not print the server's reply".to_string())
                .map(|()| {
                    "its request reached ipclab's server, the server's reply reached it".into()
                })
        }
        _ => {
            let pids = client_pids(&o.peer_out);
            let replies = got
                .iter()
                .filter(|g| **g == format!("hello, I'm server {}", o.pid))
                .count();
            if pids.is_empty() {
                return Err("ipclab's clients found no queue under the run's key (hint: msgget(ftok(argv[1], 'z'), IPC_CREAT | 0777))".into());
            }
            if replies < pids.len() || pids.len() < REQUESTS {
                return Err(format!(
                    "{replies} of {REQUESTS} clients got their reply: {}",
                    why_no_reply(o)
                ));
            }
            let asked: Vec<String> = pids
                .iter()
                .map(|p| format!("hello, I'm client {p}"))
                .collect();
            in_order(&o.out, &asked)
                .map_err(|m| format!("it never printed the request {m:?}"))
                .map(|()| format!("{REQUESTS} requests (each client's own pid) reached it, and each client got its reply"))
        }
    }
}

pub fn end(role: Role, o: &Outcome) -> Result<(), String> {
    match role {
        Role::MsgClient if o.out.contains("hello, I'm server") => Ok(()),
        Role::MsgClient => Err("it ended without the server's reply".into()),
        _ if data(role, o).is_ok() => Ok(()),
        _ => Err(format!(
            "it ended before its {REQUESTS} requests were answered"
        )),
    }
}
