//! `msg-server`, the seed's steps:
//! 1. `ftok(KEYFILE, 'z')`, print the key
//! 2. `msgget(key, IPC_CREAT|…)`, print the queue id and the pid
//! 3. loop: `msgrcv` a type-888 request, print its text and type, `msgsnd` a type-999
//!    reply `hello, I'm server PID`
//!
//! It owns only the queue it creates (see [`super`]) and removes it at the end.

use super::{padded, queue_error, text_of, KeyArgs, REPLY, REQUEST};
use crate::error::{check_interrupted, restart};
use crate::layout::MSG_TEXT;
use crate::objects::owner::Owner;
use crate::objects::registry::Entry;
use crate::objects::sysv as segment;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::sys::ipc::{self, Key};
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::Result;
use std::time::{Duration, Instant};

// `ipclab msg-server`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab msg-server --count 1   (then `ipclab msg-client` in another terminal; with the seed's C programs, add --path /etc/passwd on both sides)"
)]
pub struct ServerArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// Stop after serving N requests
    #[arg(long, allow_negative_numbers = true, value_parser = crate::units::count)]
    pub count: Option<u64>,
    /// Reply with the client's pid as the type (for several clients at once)
    #[arg(long)]
    pub reply_to_pid: bool,
    /// Permissions of the queue the server creates, octal (the seed uses 777). 700 keeps it
    /// the owner's and lets the seed's client in: its msgget(IPC_CREAT|0777) of an existing
    /// queue asks for rwx, and the kernel grants it only if the owner's bits hold all three
    #[arg(long, default_value = "700", value_parser = crate::units::mode)]
    pub mode: u32,
    /// Serve a queue that already exists under the key, and leave it when done
    #[arg(long)]
    pub join: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// The last number in a request's text: the client's pid in `hello, I'm client PID`.
fn pid_in(text: &[u8]) -> Option<i64> {
    let s = String::from_utf8_lossy(text);
    s.rsplit(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
        .filter(|&p| p > 0)
}

/// The queue a server serves: its own (removed at the end), or one it joined (a use
/// record keeps `clean` off it while the server runs; it stays when the server ends).
enum ServedQueue {
    Own(Owner),
    Joined { _using: Entry },
}

/// Step 2 of the server: create the queue, or (with `--join`) serve the one that is there.
fn server_queue(args: &ServerArgs, key: Key) -> Result<(ipc::MsqId, ServedQueue)> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | args.mode as libc::c_int;
    match segment::create(Kind::SysvMsg, key, || ipc::msgget(key, flags)) {
        Ok(q) => Ok((q.msq_id(), ServedQueue::Own(q))),
        Err(Errno::EEXIST) if args.join => {
            let id = ipc::msgget(key, 0).map_err(|e| queue_error("msgget()", ipc::MsqId(-1), e))?;
            trust::check_sysv(Kind::SysvMsg, key, id, args.trust)?;
            out::note(format_args!(
                "--join: serving the existing queue {id}; it is not this server's, so it stays when the server ends"
            ));
            let _using = Entry::using(Kind::SysvMsg, Some(key), i64::from(id), None);
            Ok((id, ServedQueue::Joined { _using }))
        }
        Err(Errno::EEXIST) => Err(segment::occupied(
            Kind::SysvMsg,
            key,
            "pass --path with a key file of your own, or --join to serve it (and leave it) as it is",
        )),
        Err(e) => Err(queue_error("msgget()", ipc::MsqId(-1), e)),
    }
}

/// Wait (up to 2 s) until nobody's reply is left in the queue, so removing it destroys
/// none; a termination signal cuts the wait short.
fn drain(msqid: ipc::MsqId) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) && signals::pending().is_none() {
        match ipc::msg_stat(msqid) {
            Ok(st) if st.qnum > 0 => std::thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
}

/// Run the server.
pub fn run(args: ServerArgs) -> Result<()> {
    signals::catch_termination()?;
    // Step 1: the key.
    let (key, _) = args.key.key(super::KEY_FILE)?;
    outln!("Message Queue - Server key is: {key}.")?;
    // Step 2: the queue.
    let (msqid, mut queue) = server_queue(&args, key)?;
    outln!("My msqid is: {msqid}.")?;
    outln!("My pid is: {}.", std::process::id())?;
    let reply_text = format!("hello, I'm server {}", std::process::id());

    // Step 3: serve.
    let mut served = 0u64;
    let result = loop {
        if args.count.is_some_and(|n| served >= n) {
            break Ok(());
        }
        let (mtype, bytes) = match restart(|| ipc::msgrcv(msqid, MSG_TEXT, REQUEST, false)) {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => break Err(queue_error("msgrcv()", msqid, e)),
            Err(interrupted) => break Err(interrupted),
        };
        let text = text_of(&bytes);
        crate::protocols::witness::got(text);
        let mut line = b"Server: receive msg.mtext is: ".to_vec();
        line.extend_from_slice(text);
        line.extend_from_slice(b".\n");
        out::bytes(&line)?;
        outln!("Server: receive msg.mtype is: {mtype}.")?;
        let to = match (args.reply_to_pid, pid_in(text)) {
            (true, Some(pid)) => pid,
            (true, None) => {
                out::note(format_args!(
                    "no pid in the request: replying with type {REPLY}"
                ));
                REPLY
            }
            (false, _) => REPLY,
        };
        let reply = padded(reply_text.as_bytes());
        crate::process::jitter();
        match restart(|| ipc::msgsnd(msqid, to, &reply, false)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => break Err(queue_error("msgsnd()", msqid, e)),
            Err(interrupted) => break Err(interrupted),
        }
        served += 1;
    };
    // The end: let the last reply be taken (not after a signal), then remove the queue.
    if let ServedQueue::Own(q) = &mut queue {
        drain(msqid);
        let left = ipc::msg_stat(msqid).map(|s| s.qnum).unwrap_or(0);
        let _ = q.remove();
        if left > 0 {
            out::note(format_args!(
                "removed queue {msqid} with {left} undelivered message(s) in it (requests not yet served, replies not yet taken): they are gone with it"
            ));
        }
    }
    result?;
    check_interrupted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_in_requests() {
        assert_eq!(pid_in(b"hello, I'm client 4242"), Some(4242));
        assert_eq!(pid_in(b"no number"), None);
    }
}
