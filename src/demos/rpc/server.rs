//! `rpc-server`: the date service. The steps, as the lecture's picture of the matchmaker:
//!
//! 1. make a UDP and a TCP socket on ephemeral ports (the kernel picks them)
//! 2. register DATE_PROG version 1 for each with rpcbind (PMAPPROC_SET): the matchmaker now
//!    knows where the program is; `rpcinfo -p` lists it
//! 3. serve calls: decode the XDR arguments, run the procedure, encode the result
//!    (`--at-most-once`: a call whose xid was seen before from the same client is answered
//!    from the reply cache, not executed again); see [`super::serve`]
//! 4. at the end (`--count N` calls, or Ctrl-C, SIGTERM): unregister (PMAPPROC_UNSET)

use super::pmap::{self, Proto};
use super::registration::Mapping;
use super::serve::{Limits, State};
use super::{NULL, PROG, VERS};
use crate::outln;
use crate::sys::sock::{self, Address, Kind};
use anyhow::{anyhow, Result};
use std::net::{IpAddr, SocketAddr};

// `ipclab rpc-server`. (A comment: a doc comment would replace the applet's about.)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: ipclab rpc-server --count 3   (then ipclab rpc-client; rpcinfo -p lists it)"
)]
pub struct Args {
    /// The address to serve on (0.0.0.0: every interface)
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// Serve N calls, then end [default: until Ctrl-C]
    #[arg(long, value_parser = crate::units::count)]
    pub count: Option<u64>,
    /// Answer a repeated xid from the reply cache instead of executing it again
    #[arg(long)]
    pub at_most_once: bool,
    /// Close a TCP connection this long after it opened, whatever it sends
    #[arg(long, default_value = "5s", value_parser = crate::units::interval)]
    pub connection_time: std::time::Duration,
    /// Serve at most N TCP connections at once (more are closed at once, with a log line)
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_connections: u64,
}

/// Run the server.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    // Step 1.
    let any = |kind| -> Result<_> {
        let at = Address::Inet(SocketAddr::new(args.listen, 0));
        let fd = sock::socket(at.family(), kind)?;
        sock::bind(&fd, &at).map_err(|e| anyhow!("bind {at}: {}", e.desc()))?;
        let port = match sock::local_addr(&fd)? {
            Some(Address::Inet(a)) => a.port(),
            _ => 0,
        };
        Ok((fd, port))
    };
    let (udp, up) = any(Kind::Dgram)?;
    let (tcp, tp) = any(Kind::Stream)?;
    sock::listen(&tcp, 128)?;
    // Step 2: a registration left by a server that died is replaced; a live one is not.
    let host = args.listen_or_loopback();
    for proto in [Proto::Udp, Proto::Tcp] {
        let live = pmap::getport(host, PROG, VERS, proto).unwrap_or(0);
        if live != 0 && alive(host, proto, live) {
            return Err(anyhow!("DATE_PROG {PROG:#x} is already registered by a running server ({} port {live}): stop it first (`rpcinfo -p` lists it)", proto.name()));
        }
    }
    // UNSET drops every protocol's mapping of the program: once, before both SETs.
    let _ = pmap::unset(PROG, VERS, Proto::Udp);
    let mut mappings = Vec::new();
    for (proto, port) in [(Proto::Udp, up), (Proto::Tcp, tp)] {
        mappings.push(Mapping::set(proto, port)?);
        outln!("pmap_set(DATE_PROG {PROG:#x}, version {VERS}, {}, port {port}) = registered with rpcbind", proto.name())?;
    }
    let until = args
        .count
        .map_or("Ctrl-C ends it".into(), |n| format!("ends after {n} calls"));
    outln!(
        "date service ready on {} (udp {up}, tcp {tp}) ({until})",
        args.listen
    )?;
    // Step 3.
    let limits = Limits {
        connection_time: args.connection_time,
        connections: args.max_connections as usize,
    };
    State::new(args.at_most_once).serve(&udp, &tcp, args.count, limits)?;
    // Step 4: the guards unregister.
    drop(mappings);
    outln!("unregistered DATE_PROG {PROG:#x} version {VERS} from rpcbind")?;
    Ok(())
}

impl Args {
    fn listen_or_loopback(&self) -> IpAddr {
        if self.listen.is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            self.listen
        }
    }
}

/// Does a server answer a NULL call on that port?
fn alive(host: IpAddr, proto: Proto, port: u16) -> bool {
    let w = super::wire::call_head(0x6013_0000 | u32::from(port), PROG, VERS, NULL);
    pmap::exchange(
        proto,
        SocketAddr::new(host, port),
        &w.bytes,
        std::time::Duration::from_millis(600),
    )
    .is_ok()
}
