//! IPC keys: parsing the `KEY` the controllers pass their children (lowercase hex, as the
//! slide's `sprintf(key_str, "%x", key)` and `sscanf(argv[1], "%x", &key)`), project ids,
//! and the parts `ftok()` builds a key from.
//!
//! glibc: `key = (proj_id & 0xff) << 24 | (st_dev & 0xff) << 16 | (st_ino & 0xffff)`.

use crate::sys::ipc::Key;

/// Parse a key in hex (`27011c6c` or `0x27011c6c`), as `sscanf("%x")` would, but strictly.
pub fn parse_key(s: &str) -> Result<Key, String> {
    let t = s.trim();
    if t.starts_with('-') || t.starts_with('+') {
        return Err(format!(
            "'{s}' is not an IPC key: keys are hexadecimal without a sign, like 27011c6c"
        ));
    }
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if digits.is_empty() {
        return Err(format!(
            "'{s}' is not an IPC key: hex digits must follow 0x, like 0x27011c6c"
        ));
    }
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "'{s}' is not an IPC key: use hex digits 0-9 a-f, like 27011c6c"
        ));
    }
    let v = u64::from_str_radix(digits, 16).map_err(|_| too_big(s))?;
    if v > u64::from(u32::MAX) {
        return Err(too_big(s));
    }
    if v == 0 {
        return Err(
            "key 0 is IPC_PRIVATE, which always makes a new private object: pass the key shmcon printed"
                .to_string(),
        );
    }
    Ok(v as u32 as Key)
}

fn too_big(s: &str) -> String {
    format!("'{s}' is not an IPC key: a key_t has 32 bits (at most 8 hex digits, ffffffff)")
}

/// Parse a project id for ftok: a number (`39`, `0x27`) or one character (`z`).
pub fn parse_proj_id(s: &str) -> Result<u8, String> {
    let t = s.trim();
    let v: Option<u64> = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        t.parse().ok()
    } else {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii() => Some(c as u64),
            _ => None,
        }
    };
    match v {
        Some(n) if (1..=255).contains(&n) => Ok(n as u8),
        Some(_) => Err(format!(
            "'{s}' is out of range for a project id: ftok keeps only the low 8 bits, so give 1-255 (0x01-0xff) or one character like z"
        )),
        None => Err(format!(
            "'{s}' is not a project id: give a number like 0x27 or 39, or one character like z"
        )),
    }
}

/// The parts of a key, as ftok combines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyParts {
    pub proj: u8,
    pub dev_low: u8,
    pub ino_low: u16,
}

impl KeyParts {
    /// Split a key into its three fields.
    pub fn of(key: Key) -> Self {
        let k = key as u32;
        KeyParts {
            proj: (k >> 24) as u8,
            dev_low: (k >> 16) as u8,
            ino_low: k as u16,
        }
    }

    /// Build the key from `proj_id`, `st_dev` and `st_ino`, as glibc's ftok does.
    pub fn from_stat(proj: u8, dev: u64, ino: u64) -> Self {
        KeyParts {
            proj,
            dev_low: dev as u8,
            ino_low: ino as u16,
        }
    }

    /// The key.
    pub fn key(&self) -> Key {
        ((u32::from(self.proj) << 24) | (u32::from(self.dev_low) << 16) | u32::from(self.ino_low))
            as Key
    }
}

/// A key file of your own for `ftok`: `NAME` in the per-user private directory (see
/// [`super::registry::private_dir`]), created empty (0600, `O_EXCL`) if missing. The
/// applets' default keys come from these, so two users of one machine never meet under
/// the seeds' shared keys (`ftok("/etc/passwd", 'z')`) by accident.
pub fn private_keyfile(name: &str) -> anyhow::Result<std::path::PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = super::registry::private_dir().map_err(|e| {
        anyhow::anyhow!(
            "no per-user directory for the default key file ({e:#}): pass a key file with --path"
        )
    })?;
    let path = dir.join(name);
    let r = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path);
    match r {
        Ok(_) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(path),
        Err(e) => Err(anyhow::anyhow!(
            "cannot create the key file {}: {e}",
            path.display()
        )),
    }
}

// The key options of the demos keyed by `ftok(path, proj_id)` with a per-user default
// file (msg-server and msg-client, shm-msg-server and shm-msg-client, sem-demo). shmcon
// takes its PATHNAME as the slide does, positional, and shares `ftok_of`. (No doc comment:
// a flattened struct's would replace the applet's about.)
#[derive(clap::Args, Debug, Clone)]
pub struct FtokArgs {
    /// The file ftok makes the key from (default: a key file of your own; the seeds use
    /// `--path /etc/passwd` for the message queue, `--path .` for sem-demo and shm-msg)
    #[arg(long)]
    pub path: Option<std::path::PathBuf>,
    /// ftok's project id: a number or one character
    #[arg(long, default_value = "z", value_parser = parse_proj_id)]
    pub proj_id: u8,
}

impl FtokArgs {
    /// The key, and the file it came from (`default` in the private directory when no
    /// `--path` was given).
    pub fn key(&self, default: &str) -> anyhow::Result<(Key, std::path::PathBuf)> {
        let path = match &self.path {
            Some(p) => p.clone(),
            None => private_keyfile(default)?,
        };
        Ok((ftok_of(&path, self.proj_id)?, path))
    }

    /// How the user gave the key, for a hint to paste: ` --path FILE`, or nothing.
    pub fn shown(&self) -> String {
        match &self.path {
            Some(p) => format!(" --path {}", crate::escape::shell_path(p)),
            None => String::new(),
        }
    }
}

/// `ftok(path, proj_id)`, its failure said the same way by every applet.
pub fn ftok_of(path: &std::path::Path, proj_id: u8) -> anyhow::Result<Key> {
    crate::sys::ipc::ftok(path, proj_id).map_err(|e| {
        crate::error::sys_error(
            format_args!("ftok({}) (the key file must exist)", path.display()),
            e,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(parse_key("27011c6c").unwrap() as u32, 0x27011c6c);
        assert_eq!(parse_key("0x27011C6C").unwrap() as u32, 0x27011c6c);
        assert_eq!(parse_key("ffffffff").unwrap() as u32, 0xffffffff);
        for bad in ["zz", "-1", "0x", "100000000", "", "0", "12 34"] {
            assert!(parse_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn proj_ids() {
        assert_eq!(parse_proj_id("0x27").unwrap(), 0x27);
        assert_eq!(parse_proj_id("39").unwrap(), 39);
        assert_eq!(parse_proj_id("z").unwrap(), b'z');
        for bad in ["0", "256", "zz", "", "0x"] {
            assert!(parse_proj_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parts_roundtrip() {
        let p = KeyParts::from_stat(0x27, 0x801, 0x51c6c);
        assert_eq!(p.key() as u32, 0x27011c6c);
        assert_eq!(KeyParts::of(p.key()), p);
    }
}
