//! The roles: for each, the scenario (who ipclab starts, in which order, as the slide's
//! flow would), the slide's lines to expect, and the protocol model its verdicts are
//! checked on: did the data cross ([`super::model`]), did the end marker cross before the
//! program ended.
//!
//! | role | module | ipclab plays |
//! |---|---|---|
//! | shmread, shmwrite, shmcon | [`sysv_shm`] (8-1 … 8-3) | the segment, the other side, or both children |
//! | shmproducer, shmconsumer | [`posix_shm`] (8-4 … 8-6) | the object and the other side |
//! | ring-producer, ring-consumer | [`ring`] (the bounded buffer) | the object, initialised, and the other side |
//! | fifo-read, fifo-write | [`fifo`] (IPC全解析 二) | the other end of ./fifo1 |
//! | msg-client, msg-server | [`msg`] (IPC全解析 三) | the server or the clients |
//! | sem-demo | [`sem`] (IPC全解析 四) | nobody: the program is the whole demo |
//! | mmap-read, mmap-write | [`mmap`] (the mmap notes' mmap_r/w_ipc) | the other side of ./temp |

pub mod fifo;
pub mod mmap;
pub mod msg;
pub mod posix_shm;
pub mod ring;
pub mod sem;
pub mod sysv_shm;

use super::ctx::Ctx;
use super::outcome::Outcome;
use super::Role;
use anyhow::Result;

/// The module that plays `role`: its scenario, its slide's lines, its data check, its end.
struct Family {
    play: fn(&mut Ctx) -> Result<()>,
    transcript: fn(Role, &Outcome) -> Vec<String>,
    data: fn(Role, &Outcome) -> Result<String, String>,
    end: fn(Role, &Outcome) -> Result<(), String>,
}

fn family(role: Role) -> Family {
    macro_rules! of {
        ($m:ident) => {
            Family {
                play: $m::play,
                transcript: $m::transcript,
                data: $m::data,
                end: $m::end,
            }
        };
    }
    match role {
        Role::Shmread | Role::Shmwrite | Role::Shmcon => of!(sysv_shm),
        Role::Shmproducer | Role::Shmconsumer => of!(posix_shm),
        Role::RingProducer | Role::RingConsumer => of!(ring),
        Role::FifoRead | Role::FifoWrite => of!(fifo),
        Role::MsgClient | Role::MsgServer => of!(msg),
        Role::SemDemo => of!(sem),
        Role::MmapRead | Role::MmapWrite => of!(mmap),
    }
}

/// Run the role's scenario (the mode is in the setup).
pub fn play(c: &mut Ctx) -> Result<()> {
    (family(c.s.role).play)(c)
}

/// The slide's lines for the role, with this run's values (fragments, in order).
pub fn transcript(role: Role, o: &Outcome) -> Vec<String> {
    (family(role).transcript)(role, o)
}

/// Did the data cross? `Ok(what crossed)` or `Err(what is missing)`.
pub fn data(role: Role, o: &Outcome) -> Result<String, String> {
    (family(role).data)(role, o)
}

/// Did the role's end marker cross before the program ended (it ended well)? `Err(what
/// did not happen)`.
pub fn ended_right(role: Role, o: &Outcome) -> Result<(), String> {
    (family(role).end)(role, o)
}

/// When the program is done, as the role's protocol says.
pub fn end_marker(role: Role) -> &'static str {
    match role {
        Role::Shmread => "after the writer's `end`",
        Role::Shmwrite => "after `end` on its stdin",
        Role::Shmcon => "after both children ended (and it removed the segment)",
        Role::Shmproducer => "after writing the message",
        Role::Shmconsumer => "after printing the message",
        Role::RingProducer | Role::RingConsumer => "after its COUNT items",
        Role::FifoRead => "at EOF, when the writer closed",
        Role::FifoWrite => "after its COUNT messages",
        Role::MsgServer => "after COUNT requests",
        Role::MsgClient => "after the reply",
        Role::SemDemo => "after the father's line",
        Role::MmapRead | Role::MmapWrite => "after its ROUNDS rounds",
    }
}

/// Each fragment found in a line of `text`, in order; `Err(the first missing)`.
pub fn in_order(text: &str, fragments: &[String]) -> Result<(), String> {
    let mut lines = text.lines();
    for f in fragments {
        if !lines.any(|l| l.contains(f.as_str())) {
            return Err(f.clone());
        }
    }
    Ok(())
}

/// `prefix` + each payload.
pub fn each(o: &Outcome, prefix: &str) -> Vec<String> {
    o.payloads.iter().map(|p| format!("{prefix}{p}")).collect()
}
