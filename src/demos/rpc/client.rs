//! `rpc-client`: calls the date service. The steps, as the lecture's matchmaker picture:
//!
//! 1. ask the matchmaker: rpcbind on HOST (port 111), PMAPPROC_GETPORT for DATE_PROG
//!    version 1 over UDP or TCP, answers the port
//! 2. call DATE (and `--add A B`, `--calls`) on that port: the arguments marshalled in XDR
//!    (`--trace` shows the bytes, field by field), the results unmarshalled
//! 3. `--duplicate`: send the DATE call twice with the same xid, as a client does when a
//!    reply is lost; with the server's `--at-most-once` the second is not executed again

use super::pmap::{self, Proto};
use super::wire;
use super::{proc_name, ADD, CALLS, DATE, PROG, VERS};
use crate::outln;
use anyhow::{anyhow, Result};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

// `ipclab rpc-client`. (A comment: a doc comment would replace the applet's about.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab rpc-client --add 2 3 --tcp")]
pub struct Args {
    /// The server's host: its rpcbind says where the program is
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Call over TCP (default: UDP)
    #[arg(long)]
    pub tcp: bool,
    /// Also call ADD(A, B)
    #[arg(long, num_args = 2, value_names = ["A", "B"], allow_negative_numbers = true)]
    pub add: Vec<i32>,
    /// Also ask how many calls the server has executed (CALLS)
    #[arg(long)]
    pub calls: bool,
    /// Send the DATE call twice with the same xid (see the server's --at-most-once)
    #[arg(long)]
    pub duplicate: bool,
}

/// Run the client.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    let proto = if args.tcp { Proto::Tcp } else { Proto::Udp };
    // Step 1: the matchmaker.
    let port = pmap::getport(args.host, PROG, VERS, proto)?;
    if port == 0 {
        return Err(anyhow!("rpcbind on {} knows no DATE_PROG {PROG:#x} version {VERS} over {}: start `ipclab rpc-server` there first (`rpcinfo -p {}` lists what it knows)", args.host, proto.name(), args.host));
    }
    outln!(
        "pmap_getport({}, DATE_PROG {PROG:#x}, version {VERS}, {}) = port {port}",
        args.host,
        proto.name()
    )?;
    let to = SocketAddr::new(args.host, port);
    let mut ch = pmap::Channel::open(proto, to, Duration::from_secs(3))?;
    // Step 2.
    let xid = std::process::id() << 8;
    let date = call(&mut ch, proto, xid, DATE, |_| {})?;
    let mut r = super::xdr::Reader::new(&date);
    let text = String::from_utf8_lossy(r.bytes("date", 4096)?).into_owned();
    outln!("DATE() = \"{text}\"")?;
    if args.duplicate {
        // Step 3: the same call, the same xid.
        let again = call(&mut ch, proto, xid, DATE, |_| {})?;
        let mut r = super::xdr::Reader::new(&again);
        outln!(
            "DATE() again with the same xid {xid:#010x} = \"{}\"",
            String::from_utf8_lossy(r.bytes("date", 4096)?)
        )?;
    }
    if let [a, b] = args.add[..] {
        let res = call(&mut ch, proto, xid + 1, ADD, |w| {
            w.i32("a", a).i32("b", b);
        })?;
        outln!(
            "ADD({a}, {b}) = {}",
            super::xdr::Reader::new(&res).i32("sum")?
        )?;
    }
    if args.calls {
        let res = call(&mut ch, proto, xid + 2, CALLS, |_| {})?;
        outln!(
            "CALLS() = {} (calls the server has executed)",
            super::xdr::Reader::new(&res).u32("calls")?
        )?;
    }
    Ok(())
}

/// One call: its results' bytes.
fn call(
    ch: &mut pmap::Channel,
    proto: Proto,
    xid: u32,
    proc_: u32,
    args: impl FnOnce(&mut super::xdr::Writer),
) -> Result<Vec<u8>> {
    let mut w = wire::call_head(xid, PROG, VERS, proc_);
    args(&mut w);
    if crate::trace::enabled() {
        crate::out::note(format_args!(
            "{} call, {} bytes of XDR:\n{}",
            proc_name(proc_),
            w.bytes.len(),
            w.dump()
        ));
    }
    let reply = ch
        .exchange(&w.bytes)
        .map_err(|e| anyhow!("{} over {}: {e}", proc_name(proc_), proto.name()))?;
    Ok(wire::parse_reply(&reply, xid)?.rest().to_vec())
}
