//! Sockets, as the lecture's socket slides narrate them: `socket`, `bind`, `listen`,
//! `accept`, `connect`, `socketpair`, `sendto`, `recvfrom`, `shutdown`, and `fcntl` for
//! `O_NONBLOCK`. Every call is reported to [`super::trace`] like the IPC calls are, so
//! `--trace` shows a socket demo's calls too. Reads and writes on a connected socket are
//! [`super::proc::read`] and [`super::proc::write`].

pub use super::proc::set_nonblocking;
use super::{event, SysResult};
use nix::sys::socket::{self as s, SockaddrLike, SockaddrStorage};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a socket is bound or connects: a UNIX path, or an IP address and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Unix(PathBuf),
    Inet(SocketAddr),
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "\"{}\"", p.display()),
            Address::Inet(a) => write!(f, "{a}"),
        }
    }
}

impl Address {
    /// The family, as socket(2) takes it.
    pub fn family(&self) -> s::AddressFamily {
        match self {
            Address::Unix(_) => s::AddressFamily::Unix,
            Address::Inet(SocketAddr::V4(_)) => s::AddressFamily::Inet,
            Address::Inet(SocketAddr::V6(_)) => s::AddressFamily::Inet6,
        }
    }

    /// Run `f` with the address as the kernel takes it.
    fn with<T>(&self, f: impl FnOnce(&dyn SockaddrLike) -> SysResult<T>) -> SysResult<T> {
        match self {
            Address::Unix(p) => f(&s::UnixAddr::new(p.as_path())?),
            Address::Inet(a) => f(&SockaddrStorage::from(*a)),
        }
    }

    fn from_storage(st: &SockaddrStorage) -> Option<Address> {
        if let Some(u) = st.as_unix_addr() {
            return u.path().map(|p| Address::Unix(p.to_path_buf()));
        }
        if let Some(a) = st.as_sockaddr_in() {
            return Some(Address::Inet(SocketAddr::V4((*a).into())));
        }
        st.as_sockaddr_in6()
            .map(|a| Address::Inet(SocketAddr::V6((*a).into())))
    }
}

fn family_name(f: s::AddressFamily) -> &'static str {
    match f {
        s::AddressFamily::Unix => "AF_UNIX",
        s::AddressFamily::Inet => "AF_INET",
        s::AddressFamily::Inet6 => "AF_INET6",
        _ => "AF_?",
    }
}

/// Stream or datagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stream,
    Dgram,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Stream => "SOCK_STREAM",
            Kind::Dgram => "SOCK_DGRAM",
        }
    }
}

/// `socket(family, type, 0)`, close-on-exec.
pub fn socket(family: s::AddressFamily, kind: Kind) -> SysResult<OwnedFd> {
    let ty = match kind {
        Kind::Stream => s::SockType::Stream,
        Kind::Dgram => s::SockType::Datagram,
    };
    let r = s::socket(family, ty, s::SockFlag::SOCK_CLOEXEC, None);
    event::call(
        format_args!("socket({}, {}, 0)", family_name(family), kind.name()),
        &r.as_ref().map(|fd| fd.as_raw_fd()).map_err(|e| *e),
    );
    r
}

/// `bind(fd, address)`.
pub fn bind(fd: &OwnedFd, addr: &Address) -> SysResult<()> {
    let r = addr.with(|a| s::bind(fd.as_raw_fd(), a));
    event::call(
        format_args!("bind({}, {addr})", fd.as_raw_fd()),
        &r.map(|()| 0),
    );
    r
}

/// `listen(fd, backlog)`.
pub fn listen(fd: &OwnedFd, backlog: i32) -> SysResult<()> {
    let r = s::Backlog::new(backlog).and_then(|b| s::listen(fd, b));
    event::call(
        format_args!("listen({}, {backlog})", fd.as_raw_fd()),
        &r.map(|()| 0),
    );
    r
}

/// `accept(fd)`: a connected socket (close-on-exec).
pub fn accept(fd: &OwnedFd) -> SysResult<OwnedFd> {
    event::begin();
    let r = s::accept4(fd.as_raw_fd(), s::SockFlag::SOCK_CLOEXEC);
    event::call(format_args!("accept({}, NULL, NULL)", fd.as_raw_fd()), &r);
    // SAFETY: accept4 returned a new descriptor that nothing else owns.
    r.map(|raw| unsafe { OwnedFd::from_raw_fd(raw) })
}

/// `connect(fd, address)`, giving up after `timeout` (a non-blocking connect, then a wait
/// for the socket to be writable, then its SO_ERROR).
pub fn connect(fd: &OwnedFd, addr: &Address, timeout: Duration) -> SysResult<()> {
    event::begin();
    let r = connect_within(fd, addr, timeout);
    event::call(
        format_args!("connect({}, {addr})", fd.as_raw_fd()),
        &r.map(|()| 0),
    );
    r
}

fn connect_within(fd: &OwnedFd, addr: &Address, timeout: Duration) -> SysResult<()> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    super::proc::set_nonblocking_quiet(fd, true)?;
    let r = match addr.with(|a| s::connect(fd.as_raw_fd(), a)) {
        Ok(()) => Ok(()),
        Err(nix::errno::Errno::EINPROGRESS | nix::errno::Errno::EAGAIN) => {
            let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLOUT)];
            let ms = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
            match poll(&mut fds, ms)? {
                0 => Err(nix::errno::Errno::ETIMEDOUT),
                _ => match s::getsockopt(fd, s::sockopt::SocketError)? {
                    0 => Ok(()),
                    e => Err(nix::errno::Errno::from_raw(e)),
                },
            }
        }
        Err(e) => Err(e),
    };
    super::proc::set_nonblocking_quiet(fd, false)?;
    r
}

/// `socketpair(AF_UNIX, SOCK_STREAM, 0, sv)`.
pub fn socketpair() -> SysResult<(OwnedFd, OwnedFd)> {
    let r = s::socketpair(
        s::AddressFamily::Unix,
        s::SockType::Stream,
        None,
        s::SockFlag::SOCK_CLOEXEC,
    );
    event::call(
        format_args!("socketpair(AF_UNIX, SOCK_STREAM, 0, sv)"),
        &r.as_ref()
            .map(|(a, b)| format!("0 [{}, {}]", a.as_raw_fd(), b.as_raw_fd()))
            .map_err(|e| *e),
    );
    r
}

/// `sendto(fd, buf, address)`.
pub fn sendto(fd: &OwnedFd, buf: &[u8], to: &Address) -> SysResult<usize> {
    let r = to.with(|a| s::sendto(fd.as_raw_fd(), buf, a, s::MsgFlags::empty()));
    event::call(
        format_args!("sendto({}, buf, {}, {to})", fd.as_raw_fd(), buf.len()),
        &r,
    );
    r
}

/// `recvfrom(fd, buf)`: the bytes and who sent them (None: an unbound UNIX sender).
pub fn recvfrom(fd: &OwnedFd, buf: &mut [u8]) -> SysResult<(usize, Option<Address>)> {
    event::begin();
    let r = s::recvfrom::<SockaddrStorage>(fd.as_raw_fd(), buf)
        .map(|(n, from)| (n, from.as_ref().and_then(Address::from_storage)));
    event::call(
        format_args!("recvfrom({}, buf, {})", fd.as_raw_fd(), buf.len()),
        &r.as_ref().map(|(n, _)| *n).map_err(|e| *e),
    );
    r
}

/// `shutdown(fd, SHUT_WR)`: no more writes (the other side reads EOF).
pub fn shutdown_write(fd: &OwnedFd) -> SysResult<()> {
    let r = s::shutdown(fd.as_raw_fd(), s::Shutdown::Write);
    event::call(
        format_args!("shutdown({}, SHUT_WR)", fd.as_raw_fd()),
        &r.map(|()| 0),
    );
    r
}

/// The address the socket is bound to (`getsockname`).
pub fn local_addr(fd: &OwnedFd) -> SysResult<Option<Address>> {
    s::getsockname::<SockaddrStorage>(fd.as_raw_fd()).map(|a| Address::from_storage(&a))
}

/// The address of the other end (`getpeername`).
pub fn peer_addr(fd: &OwnedFd) -> Option<Address> {
    s::getpeername::<SockaddrStorage>(fd.as_raw_fd())
        .ok()
        .and_then(|a| Address::from_storage(&a))
}

/// Is something at `path` a UNIX socket a server still accepts on (a connect succeeds)?
pub fn accepts(path: &Path) -> bool {
    let Ok(fd) = s::socket(
        s::AddressFamily::Unix,
        s::SockType::Stream,
        s::SockFlag::SOCK_CLOEXEC,
        None,
    ) else {
        return false;
    };
    s::UnixAddr::new(path).is_ok_and(|a| s::connect(fd.as_raw_fd(), &a).is_ok())
}
