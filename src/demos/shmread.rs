//! Algorithm 8-2: `shmread.c`, the single reader.
//!
//! The slide's steps (读程序shmread):
//! 1. get the segment of KEY (`shmget`; ipclab never creates it: that is the controller's job)
//! 2. attach it (`shmat`)
//! 3. loop: wait for a message, print it, hand the buffer back
//! 4. stop at a message starting with `end` (the slide's 3-byte rule, kept for interop)
//!
//! Fixed from the C program: the `end` test happens *before* the buffer is handed back
//! (the C reader clears `written` first, so a fast writer could overwrite the text it is
//! about to test, hazard 1); a missing KEY is a usage error, not a NULL dereference (hazard 8).

use super::READER_INDENT as I;
use crate::error::SysContext;
use crate::layout::{MTEXT, TEXT_SIZE};
use crate::objects::keys;
use crate::objects::sysv as segment;
use crate::objects::trust::TrustArgs;
use crate::outln;
use crate::process::child;
use crate::protocols::handoff::{Handoff, SyncArgs};
use crate::protocols::roles::{self, Role};
use crate::sys::ipc::Key;
use anyhow::Result;

// `ipclab shmread KEY`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example (with the key shmcon printed): ipclab shmread 27011c6c")]
pub struct Args {
    /// The IPC key in hex, as shmcon passes it (`27011c6c`; `0x` allowed)
    #[arg(value_parser = keys::parse_key, allow_hyphen_values = true)]
    pub key: Key,
    #[command(flatten)]
    pub sync: SyncArgs,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Take part even if the segment already has a reader (see ipclab shmcon --serve)
    #[arg(long)]
    pub force: bool,
}

/// Run the reader.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    child::tie_to_controller();
    let key = args.key;
    outln!("{I}shmread: IPC key = {:x}", key as u32)?;

    // Step 1 and 2: get the segment, attach it.
    let (shmid, att) = segment::open(key, args.trust)?;
    let _part = roles::take_segment(key, shmid, Role::Reader, args.force)?;
    let handoff = Handoff::open(&args.sync, key, shmid, args.trust)?;
    outln!("{I}shmread: shmid = {shmid}")?;
    outln!("{I}shmread: shared memory attached at {:p}", att.addr())?;
    outln!("{I}shmread process ready ...\n")?;
    child::notify_ready();

    // Step 3: wait for each message and print it.
    let region = att.region();
    loop {
        handoff.wait_readable(&region)?;
        let text = region.c_string(MTEXT, TEXT_SIZE);
        crate::protocols::witness::got(&text);
        let mut line = format!("{I}You wrote: ").into_bytes();
        line.extend_from_slice(&text);
        line.push(b'\n');
        crate::out::bytes(&line)?;
        // Step 4: `end` ends the reader (tested before the buffer goes back to the writer).
        let end = text.starts_with(b"end");
        handoff.release(&region)?;
        if end {
            break;
        }
    }
    att.detach().sys("shmdt()")?;
    Ok(())
}
