//! What `ipcs` shows, read straight from `/proc/sysvipc` (no `system("ipcs | grep")`: the
//! slide's substring match also finds shmid 43 inside 33554432, hazard 23).
//!
//! [`shm_row`] renders one segment in `ipcs -m`'s columns (util-linux's format: `0x%08x `,
//! then `%-10d %-10.10s %-10o %-10ju %-10ju %-6s %-6s`, trailing blanks trimmed).

use super::Kind;
use std::collections::HashMap;

/// One line of `/proc/sysvipc/shm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShmEntry {
    pub key: i32,
    pub shmid: i32,
    /// Mode bits, including SHM_DEST (0o1000) and SHM_LOCKED (0o2000).
    pub perms: u32,
    pub size: u64,
    pub cpid: i32,
    pub lpid: i32,
    pub nattch: u64,
    pub uid: u32,
}

/// `SHM_DEST`: marked for removal, still attached.
pub const SHM_DEST: u32 = 0o1000;
/// `SHM_LOCKED`.
pub const SHM_LOCKED: u32 = 0o2000;

/// One row of a /proc/sysvipc table, by column name.
#[derive(Debug, Clone, Default)]
pub struct Row(HashMap<String, String>);

impl Row {
    /// A numeric column (0 if absent or unparsable).
    pub fn num<T: std::str::FromStr + Default>(&self, col: &str) -> T {
        self.0
            .get(col)
            .and_then(|v| v.parse().ok())
            .unwrap_or_default()
    }

    /// An octal column (`perms`).
    pub fn octal(&self, col: &str) -> u32 {
        self.0
            .get(col)
            .and_then(|v| u32::from_str_radix(v, 8).ok())
            .unwrap_or(0)
    }

    /// The object's key.
    pub fn key(&self) -> i32 {
        self.num("key")
    }

    /// The object's id, in the table of `kind`.
    pub fn id(&self, kind: Kind) -> i32 {
        self.num(kind.id_column())
    }

    /// The owner's uid.
    pub fn uid(&self) -> u32 {
        self.num("uid")
    }

    /// When it was created or last changed by `*ctl` (seconds since the epoch).
    pub fn ctime(&self) -> i64 {
        self.num("ctime")
    }
}

/// Parse `/proc/sysvipc/*` text into rows of named fields.
fn table(text: &str) -> Vec<Row> {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split_whitespace().collect();
    lines
        .map(|l| {
            Row(names
                .iter()
                .zip(l.split_whitespace())
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect())
        })
        .collect()
}

/// Every row of the table of a System V `kind` (all users': /proc/sysvipc is world-readable).
fn read(kind: Kind) -> std::io::Result<Vec<Row>> {
    std::fs::read_to_string(format!("/proc/sysvipc/{}", kind.proc_table())).map(|t| table(&t))
}

/// Every row of the table of a System V `kind`; none if it cannot be read.
pub fn rows(kind: Kind) -> Vec<Row> {
    read(kind).unwrap_or_default()
}

/// The live object of `kind` under `key` (removed objects show key 0, IPC_PRIVATE).
pub fn by_key(kind: Kind, key: i32) -> Option<Row> {
    rows(kind).into_iter().find(|r| r.key() == key)
}

/// The ids of the live objects of `kind` under `key`.
pub fn ids_with_key(kind: Kind, key: i32) -> Vec<i32> {
    rows(kind)
        .iter()
        .filter(|r| r.key() == key)
        .map(|r| r.id(kind))
        .collect()
}

fn shm_entry(r: &Row) -> ShmEntry {
    ShmEntry {
        key: r.key(),
        shmid: r.num("shmid"),
        perms: r.octal("perms"),
        size: r.num("size"),
        cpid: r.num("cpid"),
        lpid: r.num("lpid"),
        nattch: r.num("nattch"),
        uid: r.num("uid"),
    }
}

/// Every segment the kernel lists.
pub fn shm_entries() -> std::io::Result<Vec<ShmEntry>> {
    Ok(read(Kind::SysvShm)?.iter().map(shm_entry).collect())
}

/// The segment with this id, if the kernel still lists it.
pub fn shm_by_id(shmid: i32) -> std::io::Result<Option<ShmEntry>> {
    Ok(shm_entries()?.into_iter().find(|e| e.shmid == shmid))
}

/// The live segment with this key (removed segments show key 0, IPC_PRIVATE).
pub fn shm_by_key(key: i32) -> std::io::Result<Option<ShmEntry>> {
    Ok(shm_entries()?.into_iter().find(|e| e.key == key))
}

/// A user's name, or the number if it has none.
pub fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| uid.to_string())
}

/// One row in `ipcs -m`'s columns: key, shmid, owner, perms, bytes, nattch, status.
pub fn shm_row(e: &ShmEntry) -> String {
    let owner: String = user_name(e.uid).chars().take(10).collect();
    let row = format!(
        "0x{:08x} {:<10} {:<10} {:<10o} {:<10} {:<10} {:<6} {:<6}",
        e.key as u32,
        e.shmid,
        owner,
        e.perms & 0o777,
        e.size,
        e.nattch,
        if e.perms & SHM_DEST != 0 { "dest" } else { " " },
        if e.perms & SHM_LOCKED != 0 {
            "locked"
        } else {
            " "
        },
    );
    row.trim_end().to_string()
}

/// Does a process with this pid exist (signal 0)?
pub fn pid_alive(pid: i32) -> bool {
    pid > 0
        && match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
            Ok(()) => true,
            Err(e) => e == nix::errno::Errno::EPERM,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_text() {
        let text = "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n 654384236         43  1600                  4100  1234  1235      1     0     0     0     0          0          0 1700000000                  4096                     0\n";
        let rows: Vec<ShmEntry> = table(text).iter().map(shm_entry).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].key as u32, 0x27011c6c);
        assert_eq!(rows[0].perms & 0o777, 0o600);
        assert_eq!(rows[0].perms & SHM_DEST, SHM_DEST);
        assert_eq!(
            shm_row(&rows[0]),
            "0x27011c6c 43         root       600        4100       1          dest"
        );
    }
}
