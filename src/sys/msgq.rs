//! System V message queues: `msgget`, `msgsnd`, `msgrcv`, `msgctl` (re-exported by
//! [`super::ipc`], where the other System V calls are).

use super::event::Op;
use super::ids::{Key, MsqId};
use super::{event, Errno, SysResult};

/// `msgget(key, flags)`.
pub fn msgget(key: Key, flags: libc::c_int) -> SysResult<MsqId> {
    // SAFETY: msgget takes no pointers.
    let r = Errno::result(unsafe { libc::msgget(key, flags) }).map(MsqId);
    event::call_op(
        format_args!(
            "msgget(key=0x{:08x}, {})",
            key as u32,
            event::ipc_flags(flags)
        ),
        &r,
        |id| super::ids::created(flags, format!("msg {id}")),
    );
    r
}

/// `msgsnd(msqid, {mtype, mtext}, mtext.len(), flags)`; EINTR comes back to the caller.
///
/// The message is laid out as the C `struct { long mtype; char mtext[N]; }`: an 8-byte
/// native `long` then the text bytes, and `msgsz` counts only the text, as in C.
pub fn msgsnd(msqid: MsqId, mtype: i64, mtext: &[u8], nowait: bool) -> SysResult<()> {
    let mut buf = Vec::with_capacity(MTYPE + mtext.len());
    buf.extend_from_slice(&[0; MTYPE]);
    buf.extend_from_slice(mtext);
    msgsnd_in(msqid, &mut buf, mtype, mtext.len(), nowait)
}

/// Bytes of `long mtype` before the text of a message buffer.
pub const MTYPE: usize = std::mem::size_of::<libc::c_long>();

/// `msgsnd` from a caller's buffer laid out as `{ long mtype; char mtext[]; }`: `mtype` is
/// written into its first 8 bytes, and the `len` text bytes after them are sent (the
/// benchmark reuses one buffer, so nothing is allocated per message).
pub fn msgsnd_in(
    msqid: MsqId,
    buf: &mut [u8],
    mtype: i64,
    len: usize,
    nowait: bool,
) -> SysResult<()> {
    if buf.len() < MTYPE + len {
        return Err(Errno::EINVAL);
    }
    buf[..MTYPE].copy_from_slice(&(mtype as libc::c_long).to_ne_bytes());
    let flags = if nowait { libc::IPC_NOWAIT } else { 0 };
    event::begin();
    // SAFETY: `buf` holds the 8-byte mtype followed by at least `len` bytes (checked), as
    // msgsnd reads.
    let r = Errno::result(unsafe { libc::msgsnd(msqid.0, buf.as_ptr().cast(), len, flags) });
    event::call_op(
        format_args!(
            "msgsnd({msqid}, {{mtype={mtype}, ...}}, {len}, {})",
            if nowait { "IPC_NOWAIT" } else { "0" }
        ),
        &r,
        |_| Op::Msgsnd { id: msqid.0, mtype },
    );
    r.map(|_| ())
}

/// `msgrcv(msqid, buf, msgsz, mtype, flags)`: `(mtype, text bytes received)`.
///
/// EINTR comes back to the caller; `nowait` adds IPC_NOWAIT (ENOMSG when empty).
pub fn msgrcv(msqid: MsqId, msgsz: usize, mtype: i64, nowait: bool) -> SysResult<(i64, Vec<u8>)> {
    let mut buf = vec![0u8; MTYPE + msgsz];
    let (got, n) = msgrcv_in(msqid, &mut buf, mtype, nowait)?;
    buf.truncate(MTYPE + n);
    buf.drain(..MTYPE);
    Ok((got, buf))
}

/// `msgrcv` into a caller's buffer laid out as `{ long mtype; char mtext[]; }` (msgsz is
/// its length less the 8 bytes of mtype): `(mtype, text bytes received)`.
pub fn msgrcv_in(
    msqid: MsqId,
    buf: &mut [u8],
    mtype: i64,
    nowait: bool,
) -> SysResult<(i64, usize)> {
    let msgsz = buf.len().checked_sub(MTYPE).ok_or(Errno::EINVAL)?;
    let flags = if nowait { libc::IPC_NOWAIT } else { 0 };
    event::begin();
    // SAFETY: `buf` has room for the 8-byte mtype plus `msgsz` text bytes; msgrcv writes
    // at most that much (it fails with E2BIG rather than write more, no MSG_NOERROR).
    let n = unsafe {
        libc::msgrcv(
            msqid.0,
            buf.as_mut_ptr().cast(),
            msgsz,
            mtype as libc::c_long,
            flags,
        )
    };
    let r = Errno::result(n);
    event::call_op(
        format_args!(
            "msgrcv({msqid}, buf, {msgsz}, {mtype}, {})",
            if nowait { "IPC_NOWAIT" } else { "0" }
        ),
        &r,
        |_| Op::Msgrcv { id: msqid.0, mtype },
    );
    let n = usize::try_from(r?).unwrap_or(0);
    let mut t = [0u8; MTYPE];
    t.copy_from_slice(&buf[..MTYPE]);
    Ok((i64::from_ne_bytes(t), n))
}

/// `msgctl(msqid, IPC_RMID, NULL)`.
pub fn msg_remove(msqid: MsqId) -> SysResult<()> {
    // SAFETY: IPC_RMID reads no buffer.
    let r = Errno::result(unsafe { libc::msgctl(msqid.0, libc::IPC_RMID, std::ptr::null_mut()) });
    event::call_op(format_args!("msgctl({msqid}, IPC_RMID, NULL)"), &r, |_| {
        Op::Removes {
            object: format!("msg {msqid}"),
        }
    });
    r.map(|_| ())
}

/// What `msgctl(IPC_STAT)` tells about a queue.
#[derive(Debug, Clone, Copy)]
pub struct MsgStat {
    pub qnum: u64,
    pub qbytes: u64,
    pub cpid_unknown: bool,
}

/// `msgctl(msqid, IPC_STAT)`.
pub fn msg_stat(msqid: MsqId) -> SysResult<MsgStat> {
    let mut ds = std::mem::MaybeUninit::<libc::msqid_ds>::zeroed();
    // SAFETY: `ds` is a writable msqid_ds the kernel fills on success.
    let r = Errno::result(unsafe { libc::msgctl(msqid.0, libc::IPC_STAT, ds.as_mut_ptr()) });
    event::call(format_args!("msgctl({msqid}, IPC_STAT, buf)"), &r);
    r?;
    // SAFETY: IPC_STAT succeeded and filled `ds`.
    let ds = unsafe { ds.assume_init() };
    Ok(MsgStat {
        qnum: ds.msg_qnum,
        qbytes: ds.msg_qbytes,
        cpid_unknown: false,
    })
}
