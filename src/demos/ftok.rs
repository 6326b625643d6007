//! The `ftok()` note of the shared-memory slides: "0x27 a proj_id 0x0001 - 0xffff, 8 least
//! bits used". `ipclab ftok PATHNAME` prints the key and the three fields glibc builds it
//! from, `proj_id & 0xff` (bits 31-24), `st_dev & 0xff` (23-16) and `st_ino & 0xffff` (15-0),
//! and checks the sum against glibc's own `ftok()`.

use crate::error::SysContext;
use crate::objects::keys::{self, KeyParts};
use crate::outln;
use crate::sys::ipc;
use anyhow::{anyhow, Result};
use std::path::PathBuf;

// `ipclab ftok PATHNAME`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab ftok /etc/passwd --proj-id z")]
pub struct Args {
    /// An existing file or directory
    pub pathname: PathBuf,
    /// The project id: a number (0x27, 39) or one character (z)
    #[arg(long, default_value = "0x27", value_parser = keys::parse_proj_id)]
    pub proj_id: u8,
}

/// Print the key and its parts.
pub fn run(args: Args) -> Result<()> {
    let st = nix::sys::stat::stat(&args.pathname).map_err(|e| {
        anyhow!(
            "cannot stat {}: {} (ftok needs an existing file: create it first, e.g. `touch {}`)",
            args.pathname.display(),
            e.desc(),
            args.pathname.display()
        )
    })?;
    let dev = st.st_dev;
    let ino = st.st_ino;
    let parts = KeyParts::from_stat(args.proj_id, dev, ino);
    let glibc = ipc::ftok(&args.pathname, args.proj_id).sys("ftok()")?;
    if glibc != parts.key() {
        return Err(anyhow!(
            "glibc's ftok gives {:08x}, the formula {:08x}: this libc builds keys differently",
            glibc as u32,
            parts.key() as u32
        ));
    }
    let major = nix::sys::stat::major(dev);
    let minor = nix::sys::stat::minor(dev);
    outln!(
        "ftok(\"{}\", 0x{:02x}) = 0x{:08x}",
        args.pathname.display(),
        args.proj_id,
        parts.key() as u32
    )?;
    outln!("  bits 31-24  0x{:02x}    proj_id & 0xff", parts.proj)?;
    outln!(
        "  bits 23-16  0x{:02x}    st_dev & 0xff    (st_dev = 0x{dev:x}, device {major}:{minor})",
        parts.dev_low
    )?;
    outln!(
        "  bits 15-0   0x{:04x}  st_ino & 0xffff  (st_ino = {ino})",
        parts.ino_low
    )?;
    outln!(
        "  key = 0x{:02x} << 24 | 0x{:02x} << 16 | 0x{:04x} = 0x{:08x} (glibc's ftok agrees)",
        parts.proj,
        parts.dev_low,
        parts.ino_low,
        parts.key() as u32
    )?;
    Ok(())
}
