//! Algorithm 8-1: `shmcon.c`, the controller of the single-writer / single-reader demo.
//!
//! The slide's steps (读写控制程序shmcon), numbered as in the code below:
//! 1. create the shared memory (`ftok` the key file, `shmget` 4100 bytes)
//! 2. get the mapped address (`shmat`)
//! 3. set it writable (`written = 0`)
//! 4. query the status (the `ipcs -m` row, attached and after `shmdt`)
//! 5. vfork the reader and the writer (posix_spawn, see [`crate::sys::spawn`])
//! 6. wait for both children
//! 7. remove the shared memory (`shmctl(IPC_RMID)`)
//!
//! Fixed from the C program: the key file is created 0600 and closed (`creat(path, O_RDWR)`
//! made it mode 0000, hazard 13) and removed at the end if this run made it; new segments
//! are 0600 (`--mode 666` for the slide's); the `ipcs` row is matched by shmid exactly, not
//! by substring (hazard 23); stdout is flushed before each spawn (hazard 25); Ctrl-C,
//! SIGTERM or SIGHUP, or a child that dies, still ends both children and removes the
//! segment (hazard 12); the reader is known to be ready before the writer starts, so the
//! transcript has the slide's order.

use crate::error::{check_interrupted, SysContext};
use crate::layout::{MTEXT, SHM_SIZE, TEXT_NUM, WRITTEN};
use crate::objects::owner::Owner;
use crate::objects::sysv as segment;
use crate::objects::Kind;
use crate::objects::{keys, sysvipc};
use crate::outln;
use crate::process::controller::{self, Child, Program, Spawner};
use crate::protocols::handoff::{SyncArgs, SyncMode, EMPTY, FULL};
use crate::sys::ipc::{self, Key};
use crate::sys::region::Access;
use crate::sys::{signals, Errno};
use anyhow::{anyhow, Result};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

// `ipclab shmcon [PATHNAME]`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: printf 'Hello World!\\nend\\n' | ipclab shmcon --interval 10ms")]
pub struct Args {
    /// The key file for ftok (created if missing; default: a per-user file)
    pub pathname: Option<PathBuf>,
    /// ftok's project id (only its low 8 bits count)
    #[arg(long, default_value = "0x27", value_parser = keys::parse_proj_id)]
    pub proj_id: u8,
    /// Permissions of the new segment, octal (the slide uses 666)
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
    /// Keep PATHNAME when this run created it
    #[arg(long)]
    pub keep_key: bool,
    /// Run this program as the reader (argv: PROG KEY), e.g. your own shmread or the seed's
    /// alg.8-2-shmread.o
    #[arg(long, value_name = "PROG")]
    pub reader: Option<PathBuf>,
    /// Run this program as the writer (argv: PROG KEY)
    #[arg(long, value_name = "PROG")]
    pub writer: Option<PathBuf>,
    /// Start no children: keep the segment for a reader and a writer you run by hand in two
    /// other terminals (it prints the commands), until the writer's `end` has been read or
    /// Ctrl-C
    #[arg(long, conflicts_with_all = ["reader", "writer"])]
    pub serve: bool,
    #[command(flatten)]
    pub sync: SyncArgs,
}

/// The per-user key file used when no PATHNAME is given.
pub fn default_keyfile() -> Result<PathBuf> {
    let dir = crate::objects::registry::private_dir().map_err(|e| {
        anyhow!("no per-user directory for the default key file ({e:#}): pass a PATHNAME")
    })?;
    Ok(dir.join("shmcon.key"))
}

/// A key file this run created, removed when dropped (unless kept).
struct KeyFile {
    path: PathBuf,
    created: bool,
    keep: bool,
}

impl KeyFile {
    /// The slide's `stat()` then `creat()`: make PATHNAME if missing (0600, closed at once).
    fn ensure(path: &Path, keep: bool) -> Result<Self> {
        if std::fs::metadata(path).is_ok() {
            return Ok(KeyFile {
                path: path.into(),
                created: false,
                keep,
            });
        }
        let r = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match r {
            Ok(_) => Ok(KeyFile {
                path: path.into(),
                created: true,
                keep,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(anyhow!(
                "cannot create the key file {}: its directory does not exist; create it or pass another PATHNAME",
                path.display()
            )),
            Err(e) => Err(anyhow!(
                "cannot create the key file {}: {e}; pass another PATHNAME",
                path.display()
            )),
        }
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        if self.created && !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Step 4's view: the slide's `ipcs -m | grep shmid`, matched exactly.
fn show_segments(shmid: i32) -> Result<bool> {
    outln!("\n----- Shared Memory Segments ----- ")?;
    let rows: Vec<_> = sysvipc::shm_entries()?
        .into_iter()
        .filter(|e| e.shmid == shmid)
        .collect();
    for r in &rows {
        outln!("{}", sysvipc::shm_row(r))?;
    }
    Ok(!rows.is_empty())
}

/// Run the controller.
pub fn run(args: Args) -> Result<()> {
    signals::catch_termination()?;
    outln!("max record number = {TEXT_NUM}, shm size = {SHM_SIZE}")?;
    let path = match &args.pathname {
        Some(p) => p.clone(),
        None => default_keyfile()?,
    };
    let keyfile = KeyFile::ensure(&path, args.keep_key)?;
    if keyfile.created {
        outln!("shared file object created")?;
    }

    // Step 1: create the shared memory.
    let key: Key = keys::ftok_of(&path, args.proj_id)?;
    outln!("key generated: IPC key = {:x}", key as u32)?;
    let mut shm = segment::create_segment(key, args.mode)?;
    outln!("shmcon: shmid = {}", shm.id())?;
    // The slide's fix (`--sync sem`) has its semaphore pair; the flag demo makes none.
    let sem = match args.sync.sync {
        SyncMode::Sem => Some(create_semaphores(key, args.mode)?),
        SyncMode::Flag => None,
    };

    // Step 2: get the mapped address.
    let att = ipc::shmat(shm.shm_id(), SHM_SIZE, Access::ReadWrite)
        .map_err(|e| segment::explain("shmat()", key, e))?;
    outln!("shmcon: shared Memory attached at {:p}", att.addr())?;

    // Step 3: set it writable.
    att.region().atomic_i32(WRITTEN).store(0, Ordering::Release);

    // Step 4: query the status, attached and detached.
    show_segments(shm.id())?;
    att.detach().sys("shmdt()")?;
    show_segments(shm.id())?;
    check_interrupted()?;

    // Step 5: vfork the reader and the writer (or, with --serve, wait for the two you run).
    let spawner = Spawner::new()?;
    let children = match args.serve {
        true => serve(key, &mut shm, &args.sync).map(|()| Vec::new())?,
        false => start_children(&spawner, key, &args)?,
    };

    // Step 6: wait for both children.
    let outcome = controller::wait_children(children)?;

    // Step 7: remove the shared memory.
    let shmid = shm.id();
    shm.remove()
        .sys(format_args!("shmctl({shmid}, IPC_RMID)"))?;
    drop(sem);
    controller::finish(&spawner, outcome, &format!("removed shmid {shmid}"))?;
    // The slide's printf leaves a blank before each newline here: kept.
    outln!("shmcon: shmid = {shmid} removed ")?;
    if !show_segments(shmid)? {
        outln!("nothing found ... ")?;
    }
    drop(keyfile);
    Ok(())
}

/// `--sync sem`'s semaphore pair, removed with the segment: `EMPTY` = 1 and `FULL` = 0
/// (see [`crate::protocols::handoff`]).
fn create_semaphores(key: Key, mode: u32) -> Result<Owner> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | mode as libc::c_int;
    let set =
        segment::create(Kind::SysvSem, key, || ipc::semget(key, 2, flags)).map_err(
            |e| match e {
                Errno::EEXIST => segment::occupied(Kind::SysvSem, key, "pass another PATHNAME"),
                e => crate::error::sys_error("semget()", e),
            },
        )?;
    ipc::sem_setval(set.sem_id(), i32::from(EMPTY), 1).sys("semctl(SETVAL)")?;
    ipc::sem_setval(set.sem_id(), i32::from(FULL), 0).sys("semctl(SETVAL)")?;
    Ok(set)
}

/// `--serve`: say what to run in the two other terminals, then wait until the reader has
/// read the writer's `end` (the text starts with `end` and `written` is back to 0), or a
/// termination signal.
fn serve(key: Key, shm: &mut Owner, sync: &SyncArgs) -> Result<()> {
    let shmid = shm.shm_id();
    let flags: String = sync.forward().iter().map(|a| format!(" {a}")).collect();
    outln!("\nshmcon: serving shmid {shmid} (key {:x}) until the writer's `end` has been read, or Ctrl-C:", key as u32)?;
    outln!(
        "  in a second terminal: ipclab shmread {:x}{flags}",
        key as u32
    )?;
    outln!(
        "  in a third terminal:  ipclab shmwrite {:x}{flags}",
        key as u32
    )?;
    let att = ipc::shmat(shmid, SHM_SIZE, Access::ReadOnly)
        .map_err(|e| segment::explain("shmat()", key, e))?;
    let region = att.region();
    let served = (|| loop {
        crate::error::check_interrupted()?;
        if region.load_i32(WRITTEN) == 0 && region.c_string(MTEXT, 3).starts_with(b"end") {
            return Ok(());
        }
        crate::process::nap(std::time::Duration::from_millis(20))?;
    })();
    if served.is_err() {
        // Ctrl-C: marked for removal before this side detaches, so the reader and the
        // writer see the segment removed, not a partner that left.
        let _ = shm.remove();
        return served;
    }
    // As the slide's controller waits for its children, give the reader and the writer a
    // moment (2 s at most) to detach, so the listing after IPC_RMID shows nothing left.
    let others_attached = || {
        sysvipc::rows(Kind::SysvShm)
            .iter()
            .find(|r| r.id(Kind::SysvShm) == shmid.0)
            .is_some_and(|r| r.num::<u64>("nattch") > 1)
    };
    let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while others_attached() && std::time::Instant::now() < until {
        crate::error::check_interrupted()?;
        crate::process::nap(std::time::Duration::from_millis(10))?;
    }
    att.detach().sys("shmdt()")
}

/// Step 5: the reader first; once it is ready (ipclab's reader says so on a pipe; another
/// program cannot, so it is only started first), the writer.
fn start_children(spawner: &Spawner, key: Key, args: &Args) -> Result<Vec<Child>> {
    let key_str = format!("{:x}", key as u32);
    let mut argv = vec![key_str];
    let reader = Program::applet_or("shmread", &args.reader);
    let writer = Program::applet_or("shmwrite", &args.writer);
    let ours = |p: &Program| matches!(p, Program::Applet(_));
    let applet_args = |p: &Program| {
        let mut v = argv.clone();
        if ours(p) {
            v.extend(args.sync.forward());
        }
        v
    };
    let (ready_r, ready_w) = crate::sys::proc::pipe().sys("pipe()")?;
    let ready_end = ours(&reader).then_some(&ready_w);
    let first = spawner.spawn(&reader, &applet_args(&reader), ready_end);
    drop(ready_w);
    let mut children = vec![first?];
    let ready = if ours(&reader) {
        let mut byte = [0u8; 1];
        // Interrupted, this is not the end yet: the reader, which got the signal too, is
        // waited for below like any child.
        match crate::error::restart(|| crate::sys::proc::read(&ready_r, &mut byte)) {
            Ok(got) => got.sys("read(ready pipe)")? == 1,
            Err(_interrupted) => false,
        }
    } else {
        true
    };
    drop(ready_r);
    argv = applet_args(&writer);
    if ready && signals::pending().is_none() {
        match spawner.spawn(&writer, &argv, None) {
            Ok(w) => children.push(w),
            Err(e) => {
                controller::stop(&children);
                let _ = controller::wait_children(children);
                return Err(e);
            }
        }
    }
    Ok(children)
}
