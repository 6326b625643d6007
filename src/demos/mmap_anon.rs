//! The mmap notes' 范例2 (seed 004): parent and child share an anonymous
//! mapping. `mmap(NULL, 10 records, …, MAP_SHARED|MAP_ANONYMOUS, -1, 0)` before a plain
//! `fork()`: the child inherits the mapping itself, not a copy, which is the lesson.
//!
//! The seed's steps, with its `sleep(2)`/`sleep(5)` ordering replaced by two pipes (so the
//! output is the same every run; `--delay` still pauses, for the classroom):
//! 1. the parent maps 10 `people` records, anonymous and shared
//! 2. it forks
//! 3. the parent fills records 1-5 (`b`…`f`, ages 20…24) and tells the child
//! 4. the child prints the five ages, sets the first to 100, unmaps, tells the parent, exits
//! 5. the parent reads the first age (100: the child's write), unmaps
//!
//! `--private` maps MAP_PRIVATE instead: after the fork each side has its own copy, so the
//! child sees none of the parent's records and the parent still reads 20.

use crate::error::SysContext;
use crate::layout::{people_record, PEOPLE_AGE, PEOPLE_SIZE};
use crate::outln;
use crate::process::child;
use crate::process::{self, Side};
use crate::sys::mem::{self, Share};
use crate::sys::proc;
use anyhow::Result;
use std::time::Duration;

// `ipclab mmap-anon`. (No doc comment: it would replace the applet's about, set on `Cmd`.)
#[derive(clap::Args, Debug)]
#[command(after_help = "Example: ipclab mmap-anon --private")]
pub struct Args {
    /// Pause before the child reads and before the parent reads (the seed's sleeps)
    #[arg(long, allow_hyphen_values = true, default_value = "0", value_parser = crate::units::duration)]
    pub delay: Duration,
    /// Map MAP_PRIVATE instead of MAP_SHARED (copy-on-write: nothing is shared)
    #[arg(long)]
    pub private: bool,
}

fn age(r: &crate::sys::region::Region<'_>, i: usize) -> i32 {
    let b = r.read(i * PEOPLE_SIZE + PEOPLE_AGE, 4);
    i32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

/// Run the demo.
pub fn run(args: Args) -> Result<()> {
    child::tie_to_controller();
    crate::sys::signals::catch_termination()?;
    let share = if args.private {
        Share::Private
    } else {
        Share::Shared
    };
    // Step 1: map 10 records, anonymous.
    let map = mem::map_anonymous(PEOPLE_SIZE * 10, share).sys("mmap(MAP_ANONYMOUS)")?;
    let (filled_r, filled_w) = proc::pipe()?;
    let (done_r, done_w) = proc::pipe()?;
    // Step 2: fork.
    match process::fork()? {
        Side::Child => {
            drop(filled_w);
            drop(done_r);
            let result = child_side(&map, &filled_r, args.delay);
            drop(map);
            let _ = proc::write(&done_w, b"d");
            process::child_exit(result);
        }
        Side::Parent(child) => {
            drop(filled_r);
            drop(done_w);
            // Step 3: fill five records, then let the child read.
            let region = map.region();
            for i in 0..5 {
                region.write(i * PEOPLE_SIZE, &people_record(i));
            }
            let told = proc::write(&filled_w, b"f").sys("write(pipe)");
            let mut b = [0u8; 1];
            let _ = proc::read(&done_r, &mut b);
            child.join(told.map(drop))?;
            // Step 5: the parent reads what the child left.
            crate::process::nap(args.delay)?;
            outln!("parent read: the first people,s age is {}", age(&region, 0))?;
            outln!("umap")?;
            map.unmap().sys("munmap()")?;
            outln!("umap ok")?;
            Ok(())
        }
    }
}

/// Step 4, in the child.
fn child_side(map: &mem::Mapping, filled: &std::os::fd::OwnedFd, delay: Duration) -> Result<()> {
    let mut b = [0u8; 1];
    proc::read(filled, &mut b).sys("read(pipe)")?;
    crate::process::nap(delay)?;
    let region = map.region();
    for i in 0..5 {
        outln!(
            "child read: the {} people's age is {}",
            i + 1,
            age(&region, i)
        )?;
    }
    region.write(PEOPLE_AGE, &100i32.to_ne_bytes());
    Ok(())
}
