//! Step 3 of the server: serving calls from many clients at once, one event loop over
//! `poll` (the UDP socket, the TCP listener, every open connection), so that no client
//! ever makes another wait. A client that resets, stalls, floods or sends garbage costs
//! one line on stderr and its own connection, never the server:
//!
//! - a TCP connection is closed `--connection-time` (5 s) after it opened, whatever it
//!   sends (a client sending one byte every 3 s holds nothing up);
//! - one request may take at most 64 KiB across all its fragments, and a connection may
//!   have at most 256 KiB of replies waiting to be read: memory stays flat under a flood;
//! - at most `--max-connections` (64) connections at once: more are closed as they come;
//! - the reply cache of `--at-most-once` keeps the last 1024 replies.
//!
//! What a call gets is RFC 5531's answer ([`super::wire::receive`]): a reply, a denial
//! (RPC_MISMATCH, AUTH_ERROR), PROG_UNAVAIL, PROG_MISMATCH with the versions served,
//! PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR; a message that is no call is dropped.

use super::record::{self, Framer, MAX_REQUEST};
use super::wire::{self, Received};
use super::{ADD, CALLS, DATE, NULL, PROG, VERS};
use crate::outln;
use crate::sys::sock::{self, Address};
use anyhow::Result;
use std::collections::{HashMap, VecDeque};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// Replies a connection may have waiting before it is closed.
const MAX_PENDING: usize = 256 << 10;
/// Replies the at-most-once cache keeps.
const CACHE: usize = 1024;

/// How much one client may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connection_time: Duration,
    pub connections: usize,
}

/// One TCP client.
struct Conn {
    fd: OwnedFd,
    from: Address,
    opened: Instant,
    input: Framer,
    output: Vec<u8>,
}

/// What the server remembers between calls.
pub struct State {
    /// Calls executed (not answered from the cache).
    calls: u32,
    /// (client, xid) → the reply sent (`--at-most-once`), oldest first.
    cache: HashMap<(Address, u32), Vec<u8>>,
    order: VecDeque<(Address, u32)>,
    at_most_once: bool,
    /// Connections refused at the limit since the last line said so.
    refused: u64,
}

/// One line on stderr about a client: the server goes on.
fn log(args: std::fmt::Arguments<'_>) {
    crate::out::note(format_args!("{args}: serving on"));
}

impl State {
    pub fn new(at_most_once: bool) -> State {
        State {
            calls: 0,
            cache: HashMap::new(),
            order: VecDeque::new(),
            at_most_once,
            refused: 0,
        }
    }

    /// Serve until `count` replies were sent (or for ever), or a termination signal.
    pub fn serve(
        &mut self,
        udp: &OwnedFd,
        tcp: &OwnedFd,
        count: Option<u64>,
        limits: Limits,
    ) -> Result<()> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        sock::set_nonblocking(udp, true)?;
        sock::set_nonblocking(tcp, true)?;
        let mut conns: Vec<Conn> = Vec::new();
        let mut served = 0u64;
        let mut buf = vec![0u8; 65536];
        while count.is_none_or(|n| served < n) {
            crate::error::check_interrupted()?;
            let mut fds = vec![
                PollFd::new(udp.as_fd(), PollFlags::POLLIN),
                PollFd::new(tcp.as_fd(), PollFlags::POLLIN),
            ];
            for c in &conns {
                let out = if c.output.is_empty() {
                    PollFlags::empty()
                } else {
                    PollFlags::POLLOUT
                };
                fds.push(PollFd::new(c.fd.as_fd(), PollFlags::POLLIN | out));
            }
            match poll(&mut fds, PollTimeout::from(100u16)) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(anyhow::anyhow!("poll(): {}", e.desc())),
            }
            let ready: Vec<bool> = fds
                .iter()
                .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            drop(fds);
            if ready[0] {
                served += self.datagrams(udp, &mut buf)?;
            }
            if ready[1] {
                self.accept(tcp, &mut conns, limits)?;
            }
            let mut keep = Vec::with_capacity(conns.len());
            for (i, mut c) in std::mem::take(&mut conns).into_iter().enumerate() {
                let woke = ready.get(i + 2).copied().unwrap_or(false);
                match self.tend(&mut c, woke, &mut buf, limits) {
                    Ok(n) => {
                        served += n;
                        keep.push(c);
                    }
                    Err(Some(why)) => log(format_args!("client {}: {why}: closed", c.from)),
                    Err(None) => {} // it closed, as a client does when it is done
                }
            }
            conns = keep;
        }
        Ok(())
    }

    /// Every datagram waiting: each a call, its reply sent back to its sender.
    fn datagrams(&mut self, udp: &OwnedFd, buf: &mut [u8]) -> Result<u64> {
        let mut served = 0;
        loop {
            let (n, from) = match sock::recvfrom(udp, buf) {
                Ok((n, Some(from))) => (n, from),
                Ok((_, None)) => continue,
                Err(nix::errno::Errno::EAGAIN) => return Ok(served),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    log(format_args!("recvfrom(): {}", e.desc()));
                    return Ok(served);
                }
            };
            if let Some(reply) = self.answer(&buf[..n], &from, "udp")? {
                match sock::sendto(udp, &reply, &from) {
                    Ok(_) => served += 1,
                    Err(e) => log(format_args!("client {from}: sendto(): {}", e.desc())),
                }
            }
        }
    }

    /// Every connection waiting on the listener: kept, or closed at the limit.
    fn accept(&mut self, tcp: &OwnedFd, conns: &mut Vec<Conn>, limits: Limits) -> Result<()> {
        loop {
            let fd = match sock::accept(tcp) {
                Ok(fd) => fd,
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::ECONNABORTED) => break,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    log(format_args!("accept(): {}", e.desc()));
                    break;
                }
            };
            if conns.len() >= limits.connections {
                self.refused += 1;
                continue; // dropped: closed at once
            }
            sock::set_nonblocking(&fd, true)?;
            let from = sock::peer_addr(&fd).unwrap_or(Address::Unix("?".into()));
            conns.push(Conn {
                fd,
                from,
                opened: Instant::now(),
                input: Framer::default(),
                output: Vec::new(),
            });
        }
        if self.refused > 0 {
            log(format_args!(
                "{} connection(s) closed at once: {} are open, the limit (--max-connections)",
                std::mem::take(&mut self.refused),
                limits.connections
            ));
        }
        Ok(())
    }

    /// Read what came on `c`, answer each whole call, write what is waiting. `Err(why)`:
    /// close it.
    fn tend(
        &mut self,
        c: &mut Conn,
        woke: bool,
        buf: &mut [u8],
        limits: Limits,
    ) -> Result<u64, Option<String>> {
        if c.opened.elapsed() > limits.connection_time {
            return Err(Some(format!(
                "still connected {} s after it opened",
                limits.connection_time.as_secs()
            )));
        }
        let mut served = 0;
        if woke {
            match crate::sys::proc::read(&c.fd, buf) {
                Ok(0) if c.output.is_empty() => return Err(None),
                Ok(0) => {}
                Ok(n) => c.input.push(&buf[..n]),
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(Some(format!("read(): {}", e.desc()))),
            }
            while let Some(msg) = c
                .input
                .next_message(MAX_REQUEST)
                .map_err(|e| Some(e.to_string()))?
            {
                if let Some(reply) = self
                    .answer(&msg, &c.from, "tcp")
                    .map_err(|e| Some(e.to_string()))?
                {
                    c.output.extend_from_slice(&record::encode(&reply));
                    served += 1;
                }
            }
            if c.output.len() > MAX_PENDING {
                return Err(Some(format!(
                    "more than {} KiB of replies it does not read",
                    MAX_PENDING >> 10
                )));
            }
        }
        if !c.output.is_empty() {
            match crate::sys::proc::write(&c.fd, &c.output) {
                Ok(n) => drop(c.output.drain(..n)),
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(Some(format!("write(): {}", e.desc()))),
            }
        }
        Ok(served)
    }

    /// The reply to one message (`None`: not a call; dropped, with a line).
    pub fn answer(&mut self, msg: &[u8], from: &Address, proto: &str) -> Result<Option<Vec<u8>>> {
        let mut call = match wire::receive(msg) {
            Received::Call(c) => c,
            Received::Refuse(reply, why) => {
                log(format_args!("client {from}: {why}"));
                return Ok(Some(reply));
            }
            Received::Drop(why) => {
                log(format_args!("client {from}: {why}: dropped"));
                return Ok(None);
            }
        };
        let key = (from.clone(), call.xid);
        if self.at_most_once {
            if let Some(r) = self.cache.get(&key) {
                outln!("call xid {:#010x} from {from} again: answered from the reply cache, not executed (at-most-once; executed so far: {})", call.xid, self.calls)?;
                return Ok(Some(r.clone()));
            }
        }
        let reply = if call.prog != PROG {
            wire::reply_head(call.xid, wire::PROG_UNAVAIL).bytes
        } else if call.vers != VERS {
            wire::prog_mismatch(call.xid, VERS, VERS)
        } else {
            let mut w = wire::reply_head(call.xid, wire::SUCCESS);
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
                    _ => return Ok(Some(wire::reply_head(call.xid, wire::GARBAGE_ARGS).bytes)),
                },
                CALLS => match self.calls.checked_add(1) {
                    Some(n) => {
                        w.u32("calls", n);
                        format!("CALLS() = {n}")
                    }
                    None => return Ok(Some(wire::reply_head(call.xid, wire::SYSTEM_ERR).bytes)),
                },
                _ => return Ok(Some(wire::reply_head(call.xid, wire::PROC_UNAVAIL).bytes)),
            };
            self.calls = self.calls.saturating_add(1);
            outln!(
                "call xid {:#010x} from {from} over {proto}: {said}",
                call.xid
            )?;
            w.bytes
        };
        if self.at_most_once {
            self.cache.insert(key.clone(), reply.clone());
            self.order.push_back(key);
            if self.order.len() > CACHE {
                if let Some(old) = self.order.pop_front() {
                    self.cache.remove(&old);
                }
            }
        }
        Ok(Some(reply))
    }
}
