//! The server's registrations with rpcbind, as objects of the run: each is recorded in the
//! registry before the PMAPPROC_SET that makes it (program/version/protocol as its name,
//! the port as its id once it exists), and forgotten after the UNSET that takes it back.
//! A server killed with SIGKILL leaves its mapping in rpcbind; `ipclab clean` then finds
//! the record, sees that the run is gone and that rpcbind still maps the program to the
//! recorded port (not to a port another server registered since), and unsets it.

use super::pmap::{self, Proto};
use super::{PROG, VERS};
use crate::objects::live::Found;
use crate::objects::registry::{Entry, Record};
use crate::objects::Kind;
use anyhow::{anyhow, Result};

/// `536895507/1/udp`.
fn name(proto: Proto) -> String {
    format!("{PROG}/{VERS}/{}", proto.name())
}

/// A mapping this server made; unset (and forgotten) when dropped.
pub struct Mapping {
    entry: Entry,
    proto: Proto,
}

impl Mapping {
    /// Register DATE_PROG over `proto` on `port` (recorded first).
    pub fn set(proto: Proto, port: u16) -> Result<Mapping> {
        let mut entry = Entry::begin(Kind::RpcMapping, Some(PROG as i32), Some(&name(proto)));
        match pmap::set(PROG, VERS, proto, port) {
            Ok(true) => {
                entry.created(i64::from(port));
                Ok(Mapping { entry, proto })
            }
            Ok(false) => {
                entry.forget();
                Err(anyhow!(
                    "rpcbind refused to register DATE_PROG over {}",
                    proto.name()
                ))
            }
            Err(e) => {
                entry.forget();
                Err(e)
            }
        }
    }

    pub fn proto(&self) -> Proto {
        self.proto
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if pmap::unset(PROG, VERS, self.proto).is_ok() {
            self.entry.forget();
        }
    }
}

/// What a record names: (prog, vers, proto).
fn parse(r: &Record) -> Option<(u32, u32, Proto)> {
    let mut parts = r.name.as_deref()?.split('/');
    let prog = parts.next()?.parse().ok()?;
    let vers = parts.next()?.parse().ok()?;
    let proto = match parts.next()? {
        "udp" => Proto::Udp,
        "tcp" => Proto::Tcp,
        _ => return None,
    };
    Some((prog, vers, proto))
}

/// The mapping `r` recorded, if rpcbind still maps its program to the recorded port.
pub fn find(r: &Record) -> Option<Found> {
    let (prog, vers, proto) = parse(r)?;
    let port = pmap::getport(std::net::Ipv4Addr::LOCALHOST.into(), prog, vers, proto).ok()?;
    (port != 0 && r.id == Some(i64::from(port))).then_some(Found {
        id: i64::from(port),
        nattch: None,
    })
}

/// Unset the mapping `r` recorded.
pub fn remove(r: &Record) -> Result<(), String> {
    let (prog, vers, proto) = parse(r).ok_or("an unreadable record")?;
    match pmap::unset(prog, vers, proto) {
        Ok(true) => Ok(()),
        Ok(false) => Err("rpcbind refused to unset it".into()),
        Err(e) => Err(format!("{e:#}")),
    }
}
