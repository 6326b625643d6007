//! What `ipcs` shows, read straight from `/proc/sysvipc` (no `system("ipcs | grep")`: the
//! slide's substring match also finds shmid 43 inside 33554432, hazard 23).
//!
//! [`shm_row`] renders one segment in `ipcs -m`'s columns (util-linux's format: `0x%08x `,
//! then `%-10d %-10.10s %-10o %-10ju %-10ju %-6s %-6s`, trailing blanks trimmed).

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

/// Parse `/proc/sysvipc/*` text into rows of named fields.
fn table(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split_whitespace().collect();
    lines
        .map(|l| {
            names
                .iter()
                .zip(l.split_whitespace())
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num<T: std::str::FromStr + Default>(row: &HashMap<String, String>, k: &str) -> T {
    row.get(k).and_then(|v| v.parse().ok()).unwrap_or_default()
}

/// Every segment the kernel lists (all users'; /proc/sysvipc is world-readable).
pub fn shm_entries() -> std::io::Result<Vec<ShmEntry>> {
    let text = std::fs::read_to_string("/proc/sysvipc/shm")?;
    Ok(table(&text)
        .iter()
        .map(|r| ShmEntry {
            key: num(r, "key"),
            shmid: num(r, "shmid"),
            perms: r
                .get("perms")
                .and_then(|p| u32::from_str_radix(p, 8).ok())
                .unwrap_or(0),
            size: num(r, "size"),
            cpid: num(r, "cpid"),
            lpid: num(r, "lpid"),
            nattch: num(r, "nattch"),
            uid: num(r, "uid"),
        })
        .collect())
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
        let rows: Vec<ShmEntry> = table(text)
            .iter()
            .map(|r| ShmEntry {
                key: num(r, "key"),
                shmid: num(r, "shmid"),
                perms: u32::from_str_radix(&r["perms"], 8).unwrap(),
                size: num(r, "size"),
                cpid: num(r, "cpid"),
                lpid: num(r, "lpid"),
                nattch: num(r, "nattch"),
                uid: num(r, "uid"),
            })
            .collect();
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
