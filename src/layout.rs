//! The shared layouts, the Rust `alg.8-0-shmdata.h`: `#[repr(C)]` structs with the C
//! programs' sizes and offsets (x86_64, LP64), checked at compile time, so a Rust process
//! and the seed's C process read the same bytes.
//!
//! The demos never hold a `&SharedStruct` over shared memory (the other process writes it
//! behind our back); they use these structs for sizes and `offset_of!`, and reach the bytes
//! through [`crate::sys::region::Region`].

use std::mem::{offset_of, size_of};
use std::sync::atomic::AtomicI32;

/// `#define TEXT_SIZE 4*1024`: size of each message (= PAGE_SIZE).
pub const TEXT_SIZE: usize = 4 * 1024;
/// `#define TEXT_NUM 1`: maximal number of messages.
pub const TEXT_NUM: usize = 1;

/// `struct shared_struct { int written; char mtext[TEXT_SIZE]; }`.
///
/// `written == 0`: the buffer is writable; otherwise it holds a message to read. ipclab
/// reads and writes the flag with acquire/release atomics (the C program uses a plain `int`,
/// which "is not reliable" as the slide itself says).
#[repr(C)]
pub struct SharedStruct {
    pub written: AtomicI32,
    pub mtext: [u8; TEXT_SIZE],
}

/// `TEXT_NUM * sizeof(struct shared_struct)`: 4100, the segment size every peer must use.
pub const SHM_SIZE: usize = TEXT_NUM * size_of::<SharedStruct>();
/// Offset of `written`.
pub const WRITTEN: usize = offset_of!(SharedStruct, written);
/// Offset of `mtext`.
pub const MTEXT: usize = offset_of!(SharedStruct, mtext);

const _: () = assert!(size_of::<SharedStruct>() == 4100);
const _: () = assert!(WRITTEN == 0 && MTEXT == 4);
const _: () = assert!(std::mem::align_of::<SharedStruct>() == 4);

/// `typedef struct { char name[4]; int age; } people;` (seed 004, 8 bytes).
#[repr(C)]
pub struct People {
    pub name: [u8; 4],
    pub age: i32,
}

/// `sizeof(people)`.
pub const PEOPLE_SIZE: usize = size_of::<People>();
/// Offset of `age` in `people`.
pub const PEOPLE_AGE: usize = offset_of!(People, age);

const _: () = assert!(PEOPLE_SIZE == 8 && PEOPLE_AGE == 4);

/// Record `i` as the seeds fill it: name `'b' + i` (NUL-terminated here: the seed's
/// `memcpy(name, &temp, 2)` copied a stray stack byte, hazard 19), age `20 + i`.
pub fn people_record(i: usize) -> [u8; PEOPLE_SIZE] {
    let mut r = [0u8; PEOPLE_SIZE];
    r[0] = b'b' + i as u8;
    r[PEOPLE_AGE..].copy_from_slice(&(20 + i as i32).to_ne_bytes());
    r
}

/// `struct msg_form { long mtype; char mtext[256]; }` (seed 002 三): 264 bytes, msgsz 256.
#[repr(C)]
pub struct MsgForm {
    pub mtype: std::ffi::c_long,
    pub mtext: [u8; 256],
}

/// `sizeof(msg.mtext)`, the msgsz the seed's pair sends and receives.
pub const MSG_TEXT: usize = 256;

const _: () = assert!(size_of::<MsgForm>() == 264 && offset_of!(MsgForm, mtext) == 8);

/// `struct msg_form { long mtype; char mtext; }` (seed 002 五): 16 bytes, msgsz 1.
#[repr(C)]
pub struct MsgForm1 {
    pub mtype: std::ffi::c_long,
    pub mtext: u8,
}

const _: () = assert!(size_of::<MsgForm1>() == 16 && offset_of!(MsgForm1, mtext) == 8);

/// The shm+sem+msg demo's segment size.
pub const SHM_MSG_SIZE: usize = 1024;

/// `struct student { char name[32]; int age; }` (seed 003, System V 使用案例): 36 bytes.
#[repr(C)]
pub struct Student {
    pub name: [u8; 32],
    pub age: i32,
}

/// `sizeof(struct student)`, the size of the seed's segment.
pub const STUDENT_SIZE: usize = size_of::<Student>();
/// Offset of `age`.
pub const STUDENT_AGE: usize = offset_of!(Student, age);
/// The seed's key, `(key_t)1234`.
pub const STUDENT_KEY: i32 = 1234;

const _: () = assert!(STUDENT_SIZE == 36 && STUDENT_AGE == 32);
const _: () = assert!(std::mem::align_of::<Student>() == 4);

/// mmap_w_ipc / mmap_r_ipc (seed 003 二.2): the file is 4096 bytes, the message lives at
/// offset 1024, and is the C string below (40 bytes in UTF-8, then its NUL).
pub const IPC_FILE_SIZE: usize = 4096;
/// Where the message lives in the file.
pub const IPC_MESSAGE_AT: usize = 1024;
/// The writer's message (the newline is part of it).
pub const IPC_MESSAGE: &str = "hello parent, i am your 朋友！！！\n";

const _: () = assert!(IPC_MESSAGE.len() == 40);

/// parent_child_mmap (seed 003 二.1): what the parent writes at offset 0 (21 bytes, then
/// its NUL).
pub const PARENT_MESSAGE: &str = "你是我儿子吗？";

const _: () = assert!(PARENT_MESSAGE.len() == 21);

/// The header of each of `ipclab bench`'s shared-memory rings: the writer's count of
/// messages put (`head`) and the reader's count taken (`tail`), wrapping `u32`s, each with
/// the number of futex waiters beside it, on its own 64-byte cache line so the two sides
/// do not bounce one line between their CPUs. The slots follow the header.
#[repr(C, align(64))]
pub struct RingHeader {
    pub head: std::sync::atomic::AtomicU32,
    pub head_waiters: std::sync::atomic::AtomicU32,
    _head_line: [u8; 56],
    pub tail: std::sync::atomic::AtomicU32,
    pub tail_waiters: std::sync::atomic::AtomicU32,
    _tail_line: [u8; 56],
}

/// Offsets of the ring header's words, and its size (where the slots start).
pub const RING_HEAD: usize = offset_of!(RingHeader, head);
pub const RING_HEAD_WAITERS: usize = offset_of!(RingHeader, head_waiters);
pub const RING_TAIL: usize = offset_of!(RingHeader, tail);
pub const RING_TAIL_WAITERS: usize = offset_of!(RingHeader, tail_waiters);
pub const RING_HEADER: usize = size_of::<RingHeader>();

const _: () = assert!(RING_HEAD == 0 && RING_HEAD_WAITERS == 4);
const _: () = assert!(RING_TAIL == 64 && RING_TAIL_WAITERS == 68 && RING_HEADER == 128);

/// The header of a hot slot (the benchmark's latency path): the sequence number of the
/// last message written and the futex waiters, 8 bytes, then the message itself, so a small
/// message shares the header's cache line.
#[repr(C)]
pub struct HotSlotHeader {
    pub seq: std::sync::atomic::AtomicU32,
    pub waiters: std::sync::atomic::AtomicU32,
}

/// Offsets in a hot slot.
pub const HOT_SLOT_SEQ: usize = offset_of!(HotSlotHeader, seq);
pub const HOT_SLOT_WAITERS: usize = offset_of!(HotSlotHeader, waiters);
pub const HOT_SLOT_DATA: usize = size_of::<HotSlotHeader>();

const _: () = assert!(HOT_SLOT_SEQ == 0 && HOT_SLOT_WAITERS == 4 && HOT_SLOT_DATA == 8);
