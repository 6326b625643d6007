//! `rpc-server`: the date service. The steps, as the lecture's picture of the matchmaker:
//!
//! 1. make a UDP and a TCP socket on ephemeral ports (the kernel picks them)
//! 2. register DATE_PROG version 1 for each with rpcbind (PMAPPROC_SET): the matchmaker now
//!    knows where the program is; `rpcinfo -p` lists it
//! 3. serve calls: decode the XDR arguments, run the procedure, encode the result
//!    (`--at-most-once`: a call whose xid was seen before from the same client is answered
//!    from the reply cache, not executed again)
//! 4. at the end (`--count N` calls, or Ctrl-C, SIGTERM): unregister (PMAPPROC_UNSET)

use super::wire::{self, Proto};
use super::{ADD, CALLS, DATE, NULL, PROG, VERS};
use crate::outln;
use anyhow::{anyhow, Result};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::os::fd::AsFd;

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
}

/// Unregisters from rpcbind when dropped (the end, an error, a signal).
struct Registered(Vec<Proto>);

impl Drop for Registered {
    fn drop(&mut self) {
        // One UNSET removes the program's mappings for every protocol.
        if let Some(p) = self.0.first() {
            let _ = wire::unset(PROG, VERS, *p);
        }
        let _ = outln!("unregistered DATE_PROG {PROG:#x} version {VERS} from rpcbind");
    }
}

/// Run the server.
pub fn run(args: Args) -> Result<()> {
    crate::sys::signals::catch_termination()?;
    // Step 1.
    let udp = UdpSocket::bind(SocketAddr::new(args.listen, 0))?;
    let tcp = TcpListener::bind(SocketAddr::new(args.listen, 0))?;
    let (up, tp) = (udp.local_addr()?.port(), tcp.local_addr()?.port());
    // Step 2: a registration left by a server that died is replaced; a live one is not.
    for proto in [Proto::Udp, Proto::Tcp] {
        let live = wire::getport(args.listen_or_loopback(), PROG, VERS, proto).unwrap_or(0);
        if live != 0 && alive(args.listen_or_loopback(), proto, live) {
            return Err(anyhow!("DATE_PROG {PROG:#x} is already registered by a running server ({} port {live}): stop it first (`rpcinfo -p` lists it)", proto.name()));
        }
    }
    // UNSET drops every protocol's mapping of the program: once, before both SETs.
    let _ = wire::unset(PROG, VERS, Proto::Udp);
    let mut reg = Registered(Vec::new());
    for (proto, port) in [(Proto::Udp, up), (Proto::Tcp, tp)] {
        if !wire::set(PROG, VERS, proto, port)? {
            return Err(anyhow!(
                "rpcbind refused to register DATE_PROG over {}",
                proto.name()
            ));
        }
        reg.0.push(proto);
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
    let mut state = State {
        calls: 0,
        cache: HashMap::new(),
        at_most_once: args.at_most_once,
    };
    let mut served = 0u64;
    while args.count.is_none_or(|n| served < n) {
        match ready(&udp, &tcp)? {
            Some(Proto::Udp) => {
                let mut buf = vec![0u8; 65536];
                let (n, from) = udp.recv_from(&mut buf)?;
                if let Some(reply) = state.answer(&buf[..n], from, Proto::Udp)? {
                    udp.send_to(&reply, from)?;
                    served += 1;
                }
            }
            Some(Proto::Tcp) => {
                let (mut s, from) = tcp.accept()?;
                s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
                while let Ok(Some(msg)) = wire::read_record(&mut s) {
                    if let Some(reply) = state.answer(&msg, from, Proto::Tcp)? {
                        wire::write_record(&mut s, &reply)?;
                        served += 1;
                    }
                    if args.count.is_some_and(|n| served >= n) {
                        break;
                    }
                }
            }
            None => {}
        }
    }
    // Step 4: the guard unregisters.
    drop(reg);
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
    let w = wire::call_head(0x6013_0000 | u32::from(port), PROG, VERS, NULL);
    wire::exchange(
        proto,
        SocketAddr::new(host, port),
        &w.bytes,
        std::time::Duration::from_millis(600),
    )
    .is_ok()
}

/// Which socket has something, within a slice of time (so Ctrl-C is seen).
fn ready(udp: &UdpSocket, tcp: &TcpListener) -> Result<Option<Proto>> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    crate::error::check_interrupted()?;
    let mut fds = [
        PollFd::new(udp.as_fd(), PollFlags::POLLIN),
        PollFd::new(tcp.as_fd(), PollFlags::POLLIN),
    ];
    match poll(&mut fds, PollTimeout::from(100u16)) {
        Ok(n) if n > 0 => {
            let hit = |i: usize| {
                fds[i]
                    .revents()
                    .is_some_and(|r| r.contains(PollFlags::POLLIN))
            };
            Ok(if hit(0) {
                Some(Proto::Udp)
            } else if hit(1) {
                Some(Proto::Tcp)
            } else {
                None
            })
        }
        Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(None),
        Err(e) => Err(anyhow!("poll(): {}", e.desc())),
    }
}

/// What the server remembers between calls.
struct State {
    /// Calls executed (not answered from the cache).
    calls: u32,
    /// (client, xid) → the reply sent (`--at-most-once`).
    cache: HashMap<(SocketAddr, u32), Vec<u8>>,
    at_most_once: bool,
}

impl State {
    /// The reply to one message (`None`: not a call; dropped, as RPC servers do).
    fn answer(&mut self, msg: &[u8], from: SocketAddr, proto: Proto) -> Result<Option<Vec<u8>>> {
        let Ok(mut call) = wire::parse_call(msg) else {
            outln!("(a message from {from} that is not an RPC call: dropped)")?;
            return Ok(None);
        };
        if self.at_most_once {
            if let Some(r) = self.cache.get(&(from, call.xid)) {
                outln!("call xid {:#010x} from {from} again: answered from the reply cache, not executed (at-most-once; executed so far: {})", call.xid, self.calls)?;
                return Ok(Some(r.clone()));
            }
        }
        let reply = if call.prog != PROG || call.vers != VERS {
            wire::reply_head(call.xid, if call.prog != PROG { 1 } else { 2 }).bytes
        } else {
            let mut w = wire::reply_head(call.xid, 0);
            let said = match call.proc_ {
                NULL => "NULL()".to_string(),
                DATE => {
                    let d = super::super::sock::now();
                    w.bytes("date", d.as_bytes());
                    format!("DATE() = \"{d}\"")
                }
                ADD => match (call.args.i32("a"), call.args.i32("b")) {
                    (Ok(a), Ok(b)) => {
                        w.i32("sum", a.wrapping_add(b));
                        format!("ADD({a}, {b}) = {}", a.wrapping_add(b))
                    }
                    _ => return Ok(Some(wire::reply_head(call.xid, 4).bytes)),
                },
                CALLS => {
                    w.u32("calls", self.calls + 1);
                    format!("CALLS() = {}", self.calls + 1)
                }
                _ => return Ok(Some(wire::reply_head(call.xid, 3).bytes)),
            };
            self.calls += 1;
            outln!(
                "call xid {:#010x} from {from} over {}: {said}",
                call.xid,
                proto.name()
            )?;
            w.bytes
        };
        if self.at_most_once {
            self.cache.insert((from, call.xid), reply.clone());
        }
        Ok(Some(reply))
    }
}
