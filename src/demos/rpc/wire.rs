//! ONC RPC messages (RFC 5531): a call's head, and every reply a server may send.
//!
//! A call: `xid, CALL, rpcvers 2, prog, vers, proc, cred, verf, args`; a credential or
//! verifier is a flavor and at most 400 bytes of body. A reply is accepted (`MSG_ACCEPTED`,
//! a verifier, then `accept_stat`: SUCCESS and the results, PROG_UNAVAIL, PROG_MISMATCH and
//! the versions served, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR) or denied (`MSG_DENIED`:
//! RPC_MISMATCH and the RPC versions served, or AUTH_ERROR and why). The transport
//! (UDP datagrams, TCP records) is in [`super::record`] and [`super::pmap`].

use super::xdr::{Reader, Writer};
use anyhow::{anyhow, bail, Result};

pub const CALL: u32 = 0;
pub const REPLY: u32 = 1;
/// The largest credential or verifier body (RFC 5531, `opaque_auth`).
pub const MAX_AUTH: usize = 400;
pub const AUTH_NONE: u32 = 0;
pub const AUTH_SYS: u32 = 1;

/// `accept_stat`.
pub const SUCCESS: u32 = 0;
pub const PROG_UNAVAIL: u32 = 1;
pub const PROG_MISMATCH: u32 = 2;
pub const PROC_UNAVAIL: u32 = 3;
pub const GARBAGE_ARGS: u32 = 4;
pub const SYSTEM_ERR: u32 = 5;

/// `auth_stat`.
pub const AUTH_BADCRED: u32 = 1;
pub const AUTH_REJECTEDCRED: u32 = 2;
pub const AUTH_BADVERF: u32 = 3;

/// The head of a call, fields named for `--trace`.
pub fn call_head(xid: u32, prog: u32, vers: u32, proc_: u32) -> Writer {
    let mut w = Writer::default();
    w.u32("xid", xid)
        .u32("msg_type = CALL", CALL)
        .u32("rpcvers = 2", 2)
        .u32("prog", prog)
        .u32("vers", vers)
        .u32("proc", proc_)
        .u32("cred.flavor = AUTH_NONE", AUTH_NONE)
        .u32("cred.length", 0)
        .u32("verf.flavor = AUTH_NONE", AUTH_NONE)
        .u32("verf.length", 0);
    w
}

/// A call as the server reads it.
pub struct Call<'a> {
    pub xid: u32,
    pub prog: u32,
    pub vers: u32,
    pub proc_: u32,
    pub args: Reader<'a>,
}

/// What a server does with a message.
pub enum Received<'a> {
    /// A call it may run.
    Call(Call<'a>),
    /// A call it must refuse with this reply (denied: RPC version or credentials).
    Refuse(Vec<u8>, String),
    /// Not an RPC call at all: dropped without a reply, as RPC servers do.
    Drop(String),
}

/// Read a message as RFC 5531 says a server must.
pub fn receive(buf: &[u8]) -> Received<'_> {
    let mut r = Reader::new(buf);
    let head = (|| -> Result<(u32, u32, u32)> {
        Ok((r.u32("xid")?, r.u32("msg_type")?, r.u32("rpcvers")?))
    })();
    let Ok((xid, mtype, rpcvers)) = head else {
        return Received::Drop(format!("{} bytes, too short for an RPC call", buf.len()));
    };
    if mtype != CALL {
        return Received::Drop(format!("msg_type {mtype}, not a call"));
    }
    if rpcvers != 2 {
        return Received::Refuse(
            denied_rpc_mismatch(xid),
            format!("rpcvers {rpcvers}: MSG_DENIED, RPC_MISMATCH (2 to 2)"),
        );
    }
    let Ok((prog, vers, proc_)) =
        (|| -> Result<(u32, u32, u32)> { Ok((r.u32("prog")?, r.u32("vers")?, r.u32("proc")?)) })()
    else {
        return Received::Drop("a call cut short before its procedure".into());
    };
    match check_auth(&mut r) {
        Ok(()) => Received::Call(Call {
            xid,
            prog,
            vers,
            proc_,
            args: r,
        }),
        Err(Some((stat, why))) => Received::Refuse(denied_auth(xid, stat), why),
        Err(None) => Received::Drop("a call cut short in its credentials".into()),
    }
}

/// The credential and verifier: `Err(Some(auth_stat))` to refuse, `Err(None)` if cut short.
fn check_auth(r: &mut Reader<'_>) -> Result<(), Option<(u32, String)>> {
    let flavor = r.u32("cred.flavor").map_err(|_| None)?;
    let len = r.u32("cred.length").map_err(|_| None)? as usize;
    if len > MAX_AUTH {
        return Err(Some((
            AUTH_BADCRED,
            format!("a credential of {len} bytes (at most {MAX_AUTH}): MSG_DENIED, AUTH_BADCRED"),
        )));
    }
    let body = r.take(len).ok_or(None)?;
    match flavor {
        AUTH_NONE => {}
        AUTH_SYS if auth_sys(body).is_ok() => {}
        AUTH_SYS => return Err(Some((AUTH_BADCRED, "a malformed AUTH_SYS credential: MSG_DENIED, AUTH_BADCRED".into()))),
        f => return Err(Some((AUTH_REJECTEDCRED, format!("credential flavor {f}, which this server does not know: MSG_DENIED, AUTH_REJECTEDCRED")))),
    }
    r.u32("verf.flavor").map_err(|_| None)?;
    let vlen = r.u32("verf.length").map_err(|_| None)? as usize;
    if vlen > MAX_AUTH {
        return Err(Some((
            AUTH_BADVERF,
            format!("a verifier of {vlen} bytes (at most {MAX_AUTH}): MSG_DENIED, AUTH_BADVERF"),
        )));
    }
    r.take(vlen).ok_or(None).map(drop)
}

/// An AUTH_SYS body: stamp, machine name (≤ 255), uid, gid, up to 16 gids, nothing after.
fn auth_sys(body: &[u8]) -> Result<()> {
    let mut a = Reader::new(body);
    a.u32("stamp")?;
    a.bytes("machinename", 255)?;
    a.u32("uid")?;
    a.u32("gid")?;
    let n = a.u32("gids")?;
    if n > 16 {
        bail!("{n} gids");
    }
    for _ in 0..n {
        a.u32("gid")?;
    }
    match a.rest().is_empty() {
        true => Ok(()),
        false => bail!("bytes after the gids"),
    }
}

/// Parse a call (`Err` for anything a server would not run): for clients of the wire format
/// (the bench) that only need the xid back.
pub fn parse_call(buf: &[u8]) -> Result<Call<'_>> {
    match receive(buf) {
        Received::Call(c) => Ok(c),
        Received::Refuse(_, why) | Received::Drop(why) => Err(anyhow!(why)),
    }
}

/// The head of an accepted reply with `accept_stat`.
pub fn reply_head(xid: u32, accept_stat: u32) -> Writer {
    let mut w = Writer::default();
    w.u32("xid", xid)
        .u32("msg_type = REPLY", REPLY)
        .u32("reply_stat = MSG_ACCEPTED", 0)
        .u32("verf.flavor = AUTH_NONE", AUTH_NONE)
        .u32("verf.length", 0)
        .u32("accept_stat", accept_stat);
    w
}

/// PROG_MISMATCH, with the versions served (`rpcinfo` asks with no version to learn them).
pub fn prog_mismatch(xid: u32, low: u32, high: u32) -> Vec<u8> {
    let mut w = reply_head(xid, PROG_MISMATCH);
    w.u32("mismatch_info.low", low)
        .u32("mismatch_info.high", high);
    w.bytes
}

fn denied(xid: u32) -> Writer {
    let mut w = Writer::default();
    w.u32("xid", xid)
        .u32("msg_type = REPLY", REPLY)
        .u32("reply_stat = MSG_DENIED", 1);
    w
}

/// MSG_DENIED, RPC_MISMATCH: this server speaks RPC version 2 only.
pub fn denied_rpc_mismatch(xid: u32) -> Vec<u8> {
    let mut w = denied(xid);
    w.u32("reject_stat = RPC_MISMATCH", 0)
        .u32("mismatch_info.low", 2)
        .u32("mismatch_info.high", 2);
    w.bytes
}

/// MSG_DENIED, AUTH_ERROR with `auth_stat`.
pub fn denied_auth(xid: u32, auth_stat: u32) -> Vec<u8> {
    let mut w = denied(xid);
    w.u32("reject_stat = AUTH_ERROR", 1)
        .u32("auth_stat", auth_stat);
    w.bytes
}

/// The results of a reply to `xid`, or what went wrong, in words.
pub fn parse_reply(buf: &[u8], xid: u32) -> Result<Reader<'_>> {
    let mut r = Reader::new(buf);
    if r.u32("xid")? != xid || r.u32("msg_type")? != REPLY {
        bail!("not the reply to call {xid:#x}");
    }
    if r.u32("reply_stat")? != 0 {
        return Err(match (r.u32("reject_stat")?, r.u32("detail")?) {
            (0, low) => anyhow!(
                "MSG_DENIED, RPC_MISMATCH: the server speaks RPC versions {low} to {}",
                r.u32("high").unwrap_or(low)
            ),
            (1, AUTH_BADCRED) => anyhow!("MSG_DENIED, AUTH_ERROR: bad credentials (AUTH_BADCRED)"),
            (1, AUTH_REJECTEDCRED) => {
                anyhow!("MSG_DENIED, AUTH_ERROR: credentials refused (AUTH_REJECTEDCRED)")
            }
            (1, s) => anyhow!("MSG_DENIED, AUTH_ERROR: auth_stat {s}"),
            (s, _) => anyhow!("MSG_DENIED, reject_stat {s}"),
        });
    }
    r.u32("verf.flavor")?;
    r.bytes("verf", MAX_AUTH)?;
    match r.u32("accept_stat")? {
        SUCCESS => Ok(r),
        PROG_UNAVAIL => bail!("PROG_UNAVAIL: the server does not serve this program"),
        PROG_MISMATCH => bail!(
            "PROG_MISMATCH: the server serves versions {} to {} of this program",
            r.u32("low").unwrap_or(0),
            r.u32("high").unwrap_or(0)
        ),
        PROC_UNAVAIL => bail!("PROC_UNAVAIL: no such procedure"),
        GARBAGE_ARGS => bail!("GARBAGE_ARGS: the server could not decode the arguments"),
        SYSTEM_ERR => bail!("SYSTEM_ERR: the server failed to run the call"),
        n => bail!("accept_stat {n}"),
    }
}
