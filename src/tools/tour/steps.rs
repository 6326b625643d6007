//! The tour's steps: one per demo, in the lecture's order, each under a heading that names
//! its slide, with its built-in input and, for a two-terminal demo, the side started first.

use std::path::{Path, PathBuf};

/// The parts of the lecture.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Shared memory: System V (algorithms 8-0 … 8-3) and POSIX (8-4 … 8-6, the bounded buffer)
    Shm,
    /// Memory-mapped files and anonymous mappings (the mmap notes)
    Mmap,
    /// Message passing: pipe, FIFO, message queue, semaphore, shm+sem+msg (IPC全解析)
    Msg,
    /// Communications in client-server systems: sockets (the date server, socketpair)
    Sock,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Shm => "shm",
            Section::Mmap => "mmap",
            Section::Msg => "msg",
            Section::Sock => "sock",
        }
    }

    pub fn slides(self) -> &'static str {
        match self {
            Section::Shm => "slides \"Linux: Shared Memory\" and \"POSIX Shared Memory\": algorithms 8-0 … 8-6, the bounded buffer; the shared-memory notes' System V example",
            Section::Mmap => "the mmap notes: mmap() 范例1 and 范例2, mmap for parent and child (有血缘关系) and for unrelated processes (无血缘关系)",
            Section::Msg => "\"IPC全解析\" sections 一 … 五 (pipe, FIFO, message queue, semaphore, shm+sem+msg); the \"Message Passing\" and \"Pipes\" slides",
            Section::Sock => "the lecture's closing part, \"Communications in Client-Server Systems\": sockets",
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

/// The keys the background sides' readiness is told by.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keys {
    /// The message queue's (ftok of `$TOUR/msg.key`, 'z').
    pub msg: i32,
    /// The shm+sem+msg trio's (ftok of `$TOUR`, 'z').
    pub dot: i32,
    /// The student segment's (ftok of `$TOUR/shm.key`, 's').
    pub student: i32,
}

/// Every step; `dir` is the tour's scratch directory (its key files, FIFO and data files
/// live there, and the steps run in it).
pub fn steps(dir: &Path, keys: Keys) -> Vec<Step> {
    let key = dir.join("shm.key").display().to_string();
    let msgkey = dir.join("msg.key").display().to_string();
    let semkey = dir.join("sem.key").display().to_string();
    let student = keys.student.to_string();
    let fifo = dir.join("fifo1");
    let fifo_s = fifo.display().to_string();
    let sock = dir.join("date.sock");
    let sock_s = sock.display().to_string();
    // The POSIX object is named after the scratch directory (random, so nobody can take the
    // name first).
    let posix = posix_name(dir);
    let section = |args: &[&str]| match args[0] {
        "ftok" | "shmcon" | "shmpthreadcon" | "sysv-student" => Section::Shm,
        "mmap-file" | "mmap-anon" => Section::Mmap,
        "sock-client" | "sock-pair" => Section::Sock,
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
        s("The ftok() note (Linux: Shared Memory, Key ID): where a System V key comes from", &["ftok", &key], b""),
        s(
            "Algorithms 8-1, 8-2, 8-3 (Linux: Shared Memory): shmcon vforks shmread and shmwrite, the `written` flag",
            &["shmcon", &key, "--interval", "10ms"],
            b"Hello World!\nend\n",
        ),
        s(
            "Algorithms 8-1 … 8-3 again with --sync sem: a semaphore pair instead of polling",
            &["shmcon", &key, "--sync", "sem"],
            b"Hello World!\nend\n",
        ),
        with(
            s(
                "The shared-memory notes' System V 使用案例: struct student under one key (sysv-student read; write in the other terminal)",
                &["sysv-student", "read", "--key", &student],
                b"",
            ),
            &["sysv-student", "write", "--key", &student],
            Ready::Sysv(keys.student, 1),
        ),
        s(
            "Algorithms 8-4, 8-5, 8-6 (POSIX Shared Memory): shmpthreadcon vforks shmproducer and shmconsumer",
            &["shmpthreadcon", &posix],
            b"",
        ),
        s(
            "The bounded buffer (Producer-Consumer Problem with Shared-memory): in, out, BUFFER_SIZE; 100000 items, busy-waiting as on the slide",
            &["shmpthreadcon", &posix, "--items", "100000", "--sync", "spin"],
            b"",
        ),
        s(
            "The bounded buffer again, blocking on semaphores (empty, full)",
            &["shmpthreadcon", &posix, "--items", "100000", "--sync", "sem"],
            b"",
        ),
        s(
            "mmap() 范例1 (the mmap notes): two processes share a mapped file (map_normalfile1/2)",
            &["mmap-file", "demo"],
            b"",
        ),
        s("mmap() 范例2: parent and child share an anonymous mapping", &["mmap-anon"], b""),
        s(
            "mmap 有血缘关系进程间通信: a file mapping shared over fork (parent_child_mmap, english.txt)",
            &["mmap-file", "fork"],
            b"",
        ),
        with(
            s(
                "mmap 无血缘关系进程间通信: unrelated processes share a 4096-byte file (mmap-file send; receive in the other terminal)",
                &["mmap-file", "send", "--count", "3", "--interval", "20ms"],
                b"",
            ),
            &["mmap-file", "receive", "--count", "4", "--interval", "20ms"],
            Ready::Path(dir.join("temp")),
        ),
        s("IPC全解析 一 管道 (Pipes): a pipe from parent to child", &["pipe"], b""),
        with(
            s(
                "IPC全解析 二 FIFO: a named pipe between unrelated processes (fifo-write; fifo-read in the other terminal)",
                &["fifo-write", &fifo_s, "--count", "3", "--interval", "10ms"],
                b"",
            ),
            &["fifo-read", &fifo_s],
            Ready::Path(fifo.clone()),
        ),
        with(
            s(
                "IPC全解析 三 消息队列 (Message Passing): a message queue (msg-client; msg-server in the other terminal)",
                &["msg-client", "--path", &msgkey],
                b"",
            ),
            &["msg-server", "--path", &msgkey, "--count", "1"],
            Ready::Sysv(keys.msg, 1),
        ),
        s(
            "IPC全解析 四 信号量: a semaphore makes the father wait for the child",
            &["sem-demo", "--path", &semkey, "--delay", "100ms"],
            b"",
        ),
        with(
            s(
                "IPC全解析 五 共享内存: shared memory + semaphore + message queue (shm-msg-client; the server in the other terminal)",
                &["shm-msg-client", "--path", "."],
                b"r\nHello\nr\nWorld\nq\n",
            ),
            &["shm-msg-server", "--path", "."],
            Ready::Sysv(keys.dot, 3),
        ),
        with(
            s(
                "Sockets (Communications in Client-Server Systems): the date server on a UNIX socket (sock-client; sock-server in the other terminal)",
                &["sock-client", "--unix", &sock_s],
                b"",
            ),
            &["sock-server", "--unix", &sock_s, "--count", "1"],
            Ready::Path(sock.clone()),
        ),
        s(
            "Sockets: socketpair + fork, the socket twin of a pipe, talking both ways",
            &["sock-pair", "--reply"],
            b"",
        ),
    ]
}
