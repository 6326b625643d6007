//! Algorithm 8-3: `shmwrite.c`, the single writer.
//!
//! The slide's steps (写程序shmwrite):
//! 1. get the segment of KEY (`shmget`)
//! 2. attach it (`shmat`)
//! 3. loop: wait until the buffer is free, prompt `Enter some text: `, read a line (fgets:
//!    the newline is kept, which gives the transcript its blank lines), copy it into `mtext`,
//!    print `shared buffer: …`, hand it to the reader
//! 4. stop after a line starting with `end`
//!
//! Fixed from the C program: end of input acts as `end`, so the reader ends too (the C
//! writer re-sends its last line forever, hazard 6); a line longer than 4095 bytes is cut to
//! 4095 and NUL-terminated, with a warning (the C `strncpy` leaves no NUL); the prompt is
//! flushed; with stdin not a terminal the line is echoed after the prompt, so a piped run
//! reads like the slide's terminal session.

use crate::error::SysContext;
use crate::layout::{MTEXT, TEXT_SIZE};
use crate::objects::keys;
use crate::objects::sysv as segment;
use crate::objects::trust::TrustArgs;
use crate::process::child;
use crate::protocols::handoff::{Handoff, SyncArgs};
use crate::protocols::roles::{self, Role};
use crate::sys::ipc::Key;
use crate::{out, outln};
use anyhow::Result;
use std::io::{BufRead, IsTerminal};

// `ipclab shmwrite KEY`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example (with the key shmcon printed): printf 'hi\\nend\\n' | ipclab shmwrite 27011c6c"
)]
pub struct Args {
    /// The IPC key in hex, as shmcon passes it (`27011c6c`; `0x` allowed)
    #[arg(value_parser = keys::parse_key, allow_hyphen_values = true)]
    pub key: Key,
    #[command(flatten)]
    pub sync: SyncArgs,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Take part even if the segment already has a writer (see ipclab shmcon --serve)
    #[arg(long)]
    pub force: bool,
}

/// The longest text `mtext` holds with its NUL.
const MAX_TEXT: usize = TEXT_SIZE - 1;

/// Read one line (newline kept) keeping at most `cap` bytes; the rest of a longer line is
/// read and dropped. `None` at end of input. Returns the kept bytes and the line's length.
pub fn read_line_capped(
    input: &mut impl BufRead,
    cap: usize,
) -> std::io::Result<Option<(Vec<u8>, usize)>> {
    let mut kept = Vec::new();
    let mut total = 0usize;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            // A caught termination signal interrupted the read: stop; anything else: retry.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                if crate::sys::signals::pending().is_some() {
                    return Err(e);
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(if total == 0 {
                None
            } else {
                Some((kept, total))
            });
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        total += chunk.len();
        let n = chunk.len();
        input.consume(n);
        if done {
            return Ok(Some((kept, total)));
        }
    }
}

/// Run the writer.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    child::tie_to_controller();
    let key = args.key;
    outln!("shmwrite: IPC key = {:x}", key as u32)?;

    // Step 1 and 2: get the segment, attach it.
    let (shmid, att) = segment::open(key, args.trust)?;
    let _part = roles::take_segment(key, shmid, Role::Writer, args.force)?;
    let handoff = Handoff::open(&args.sync, key, shmid, args.trust)?;
    outln!("shmwrite: shmid = {shmid}")?;
    outln!("shmwrite: shared memory attached at {:p}", att.addr())?;
    outln!("shmwrite process ready ...")?;

    // Step 3: one line at a time.
    let region = att.region();
    let stdin = std::io::stdin();
    let echo = !stdin.is_terminal();
    let mut input = stdin.lock();
    loop {
        handoff.wait_writable(&region)?;
        out!("Enter some text: ")?;
        let Some((mut text, len)) = read_line_capped(&mut input, MAX_TEXT)? else {
            // End of input acts as `end`, so the reader stops too.
            outln!()?;
            out::warn(
                "shmwrite",
                format_args!("end of input: sending \"end\" so the reader stops too"),
            );
            region.write(MTEXT, b"end\n\0");
            handoff.publish(&region)?;
            break;
        };
        if echo {
            out::bytes(&text)?;
            if !text.ends_with(b"\n") {
                outln!()?;
            }
        }
        if len > MAX_TEXT {
            out::warn(
                "shmwrite",
                format_args!(
                    "line of {len} bytes cut to {MAX_TEXT}: mtext holds TEXT_SIZE = {TEXT_SIZE} bytes with the NUL"
                ),
            );
        }
        text.push(0);
        region.write(MTEXT, &text);
        text.pop();
        let mut shown = b"shared buffer: ".to_vec();
        shown.extend_from_slice(&text);
        shown.push(b'\n');
        out::bytes(&shown)?;
        handoff.publish(&region)?;
        // Step 4: `end` ends the writer.
        if text.starts_with(b"end") {
            break;
        }
    }
    att.detach().sys("shmdt()")?;
    Ok(())
}
