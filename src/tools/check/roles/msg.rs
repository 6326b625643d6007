//! IPC全解析 三 (消息队列): the queue of `ftok(PATH, 'z')`; a request is type 888 with
//! `hello, I'm client PID`, the reply type 999 with `hello, I'm server PID`
//! (`struct msg_form { long mtype; char mtext[256]; }`).
//!
//! - `msg-client`: `PROGRAM PATH`. ipclab's msg-server first, as the seed's order has it;
//!   for `sigint` and `peer-dies`, a queue that never answers (Ctrl-C, or the queue
//!   removed under the waiting client).
//! - `msg-server`: `PROGRAM PATH 3` serves three requests (the seed serves for ever; its
//!   count is `argv[2]` here, as the tests' copy takes it), then removes its queue.
//!   ipclab's msg-client asks three times, one after the other, each with its own pid.

use super::super::run::{sigint, Ctx, Mode, Outcome};
use super::super::Role;
use super::in_order;
use crate::objects::{sysvipc, Kind};
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use std::process::Stdio;
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
        let mut p = c.start(&mut c.peer(&srv)?, "peer", Stdio::null())?;
        c.wait_line(&p, "My pid is", c.deadline)?;
        // Step 2: the student's client asks and prints the reply.
        let mut me = c.start(&mut student, "student", Stdio::null())?;
        return c.finish(&mut me, Some(&mut p), Instant::now(), c.deadline, true);
    }
    // Step 1: a queue that never answers; Step 2: the client; Step 3: Ctrl-C or IPC_RMID.
    let mut q = crate::objects::owner::Owner::make(Kind::SysvMsg, c.o.key, || {
        ipc::msgget(c.o.key, libc::IPC_CREAT | libc::IPC_EXCL | 0o700)
    })
    .map_err(|e| anyhow!("msgget: {}", e.desc()))?;
    c.o.id = q.id();
    let mut me = c.start(&mut student, "student", Stdio::null())?;
    let sent = Instant::now() + Duration::from_secs(2);
    while Instant::now() < sent
        && sysvipc::by_key(Kind::SysvMsg, c.o.key).is_some_and(|r| r.num::<u64>("qnum") == 0)
    {
        c.nap(Duration::from_millis(5))?;
    }
    c.nap(Duration::from_millis(50))?;
    let event_at = Instant::now();
    match c.s.mode {
        Mode::Sigint => sigint(&me),
        _ => drop(q.remove()),
    }
    c.finish(
        &mut me,
        None,
        event_at,
        event_at + Duration::from_secs(2),
        true,
    )?;
    drop(q);
    Ok(())
}

/// The student's server; ipclab's clients, one after the other.
fn server(c: &mut Ctx, kf: &str) -> Result<()> {
    let count = REQUESTS.to_string();
    let mut student = c.student(&[c.keyfile.as_os_str(), count.as_ref()])?;
    let mut me = c.start(&mut student, "student", Stdio::null())?;
    let up = c.wait_line(&me, "My pid is", Instant::now() + Duration::from_secs(3))?;
    let mut answers = String::new();
    if c.s.mode == Mode::Sigint {
        c.nap(Duration::from_millis(100))?;
        sigint(&me);
    } else if up {
        for i in 0..REQUESTS {
            let ask = ["msg-client", "--path", kf];
            let mut p = c.start(&mut c.peer(&ask)?, &format!("client{i}"), Stdio::null())?;
            c.finish_other(&mut p, &mut answers)?;
        }
    }
    let event_at = Instant::now();
    c.finish(&mut me, None, event_at, c.deadline, true)?;
    c.o.peer_out = answers;
    Ok(())
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

pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    match role {
        Role::MsgClient => in_order(&o.peer_out, &[format!("hello, I'm client {}", o.pid)])
            .map_err(|_| "ipclab's server got no request from it".to_string())
            .and(
                in_order(&o.out, &[format!("hello, I'm server {}", o.peer_pid)])
                    .map_err(|_| "it did not print the server's reply".to_string()),
            )
            .map(|()| "its request reached ipclab's server, the server's reply reached it".into()),
        _ => {
            let pids = client_pids(&o.peer_out);
            if pids.len() != REQUESTS {
                return Err(format!(
                    "only {} of ipclab's {REQUESTS} clients started: did it print `My pid is`?",
                    pids.len()
                ));
            }
            let asked: Vec<String> = pids
                .iter()
                .map(|p| format!("hello, I'm client {p}"))
                .collect();
            let answered: Vec<String> = (0..REQUESTS)
                .map(|_| format!("receive msg.mtext is: hello, I'm server {}.", o.pid))
                .collect();
            in_order(&o.out, &asked)
                .map_err(|m| format!("it never printed the request {m:?}"))
                .and(in_order(&o.peer_out, &answered).map_err(|_| "not every client got a type-999 reply `hello, I'm server PID` (hint: reply with mtype 999 and your own pid)".into()))
                .map(|()| format!("{REQUESTS} requests (each client's own pid) reached it, and each client got its reply"))
        }
    }
}
