//! The names of System V objects: the key they are found by, and their ids, one type per
//! kind (a segment's id cannot be passed where a set's is wanted). Shared by [`super::ipc`]
//! and [`super::msgq`].

use super::event::Op;

/// A System V IPC key (`key_t`).
pub type Key = libc::key_t;

/// A System V id of one kind: a segment's id cannot be passed where a set's is wanted.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i32 {
            fn from(id: $name) -> i32 {
                id.0
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                i64::from(id.0)
            }
        }
    )*};
}

ids!(
    /// A shared memory segment's id (`shmid`).
    ShmId,
    /// A semaphore set's id (`semid`).
    SemId,
    /// A message queue's id (`msqid`).
    MsqId
);

/// What a `*get` with `flags` did: made `object` if it asked for IPC_CREAT.
pub(super) fn created(flags: libc::c_int, object: String) -> Op {
    match flags & libc::IPC_CREAT != 0 {
        true => Op::Creates { object },
        false => Op::Other,
    }
}
