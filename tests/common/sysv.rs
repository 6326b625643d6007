//! System V objects as the kernel lists them (/proc/sysvipc), keys computed as glibc's ftok
//! does, and segments made by a C helper for the tests that need another owner's object.

use super::c_program;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// glibc's ftok formula.
pub fn ftok(path: &Path, proj: u8) -> u32 {
    let md = std::fs::metadata(path).unwrap();
    (u32::from(proj) << 24) | (((md.dev() & 0xff) as u32) << 16) | ((md.ino() & 0xffff) as u32)
}

/// System V objects (kind, id) under `key`, from /proc/sysvipc.
pub fn sysv_with_key(key: u32) -> Vec<(String, i32)> {
    let mut v = Vec::new();
    for kind in ["shm", "msg", "sem"] {
        let text = std::fs::read_to_string(format!("/proc/sysvipc/{kind}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() > 1 && f[0].parse::<i64>().map(|k| k as u32) == Ok(key) {
                v.push((kind.to_string(), f[1].parse().unwrap()));
            }
        }
    }
    v
}

/// Is a System V segment with this id still listed?
pub fn shm_id_exists(id: i32) -> bool {
    let text = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
    text.lines()
        .skip(1)
        .any(|l| l.split_whitespace().nth(1) == Some(&id.to_string()))
}

/// Assert nothing is left under `key`.
pub fn assert_no_sysv(key: u32) {
    let left = sysv_with_key(key);
    assert!(left.is_empty(), "left behind under key {key:x}: {left:?}");
}

/// nattch of the live segment under `key`, from /proc.
pub fn shm_nattch(key: u32) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
    text.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.first()?.parse::<i64>().ok()? as u32 == key)
            .then(|| f.get(6)?.parse().ok())
            .flatten()
    })
}

/// Removes, when dropped, every System V object under these keys: the objects a test made
/// itself, even when the test fails half-way.
pub struct KeyGuard(pub Vec<u32>);

impl Drop for KeyGuard {
    fn drop(&mut self) {
        for key in &self.0 {
            for (kind, id) in sysv_with_key(*key) {
                let flag = match kind.as_str() {
                    "shm" => "-m",
                    "msg" => "-q",
                    _ => "-s",
                };
                let _ = Command::new("ipcrm").args([flag, &id.to_string()]).status();
            }
        }
    }
}

/// Make a System V segment with the C helper (`mkseg KEY SIZE MODE`): its id, or None when
/// gcc is missing locally (c_program says so).
pub fn mkseg(key: u32, size: usize, mode: &str) -> Option<i32> {
    let helper = c_program("mkseg")?;
    let out = Command::new(helper)
        .args([format!("{key:x}"), size.to_string(), mode.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mkseg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    )
}
