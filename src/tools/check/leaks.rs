//! What a student's program left: System V objects under the run's key, and segments it
//! created (their creator pid is its pid); reported by `no-leak` and `sigint`, then removed,
//! only if they are the user's own.

use crate::objects::{sysvipc, Kind};
use crate::sys::ipc::{self, Key};

/// Objects under `key` still there, and segments the student created.
pub fn left_behind(key: Key, student: u32) -> Vec<String> {
    let mut left = Vec::new();
    for kind in [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem] {
        for r in sysvipc::rows(kind) {
            let by_student = kind == Kind::SysvShm && r.num::<u32>("cpid") == student;
            if (r.key() == key && key != 0) || by_student {
                left.push(format!(
                    "{} id {} (key {:08x})",
                    kind.noun(),
                    r.id(kind),
                    r.key()
                ));
            }
        }
    }
    left
}

/// Remove what the student's program left (reported first): objects of ours under the
/// run's key, and segments it created. Nothing of anyone else's is touched.
pub fn remove_left(key: Key, student: u32) {
    let me = nix::unistd::getuid().as_raw();
    for kind in [Kind::SysvShm, Kind::SysvMsg, Kind::SysvSem] {
        for r in sysvipc::rows(kind) {
            let by_student = kind == Kind::SysvShm && r.num::<u32>("cpid") == student;
            if r.uid() == me && ((r.key() == key && key != 0) || by_student) {
                let id = r.id(kind);
                let _ = match kind {
                    Kind::SysvShm => ipc::shm_remove(id),
                    Kind::SysvMsg => ipc::msg_remove(id),
                    _ => ipc::sem_remove(id),
                };
            }
        }
    }
}
