//! A run's handle on its record of one object: begun before the object exists, completed
//! with its id, forgotten when the object is removed or handed over. Writing the registry
//! never fails a demo: it warns once.

use super::record::{Part, Record, Run};
use super::update;
use crate::objects::Kind;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

static WARNED: AtomicBool = AtomicBool::new(false);
static SEQ: AtomicU32 = AtomicU32::new(0);

/// Say once per process that recording failed.
fn warn(e: &anyhow::Error) {
    if !WARNED.swap(true, Ordering::SeqCst) {
        crate::out::note(format_args!(
            "warning: {e:#}; what this run creates is not recorded, so `ipclab clean` cannot find it if the run is killed"
        ));
    }
}

fn this_command() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// This run's record of one object: begun before the object exists, completed with its
/// id, forgotten when the object is removed or handed over.
#[derive(Debug)]
pub struct Entry {
    rec: Record,
    live: bool,
}

impl Entry {
    /// Record that this run is about to create an object of `kind` under `key` or `name`.
    pub fn begin(kind: Kind, key: Option<i32>, name: Option<&str>) -> Entry {
        Self::write(kind, key, None, name, false)
    }

    /// Record that this run uses an existing object (`id`: its System V id or inode) it did
    /// not make: while the run lives, `clean` leaves the object alone. Forgotten on drop.
    pub fn using(kind: Kind, key: Option<i32>, id: i64, name: Option<&str>) -> Entry {
        Self::write(kind, key, Some(id), name, true)
    }

    /// Record that this run plays `part` with an existing object, unless another live run
    /// already does: then that run's record. Checked and written under the registry's
    /// lock, so two runs starting together cannot both get the part. (The registry is
    /// per user: another user's run is not seen; the object's mode keeps that user out.)
    pub fn claim(
        kind: Kind,
        key: Option<i32>,
        id: i64,
        name: Option<&str>,
        part: Part,
    ) -> Result<Entry, Box<Record>> {
        let rec = Self::record(kind, key, Some(id), name, true, Some(part));
        let mut holder = None;
        let r = update(|v| {
            holder = v
                .iter()
                .find(|o| o.part == Some(part) && o.same_object(&rec) && o.run.alive())
                .cloned();
            if holder.is_none() {
                v.push(rec.clone());
            }
        });
        if let Some(h) = holder {
            return Err(Box::new(h));
        }
        if let Err(e) = &r {
            warn(e);
        }
        Ok(Entry {
            rec,
            live: r.is_ok(),
        })
    }

    fn record(
        kind: Kind,
        key: Option<i32>,
        id: Option<i64>,
        name: Option<&str>,
        uses: bool,
        part: Option<Part>,
    ) -> Record {
        Record {
            kind,
            key,
            id,
            name: name.map(str::to_string),
            run: Run::this(),
            seq: SEQ.fetch_add(1, Ordering::SeqCst),
            time: now(),
            uses,
            part,
            command: this_command(),
        }
    }

    fn write(
        kind: Kind,
        key: Option<i32>,
        id: Option<i64>,
        name: Option<&str>,
        uses: bool,
    ) -> Entry {
        let rec = Self::record(kind, key, id, name, uses, None);
        let r = update(|v| v.push(rec.clone()));
        if let Err(e) = &r {
            warn(e);
        }
        Entry {
            rec,
            live: r.is_ok(),
        }
    }

    /// The object exists: its id (System V) or inode (files).
    pub fn created(&mut self, id: i64) {
        self.rec.id = Some(id);
        if self.live {
            let (slot, rec) = (self.rec.slot(), self.rec.clone());
            let r = update(|v| {
                v.retain(|o| o.slot() != slot);
                v.push(rec);
            });
            if let Err(e) = r {
                warn(&e);
            }
        }
    }

    /// The id (System V) or inode (files) the object got, once created.
    pub fn id(&self) -> Option<i64> {
        self.rec.id
    }

    /// The object is gone, or no longer this run's to remove: drop the record.
    pub fn forget(&mut self) {
        if std::mem::take(&mut self.live) {
            let slot = self.rec.slot();
            if let Err(e) = update(|v| v.retain(|o| o.slot() != slot)) {
                warn(&e);
            }
        }
    }
}

impl Drop for Entry {
    /// A `uses` record ends with its holder; a `made` one is forgotten only when its object
    /// is removed (the owner guards say when), or stays for `clean`.
    fn drop(&mut self) {
        if self.rec.uses {
            self.forget();
        }
    }
}
