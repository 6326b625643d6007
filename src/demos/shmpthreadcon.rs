//! Algorithm 8-4: `shmpthreadcon.c` (`shmthreadcon.c` on the Chinese slide), the controller
//! of the POSIX shared-memory producer and consumer.
//!
//! The slide's steps:
//! 1. create the object NAME (`shm_open(NAME, O_CREAT|O_RDWR, mode)`)
//! 2. list /dev/shm (`ls -l /dev/shm/`, rendered here from the directory itself)
//! 3. size it (`ftruncate` to 4100; with `--items`, to the bounded buffer's size)
//! 4. vfork+execv the producer, then the consumer
//! 5. wait for both
//! 6. remove it (`shm_unlink`) and list /dev/shm again
//!
//! Fixed from the C program: the object is created 0600 (`--mode`) and exclusively (a name
//! in use is an error that says so); the consumer waits for the message instead of racing
//! the producer (`--race` shows the slide's race); Ctrl-C, SIGTERM, SIGHUP or a failed child
//! still end both children and unlink the object.

use crate::error::SysContext;
use crate::layout::SHM_SIZE;
use crate::objects::owner::Owner;
use crate::objects::posix;
use crate::outln;
use crate::process::controller::{self, Program, Spawner};
use crate::protocols::ring::{self, Ring};
use crate::protocols::ring_args::RingArgs;
use crate::sys::mem::{self, Share};
use crate::sys::region::Access;
use crate::sys::signals;
use anyhow::Result;

// `ipclab shmpthreadcon [NAME]`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab shmpthreadcon myshm   (or --items 100000 --sync sem)")]
pub struct Args {
    /// The POSIX shm object (`myshm` or `/myshm`; default: a per-user name)
    #[arg(value_parser = posix::name)]
    pub name: Option<String>,
    /// Permissions of the new object, octal (the slide uses 666)
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
    /// The producer's message
    #[arg(long, default_value = "Hello World!")]
    pub message: String,
    /// Let the consumer read without waiting, as on the slide
    #[arg(long)]
    pub race: bool,
    /// Run this program as the producer (argv: PROG NAME), e.g. your own or the seed's
    /// alg.8-5-shmproducer.o
    #[arg(long, value_name = "PROG")]
    pub producer: Option<std::path::PathBuf>,
    /// Run this program as the consumer (argv: PROG NAME)
    #[arg(long, value_name = "PROG")]
    pub consumer: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub ring: RingArgs,
}

fn ls() -> Result<()> {
    for line in posix::ls_dev_shm()? {
        outln!("{line}")?;
    }
    Ok(())
}

/// Run the controller.
pub fn run(args: Args) -> Result<()> {
    signals::catch_termination()?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| posix::default_name("shm"));
    // Step 1: create the object.
    let (fd, mut unlink) =
        Owner::create_shm(&name, args.mode).map_err(|e| posix::explain_open(&name, e, ""))?;
    // Step 2: list /dev/shm.
    ls()?;
    // Step 3: size it (and set the bounded buffer up).
    let size = match args.ring.items {
        Some(_) => ring::object_size(args.ring.buffer_size),
        None => SHM_SIZE,
    };
    posix::size_object(&fd, size as u64, &name)?;
    if args.ring.items.is_some() {
        let map = mem::map_file(&fd, size, Access::ReadWrite, Share::Shared)?;
        Ring::init(map.region(), args.ring.buffer_size, args.ring.sync)?;
    }
    drop(fd);
    crate::error::check_interrupted()?;

    // Step 4: vfork the producer, then the consumer.
    let mut common = vec![name.clone(), "--managed".to_string()];
    common.extend(args.ring.forward());
    let mut producer_args = common.clone();
    if args.message != "Hello World!" {
        producer_args.extend(["--message".to_string(), args.message.clone()]);
    }
    let mut consumer_args = common;
    if args.race {
        consumer_args.push("--race".into());
    }
    let spawner = Spawner::new()?;
    let producer = Program::applet_or("shmproducer", &args.producer);
    let consumer = Program::applet_or("shmconsumer", &args.consumer);
    let bare = vec![name.clone()];
    let producer_args = if matches!(producer, Program::Applet(_)) {
        producer_args
    } else {
        bare.clone()
    };
    let consumer_args = if matches!(consumer, Program::Applet(_)) {
        consumer_args
    } else {
        bare
    };
    let mut children = vec![spawner.spawn(&producer, &producer_args, None)?];
    match spawner.spawn(&consumer, &consumer_args, None) {
        Ok(c) => children.push(c),
        Err(e) => {
            controller::stop(&children);
            let _ = controller::wait_children(children);
            return Err(e);
        }
    }

    // Step 5: wait for both.
    let outcome = controller::wait_children(children)?;

    // Step 6: remove the object, list /dev/shm again.
    unlink.remove().sys(format_args!("shm_unlink({name})"))?;
    controller::finish(&spawner, outcome, &format!("unlinked {name}"))?;
    ls()
}
