//! The lecture's demos: one file per applet, named after it, its steps numbered as on the
//! slide, so a student can put the slide beside the file.
//!
//! | slide / note | applet | file |
//! |---|---|---|
//! | Algorithm 8-1 `shmcon.c` | `shmcon` | [`shmcon`] |
//! | Algorithm 8-2 `shmread.c` | `shmread` | [`shmread`] |
//! | Algorithm 8-3 `shmwrite.c` | `shmwrite` | [`shmwrite`] |
//! | Algorithm 8-4 `shmpthreadcon.c` | `shmpthreadcon` | [`shmpthreadcon`] |
//! | Algorithm 8-5 `shmproducer.c` | `shmproducer` | [`shmproducer`] |
//! | Algorithm 8-6 `shmconsumer.c` | `shmconsumer` | [`shmconsumer`] |
//! | the `ftok()` note | `ftok` | [`ftok`] |
//! | mmap notes: `map_normalfile1/2`, `mmap.c` | `mmap-file` | [`mmap_file`] |
//! | mmap notes: anonymous mapping over fork | `mmap-anon` | [`mmap_anon`] |
//! | IPC全解析 一 管道 | `pipe` | [`pipe`] |
//! | IPC全解析 二 FIFO | `fifo-read`, `fifo-write` | [`fifo`] |
//! | IPC全解析 三 消息队列 | `msg-server`, `msg-client` | [`msg`] |
//! | IPC全解析 四 信号量 | `sem-demo` | [`sem_demo`] |
//! | IPC全解析 五 共享内存+信号量+消息队列 | `shm-msg-server`, `shm-msg-client` | [`shm_msg`] |
//!
//! What they stand on: [`crate::objects`] (creating, owning and removing IPC objects),
//! [`crate::protocols`] (how two sides take turns over shared memory), [`crate::process`]
//! (the controllers' vfork+execv children), [`crate::sys`] (the kernel calls).

pub mod fifo;
pub mod ftok;
pub mod mmap_anon;
pub mod mmap_file;
pub mod msg;
pub mod pipe;
pub mod rpc;
pub mod sem_demo;
pub mod shm_msg;
pub mod shmcon;
pub mod shmconsumer;
pub mod shmproducer;
pub mod shmpthreadcon;
pub mod shmread;
pub mod shmwrite;
pub mod sock;
pub mod sysv_student;

/// The reader's lines are indented like the slide's `printf("%*s…", 30, " ")`.
pub const READER_INDENT: &str = "                              ";

const _: () = assert!(READER_INDENT.len() == 30);

// What shmproducer and shmconsumer share: the object, how to create it, how long to wait
// for the other side, the bounded-buffer options.
#[derive(clap::Args, Debug, Clone)]
pub struct PeerArgs {
    /// The POSIX shm object (`myshm` or `/myshm`, in /dev/shm)
    #[arg(value_parser = crate::objects::posix::name)]
    pub name: String,
    /// Permissions if this side creates the object, octal
    #[arg(long, default_value = "600", value_parser = crate::units::mode)]
    pub mode: u32,
    /// How long to wait for the other side
    #[arg(long, allow_hyphen_values = true, default_value = "10s", value_parser = crate::units::duration)]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub ring: crate::protocols::ring_args::RingArgs,
    /// Started by shmpthreadcon, which owns the object
    #[arg(long, hide = true)]
    pub managed: bool,
    #[command(flatten)]
    pub trust: crate::objects::trust::TrustArgs,
}
