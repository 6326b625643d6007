//! The record of what ipclab creates: every System V object, POSIX shm object and FIFO a
//! demo creates is written here (kind, key or name, id, creating pid and its start time,
//! command) and forgotten when the demo removes it. What remains after a crash (SIGKILL,
//! power loss) is what `ipclab clean` offers to remove, and what `ipclab ls` marks.
//!
//! One file per user: `$IPCLAB_STATE_DIR`, else `$XDG_RUNTIME_DIR/ipclab`, else
//! `/tmp/ipclab-UID`, holding `objects.tsv`. Every change takes an exclusive `flock` on
//! `lock`, rewrites the table into a temporary file and renames it over the old one, so a
//! reader never sees half a file and two demos never lose each other's lines.
//!
//! The creator is identified by pid *and* start time (field 22 of /proc/PID/stat), so a pid
//! recycled by an unrelated process does not make a dead run look alive.
//!
//! Recording is best effort: a demo never fails because its record could not be written.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::PathBuf;

/// The kinds of objects, by the names `ls --json` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SysvShm,
    SysvMsg,
    SysvSem,
    PosixShm,
    PosixSem,
    Fifo,
}

impl Kind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SysvShm => "sysv-shm",
            Kind::SysvMsg => "sysv-msg",
            Kind::SysvSem => "sysv-sem",
            Kind::PosixShm => "posix-shm",
            Kind::PosixSem => "posix-sem",
            Kind::Fifo => "fifo",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [
            Kind::SysvShm,
            Kind::SysvMsg,
            Kind::SysvSem,
            Kind::PosixShm,
            Kind::PosixSem,
            Kind::Fifo,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One created object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: Kind,
    pub key: Option<i32>,
    pub id: Option<i32>,
    pub name: Option<String>,
    pub pid: i32,
    pub start: u64,
    pub command: String,
}

impl Record {
    /// Same object?
    pub fn same(&self, kind: Kind, id: Option<i32>, name: Option<&str>) -> bool {
        self.kind == kind && self.id == id && self.name.as_deref() == name
    }

    /// Is the process that created it still running?
    pub fn creator_alive(&self) -> bool {
        start_time(self.pid) == Some(self.start)
    }
}

/// The directory of the registry.
pub fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os("IPCLAB_STATE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        if d.is_dir() {
            return d.join("ipclab");
        }
    }
    std::env::temp_dir().join(format!("ipclab-{}", nix::unistd::geteuid().as_raw()))
}

/// The start time of a process (clock ticks since boot), if it exists.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    // A zombie (Z) or dying (X) process is gone for our purposes.
    if matches!(fields.next()?, "Z" | "X") {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn opt<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s == "-" {
        None
    } else {
        s.parse().ok()
    }
}

fn line(r: &Record) -> String {
    let o = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        r.kind.as_str(),
        o(r.key),
        o(r.id),
        r.name.as_deref().map(escape).unwrap_or_else(|| "-".into()),
        r.pid,
        r.start,
        escape(&r.command)
    )
}

fn parse(l: &str) -> Option<Record> {
    let f: Vec<&str> = l.split('\t').collect();
    if f.len() != 7 {
        return None;
    }
    Some(Record {
        kind: Kind::parse(f[0])?,
        key: opt(f[1]),
        id: opt(f[2]),
        name: if f[3] == "-" {
            None
        } else {
            Some(unescape(f[3]))
        },
        pid: f[4].parse().ok()?,
        start: f[5].parse().ok()?,
        command: unescape(f[6]),
    })
}

/// Every record.
pub fn load() -> Vec<Record> {
    std::fs::read_to_string(dir().join("objects.tsv"))
        .map(|t| t.lines().filter_map(parse).collect())
        .unwrap_or_default()
}

/// The per-user directory ([`dir`]), created 0700 if missing; an error if something that is
/// not a directory of ours is in its place (on a shared /tmp, another user could have put
/// it there). It also holds `shmcon`'s default key file.
pub fn private_dir() -> std::io::Result<PathBuf> {
    let d = dir();
    match std::fs::DirBuilder::new().mode(0o700).create(&d) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let md = std::fs::symlink_metadata(&d)?;
    if !md.is_dir() || md.uid() != nix::unistd::geteuid().as_raw() {
        return Err(std::io::Error::other(format!(
            "{} is not a directory of yours",
            d.display()
        )));
    }
    Ok(d)
}

/// Change the table under the lock, atomically.
fn update(f: impl FnOnce(&mut Vec<Record>)) -> std::io::Result<()> {
    let d = private_dir()?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(d.join("lock"))?;
    let _held = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
        .map_err(|(_, e)| std::io::Error::from(e))?;
    let mut records = load();
    f(&mut records);
    let tmp = d.join(format!("objects.tsv.{}", std::process::id()));
    {
        let mut out = std::fs::File::create(&tmp)?;
        for r in &records {
            out.write_all(line(r).as_bytes())?;
        }
        out.sync_all()?;
    }
    std::fs::rename(&tmp, d.join("objects.tsv"))
}

fn this_command() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// Record an object this process created (or has taken over).
pub fn record(kind: Kind, key: Option<i32>, id: Option<i32>, name: Option<&str>) {
    let pid = std::process::id() as i32;
    let r = Record {
        kind,
        key,
        id,
        name: name.map(str::to_string),
        pid,
        start: start_time(pid).unwrap_or(0),
        command: this_command(),
    };
    let _ = update(|v| {
        v.retain(|o| !o.same(kind, id, name));
        v.push(r);
    });
}

/// Forget an object (removed, or handed to another process).
pub fn forget(kind: Kind, id: Option<i32>, name: Option<&str>) {
    let _ = update(|v| v.retain(|o| !o.same(kind, id, name)));
}

/// The record of a System V object, if ipclab made it.
pub fn find_sysv(kind: Kind, id: i32) -> Option<Record> {
    load()
        .into_iter()
        .find(|r| r.kind == kind && r.id == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_roundtrip() {
        let r = Record {
            kind: Kind::Fifo,
            key: None,
            id: None,
            name: Some("/tmp/a\tb\\c".into()),
            pid: 42,
            start: 7,
            command: "ipclab fifo-read".into(),
        };
        assert_eq!(parse(line(&r).trim_end()), Some(r));
        assert!(start_time(std::process::id() as i32).is_some());
    }
}
