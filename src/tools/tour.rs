//! `ipclab tour`: every demo, with built-in input and fast intervals, one after another,
//! each under a heading that names its slide, then a check that nothing was left behind.
//!
//! Two-terminal demos (FIFO, message queue, shm+sem+msg) run both sides: the side that
//! waits (reader, server) is started first in the background, the tour waits until it is
//! ready, runs the other side, and then shows what the first side printed, labelled as the
//! other terminal, so the transcript reads the same every time.
//!
//! The tour works in a private temporary directory (its key files and FIFO live there; the
//! demos keyed on "." run there), so the leak check knows exactly which keys and names are
//! its own and never blames, or touches, another program's objects.

use crate::objects::sysvipc::{self, Table};
use crate::outln;
use anyhow::{anyhow, Context, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `ipclab tour [SECTION]`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab tour msg --pause")]
pub struct Args {
    /// Only this part of the lecture
    #[arg(value_enum)]
    pub section: Option<Section>,
    /// Wait for Enter before each step (for class)
    #[arg(long)]
    pub pause: bool,
    /// List the sections and their slides, run nothing
    #[arg(long)]
    pub list: bool,
}

/// The parts of the lecture.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Shared memory: System V (algorithms 8-0 … 8-3) and POSIX (8-4 … 8-6, the bounded buffer)
    Shm,
    /// Memory-mapped files and anonymous mappings (seed 003 sections 1-2, seed 004)
    Mmap,
    /// Message passing: pipe, FIFO, message queue, semaphore, shm+sem+msg (seed 002)
    Msg,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Shm => "shm",
            Section::Mmap => "mmap",
            Section::Msg => "msg",
        }
    }

    fn slides(self) -> &'static str {
        match self {
            Section::Shm => "slides \"Linux: Shared Memory\" and \"POSIX Shared Memory\": algorithms 8-0 … 8-6, the bounded buffer (seeds 000, 001)",
            Section::Mmap => "mmap notes: seed 003 sections 1-2 (mmap.c, parent_child_mmap), seed 004 examples 1 and 2",
            Section::Msg => "\"IPC全解析\" (seed 002) sections 1-5; \"Message Passing\" and \"Pipes\" slides (seeds 000, 001)",
        }
    }
}

/// When the background side of a step is ready.
enum Ready {
    /// This path exists.
    Path(PathBuf),
    /// This many System V objects exist under this key.
    Sysv(i32, usize),
}

/// One run of one applet, perhaps with a partner started first.
struct Step {
    section: Section,
    heading: String,
    args: Vec<String>,
    stdin: &'static [u8],
    partner: Option<(Vec<String>, Ready)>,
}

/// The temporary directory, removed at the end.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|a| a.to_string()).collect()
}

fn steps(dir: &Path, msg_key: i32, dot_key: i32) -> Vec<Step> {
    let key = dir.join("shm.key").display().to_string();
    let msgkey = dir.join("msg.key").display().to_string();
    let fifo = dir.join("fifo1");
    let posix = format!("ipclab-tour-{}", std::process::id());
    let section = |args: &[&str]| match args[0] {
        "ftok" | "shmcon" | "shmpthreadcon" => Section::Shm,
        "mmap-file" | "mmap-anon" => Section::Mmap,
        _ => Section::Msg,
    };
    let s = |heading: &str, args: &[&str], stdin: &'static [u8]| Step {
        section: section(args),
        heading: heading.to_string(),
        args: strings(args),
        stdin,
        partner: None,
    };
    let with = |mut step: Step, partner: &[&str], ready: Ready| {
        step.partner = Some((strings(partner), ready));
        step
    };
    vec![
        s("The ftok() note: where a System V key comes from", &["ftok", &key], b""),
        s(
            "Algorithms 8-1, 8-2, 8-3: shmcon vforks shmread and shmwrite (the `written` flag)",
            &["shmcon", &key, "--interval", "10ms"],
            b"Hello World!\nend\n",
        ),
        s(
            "Algorithms 8-1 … 8-3 again with --sync sem: a semaphore pair instead of polling",
            &["shmcon", &key, "--sync", "sem"],
            b"Hello World!\nend\n",
        ),
        s(
            "Algorithms 8-4, 8-5, 8-6: shmpthreadcon vforks shmproducer and shmconsumer (POSIX shm)",
            &["shmpthreadcon", &posix],
            b"",
        ),
        s(
            "The bounded buffer (in, out, BUFFER_SIZE): 100000 items, busy-waiting as on the slide",
            &["shmpthreadcon", &posix, "--items", "100000", "--sync", "spin"],
            b"",
        ),
        s(
            "The bounded buffer again, blocking on semaphores (empty, full)",
            &["shmpthreadcon", &posix, "--items", "100000", "--sync", "sem"],
            b"",
        ),
        s(
            "Seed 004 example 1: two processes share a mapped file (map_normalfile1/2)",
            &["mmap-file", "demo"],
            b"",
        ),
        s("Seed 004 example 2: parent and child share an anonymous mapping", &["mmap-anon"], b""),
        s("Seed 002 1: a pipe from parent to child", &["pipe"], b""),
        with(
            s(
                "Seed 002 2: a FIFO between unrelated processes (fifo-write; fifo-read in the other terminal)",
                &["fifo-write", &fifo.display().to_string(), "--count", "3", "--interval", "10ms"],
                b"",
            ),
            &["fifo-read", &fifo.display().to_string()],
            Ready::Path(fifo.clone()),
        ),
        with(
            s(
                "Seed 002 3: a message queue (msg-client; msg-server in the other terminal)",
                &["msg-client", "--path", &msgkey],
                b"",
            ),
            &["msg-server", "--path", &msgkey, "--count", "1"],
            Ready::Sysv(msg_key, 1),
        ),
        s(
            "Seed 002 4: a semaphore makes the father wait for the child",
            &["sem-demo", "--delay", "100ms"],
            b"",
        ),
        with(
            s(
                "Seed 002 5: shared memory + semaphore + message queue (shm-msg-client; the server in the other terminal)",
                &["shm-msg-client"],
                b"r\nHello\nr\nWorld\nq\n",
            ),
            &["shm-msg-server"],
            Ready::Sysv(dot_key, 3),
        ),
    ]
}

/// The System V objects whose key is one of `keys`.
fn sysv_objects(keys: &[i32]) -> Vec<String> {
    let mut found = Vec::new();
    for t in Table::ALL {
        for &k in keys {
            for id in sysvipc::ids_with_key(t, k) {
                found.push(format!("System V {} id {id} (key {k})", t.name()));
            }
        }
    }
    found
}

fn is_ready(r: &Ready) -> bool {
    match r {
        Ready::Path(p) => p.exists(),
        Ready::Sysv(key, n) => sysv_objects(&[*key]).len() >= *n,
    }
}

/// Run the tour.
pub fn run(args: Args) -> Result<()> {
    if args.list {
        for sec in [Section::Shm, Section::Mmap, Section::Msg] {
            outln!("{:<5} {}", sec.name(), sec.slides())?;
            for step in steps(Path::new("$TOUR"), 0, 0)
                .iter()
                .filter(|st| st.section == sec)
            {
                outln!("        {}", step.heading)?;
            }
        }
        return Ok(());
    }
    let exe = std::env::current_exe().context("cannot find the ipclab binary")?;
    let dir = std::env::temp_dir().join(format!("ipclab-tour-{}", std::process::id()));
    std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = TempDir(dir);
    let shm_key = dir.0.join("shm.key");
    let msg_key = dir.0.join("msg.key");
    std::fs::write(&shm_key, b"").context("cannot create the tour's key files")?;
    std::fs::write(&msg_key, b"").context("cannot create the tour's key files")?;
    let ftok = |p: &Path, id: u8| crate::sys::ipc::ftok(p, id).unwrap_or(0);
    let keys = [
        ftok(&shm_key, 0x27),
        ftok(&msg_key, b'z'),
        ftok(&dir.0, b'z'),
    ];
    let shown = dir.0.to_string_lossy().into_owned();

    let mut failed = Vec::new();
    let chosen: Vec<Step> = steps(&dir.0, keys[1], keys[2])
        .into_iter()
        .filter(|st| args.section.is_none_or(|sec| st.section == sec))
        .collect();
    let mut stdin = std::io::stdin().lock();
    for (i, step) in chosen.iter().enumerate() {
        if i > 0 {
            outln!()?;
        }
        if args.pause {
            crate::out!("[press Enter for: {}] ", step.heading)?;
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut stdin, &mut line)? == 0 {
                outln!("\n(end of input: the tour stops here)")?;
                break;
            }
            if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                outln!()?;
            }
        }
        outln!("=== {} ===", step.heading)?;
        let mut partner = None;
        if let Some((args, ready)) = &step.partner {
            outln!(
                "(other terminal) $ ipclab {}",
                args.join(" ").replace(&shown, "$TOUR")
            )?;
            let child = Command::new(&exe)
                .args(args)
                .current_dir(&dir.0)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .with_context(|| format!("cannot run {}", exe.display()))?;
            let start = Instant::now();
            while !is_ready(ready) && start.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(5));
            }
            partner = Some((args[0].clone(), child));
        }
        outln!("$ ipclab {}", step.args.join(" ").replace(&shown, "$TOUR"))?;
        let mut child = Command::new(&exe)
            .args(&step.args)
            .current_dir(&dir.0)
            .stdin(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {}", exe.display()))?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(step.stdin).ok();
        }
        let status = child.wait()?;
        if !status.success() {
            failed.push(format!("`ipclab {}` ({status})", step.args[0]));
        }
        if let Some((name, mut child)) = partner {
            let mut text = String::new();
            if let Some(mut out) = child.stdout.take() {
                out.read_to_string(&mut text).ok();
            }
            let status = child.wait()?;
            outln!("--- meanwhile, in the other terminal ({name}) ---")?;
            crate::out::write(format_args!("{text}"))?;
            if !status.success() {
                failed.push(format!("`ipclab {name}` ({status})"));
            }
        }
    }

    outln!("\n=== Leak check: what the tour created is gone ===")?;
    let mut left = sysv_objects(&keys);
    left.extend(
        std::fs::read_dir("/dev/shm")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(&format!("ipclab-tour-{}", std::process::id())))
            .map(|n| format!("/dev/shm/{n}")),
    );
    if dir.0.join("fifo1").exists() {
        left.push("the FIFO $TOUR/fifo1".into());
    }
    if left.is_empty() {
        outln!("nothing left behind: no System V object under the tour's keys, no /dev/shm entry or FIFO of its own")?;
    } else {
        for l in &left {
            outln!("LEFT BEHIND: {l}")?;
        }
        failed.push(format!("{} object(s) left behind", left.len()));
    }
    if failed.is_empty() {
        outln!("tour complete: every demo ran and cleaned up")?;
        Ok(())
    } else {
        Err(anyhow!("tour failed: {}", failed.join("; ")))
    }
}
