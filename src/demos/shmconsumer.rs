//! Algorithm 8-6: `shmconsumer.c`, the POSIX shared-memory consumer.
//!
//! The slide's steps:
//! 1. open the object NAME (`shm_open(NAME, O_RDONLY)`)
//! 2. map it read-only (`mmap` 4100 bytes, PROT_READ, MAP_SHARED)
//! 3. print the C string at offset 0: `consumed message: …`
//!
//! **No race by default.** On the slide, shmpthreadcon starts the producer and the consumer
//! together and nothing orders them: the consumer can read before the producer wrote and
//! print an empty message (hazard 2). ipclab's consumer waits (up to `--timeout`) until the
//! message is there. The sign it waits for is in the data itself, the first byte of the
//! string turning non-zero, because the seed's C producer sets no other signal; ipclab's
//! producer stores the first four bytes last with a Release store, so the whole text is
//! visible at once, and for a C producer (which writes front to back) the consumer reads the
//! text until two reads a millisecond apart agree. `--race` runs the slide's unsynchronised
//! read and says what can happen.
//!
//! Standalone (two terminals), the consumer creates the object if it is missing, sized 4100,
//! waits for a producer, and removes the object it created when done.
//!
//! With `--items N` it is the consumer of the slides' bounded buffer ([`crate::protocols::ring`]).

use super::shmproducer;
use super::PeerArgs;
use crate::error::SysContext;
use crate::layout::SHM_SIZE;
use crate::objects::owner::Owner;
use crate::objects::posix;
use crate::process::child;
use crate::protocols::peer::Role;
use crate::protocols::ring::{Ring, ITEM};
use crate::protocols::ring_show::Show;
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use crate::sys::region::Region;
use crate::sys::{signals, Errno};
use crate::{out, outln};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::time::{Duration, Instant};

// `ipclab shmconsumer NAME`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab shmconsumer myshm   (then `ipclab shmproducer myshm` in another terminal)"
)]
pub struct Args {
    #[command(flatten)]
    pub peer: PeerArgs,
    /// Read at once, as the slide does, even if nothing was written yet
    #[arg(long)]
    pub race: bool,
}

/// Run the consumer.
pub fn run(args: Args) -> Result<()> {
    child::tie_to_controller();
    signals::catch_termination()?;
    if let Some(n) = args.peer.ring.items {
        return consume_items(&args, n);
    }
    // Step 1: open the object (standalone: create it if missing, and remove it at the end).
    let mut unlink = Owner::not_ours(&args.peer.name);
    let fd = match mem::shm_open(&args.peer.name, OFlag::O_RDONLY, 0) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) if !args.peer.managed && !args.race => {
            let (fd, created) = Owner::create_shm(&args.peer.name, args.peer.mode)
                .map_err(|e| posix::explain_open(&args.peer.name, e, ""))?;
            unlink = created;
            posix::size_object(&fd, SHM_SIZE as u64, &args.peer.name)?;
            fd
        }
        Err(e) => {
            let bare = crate::escape::shell(args.peer.name.trim_start_matches('/'));
            return Err(posix::explain_open(
                &args.peer.name,
                e,
                &format!(
                    "run `ipclab shmpthreadcon {bare}`, or start this consumer without --race"
                ),
            ));
        }
    };
    posix::check_owner(&args.peer.name, &fd, args.peer.trust)?;
    let size = mem::file_size(&fd)?;
    if size < SHM_SIZE as u64 {
        return Err(anyhow!(
            "{}{} is {size} bytes, not {SHM_SIZE}: reading it would raise SIGBUS; its creator must ftruncate it first",
            posix::DEV_SHM,
            args.peer.name
        ));
    }
    // Step 2: map it read-only.
    let map = mem::map_file(&fd, SHM_SIZE, Access::ReadOnly, Share::Shared).sys("mmap()")?;
    drop(fd);
    let region = map.region();
    // Step 3: wait for the message (unless --race), then print it.
    let text = if args.race {
        region.c_string(0, SHM_SIZE)
    } else {
        if !args.peer.managed {
            out::note(format_args!(
                "waiting up to {} for a producer (start `ipclab shmproducer {}`)",
                crate::units::show(args.peer.timeout),
                crate::escape::shell(args.peer.name.trim_start_matches('/'))
            ));
        }
        wait_for_message(&region, args.peer.timeout, &args.peer.name)?
    };
    crate::protocols::witness::got(&text);
    let mut line = b"consumed message: ".to_vec();
    line.extend_from_slice(&text);
    line.push(b'\n');
    out::bytes(&line)?;
    if args.race && text.is_empty() {
        out::warn(
            "shmconsumer",
            format_args!("--race: the consumer read before the producer wrote, so the message was empty (the slide's hazard; drop --race to wait)"),
        );
    }
    map.unmap().sys("munmap()")?;
    unlink
        .remove()
        .sys(format_args!("shm_unlink({})", args.peer.name))?;
    Ok(())
}

/// Wait until the C string at offset 0 is non-empty and stable.
fn wait_for_message(region: &Region<'_>, timeout: Duration, name: &str) -> Result<Vec<u8>> {
    let start = Instant::now();
    loop {
        if region.load_i32(0) & 0xff != 0 {
            let mut text = region.c_string(0, SHM_SIZE);
            loop {
                std::thread::sleep(Duration::from_millis(1));
                let again = region.c_string(0, SHM_SIZE);
                if again == text {
                    return Ok(text);
                }
                text = again;
            }
        }
        crate::error::check_interrupted()?;
        if start.elapsed() > timeout {
            return Err(anyhow!(
                "no producer wrote to {name} within {}: start `ipclab shmproducer {}` (or pass a longer --timeout)",
                crate::units::show(timeout),
                crate::escape::shell(name.trim_start_matches('/'))
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The bounded-buffer consumer: checks every item and ends with a summary line.
fn consume_items(args: &Args, count: u64) -> Result<()> {
    let opened = shmproducer::open_ring(&args.peer)?;
    let mut unlink = opened.unlink;
    // Standalone, either side removes the object when it ends (see shmproducer).
    if !args.peer.managed {
        unlink.adopt();
    }
    let mut ring = Ring::open(
        opened.map.region(),
        args.peer.ring.buffer_size,
        args.peer.ring.sync,
    )?;
    ring.join(
        Role::Consumer,
        args.peer.timeout,
        &args.peer.name,
        args.peer.managed,
    );
    let r = &args.peer.ring;
    let show = Show::new(r.buffer_size, r.sync, r.show, r.delay);
    let t = Instant::now();
    ring.consume(count, &mut |step| show.step(step))?;
    let secs = t.elapsed().as_secs_f64();
    show.done()?;
    outln!(
        "consumed {count} items, {} bytes, in {:.3} s: {:.0} items/s (every item once and in order; largest fill seen: {} of BUFFER_SIZE {})",
        count * ITEM as u64,
        secs,
        count as f64 / secs.max(1e-9),
        ring.max_fill(),
        args.peer.ring.buffer_size
    )?;
    unlink
        .remove()
        .sys(format_args!("shm_unlink({})", args.peer.name))?;
    Ok(())
}
