//! IPC全解析 三 (消息队列): a System V message queue between a server and its clients.
//!
//! Server, the seed's steps:
//! 1. `ftok(KEYFILE, 'z')`, print the key
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
//! **Keys.** The seed's key is `ftok("/etc/passwd", 'z')`: the same for every user of the
//! machine, so in a lab room students would meet in one queue. ipclab's default key file is
//! one of your own (see [`crate::objects::keys::private_keyfile`]); `--path /etc/passwd` is
//! the seed's key, for the C programs.
//!
//! Fixed from the C programs: the server owns only the queue it creates (`IPC_EXCL`; a queue
//! already under the key is explained, never adopted and removed; `--join` serves it and
//! leaves it); it ends on Ctrl-C, SIGTERM, SIGHUP or after `--count N` requests and then
//! removes its queue, after its last reply was taken (removing a queue destroys unread
//! messages; hazard 9), and at once on a signal; any msgrcv/msgsnd error ends it with a
//! clear message instead of spinning on stale data (hazard 10). The client never creates
//! the queue (the seed's does, then blocks for ever with no server): it waits `--timeout`
//! for a server's queue, for room in a full queue and for each reply, and says which.
//!
//! Why `--reply-to-pid`: the seed's server answers every client with type 999, so with
//! two clients waiting, either may take the other's reply. With `--reply-to-pid` on both
//! sides, the reply's type is the client's pid, which only that client asks for.

use crate::error::{check_interrupted, restart, restart_until, sys_error};
use crate::layout::MSG_TEXT;
use crate::objects::registry::Entry;
use crate::objects::sysv::{self as segment, Owned};
use crate::objects::trust::{self, TrustArgs};
use crate::objects::{keys, Kind};
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
    /// The file ftok makes the key from (default: a key file of your own; the seed's is
    /// `--path /etc/passwd`, for the C programs)
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// ftok's project id: a number or one character
    #[arg(long, default_value = "z", value_parser = keys::parse_proj_id)]
    pub proj_id: u8,
}

impl KeyArgs {
    fn key(&self) -> Result<Key> {
        let path = match &self.path {
            Some(p) => p.clone(),
            None => keys::private_keyfile("msg.key")?,
        };
        ipc::ftok(&path, self.proj_id).map_err(|e| {
            sys_error(
                format_args!("ftok({}) (the key file must exist)", path.display()),
                e,
            )
        })
    }

    /// How the user gave the key, for hints.
    fn shown(&self) -> String {
        match &self.path {
            Some(p) => format!(" --path {}", p.display()),
            None => String::new(),
        }
    }
}

/// `ipclab msg-server`.
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
    /// Permissions of the queue the server creates, octal (the seed uses 777)
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
    /// Serve a queue that already exists under the key, and leave it when done
    #[arg(long)]
    pub join: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
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
    /// How long to wait for a server's queue, for room in it, and for each reply
    #[arg(long, allow_hyphen_values = true, default_value = "10s", value_parser = crate::units::duration)]
    pub timeout: Duration,
    /// Send N requests, one after another, each numbered (` #i`)
    #[arg(long, allow_negative_numbers = true, default_value_t = 1, value_parser = crate::units::count)]
    pub count: u64,
    #[command(flatten)]
    pub trust: TrustArgs,
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

fn kernel(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn queue_error(call: &str, msqid: i32, e: Errno) -> anyhow::Error {
    let exists = ipc::msg_stat(msqid).is_ok();
    match e {
        // EINVAL with the queue still there: the message is larger than msgmax.
        Errno::EINVAL if exists => anyhow!(
            "{call}: a message of {MSG_TEXT} bytes (struct msg_form's mtext) is larger than the kernel's msgmax ({}): raise it (`sysctl kernel.msgmax=8192`) to run this demo",
            kernel("msgmax")
        ),
        Errno::EIDRM | Errno::EINVAL => anyhow!("{call}: the queue was removed (its server ended)"),
        Errno::E2BIG => anyhow!(
            "{call}: a message longer than msgsz {MSG_TEXT} is waiting (E2BIG; msgmax is {}): it does not fit struct msg_form, so the server stops rather than spin on it",
            kernel("msgmax")
        ),
        Errno::EACCES => anyhow!("{call}: permission denied (EACCES): the queue belongs to another user; use a key file of your own (--path FILE) for both sides"),
        e => sys_error(call, e),
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

/// The queue a server serves: its own (removed at the end), or one it joined (a use
/// record keeps `clean` off it while the server runs; it stays when the server ends).
enum ServedQueue {
    Own(Owned),
    Joined { _using: Entry },
}

/// Step 2 of the server: create the queue, or (with `--join`) serve the one that is there.
fn server_queue(args: &ServerArgs, key: Key) -> Result<(i32, ServedQueue)> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | args.mode as libc::c_int;
    match segment::create(Kind::SysvMsg, key, || ipc::msgget(key, flags)) {
        Ok(q) => Ok((q.id, ServedQueue::Own(q))),
        Err(Errno::EEXIST) if args.join => {
            let id = ipc::msgget(key, 0).map_err(|e| queue_error("msgget()", -1, e))?;
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
        Err(e) => Err(queue_error("msgget()", -1, e)),
    }
}

/// Wait (up to 2 s) until nobody's reply is left in the queue, so removing it destroys
/// none; a termination signal cuts the wait short.
fn drain(msqid: i32) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) && signals::pending().is_none() {
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

/// Wait for the server's queue under `key` (the client never creates it); the use record
/// keeps `clean` off it while the client runs.
fn client_queue(args: &ClientArgs, key: Key) -> Result<(i32, Entry)> {
    let deadline = Instant::now() + args.timeout;
    let mut said = false;
    loop {
        match ipc::msgget(key, 0) {
            Ok(id) => {
                trust::check_sysv(Kind::SysvMsg, key, id, args.trust)?;
                return Ok((
                    id,
                    Entry::using(Kind::SysvMsg, Some(key), i64::from(id), None),
                ));
            }
            Err(Errno::ENOENT) => {}
            Err(e) => return Err(queue_error("msgget()", -1, e)),
        }
        if !said {
            out::note(format_args!(
                "no queue under key {key} yet: waiting up to {} for `ipclab msg-server{}`",
                crate::units::show(args.timeout),
                args.key.shown()
            ));
            said = true;
        }
        if Instant::now() >= deadline {
            return Err(anyhow!(
                "no msg-server created a queue under key {key} within {}: start `ipclab msg-server{}` first",
                crate::units::show(args.timeout),
                args.key.shown()
            ));
        }
        crate::process::nap(Duration::from_millis(20))?;
    }
}

/// Give up a blocking queue call once `deadline` has passed, saying `why` (the SIGALRM
/// tick makes the call return every 50 ms to look).
fn past(
    deadline: Instant,
    why: impl Fn() -> anyhow::Error,
) -> impl FnMut() -> Option<anyhow::Error> {
    move || (Instant::now() >= deadline).then(&why)
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
            kernel("msgmax")
        )));
    }
    let key = args.key.key()?;
    outln!("Message Queue - Client key is: {key}.")?;
    let (msqid, _using) = client_queue(&args, key)?;
    outln!("My msqid is: {msqid}.")?;
    outln!("My pid is: {pid}.")?;
    let want = if args.reply_to_pid {
        i64::from(pid)
    } else {
        REPLY
    };
    let wait = crate::units::show(args.timeout);
    signals::tick();
    for i in 0..args.count {
        // With --count, each request carries its number, so order can be checked.
        let request = match args.count {
            1 => text.clone(),
            _ => format!("{text} #{i}"),
        };
        let body = padded(request.as_bytes());
        let full = || {
            anyhow!(
            "msgsnd(): the queue stayed full for {wait} (msgmnb is {} bytes): is its server reading? (msg-server{})",
            kernel("msgmnb"),
            args.key.shown()
        )
        };
        let deadline = Instant::now() + args.timeout;
        restart_until(
            || ipc::msgsnd(msqid, args.mtype, &body, false),
            past(deadline, full),
        )?
        .map_err(|e| queue_error("msgsnd()", msqid, e))?;
        let silent = || {
            anyhow!(
            "no reply of type {want} within {wait}: is an `ipclab msg-server{}` serving queue {msqid}?",
            args.key.shown()
        )
        };
        let deadline = Instant::now() + args.timeout;
        let (mtype, bytes) = restart_until(
            || ipc::msgrcv(msqid, MSG_TEXT, want, false),
            past(deadline, silent),
        )?
        .map_err(|e| queue_error("msgrcv()", msqid, e))?;
        let mut line = b"Client: receive msg.mtext is: ".to_vec();
        line.extend_from_slice(text_of(&bytes));
        line.extend_from_slice(b".\n");
        out::bytes(&line)?;
        outln!("Client: receive msg.mtype is: {mtype}.")?;
    }
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
