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

pub mod client;
pub mod server;

use crate::error::sys_error;
use crate::layout::MSG_TEXT;
use crate::objects::keys;
use crate::sys::ipc;
use crate::sys::Errno;
use anyhow::anyhow;

/// The request type.
pub const REQUEST: i64 = 888;
/// The seed's reply type.
pub const REPLY: i64 = 999;

/// The key options both sides share ([`keys::FtokArgs`]); the default key file.
pub use keys::FtokArgs as KeyArgs;
pub const KEY_FILE: &str = "msg.key";

/// The text of a message: up to its first NUL.
pub fn text_of(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// `mtext` as the seed sends it: the text, NUL-padded to 256 bytes (the seed sends
/// uninitialised stack bytes after the NUL; ipclab sends zeros).
pub fn padded(text: &[u8]) -> Vec<u8> {
    let mut m = vec![0u8; MSG_TEXT];
    m[..text.len()].copy_from_slice(text);
    m
}

pub fn kernel(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

pub fn queue_error(call: &str, msqid: ipc::MsqId, e: Errno) -> anyhow::Error {
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
