//! The IPC objects: what they are, who owns them and how they are found.
//!
//! [`Kind`] names every kind of object ipclab makes (one enum for the registry, the owners
//! and the /proc/sysvipc reader). [`keys`] parses keys and project ids and splits a key as
//! `ftok()` builds it; [`sysvipc`] reads the kernel's tables in /proc/sysvipc (what `ipcs`
//! shows); [`owner`] is the guard for every object a run creates, System V or POSIX
//! (removed on every exit path); [`sysv`] creates System V objects (replacing a stale one a
//! dead run left) and explains failures; [`posix`] names and lists POSIX shm objects;
//! [`scratch`] makes private temporary
//! directories; [`trust`] refuses objects another user planted; [`registry`] records what
//! ipclab creates *before* it exists, and [`live`] tells whether a recorded object is still
//! the one recorded and whether anyone uses it (for `ls` and `clean`).

pub mod datafile;
pub mod keys;
pub mod live;
pub mod owner;
pub mod posix;
pub mod registry;
pub mod scratch;
pub mod sysv;
pub mod sysvipc;
pub mod trust;

/// Every kind of object ipclab creates, by the names `ls --json` and the registry use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    SysvShm,
    SysvMsg,
    SysvSem,
    PosixShm,
    PosixSem,
    Fifo,
    /// A private scratch directory (tour, bench, `mmap-file demo`).
    Dir,
    /// A data file a demo made (`mmap-file send`'s `temp`).
    File,
    /// A UNIX-domain socket file a server bound (`sock-server --unix`).
    Socket,
    /// A mapping registered with rpcbind (`rpc-server`): program, version and protocol in
    /// its name (`536895507/1/udp`), the port as its id.
    RpcMapping,
}

impl Kind {
    /// The three System V kinds, in `ipcs`' order.
    pub const SYSV: [Kind; 3] = [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem];
    const ALL: [Kind; 10] = [
        Kind::SysvShm,
        Kind::SysvMsg,
        Kind::SysvSem,
        Kind::PosixShm,
        Kind::PosixSem,
        Kind::Fifo,
        Kind::Dir,
        Kind::File,
        Kind::Socket,
        Kind::RpcMapping,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SysvShm => "sysv-shm",
            Kind::SysvMsg => "sysv-msg",
            Kind::SysvSem => "sysv-sem",
            Kind::PosixShm => "posix-shm",
            Kind::PosixSem => "posix-sem",
            Kind::Fifo => "fifo",
            Kind::Dir => "dir",
            Kind::File => "file",
            Kind::Socket => "socket",
            Kind::RpcMapping => "rpc-mapping",
        }
    }

    /// The kind of a stable name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What a student calls it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::SysvShm => "shared memory segment",
            Kind::SysvMsg => "message queue",
            Kind::SysvSem => "semaphore set",
            Kind::PosixShm => "POSIX shared memory object",
            Kind::PosixSem => "POSIX semaphore",
            Kind::Fifo => "FIFO",
            Kind::Dir => "scratch directory",
            Kind::File => "data file",
            Kind::Socket => "UNIX socket file",
            Kind::RpcMapping => "rpcbind registration",
        }
    }

    /// Is it a System V object (found by key and id)?
    pub fn is_sysv(self) -> bool {
        Kind::SYSV.contains(&self)
    }

    /// Its table under /proc/sysvipc (System V kinds only).
    pub fn proc_table(self) -> &'static str {
        match self {
            Kind::SysvShm => "shm",
            Kind::SysvMsg => "msg",
            Kind::SysvSem => "sem",
            _ => "",
        }
    }

    /// The column of its table that holds the id.
    pub fn id_column(self) -> &'static str {
        match self {
            Kind::SysvShm => "shmid",
            Kind::SysvMsg => "msqid",
            Kind::SysvSem => "semid",
            _ => "",
        }
    }

    /// The `ipcrm` option that removes it (System V kinds only).
    pub fn ipcrm(self) -> &'static str {
        match self {
            Kind::SysvShm => "-m",
            Kind::SysvMsg => "-q",
            Kind::SysvSem => "-s",
            _ => "",
        }
    }
}
