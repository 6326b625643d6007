//! "Remote Procedure Calls" (the lecture's closing part): the textbook's remote date service
//! on ONC RPC, the stack it describes: XDR data representation ([`xdr`]), RPC messages over
//! UDP and TCP, and a matchmaker daemon, the system's rpcbind ([`wire`]). The interface is
//! `date.x` (beside this file): `rpcgen date.x` makes a C client and server that talk to
//! ipclab's.
//!
//! The parts: [`xdr`] (the data), [`wire`] (RPC messages: calls, replies, denials),
//! [`record`] (TCP record marking), [`pmap`] (a client's channel, and rpcbind),
//! [`registration`] (the server's rpcbind mappings, recorded for `clean`), [`server`] and
//! [`serve`] (its event loop), [`client`].

pub mod client;
pub mod pmap;
pub mod record;
pub mod registration;
pub mod serve;
pub mod server;
pub mod wire;
pub mod xdr;

/// `DATE_PROG` in date.x (0x20000000 … 0x3fffffff: numbers for anyone's own programs).
pub const PROG: u32 = 0x2000_6013;
/// `DATE_VERS`.
pub const VERS: u32 = 1;
/// The procedures.
pub const NULL: u32 = 0;
pub const DATE: u32 = 1;
pub const ADD: u32 = 2;
pub const CALLS: u32 = 3;

/// A procedure's name, for the narration.
pub fn proc_name(p: u32) -> &'static str {
    match p {
        NULL => "NULL",
        DATE => "DATE",
        ADD => "ADD",
        CALLS => "CALLS",
        _ => "?",
    }
}
