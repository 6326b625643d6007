//! The record of what ipclab creates: every System V object, POSIX shm object, FIFO and
//! scratch directory a run creates is entered here *before* it exists (kind and key or
//! name), completed with its id once the kernel gave one, and forgotten when the run
//! removes it. What remains after a crash (SIGKILL, power loss) is what `ipclab clean`
//! offers to remove and what `ipclab ls` marks.
//!
//! **Yours alone.** The registry lives in a directory only you can write: `$IPCLAB_STATE_DIR`
//! (tests), else `$XDG_RUNTIME_DIR/ipclab`, else `$XDG_STATE_HOME/ipclab` (or
//! `~/.local/state/ipclab`), else `$TMPDIR/ipclab-UID`. The directory is created 0700; on
//! every use it must be a real directory (never a symlink), owned by you and writable by
//! nobody else, and `objects.tsv` a regular file of yours: otherwise ipclab refuses it (a
//! planted registry could make `clean` remove your objects).
//!
//! **Made or used.** A run records what it makes (`made`: `clean` may remove it once the run
//! is gone) and what it uses but did not make (`uses`: a FIFO it found, a queue it joins,
//! a segment it attaches), so that `clean` leaves an object alone while any live run holds
//! it. A `uses` record never makes anything removable.
//!
//! **One record per run.** A record names the run that made it (pid, start time of that pid
//! and a sequence number within the run), so two runs never share, overwrite or erase each
//! other's records. Every change takes an exclusive `flock` on `lock`, rewrites the table
//! into `objects.tsv.new` and renames it over the old one.
//!
//! A demo never fails because its record could not be written: it warns once, on stderr,
//! that `clean` will not know about what it creates.

use super::Kind;
use crate::error::SysContext;
use crate::sys::Errno;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// A run: a process, told apart from a later process with the same pid by its start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub pid: i32,
    /// Clock ticks since boot when it started (field 22 of /proc/PID/stat).
    pub start: u64,
}

impl Run {
    /// This process.
    pub fn this() -> Run {
        let pid = std::process::id() as i32;
        Run {
            pid,
            start: start_time(pid).unwrap_or(0),
        }
    }

    /// Is it still running?
    pub fn alive(&self) -> bool {
        start_time(self.pid) == Some(self.start)
    }
}

/// One created object (or one about to be created: `id` is `None` until it exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: Kind,
    /// The System V key.
    pub key: Option<i32>,
    /// The System V id, or the inode of a file (POSIX shm, FIFO, directory).
    pub id: Option<i64>,
    /// The POSIX name, or the absolute path of a FIFO or directory.
    pub name: Option<String>,
    pub run: Run,
    /// Which of the run's records.
    pub seq: u32,
    /// When it was recorded, before the object was made (seconds since the epoch).
    pub time: i64,
    /// This run only uses the object (it did not make it).
    pub uses: bool,
    pub command: String,
}

impl Record {
    /// Do both records name the same object (whichever runs made them)?
    pub fn same_object(&self, other: &Record) -> bool {
        self.kind == other.kind
            && match (self.kind.is_sysv(), self.id, other.id) {
                (true, Some(a), Some(b)) => a == b,
                (true, _, _) => self.key == other.key,
                (false, _, _) => self.name == other.name,
            }
    }

    fn slot(&self) -> (Run, u32) {
        (self.run, self.seq)
    }
}

/// The start time of a process (clock ticks since boot), if it exists and is not a zombie.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    if matches!(fields.next()?, "Z" | "X") {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// A directory owned by us (not a symlink), that nobody else may write.
fn check_dir(d: &Path) -> Result<()> {
    let md = std::fs::symlink_metadata(d).map_err(|e| anyhow!("{}: {e}", d.display()))?;
    if !md.is_dir() {
        return Err(anyhow!(
            "{} is not a directory (a {}): ipclab will not use it as its registry; remove it or set IPCLAB_STATE_DIR",
            d.display(),
            if md.file_type().is_symlink() { "symbolic link" } else { "file" }
        ));
    }
    if md.uid() != euid() || md.mode() & 0o022 != 0 {
        return Err(anyhow!(
            "{} belongs to {} with mode {:03o}: a registry there could have been written by someone else, so ipclab will not trust it; remove it, or set IPCLAB_STATE_DIR to a directory of yours",
            d.display(),
            super::sysvipc::user_name(md.uid()),
            md.mode() & 0o777
        ));
    }
    Ok(())
}

/// Where the registry lives (not yet checked or created).
fn location() -> PathBuf {
    let env_dir = |v: &str| {
        std::env::var_os(v)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(d) = std::env::var_os("IPCLAB_STATE_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = env_dir("XDG_RUNTIME_DIR") {
        if std::fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir() && m.uid() == euid()) {
            return d.join("ipclab");
        }
    }
    if let Some(home) = env_dir("HOME") {
        if std::fs::symlink_metadata(&home).is_ok_and(|m| m.is_dir() && m.uid() == euid()) {
            let state = env_dir("XDG_STATE_HOME").unwrap_or_else(|| home.join(".local/state"));
            return state.join("ipclab");
        }
    }
    std::env::temp_dir().join(format!("ipclab-{}", euid()))
}

/// The per-user private directory: created 0700 if missing, refused if it is not ours
/// alone. It holds the registry and the default key files.
pub fn private_dir() -> Result<PathBuf> {
    let d = location();
    if std::fs::symlink_metadata(&d).is_err() {
        // The parents (~/.local/state) too, but only the last component is ours to check.
        let r = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&d);
        if let Err(e) = r {
            return Err(anyhow!("cannot create {}: {e}", d.display()));
        }
    }
    check_dir(&d)?;
    Ok(d)
}

fn file(dir: &Path) -> PathBuf {
    dir.join("objects.tsv")
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
        match (c, c == '\\') {
            (_, true) => match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn dash<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_else(|| "-".into())
}

fn opt<T: std::str::FromStr>(s: &str) -> Option<T> {
    (s != "-").then(|| s.parse().ok()).flatten()
}

const HEADER: &str = "# ipclab objects v2: kind key id name pid start seq time role command\n";

fn line(r: &Record) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        r.kind.as_str(),
        dash(&r.key),
        dash(&r.id),
        r.name.as_deref().map(escape).unwrap_or_else(|| "-".into()),
        r.run.pid,
        r.run.start,
        r.seq,
        r.time,
        if r.uses { "uses" } else { "made" },
        escape(&r.command)
    )
}

fn parse(l: &str) -> Option<Record> {
    let f: Vec<&str> = l.split('\t').collect();
    if f.len() != 10 {
        return None;
    }
    Some(Record {
        kind: Kind::parse(f[0])?,
        key: opt(f[1]),
        id: opt(f[2]),
        name: (f[3] != "-").then(|| unescape(f[3])),
        run: Run {
            pid: f[4].parse().ok()?,
            start: f[5].parse().ok()?,
        },
        seq: f[6].parse().ok()?,
        time: f[7].parse().ok()?,
        uses: match f[8] {
            "made" => false,
            "uses" => true,
            _ => return None,
        },
        command: unescape(f[9]),
    })
}

/// Read the table of `dir`, refusing a file that is not a regular file of ours.
fn read(dir: &Path) -> Result<Vec<Record>> {
    let path = file(dir);
    let f = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(anyhow!("cannot read the registry {}: {e}", path.display())),
    };
    let md = f.metadata()?;
    if !md.is_file() || md.uid() != euid() || md.mode() & 0o022 != 0 {
        return Err(anyhow!(
            "the registry {} is not a private file of yours (owner {}, mode {:03o}): ipclab will not trust it; remove it",
            path.display(),
            super::sysvipc::user_name(md.uid()),
            md.mode() & 0o777
        ));
    }
    let text = std::io::read_to_string(f)?;
    Ok(text.lines().filter_map(parse).collect())
}

/// Every record, from a registry checked to be yours alone.
pub fn load() -> Result<Vec<Record>> {
    read(&private_dir()?)
}

/// Change the table under the lock, and write it back once.
pub fn update(f: impl FnOnce(&mut Vec<Record>)) -> Result<()> {
    let d = private_dir()?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(d.join("lock"))
        .map_err(|e| anyhow!("cannot lock the registry in {}: {e}", d.display()))?;
    // Taken even after Ctrl-C: a run that cleans up must be able to drop its records.
    let _held = crate::error::uninterrupted(|| {
        let file = lock
            .try_clone()
            .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
        nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive).map_err(|(_, e)| e)
    })
    .sys(format_args!("flock({}/lock)", d.display()))?;
    let mut records = read(&d)?;
    f(&mut records);
    // Only we write this directory, and we hold the lock: a fixed name is safe, and a copy
    // a killed run left is simply overwritten.
    let tmp = d.join("objects.tsv.new");
    let write = || -> std::io::Result<()> {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        let mut text = String::from(HEADER);
        records.iter().for_each(|r| text.push_str(&line(r)));
        out.write_all(text.as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&tmp, file(&d))
    };
    write().map_err(|e| anyhow!("cannot write the registry in {}: {e}", d.display()))
}

static WARNED: AtomicBool = AtomicBool::new(false);
static SEQ: AtomicU32 = AtomicU32::new(0);

/// Say once per process that recording failed.
fn warn(e: &anyhow::Error) {
    if !WARNED.swap(true, Ordering::SeqCst) {
        crate::out::note(format_args!(
            "warning: {e:#}; what this run creates is not recorded, so `ipclab clean` cannot find it if the run is killed"
        ));
    }
}

fn this_command() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// This run's record of one object: begun before the object exists, completed with its
/// id, forgotten when the object is removed or handed over.
#[derive(Debug)]
pub struct Entry {
    rec: Record,
    live: bool,
}

impl Entry {
    /// Record that this run is about to create an object of `kind` under `key` or `name`.
    pub fn begin(kind: Kind, key: Option<i32>, name: Option<&str>) -> Entry {
        Self::write(kind, key, None, name, false)
    }

    /// Record that this run uses an existing object (`id`: its System V id or inode) it did
    /// not make: while the run lives, `clean` leaves the object alone. Forgotten on drop.
    pub fn using(kind: Kind, key: Option<i32>, id: i64, name: Option<&str>) -> Entry {
        Self::write(kind, key, Some(id), name, true)
    }

    fn write(
        kind: Kind,
        key: Option<i32>,
        id: Option<i64>,
        name: Option<&str>,
        uses: bool,
    ) -> Entry {
        let rec = Record {
            kind,
            key,
            id,
            name: name.map(str::to_string),
            run: Run::this(),
            seq: SEQ.fetch_add(1, Ordering::SeqCst),
            time: now(),
            uses,
            command: this_command(),
        };
        let r = update(|v| v.push(rec.clone()));
        if let Err(e) = &r {
            warn(e);
        }
        Entry {
            rec,
            live: r.is_ok(),
        }
    }

    /// The object exists: its id (System V) or inode (files).
    pub fn created(&mut self, id: i64) {
        self.rec.id = Some(id);
        if self.live {
            let (slot, rec) = (self.rec.slot(), self.rec.clone());
            let r = update(|v| {
                v.retain(|o| o.slot() != slot);
                v.push(rec);
            });
            if let Err(e) = r {
                warn(&e);
            }
        }
    }

    /// The id (System V) or inode (files) the object got, once created.
    pub fn id(&self) -> Option<i64> {
        self.rec.id
    }

    /// The object is gone, or no longer this run's to remove: drop the record.
    pub fn forget(&mut self) {
        if std::mem::take(&mut self.live) {
            let slot = self.rec.slot();
            if let Err(e) = update(|v| v.retain(|o| o.slot() != slot)) {
                warn(&e);
            }
        }
    }
}

impl Drop for Entry {
    /// A `uses` record ends with its holder; a `made` one is forgotten only when its object
    /// is removed (the owner guards say when), or stays for `clean`.
    fn drop(&mut self) {
        if self.rec.uses {
            self.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_roundtrip() {
        let r = Record {
            kind: Kind::Fifo,
            key: None,
            id: Some(99),
            name: Some("/tmp/a\tb\\c".into()),
            run: Run { pid: 42, start: 7 },
            seq: 3,
            time: 1_700_000_000,
            uses: true,
            command: "ipclab fifo-read".into(),
        };
        assert_eq!(parse(line(&r).trim_end()), Some(r));
        assert!(parse(HEADER.trim_end()).is_none());
        assert!(Run::this().alive());
    }
}
