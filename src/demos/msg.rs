//! Seed 002 三 (消息队列): a System V message queue between a server and its clients.
//!
//! Server, the seed's steps:
//! 1. `ftok("/etc/passwd", 'z')`, print the key
//! 2. `msgget(key, IPC_CREAT|…)`, print the queue id and the pid
//! 3. loop: `msgrcv` a type-888 request, print its text and type, `msgsnd` a type-999
//!    reply `hello, I'm server PID`
//!
//! Client: same key and queue; `msgsnd` type 888 `hello, I'm client PID`; `msgrcv` type 999;
//! print it.
//!
//! The messages are the seed's `struct msg_form { long mtype; char mtext[256]; }`, sent and
//! received with msgsz 256, so ipclab and the seed's C programs talk to each other.
//!
//! Fixed from the C programs: the server ends (Ctrl-C, SIGTERM, SIGHUP, or `--count N`
//! requests served) and then removes its queue, but only once its last reply has been
//! taken (removing a queue destroys unread messages; hazard 9); any msgrcv/msgsnd error
//! ends it with a clear message instead of spinning on stale data (hazard 10); a client
//! with no server waits `--timeout`, says so, and removes a queue it created itself.
//!
//! Why `--reply-to-pid`: the seed's server answers every client with type 999, so with
//! two clients waiting, either may take the other's reply. With `--reply-to-pid` on both
//! sides, the reply's type is the client's pid, which only that client asks for.

use crate::layout::MSG_TEXT;
use crate::objects::keys;
use crate::objects::sysv::{self as segment, Kind, Owned};
use crate::sys::ipc::{self, Key};
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The request type.
pub const REQUEST: i64 = 888;
/// The seed's reply type.
pub const REPLY: i64 = 999;

/// The key options both sides share.
#[derive(clap::Args, Debug, Clone)]
pub struct KeyArgs {
    /// The file ftok makes the key from
    #[arg(long, default_value = "/etc/passwd")]
    pub path: PathBuf,
    /// ftok's project id: a number or one character
    #[arg(long, default_value = "z", value_parser = keys::parse_proj_id)]
    pub proj_id: u8,
}

impl KeyArgs {
    fn key(&self) -> Result<Key> {
        ipc::ftok(&self.path, self.proj_id).map_err(|e| {
            anyhow!(
                "ftok({}): {} (the key file must exist)",
                self.path.display(),
                e.desc()
            )
        })
    }
}

/// `ipclab msg-server`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab msg-server --count 1   (then `ipclab msg-client` in another terminal)"
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
    /// Permissions of the queue if the server creates it, octal (the seed uses 777)
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
}

/// `ipclab msg-client`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab msg-client --timeout 2s")]
pub struct ClientArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// The request's type
    #[arg(long = "type", allow_negative_numbers = true, default_value_t = REQUEST, value_parser = crate::units::mtype)]
    pub mtype: i64,
    /// The request's text (default: hello, I'm client PID)
    #[arg(long)]
    pub text: Option<String>,
    /// Ask for the reply under this client's pid (the server needs --reply-to-pid too)
    #[arg(long)]
    pub reply_to_pid: bool,
    /// How long to wait for a server (for each reply)
    #[arg(long, allow_hyphen_values = true, default_value = "10s", value_parser = crate::units::duration)]
    pub timeout: Duration,
    /// Send N requests, one after another, each numbered (` #i`)
    #[arg(long, allow_negative_numbers = true, default_value_t = 1, value_parser = crate::units::count)]
    pub count: u64,
    /// Permissions of the queue if the client has to create it, octal
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
}

fn stopping() -> bool {
    signals::pending().is_some()
}

/// The text of a message: up to its first NUL.
fn text_of(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// `mtext` as the seed sends it: the text, NUL-padded to 256 bytes (the seed sends
/// uninitialised stack bytes after the NUL; ipclab sends zeros).
fn padded(text: &[u8]) -> Vec<u8> {
    let mut m = vec![0u8; MSG_TEXT];
    m[..text.len()].copy_from_slice(text);
    m
}

fn msgmax() -> String {
    std::fs::read_to_string("/proc/sys/kernel/msgmax")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn queue_error(call: &str, e: Errno) -> anyhow::Error {
    match e {
        Errno::EIDRM | Errno::EINVAL => anyhow!("{call}: the queue was removed (EIDRM/EINVAL): stopping"),
        Errno::E2BIG => anyhow!(
            "{call}: a message longer than msgsz {MSG_TEXT} is waiting (E2BIG; the kernel's msgmax is {}): it does not fit struct msg_form, so the server stops rather than spin on it",
            msgmax()
        ),
        Errno::EACCES => anyhow!("{call}: permission denied (EACCES): the queue belongs to another user; ask its owner, or create it with --mode 666"),
        e => anyhow!("{call}: {}", e.desc()),
    }
}

/// The last number in a request's text: the client's pid in `hello, I'm client PID`.
fn pid_in(text: &[u8]) -> Option<i64> {
    let s = String::from_utf8_lossy(text);
    s.rsplit(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
        .filter(|&p| p > 0)
}

/// Wait (up to 2 s) until nobody's reply is left in the queue, so removing it destroys none.
fn drain(msqid: i32) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        match ipc::msg_stat(msqid) {
            Ok(st) if st.qnum > 0 => std::thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
}

/// Run the server.
pub fn run_server(args: ServerArgs) -> Result<()> {
    signals::catch_termination()?;
    // Step 1: the key.
    let key = args.key.key()?;
    outln!("Message Queue - Server key is: {key}.")?;
    // Step 2: the queue (the server owns it from now on, whoever created it).
    // A queue a client already made is adopted; one a dead ipclab run left is replaced.
    let flags = libc::IPC_CREAT | args.mode as libc::c_int;
    let mut queue = match segment::create_fresh("msg-server", Kind::Msg, key, || {
        ipc::msgget(key, flags | libc::IPC_EXCL)
    }) {
        Ok(q) => q,
        Err(Errno::EEXIST) => {
            let id = ipc::msgget(key, flags).map_err(|e| queue_error("msgget()", e))?;
            Owned::new(Kind::Msg, key, id)
        }
        Err(e) => return Err(queue_error("msgget()", e)),
    };
    let msqid = queue.id;
    outln!("My msqid is: {msqid}.")?;
    outln!("My pid is: {}.", std::process::id())?;
    let reply_text = format!("hello, I'm server {}", std::process::id());

    // Step 3: serve.
    let mut served = 0u64;
    let result = loop {
        if args.count.is_some_and(|n| served >= n) {
            break Ok(());
        }
        let (mtype, bytes) = match ipc::msgrcv(msqid, MSG_TEXT, REQUEST, false, stopping) {
            Ok(m) => m,
            Err(Errno::EINTR) => break Ok(()),
            Err(e) => break Err(queue_error("msgrcv()", e)),
        };
        let text = text_of(&bytes);
        let mut line = b"Server: receive msg.mtext is: ".to_vec();
        line.extend_from_slice(text);
        line.extend_from_slice(b".\n");
        out::bytes(&line)?;
        outln!("Server: receive msg.mtype is: {mtype}.")?;
        let to = if args.reply_to_pid {
            pid_in(text).unwrap_or_else(|| {
                out::warn(
                    "msg-server",
                    format_args!("no pid in the request: replying with type {REPLY}"),
                );
                REPLY
            })
        } else {
            REPLY
        };
        if let Err(e) = ipc::msgsnd(msqid, to, &padded(reply_text.as_bytes()), false, stopping) {
            break Err(queue_error("msgsnd()", e));
        }
        served += 1;
    };
    // The end: let the last reply be taken, then remove the queue.
    drain(msqid);
    let _ = queue.remove();
    result?;
    if let Some(sig) = signals::pending() {
        return Err(crate::error::Interrupted(sig).into());
    }
    Ok(())
}

/// Run the client.
pub fn run_client(args: ClientArgs) -> Result<()> {
    signals::catch_termination()?;
    let pid = std::process::id();
    let text = args
        .text
        .clone()
        .unwrap_or_else(|| format!("hello, I'm client {pid}"));
    // Room for the text, its NUL and (with --count) the request number.
    let room = if args.count > 1 { 22 } else { 0 };
    if text.len() + room >= MSG_TEXT {
        return Err(crate::error::usage(format!(
            "the text is {} bytes; struct msg_form's mtext holds {MSG_TEXT} with its NUL (msgsz {MSG_TEXT}; msgrcv would fail with E2BIG; the kernel's msgmax is {})",
            text.len(),
            msgmax()
        )));
    }
    let key = args.key.key()?;
    outln!("Message Queue - Client key is: {key}.")?;
    // Open the server's queue; if there is none yet, make it (as the seed does) and remember
    // that it is ours to remove if no server comes.
    let (msqid, mut mine) = match ipc::msgget(
        key,
        libc::IPC_CREAT | libc::IPC_EXCL | args.mode as libc::c_int,
    ) {
        Ok(id) => (id, Some(Owned::new(Kind::Msg, key, id))),
        Err(Errno::EEXIST) => (
            ipc::msgget(key, 0).map_err(|e| queue_error("msgget()", e))?,
            None,
        ),
        Err(e) => return Err(queue_error("msgget()", e)),
    };
    outln!("My msqid is: {msqid}.")?;
    outln!("My pid is: {pid}.")?;
    let want = if args.reply_to_pid {
        i64::from(pid)
    } else {
        REPLY
    };
    signals::tick();
    for i in 0..args.count {
        // With --count, each request carries its number, so order can be checked.
        let request = if args.count > 1 {
            format!("{text} #{i}")
        } else {
            text.clone()
        };
        ipc::msgsnd(
            msqid,
            args.mtype,
            &padded(request.as_bytes()),
            false,
            stopping,
        )
        .map_err(|e| queue_error("msgsnd()", e))?;
        let deadline = Instant::now() + args.timeout;
        let (mtype, bytes) = loop {
            match ipc::msgrcv(msqid, MSG_TEXT, want, false, || true) {
                Ok(m) => break m,
                Err(Errno::EINTR) => {
                    if let Some(sig) = signals::pending() {
                        return Err(crate::error::Interrupted(sig).into());
                    }
                    if Instant::now() >= deadline {
                        let removed = if let Some(q) = mine.as_mut() {
                            let _ = q.remove();
                            " (the queue this client created is removed)"
                        } else {
                            ""
                        };
                        return Err(anyhow!(
                            "no reply of type {want} within {}: no msg-server is running on key {key}{removed}; start `ipclab msg-server` first",
                            crate::units::show(args.timeout)
                        ));
                    }
                }
                Err(e) => return Err(queue_error("msgrcv()", e)),
            }
        };
        // A server answered: the queue is the server's to remove.
        if let Some(q) = mine.as_mut() {
            q.disarm();
        }
        let mut line = b"Client: receive msg.mtext is: ".to_vec();
        line.extend_from_slice(text_of(&bytes));
        line.extend_from_slice(b".\n");
        out::bytes(&line)?;
        outln!("Client: receive msg.mtype is: {mtype}.")?;
    }
    Ok(())
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
