//! Seed 002 五 (共享内存): shared memory + semaphore + message queue together. The client
//! writes a word into the segment inside P/V and sends an `r` message; the server, woken by
//! the message, prints the segment inside P/V; `q` ends both.
//!
//! One key for all three objects: `ftok(".", 'z')` (so the same as sem-demo's in one
//! directory). The segment is 1024 bytes; the message is the seed's
//! `struct msg_form { long mtype; char mtext; }`, type 888, msgsz 1.
//!
//! Server, the seed's steps:
//! 1. `shmget(key, 1024, IPC_CREAT)` and `shmat`
//! 2. `msgget(key, IPC_CREAT)`
//! 3. `semget(key, 1, IPC_CREAT)`, `SETVAL 1` (a mutex)
//! 4. loop: `msgrcv` type 888; `q` ends it; `r`: P, print the segment, V
//! 5. `shmdt`, remove the segment, the queue and the set
//!
//! Client: open the three objects (flags 0: the server must be there), print the banner,
//! loop on `Please input command: `; `r` asks `Data to send:`, writes the word inside P/V and
//! sends `r`; `q` sends `q` and ends; anything else is `Wrong input!`.
//!
//! One addition keeps piped runs deterministic: the server empties the segment after
//! printing it, and the client waits for that before writing the next word (for at most a
//! second, so the seed's C server, which never empties it, still works).
//!
//! Fixed from the C programs: input is bounded (the seed's `scanf("%s", shm)` can overflow
//! the 1024-byte segment), and a line of several words says that only its first is sent
//! (`--line` sends it whole); end of input on the client acts as `q` (the seed loops for
//! ever printing `Wrong input!`, hazard 7); the server removes its objects on Ctrl-C and
//! SIGTERM too, not only on `q` (hazard 11); `shmat` failure is tested on the pointer (the
//! seed dereferences `(void *)-1`, hazard 24). The banner is the seed's, as printed in
//! the notes, misalignment and all.

use crate::error::{check_interrupted, restart, sys_error, SysContext};
use crate::layout::SHM_MSG_SIZE;
use crate::objects::owner::Owner;
use crate::objects::registry::Entry;
use crate::objects::sysv as segment;
use crate::objects::trust::{self, TrustArgs};
use crate::objects::Kind;
use crate::sys::ipc::{self, Key};
use crate::sys::region::Access;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use std::io::{BufRead, IsTerminal};

/// The message type the client sends.
const TYPE: i64 = 888;

/// The key options both sides share.
pub use crate::objects::keys::FtokArgs as KeyArgs;
/// The default key file.
const KEY_FILE: &str = "shm-msg.key";

// `ipclab shm-msg-server`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab shm-msg-server   (then `ipclab shm-msg-client` in another terminal)"
)]
pub struct ServerArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// Permissions of the three objects, octal (the seed uses 666 and 777)
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
}

// `ipclab shm-msg-client`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: printf 'r\\nhello\\nq\\n' | ipclab shm-msg-client")]
pub struct ClientArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    /// Send the whole line (the seed's scanf("%s") takes its first word only)
    #[arg(long)]
    pub line: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
}

fn pv(semid: ipc::SemId, op: i16) -> Result<()> {
    segment::pv(semid, op, true, || None)
}

fn create<I: Into<i32>>(
    kind: Kind,
    key: Key,
    make: impl Fn() -> Result<I, Errno>,
) -> Result<Owner> {
    segment::create(kind, key, make).map_err(|e| match e {
        Errno::EEXIST => segment::occupied(
            kind,
            key,
            "another shm-msg-server or sem-demo may be running with this key file; pass --path with another file",
        ),
        e => crate::error::sys_error(format_args!("creating the {}", kind.noun()), e),
    })
}

/// Run the server.
pub fn run_server(args: ServerArgs) -> Result<()> {
    signals::catch_termination()?;
    let (key, _) = args.key.key(KEY_FILE)?;
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | args.mode as libc::c_int;
    // Step 1: the segment, attached.
    let mut shm = create(Kind::SysvShm, key, || ipc::shmget(key, SHM_MSG_SIZE, flags))?;
    let att = ipc::shmat(shm.shm_id(), SHM_MSG_SIZE, Access::ReadWrite).sys("shmat()")?;
    // Step 2: the queue.
    let mut queue = create(Kind::SysvMsg, key, || ipc::msgget(key, flags))?;
    let msqid = queue.msq_id();
    // Step 3: the semaphore, a mutex (1).
    let mut set = create(Kind::SysvSem, key, || ipc::semget(key, 1, flags))?;
    let semid = set.sem_id();
    ipc::sem_setval(semid, 0, 1).sys("semctl(SETVAL)")?;

    // Step 4: serve.
    crate::out::note(format_args!(
        "waiting for `ipclab shm-msg-client{}` (key {:x}); Ctrl-C ends the server and removes its objects",
        args.key.shown(),
        key as u32
    ));
    let region = att.region();
    let result = loop {
        let got = match restart(|| ipc::msgrcv(msqid, 1, TYPE, false)) {
            Ok(got) => got,
            Err(interrupted) => break Err(interrupted),
        };
        let (_, m) = match got {
            Ok(m) => m,
            Err(Errno::E2BIG) => {
                break Err(anyhow!(
                    "msgrcv(): a message longer than msgsz 1 arrived (E2BIG): not a shm-msg-client; stopping"
                ))
            }
            Err(Errno::EIDRM | Errno::EINVAL) => break Err(anyhow!("msgrcv(): the queue was removed")),
            Err(e) => break Err(sys_error("msgrcv()", e)),
        };
        match m.first() {
            Some(b'q') => break Ok(()),
            Some(b'r') => {
                if let Err(e) = pv(semid, -1) {
                    break Err(e);
                }
                let mut line = region.c_string(0, SHM_MSG_SIZE);
                line.push(b'\n');
                let printed = out::bytes(&line);
                // Printed: empty the segment, which tells the client the next word may come.
                region.write(0, &[0]);
                if let Err(e) = pv(semid, 1) {
                    break Err(e);
                }
                printed?;
            }
            _ => {}
        }
    };
    // Step 5: detach and remove all three.
    let _ = att.detach();
    let _ = shm.remove();
    let _ = queue.remove();
    let _ = set.remove();
    result?;
    check_interrupted()
}

/// Open the server's object of `kind` (never creating it), refusing another user's; the
/// use record keeps `clean` off it while the client runs.
fn open<I: Into<i32> + Copy>(
    kind: Kind,
    key: Key,
    r: Result<I, Errno>,
    trust: TrustArgs,
) -> Result<(I, Entry)> {
    let what = kind.noun();
    let id = r.map_err(|e| match e {
        Errno::ENOENT => anyhow!("no {what} for this key (ENOENT): start `ipclab shm-msg-server` first, with the same --path"),
        Errno::EACCES => anyhow!("{what}: permission denied (EACCES): it belongs to another user; use a key file of your own (--path FILE) for both sides"),
        e => crate::error::sys_error(what, e),
    })?;
    trust::check_sysv(kind, key, id, trust)?;
    let raw: i32 = id.into();
    Ok((id, Entry::using(kind, Some(key), i64::from(raw), None)))
}

/// The seed's banner, as printed in the notes (its alignment included).
const BANNER: &str = "\
***************************************
*                 IPC                   *
*Input r to send data toserver.  *
*   Input q to quit.      *
***************************************";

/// Read a line; `None` at end of input. Echoes it when stdin is not a terminal.
fn read_line(input: &mut impl BufRead, echo: bool) -> Result<Option<Vec<u8>>> {
    let got = super::shmwrite::read_line_capped(input, 64 * 1024);
    // A signal that came while we waited wins over whatever the read returned (EINTR, or
    // the EOF of a terminal that went away with it).
    check_interrupted()?;
    let got = got?;
    if let (Some((l, _)), true) = (&got, echo) {
        out::bytes(l)?;
        if !l.ends_with(b"\n") {
            outln!()?;
        }
    }
    Ok(got.map(|(l, _)| l))
}

/// Before overwriting the segment, wait until the server has printed the previous word
/// (ipclab's server empties the segment once printed). The seed's C server never empties it,
/// so after a second the client writes anyway, as the seed's client always does.
fn wait_until_printed(semid: ipc::SemId, region: &crate::sys::region::Region<'_>) -> Result<()> {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(1) {
        pv(semid, -1)?;
        let empty = region.read(0, 1)[0] == 0;
        pv(semid, 1)?;
        if empty {
            return Ok(());
        }
        crate::process::nap(std::time::Duration::from_millis(2))?;
    }
    Ok(())
}

/// End of input acts as `q` (the seed's client loops for ever printing `Wrong input!`).
fn quit_at_eof(send: &dyn Fn(u8) -> Result<()>, att: crate::sys::ipc::Attachment) -> Result<()> {
    outln!()?;
    out::warn("shm-msg-client", format_args!("end of input: sending q"));
    send(b'q')?;
    att.detach().sys("shmdt()")
}

/// Run the client.
pub fn run_client(args: ClientArgs) -> Result<()> {
    signals::catch_termination()?;
    let (key, _) = args.key.key(KEY_FILE)?;
    let (shmid, _segment) = open(
        Kind::SysvShm,
        key,
        ipc::shmget(key, SHM_MSG_SIZE, 0),
        args.trust,
    )?;
    let att = ipc::shmat(shmid, SHM_MSG_SIZE, Access::ReadWrite).sys("shmat()")?;
    let (msqid, _queue) = open(Kind::SysvMsg, key, ipc::msgget(key, 0), args.trust)?;
    let (semid, _set) = open(Kind::SysvSem, key, ipc::semget(key, 0, 0), args.trust)?;
    outln!("{BANNER}")?;
    let region = att.region();
    let stdin = std::io::stdin();
    let echo = !stdin.is_terminal();
    let mut input = stdin.lock();
    let send = |c: u8| {
        restart(|| ipc::msgsnd(msqid, TYPE, &[c], false))?.map_err(|e| match e {
            Errno::EIDRM | Errno::EINVAL => {
                anyhow!("msgsnd(): the queue was removed (the server ended)")
            }
            e => sys_error("msgsnd()", e),
        })
    };
    loop {
        out!("Please input command: ")?;
        let Some(line) = read_line(&mut input, echo)? else {
            return quit_at_eof(&send, att);
        };
        let cmd = line.strip_suffix(b"\n").unwrap_or(&line);
        match cmd {
            b"r" => {
                out!("Data to send:")?;
                let Some(data) = read_line(&mut input, echo)? else {
                    return quit_at_eof(&send, att);
                };
                // scanf("%s"): the first word (unless --line), bounded by the segment; words
                // left out are said, never dropped silently.
                let text = data.strip_suffix(b"\n").unwrap_or(&data);
                let mut words = text
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|w| !w.is_empty());
                let first = words.next().unwrap_or(b"").to_vec();
                let mut word = if args.line { text.to_vec() } else { first };
                if !args.line && words.next().is_some() {
                    out::note(format_args!(
                        "the seed's scanf(\"%s\") takes one word: sending \"{}\", not \"{}\" (--line sends the whole line)",
                        String::from_utf8_lossy(&word),
                        String::from_utf8_lossy(text)
                    ));
                }
                if word.len() >= SHM_MSG_SIZE {
                    out::warn(
                        "shm-msg-client",
                        format_args!("a word of {} bytes cut to {}: the segment holds {SHM_MSG_SIZE} with the NUL", word.len(), SHM_MSG_SIZE - 1),
                    );
                    word.truncate(SHM_MSG_SIZE - 1);
                }
                word.push(0);
                wait_until_printed(semid, &region)?;
                pv(semid, -1)?;
                region.write(0, &word);
                pv(semid, 1)?;
                send(b'r')?;
            }
            b"q" => {
                send(b'q')?;
                break;
            }
            _ => outln!("Wrong input!")?,
        }
    }
    att.detach().sys("shmdt()")?;
    Ok(())
}
