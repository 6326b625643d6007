//! One record of the registry: the run that made (or uses) an object, the object's kind,
//! key, id and name, and its line in `objects.tsv` (tab-separated, `-` for none,
//! backslash escapes for tabs, newlines and backslashes in names and commands).

use crate::objects::Kind;

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
    /// The part this run plays with the object, when only one run may play it (a use).
    pub part: Option<Part>,
    pub command: String,
}

/// A part only one run at a time may play with an object: the slide's protocols work for
/// exactly one reader and one writer (hazard 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Reader,
    Writer,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Reader => "reader",
            Part::Writer => "writer",
        }
    }
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

    pub(super) fn slot(&self) -> (Run, u32) {
        (self.run, self.seq)
    }
}

/// The start time of a process (clock ticks since boot), if it exists and is not a zombie.
pub fn start_time(pid: i32) -> Option<u64> {
    use crate::process::procfs;
    let st = procfs::stat(u32::try_from(pid).ok()?)?;
    (!st.ended()).then_some(st.starttime)
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

pub(super) const HEADER: &str =
    "# ipclab objects v2: kind key id name pid start seq time role command\n";

pub(super) fn line(r: &Record) -> String {
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
        match (r.uses, r.part) {
            (_, Some(p)) => p.as_str(),
            (true, None) => "uses",
            (false, None) => "made",
        },
        escape(&r.command)
    )
}

pub(super) fn parse(l: &str) -> Option<Record> {
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
        uses: f[8] != "made",
        part: match f[8] {
            "made" | "uses" => None,
            "reader" => Some(Part::Reader),
            "writer" => Some(Part::Writer),
            _ => return None,
        },
        command: unescape(f[9]),
    })
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
            part: None,
            command: "ipclab fifo-read".into(),
        };
        assert_eq!(parse(line(&r).trim_end()), Some(r.clone()));
        let reader = Record {
            part: Some(Part::Reader),
            ..r
        };
        assert_eq!(parse(line(&reader).trim_end()), Some(reader));
        assert!(parse(HEADER.trim_end()).is_none());
        assert!(Run::this().alive());
    }
}
