//! Algorithm 8-5: `shmproducer.c`, the POSIX shared-memory producer.
//!
//! The slide's steps:
//! 1. open the object NAME (`shm_open(NAME, O_RDWR)`)
//! 2. map it (`mmap` 4100 bytes, PROT_READ|PROT_WRITE, MAP_SHARED)
//! 3. write the message at offset 0 and print `produced message: …`
//!
//! The message is a C string at offset 0, as on the slide, so the seed's C consumer reads
//! it. ipclab writes the bytes after the first four, prints, and then stores the first four
//! with one Release store: a consumer that sees the first byte non-zero sees the whole text
//! (see [`super::shmconsumer`] for why that is also safe with the C producer).
//!
//! With `--items N` it is the producer of the slides' bounded buffer ([`crate::protocols::ring`]).

use super::PeerArgs;
use crate::error::SysContext;
use crate::layout::SHM_SIZE;
use crate::objects::owner::Owner;
use crate::objects::posix;
use crate::outln;
use crate::process::child;
use crate::protocols::peer::Role;
use crate::protocols::ring::{self, Ring};
use crate::protocols::ring_show::Show;
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use crate::sys::{signals, Errno};
use anyhow::{anyhow, Result};
use nix::fcntl::OFlag;
use std::sync::atomic::Ordering;
use std::time::Duration;

// `ipclab shmproducer NAME`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example (after `ipclab shmconsumer myshm` in another terminal): ipclab shmproducer myshm"
)]
pub struct Args {
    #[command(flatten)]
    pub peer: PeerArgs,
    /// The message to write
    #[arg(long, default_value = "Hello World!")]
    pub message: String,
}

/// Run the producer.
pub fn run(args: Args) -> Result<()> {
    child::tie_to_controller();
    signals::catch_termination()?;
    if let Some(n) = args.peer.ring.items {
        return produce_items(&args, n);
    }
    if args.message.len() >= SHM_SIZE {
        return Err(crate::error::usage(format!(
            "the message is {} bytes; the object holds {} with the NUL: shorten --message",
            args.message.len(),
            SHM_SIZE
        )));
    }
    // Step 1: open the object (waiting up to --timeout for a consumer to make and size it).
    let fd = open_when_ready(&args.peer)?;
    // Step 2: map it.
    let map = mem::map_file(&fd, SHM_SIZE, Access::ReadWrite, Share::Shared).sys("mmap()")?;
    drop(fd);
    // Step 3: write the message (first word last) and say so.
    crate::process::jitter();
    let region = map.region();
    let mut text = args.message.clone().into_bytes();
    text.push(0);
    while text.len() < 4 {
        text.push(0);
    }
    region.write(4, &text[4..]);
    outln!("produced message: {}", args.message)?;
    let first = i32::from_ne_bytes([text[0], text[1], text[2], text[3]]);
    region.atomic_i32(0).store(first, Ordering::Release);
    map.unmap().sys("munmap()")?;
    Ok(())
}

/// `shm_open(NAME, O_RDWR)`, waiting (up to `--timeout`, saying so once) while NAME does
/// not exist yet, or exists but is not yet sized: the consumer, started in the other
/// terminal, makes it (O_CREAT|O_EXCL) and then sizes it (ftruncate), and a producer that
/// opens it between the two must not touch it (SIGBUS).
fn open_when_ready(peer: &PeerArgs) -> Result<std::os::fd::OwnedFd> {
    let bare = crate::escape::shell(peer.name.trim_start_matches('/'));
    let hint = format!(
        "start `ipclab shmconsumer {bare}` (it creates the object and waits), or run `ipclab shmpthreadcon {bare}`"
    );
    let path = posix::path_of(&peer.name);
    let start = std::time::Instant::now();
    let mut said = false;
    loop {
        let size = match mem::shm_open(&peer.name, OFlag::O_RDWR, 0) {
            Ok(fd) => {
                posix::check_owner(&peer.name, &fd, peer.trust)?;
                let size = mem::file_size(&fd).sys("fstat()")?;
                if size >= SHM_SIZE as u64 {
                    return Ok(fd);
                }
                Some(size)
            }
            Err(Errno::ENOENT) => None,
            Err(e) => return Err(posix::explain_open(&peer.name, e, &hint)),
        };
        let waited = start.elapsed() >= peer.timeout;
        match size {
            Some(size) if peer.managed || waited => {
                return Err(anyhow!(
                    "{path} is {size} bytes, not {SHM_SIZE}: touching it would raise SIGBUS; its creator must ftruncate it to {SHM_SIZE}"
                ))
            }
            None if said && waited => {
                return Err(anyhow!(
                    "no consumer made {path} in {}: {hint}",
                    crate::units::show(peer.timeout)
                ))
            }
            None if peer.managed || waited => {
                return Err(posix::explain_open(&peer.name, Errno::ENOENT, &hint))
            }
            None if !std::mem::replace(&mut said, true) => crate::out::note(format_args!(
                "{path} does not exist yet: waiting up to {} for a consumer to make it ({hint})",
                crate::units::show(peer.timeout)
            )),
            _ => {}
        }
        crate::process::nap(Duration::from_millis(10))?;
    }
}

/// The bounded-buffer producer.
fn produce_items(args: &Args, count: u64) -> Result<()> {
    let opened = open_ring(&args.peer)?;
    let mut ring = Ring::open(
        opened.map.region(),
        args.peer.ring.buffer_size,
        args.peer.ring.sync,
    )?;
    ring.join(
        Role::Producer,
        args.peer.timeout,
        &args.peer.name,
        args.peer.managed,
    );
    // Standalone, either side removes the object when it ends (the other keeps its mapping;
    // the name is only for finding it), so a side whose peer was killed still cleans up.
    let mut guard = opened.unlink;
    if !args.peer.managed {
        guard.adopt();
    }
    // Under shmpthreadcon the consumer draws (one picture, not two interleaved).
    let r = &args.peer.ring;
    let show = Show::new(
        r.buffer_size,
        r.sync,
        r.show && !args.peer.managed,
        r.producer_delay,
    );
    ring.produce(
        count,
        || {
            show.done()?;
            let line = format!("produced {count} items");
            crate::protocols::ring_show::own_line(r.show && args.peer.managed, &line)?;
            Ok(())
        },
        &mut |step| show.step(step),
    )?;
    if args.peer.managed {
        // shmpthreadcon owns it: ours only guarded the setup.
        guard.disown();
    }
    Ok(())
}

/// A ring object, mapped.
pub struct OpenedRing {
    pub map: mem::Mapping,
    pub unlink: Owner,
}

/// Open (or, standalone, create-or-open) the ring object NAME.
///
/// Under shmpthreadcon (`managed`) the controller made and initialised it. Standalone, the
/// first side to arrive creates it (O_EXCL decides), sizes it and initialises the ring; the
/// other waits (up to `timeout`) until it is ready. The returned guard unlinks the object
/// if this side created it and fails before the exchange starts.
pub fn open_ring(peer: &PeerArgs) -> Result<OpenedRing> {
    let (name, ra, mode, managed, timeout) = (
        peer.name.as_str(),
        &peer.ring,
        peer.mode,
        peer.managed,
        peer.timeout,
    );
    let size = ring::object_size(ra.buffer_size);
    let bare = crate::escape::shell(name.trim_start_matches('/'));
    let hint = format!("run `ipclab shmpthreadcon {bare} --items N`");
    if !managed {
        match Owner::create_shm(name, mode) {
            Ok((fd, unlink)) => {
                posix::size_object(&fd, size as u64, name)?;
                let map = mem::map_file(&fd, size, Access::ReadWrite, Share::Shared)?;
                Ring::init(map.region(), ra.buffer_size, ra.sync)?;
                return Ok(OpenedRing { map, unlink });
            }
            Err(Errno::EEXIST) => {}
            Err(e) => return Err(posix::explain_open(name, e, &hint)),
        }
    }
    let fd =
        mem::shm_open(name, OFlag::O_RDWR, 0).map_err(|e| posix::explain_open(name, e, &hint))?;
    posix::check_owner(name, &fd, peer.trust)?;
    let start = std::time::Instant::now();
    loop {
        let have = mem::file_size(&fd)? as usize;
        if have >= ring::HEADER {
            // Initialised? Then its options must be ours, whatever its size.
            let head = mem::map_file(&fd, ring::HEADER, Access::ReadOnly, Share::Shared)?;
            if Ring::ready(&head.region()) {
                Ring::check_options(&head.region(), ra.buffer_size, ra.sync)?;
                if have >= size {
                    let map = mem::map_file(&fd, size, Access::ReadWrite, Share::Shared)?;
                    return Ok(OpenedRing {
                        map,
                        unlink: Owner::not_ours(name),
                    });
                }
            }
        }
        crate::error::check_interrupted()?;
        if start.elapsed() > timeout {
            return Err(anyhow!(
                "{}{name} exists but holds no bounded buffer of {} slots after {}: is another program using this name? Give both sides the same --buffer-size",
                posix::DEV_SHM,
                ra.buffer_size,
                crate::units::show(timeout)
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
