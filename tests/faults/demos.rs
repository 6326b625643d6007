//! The fault matrix's table: every demo at each of its blocking points, how to tell it got
//! there (a line it prints), what it creates (to check afterwards) and the faults to try.

use crate::common::*;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    IntGroup,
    TermLeader,
    HupLeader,
    KillChild(&'static str),
    /// SIGKILL of the other side of a two-terminal pair: this side must notice.
    KillPartner,
    KillLeaderThenClean,
    Eof,
    HeadOne,
    FullDevShm,
}

impl Fault {
    pub fn label(&self) -> String {
        match self {
            Fault::IntGroup => "SIGINT to the group".into(),
            Fault::TermLeader => "SIGTERM".into(),
            Fault::HupLeader => "SIGHUP".into(),
            Fault::KillChild(c) => format!("SIGKILL of {c}"),
            Fault::KillPartner => "SIGKILL of the other side".into(),
            Fault::KillLeaderThenClean => "SIGKILL, then ipclab clean".into(),
            Fault::Eof => "EOF on stdin".into(),
            Fault::HeadOne => "stdout closed (| head -1)".into(),
            Fault::FullDevShm => "full /dev/shm".into(),
        }
    }

    /// The exit status the documentation promises (`None`: killed, no status).
    pub fn expected(&self) -> Option<i32> {
        match self {
            Fault::IntGroup => Some(130),
            Fault::TermLeader => Some(143),
            Fault::HupLeader => Some(129),
            Fault::KillChild(_) | Fault::KillPartner | Fault::FullDevShm => Some(1),
            Fault::KillLeaderThenClean => None,
            Fault::Eof | Fault::HeadOne => Some(0),
        }
    }
}

/// How the test knows a process reached its blocking point.
#[derive(Debug, Clone)]
pub enum Ready {
    /// It printed a stdout line containing this.
    Line(&'static str),
    /// It printed a stderr line containing this (a wait it announces).
    ErrLine(&'static str),
    /// It has this many children (a controller, or a forked demo, past its spawn).
    Children(usize),
}

/// What a demo needs: its arguments (in `dir`), when it is at its blocking point, and what
/// it creates (to check afterwards).
pub struct Demo {
    pub name: &'static str,
    pub point: &'static str,
    pub args: Vec<String>,
    pub stdin: &'static str,
    pub ready: Ready,
    pub keys: Vec<u32>,
    pub posix: Vec<String>,
    pub files: Vec<PathBuf>,
    pub partner: Option<(Vec<String>, Ready)>,
    pub faults: Vec<Fault>,
}

pub fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

const SIGS: [Fault; 4] = [
    Fault::IntGroup,
    Fault::TermLeader,
    Fault::HupLeader,
    Fault::KillLeaderThenClean,
];

/// Every demo, in `dir`, with names made unique by `tag`.
pub fn demos(dir: &Path, tag: &str) -> Vec<Demo> {
    let keyfile = dir.join("k");
    std::fs::write(&keyfile, b"").unwrap();
    let shm_key = ftok(&keyfile, 0x27);
    let msg_key = ftok(&keyfile, b'z');
    let kf = keyfile.display().to_string();
    let name = format!("ipclab-fault-{tag}");
    let fifo = dir.join("fifo1");
    let base = |name: &'static str, point: &'static str, args: Vec<String>, ready: Ready| Demo {
        name,
        point,
        args,
        stdin: "",
        ready,
        keys: vec![],
        posix: vec![],
        files: vec![],
        partner: None,
        faults: SIGS.to_vec(),
    };
    let mut v = Vec::new();
    for (sync, label) in [("flag", "shmcon"), ("sem", "shmcon --sync sem")] {
        let args = s(&["shmcon", &kf, "--sync", sync, "--interval", "10ms"]);
        let mut d = base(
            label,
            "waiting for input",
            args,
            Ready::Line("shmwrite process ready"),
        );
        d.keys = vec![shm_key];
        d.faults.extend([
            Fault::KillChild("shmread"),
            Fault::KillChild("shmwrite"),
            Fault::Eof,
        ]);
        v.push(d);
    }
    let mut d = base(
        "shmcon",
        "output closed early",
        s(&["shmcon", &kf]),
        Ready::Line(""),
    );
    d.keys = vec![shm_key];
    d.stdin = "Hello World!\nend\n";
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    for (sync, label) in [
        ("spin", "shmpthreadcon --items (spin)"),
        ("sem", "shmpthreadcon --items (sem)"),
    ] {
        let args = s(&[
            "shmpthreadcon",
            &name,
            "--items",
            "100000000000",
            "--sync",
            sync,
        ]);
        let mut d = base(label, "mid-transfer", args, Ready::Children(2));
        d.posix = vec![name.clone()];
        d.faults.extend([
            Fault::KillChild("shmproducer"),
            Fault::KillChild("shmconsumer"),
        ]);
        v.push(d);
    }
    let mut d = base(
        "shmpthreadcon",
        "output closed early",
        s(&["shmpthreadcon", &name]),
        Ready::Line(""),
    );
    d.posix = vec![name.clone()];
    d.faults = vec![Fault::HeadOne, Fault::FullDevShm];
    v.push(d);
    let args = s(&["shmconsumer", &name, "--timeout", "60s"]);
    let mut d = base(
        "shmconsumer",
        "waiting for the producer",
        args,
        Ready::ErrLine("waiting up to"),
    );
    d.posix = vec![name.clone()];
    v.push(d);
    let args = s(&["shmproducer", &name, "--items", "1000", "--timeout", "60s"]);
    let mut d = base(
        "shmproducer --items",
        "waiting for the consumer",
        args,
        Ready::ErrLine("waiting up to"),
    );
    d.posix = vec![name.clone()];
    v.push(d);
    let mut d = base(
        "fifo-read",
        "waiting for a writer",
        s(&["fifo-read"]),
        Ready::ErrLine("waiting for a writer"),
    );
    d.files = vec![fifo.clone()];
    v.push(d);
    let mut d = base(
        "fifo-read",
        "mid-transfer",
        s(&["fifo-read"]),
        Ready::Line("Read message"),
    );
    d.files = vec![fifo.clone()];
    let writer = s(&["fifo-write", "--count", "100000", "--interval", "5ms"]);
    d.partner = Some((writer, Ready::Line("I am ")));
    d.faults.push(Fault::HeadOne);
    v.push(d);
    let args = s(&["fifo-write", "--count", "3"]);
    v.push(base(
        "fifo-write",
        "waiting for a reader",
        args,
        Ready::ErrLine("waiting for"),
    ));
    let args = s(&["msg-server", "--path", &kf]);
    let mut d = base(
        "msg-server",
        "waiting for a request",
        args,
        Ready::Line("My pid is"),
    );
    d.keys = vec![msg_key];
    v.push(d);
    let args = s(&["msg-client", "--path", &kf, "--timeout", "60s"]);
    let mut d = base(
        "msg-client",
        "waiting for a server",
        args,
        Ready::ErrLine("waiting up to"),
    );
    d.keys = vec![msg_key];
    v.push(d);
    let args = s(&["sem-demo", "--path", ".", "--delay", "60s", "--verbose"]);
    let mut d = base(
        "sem-demo",
        "father blocked in P",
        args,
        Ready::Line("[father] before P"),
    );
    d.keys = vec![ftok(dir, b'z')];
    d.faults.push(Fault::KillChild("the forked child"));
    v.push(d);
    let server = s(&["shm-msg-server", "--path", "."]);
    let mut d = base(
        "shm-msg-server",
        "waiting for a message",
        server.clone(),
        Ready::ErrLine("waiting for"),
    );
    d.keys = vec![ftok(dir, b'z')];
    v.push(d);
    let args = s(&["shm-msg-client", "--path", "."]);
    let mut d = base(
        "shm-msg-client",
        "waiting for input",
        args,
        Ready::Line("Input q to quit"),
    );
    d.keys = vec![ftok(dir, b'z')];
    d.partner = Some((server, Ready::ErrLine("waiting for")));
    d.faults.push(Fault::Eof);
    v.push(d);
    let args = s(&["mmap-file", "write", "data", "--hold", "60s"]);
    v.push(base(
        "mmap-file write",
        "holding the mapping",
        args,
        Ready::Line("initialize over"),
    ));
    let args = s(&["mmap-file", "write", "data", "--hold", "200ms"]);
    let mut d = base(
        "mmap-file write",
        "output closed during the hold",
        args,
        Ready::Line(""),
    );
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let mut d = base(
        "mmap-file demo",
        "output closed early",
        s(&["mmap-file", "demo"]),
        Ready::Line(""),
    );
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let mut d = base("pipe", "output closed early", s(&["pipe"]), Ready::Line(""));
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    let args = s(&["shmpthreadcon", &name, "--items", "1000"]);
    let mut d = base(
        "shmpthreadcon --items",
        "output closed early",
        args,
        Ready::Line(""),
    );
    d.posix = vec![name.clone()];
    d.faults = vec![Fault::HeadOne];
    v.push(d);
    // The bounded buffer across two terminals: each side must notice the other's death.
    for (me, other) in [
        ("shmconsumer", "shmproducer"),
        ("shmproducer", "shmconsumer"),
    ] {
        let ring = |who: &str| {
            s(&[
                who,
                &name,
                "--items",
                "100000000000",
                "--sync",
                "sem",
                "--buffer-size",
                "2",
                "--timeout",
                "60s",
            ])
        };
        let mut args = s(&["--trace"]);
        args.extend(ring(me));
        let label = if me == "shmconsumer" {
            "shmconsumer --items"
        } else {
            "shmproducer --items, consumer first"
        };
        let mut d = base(
            label,
            "mid-transfer, the other side in another terminal",
            args,
            Ready::ErrLine("sem_post"),
        );
        d.posix = vec![name.clone()];
        d.partner = Some((ring(other), Ready::ErrLine("waiting up to")));
        d.faults.push(Fault::KillPartner);
        v.push(d);
    }
    // bench: a measuring child per test; signals must reach it (it spins at 100% otherwise).
    let args = s(&[
        "bench",
        "--only",
        "pipe,sysv-msg,posix-mq,posix-shm",
        "--sizes",
        "64",
        "--count",
        "100000000",
    ]);
    let mut d = base("bench", "mid-measurement", args, Ready::Children(1));
    d.faults.push(Fault::KillChild("the measuring child"));
    v.push(d);
    let args = s(&["mmap-anon", "--delay", "60s"]);
    let mut d = base(
        "mmap-anon",
        "child waiting (--delay)",
        args,
        Ready::Children(1),
    );
    d.faults.push(Fault::KillChild("the forked child"));
    v.push(d);
    v
}
