//! `msg-client`: the server's key and queue (never created here); `msgsnd` type 888
//! `hello, I'm client PID`; `msgrcv` type 999; print it. It waits `--timeout` for a
//! server's queue, for room in a full queue and for each reply, and says which.

use super::{kernel, padded, queue_error, text_of, KeyArgs, REPLY, REQUEST};
use crate::error::{check_interrupted, restart_until};
use crate::layout::MSG_TEXT;
use crate::objects::registry::Entry;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::sys::ipc::{self, Key};
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use std::time::{Duration, Instant};

// `ipclab msg-client`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
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
    /// Pause between each request and the wait for its reply (a slow client: a server
    /// that removes its queue right after its last msgsnd loses the reply it sent)
    #[arg(long, allow_hyphen_values = true, default_value = "0", value_parser = crate::units::duration)]
    pub wait_before_reply: Duration,
    /// Send N requests, one after another, each numbered (` #i`)
    #[arg(long, allow_negative_numbers = true, default_value_t = 1, value_parser = crate::units::count)]
    pub count: u64,
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// Wait for the server's queue under `key` (the client never creates it); the use record
/// keeps `clean` off it while the client runs.
fn client_queue(args: &ClientArgs, key: Key) -> Result<(ipc::MsqId, Entry)> {
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
            Err(e) => return Err(queue_error("msgget()", ipc::MsqId(-1), e)),
        }
        if !said {
            out::note(format_args!(
                "no queue under key {:x} ({key}, as the slide prints it) yet: waiting up to {} for `ipclab msg-server{}`",
                key as u32,
                crate::units::show(args.timeout),
                args.key.shown()
            ));
            said = true;
        }
        if Instant::now() >= deadline {
            return Err(anyhow!(
                "no msg-server created a queue under key {:x} ({key}) within {}: start `ipclab msg-server{}` first",
                key as u32,
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
pub fn run(args: ClientArgs) -> Result<()> {
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
    let (key, _) = args.key.key(super::KEY_FILE)?;
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
        crate::process::jitter();
        restart_until(
            || ipc::msgsnd(msqid, args.mtype, &body, false),
            past(deadline, full),
        )?
        .map_err(|e| queue_error("msgsnd()", msqid, e))?;
        crate::process::nap(args.wait_before_reply)?;
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
        crate::protocols::witness::got(text_of(&bytes));
        let mut line = b"Client: receive msg.mtext is: ".to_vec();
        line.extend_from_slice(text_of(&bytes));
        line.extend_from_slice(b".\n");
        out::bytes(&line)?;
        outln!("Client: receive msg.mtype is: {mtype}.")?;
    }
    check_interrupted()
}
