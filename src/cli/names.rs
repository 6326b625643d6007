//! The names ipclab answers to.
//!
//! Like busybox and coreutils, one binary runs as many programs: `ipclab APPLET ARGS…`, or
//! `APPLET ARGS…` through a link named after the applet. It also answers to the seeds'
//! program names, so that the lecture's C programs and ipclab are interchangeable: the
//! slides' controller execs `./alg.8-2-shmread.o` with `argv[0]` set to `" "`, and a link of
//! that name to ipclab runs ipclab's shmread. When `argv[0]` names nothing (`" "`), the
//! name comes from the path that was executed (`getauxval(AT_EXECFN)`). A seed name stands
//! for the applet *and* the seed's fixed choices (its key file, `--path /etc/passwd` for
//! msg_server), so it talks to the other seed programs as the original would. Any other
//! name runs ipclab itself, as coreutils does.

use std::ffi::OsString;
use std::path::Path;

/// The lecture's demos: what `ipclab links` installs by default (tools such as `ls`,
/// `clean`, `tour` stay subcommands, so they never shadow a command of the system).
pub const LECTURE: &[&str] = &[
    "shmcon",
    "shmread",
    "shmwrite",
    "shmpthreadcon",
    "shmthreadcon",
    "shmproducer",
    "shmconsumer",
    "mmap-file",
    "mmap-anon",
    "pipe",
    "fifo-read",
    "fifo-write",
    "msg-server",
    "msg-client",
    "sem-demo",
    "shm-msg-server",
    "shm-msg-client",
    "sysv-student",
    "ftok",
    "sock-server",
    "sock-client",
    "sock-pair",
    "rpc-server",
    "rpc-client",
];

/// The seeds' program names: (name, the applet and fixed arguments it stands for).
pub const SEED_NAMES: &[(&str, &[&str])] = &[
    ("alg.8-1-shmcon.o", &["shmcon"]),
    ("alg.8-2-shmread.o", &["shmread"]),
    ("alg.8-3-shmwrite.o", &["shmwrite"]),
    ("alg.8-4-shmpthreadcon.o", &["shmpthreadcon"]),
    ("alg.8-4-shmthreadcon.o", &["shmpthreadcon"]),
    ("alg.8-5-shmproducer.o", &["shmproducer"]),
    ("alg.8-6-shmconsumer.o", &["shmconsumer"]),
    ("read_fifo", &["fifo-read"]),
    ("write_fifo", &["fifo-write"]),
    ("msg_server", &["msg-server", "--path", "/etc/passwd"]),
    ("msg_client", &["msg-client", "--path", "/etc/passwd"]),
    ("sem_demo", &["sem-demo", "--path", "."]),
    ("shm_sem_msg_server", &["shm-msg-server", "--path", "."]),
    ("shm_sem_msg_client", &["shm-msg-client", "--path", "."]),
    ("sysv_shmwrite", &["sysv-student", "write"]),
    ("sysv_shmread", &["sysv-student", "read"]),
    ("map_normalfile1", &["mmap-file", "write"]),
    ("map_normalfile2", &["mmap-file", "read"]),
    ("mmap_anon", &["mmap-anon"]),
    ("parent_child_mmap", &["mmap-file", "fork"]),
    ("mmap_w_ipc", &["mmap-file", "send"]),
    ("mmap_r_ipc", &["mmap-file", "receive"]),
];

fn base(p: &OsString) -> String {
    Path::new(p)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What a program name stands for: the applet and its fixed arguments.
fn lookup(name: &str, applets: &[String]) -> Option<Vec<String>> {
    if name.starts_with("ipclab") {
        return None;
    }
    if applets.iter().any(|a| a == name) {
        return Some(vec![name.to_string()]);
    }
    SEED_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, args)| args.iter().map(|a| a.to_string()).collect())
}

/// The name ipclab was run under when it names nothing ipclab knows (not `ipclab…`, not
/// blank like the slides' `" "`): for the error message of a mistyped link.
pub fn unknown_name(argv0: &OsString) -> Option<String> {
    let name = base(argv0);
    (!name.trim().is_empty() && !name.starts_with("ipclab")).then_some(name)
}

/// The applet (and fixed arguments) this process was run as, from `argv[0]`, else from the
/// path that was executed; `None`: run as ipclab itself.
pub fn invoked_as(argv0: &OsString, applets: &[String]) -> Option<Vec<String>> {
    lookup(&base(argv0), applets).or_else(|| {
        let exec = crate::sys::proc::exec_path()?;
        lookup(&base(&exec), applets)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let applets = vec!["shmread".to_string(), "msg-client".to_string()];
        let got = |s: &str| lookup(s, &applets);
        assert_eq!(got("shmread"), Some(vec!["shmread".into()]));
        assert_eq!(got("alg.8-2-shmread.o"), Some(vec!["shmread".into()]));
        assert_eq!(got("msg_client").unwrap()[1..], ["--path", "/etc/passwd"]);
        assert_eq!(got("ipclab"), None);
        assert_eq!(got("ipclab-dev"), None);
        assert_eq!(got(" "), None);
    }
}
