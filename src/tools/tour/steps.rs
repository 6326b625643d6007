//! The tour's steps: one per demo, in the lecture's order, each under a heading that names
//! its slide, with its built-in input and, for a two-terminal demo, the side started first.

use std::path::{Path, PathBuf};

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
    pub fn name(self) -> &'static str {
        match self {
            Section::Shm => "shm",
            Section::Mmap => "mmap",
            Section::Msg => "msg",
        }
    }

    pub fn slides(self) -> &'static str {
        match self {
            Section::Shm => "slides \"Linux: Shared Memory\" and \"POSIX Shared Memory\": algorithms 8-0 … 8-6, the bounded buffer (seeds 000, 001)",
            Section::Mmap => "mmap notes: seed 003 sections 1-2 (mmap.c, parent_child_mmap), seed 004 examples 1 and 2",
            Section::Msg => "\"IPC全解析\" (seed 002) sections 1-5; \"Message Passing\" and \"Pipes\" slides (seeds 000, 001)",
        }
    }
}

/// When the background side of a step is ready.
pub enum Ready {
    /// This path exists.
    Path(PathBuf),
    /// This many System V objects exist under this key.
    Sysv(i32, usize),
}

/// One run of one applet, perhaps with a partner started first.
pub struct Step {
    pub section: Section,
    pub heading: String,
    pub args: Vec<String>,
    pub stdin: &'static [u8],
    pub partner: Option<(Vec<String>, Ready)>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|a| a.to_string()).collect()
}

/// The tour's POSIX shm name: the scratch directory's (random) name.
pub fn posix_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("ipclab-tour-{}", std::process::id()))
}

/// Every step; `dir` is the tour's scratch directory (its key files and FIFO live there),
/// `msg_key` and `dot_key` the keys the background sides' readiness is told by.
pub fn steps(dir: &Path, msg_key: i32, dot_key: i32) -> Vec<Step> {
    let key = dir.join("shm.key").display().to_string();
    let msgkey = dir.join("msg.key").display().to_string();
    let fifo = dir.join("fifo1");
    // The POSIX object is named after the scratch directory (random, so nobody can take the
    // name first).
    let posix = posix_name(dir);
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
                &["shm-msg-client", "--path", "."],
                b"r\nHello\nr\nWorld\nq\n",
            ),
            &["shm-msg-server", "--path", "."],
            Ready::Sysv(dot_key, 3),
        ),
    ]
}
