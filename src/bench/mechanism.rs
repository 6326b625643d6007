//! The mechanisms `ipclab bench` measures, as one type: what each is called, whether it
//! carries a payload, which sizes it can carry here, and one line on why it costs what it
//! costs. Every question is an exhaustive `match`, so a new mechanism cannot be half added.

use serde::Serialize;

/// An IPC mechanism, by the name `--only` takes.
#[derive(clap::ValueEnum, Serialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    Pipe,
    Fifo,
    UnixStream,
    UnixDgram,
    Tcp,
    SysvMsg,
    PosixMq,
    SysvShm,
    PosixShm,
    MmapFile,
    Eventfd,
    Signal,
    Rpc,
}

impl Mechanism {
    /// Every mechanism, in the report's order.
    pub const ALL: [Mechanism; 13] = [
        Mechanism::Pipe,
        Mechanism::Fifo,
        Mechanism::UnixStream,
        Mechanism::UnixDgram,
        Mechanism::Tcp,
        Mechanism::SysvMsg,
        Mechanism::PosixMq,
        Mechanism::SysvShm,
        Mechanism::PosixShm,
        Mechanism::MmapFile,
        Mechanism::Eventfd,
        Mechanism::Signal,
        Mechanism::Rpc,
    ];

    /// The name `--only` takes and the report prints.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Pipe => "pipe",
            Mechanism::Fifo => "fifo",
            Mechanism::UnixStream => "unix-stream",
            Mechanism::UnixDgram => "unix-dgram",
            Mechanism::Tcp => "tcp",
            Mechanism::SysvMsg => "sysv-msg",
            Mechanism::PosixMq => "posix-mq",
            Mechanism::SysvShm => "sysv-shm",
            Mechanism::PosixShm => "posix-shm",
            Mechanism::MmapFile => "mmap-file",
            Mechanism::Eventfd => "eventfd",
            Mechanism::Signal => "signal",
            Mechanism::Rpc => "rpc",
        }
    }

    /// A notification carries no payload: latency only, one figure.
    pub fn notification_only(self) -> bool {
        match self {
            // rpc: a NULL call, no arguments: the cost of the call itself.
            Mechanism::Eventfd | Mechanism::Signal | Mechanism::Rpc => true,
            Mechanism::Pipe
            | Mechanism::Fifo
            | Mechanism::UnixStream
            | Mechanism::UnixDgram
            | Mechanism::Tcp
            | Mechanism::SysvMsg
            | Mechanism::PosixMq
            | Mechanism::SysvShm
            | Mechanism::PosixShm
            | Mechanism::MmapFile => false,
        }
    }

    /// Why this mechanism cannot carry messages of `size` bytes on this machine, if it
    /// cannot.
    pub fn unsupported(self, size: usize) -> Option<String> {
        let read = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
        };
        match self {
            Mechanism::UnixDgram if size > 64 * 1024 => {
                Some("a datagram above 64 KiB exceeds the socket buffer".into())
            }
            Mechanism::SysvMsg => {
                let max = read("/proc/sys/kernel/msgmax").unwrap_or(8192);
                (size > max).then(|| format!("above msgmax ({max} bytes)"))
            }
            Mechanism::PosixMq => {
                let max = read("/proc/sys/fs/mqueue/msgsize_max").unwrap_or(8192);
                (size > max).then(|| format!("above mqueue msgsize_max ({max} bytes)"))
            }
            Mechanism::Pipe
            | Mechanism::Fifo
            | Mechanism::UnixStream
            | Mechanism::UnixDgram
            | Mechanism::Tcp
            | Mechanism::SysvShm
            | Mechanism::PosixShm
            | Mechanism::MmapFile
            | Mechanism::Eventfd
            | Mechanism::Signal
            | Mechanism::Rpc => None,
        }
    }

    /// One line on why it costs what it costs.
    pub fn why(self) -> &'static str {
        match self {
            Mechanism::Pipe => "two copies through a kernel buffer (write in, read out); a blocked reader costs a wake-up",
            Mechanism::Fifo => "a pipe with a name: the same two copies and wake-ups",
            Mechanism::UnixStream => "two copies through socket buffers (skb allocation per write): a little more than a pipe",
            Mechanism::UnixDgram => "as unix-stream, plus one skb per message and message boundaries kept",
            Mechanism::Tcp => "the whole TCP/IP stack on loopback: checksums off, but segmentation, ACKs and more code per byte",
            Mechanism::SysvMsg => "two copies through the kernel's message list; one msg_msg allocation per message, small maximum size",
            Mechanism::PosixMq => "like sysv-msg (copies into kernel memory), priority-ordered; maximum size and depth from /proc/sys/fs/mqueue",
            Mechanism::SysvShm => "no copy through the kernel: one copy into the segment, one out; but two semop system calls per message",
            Mechanism::PosixShm => "a ring in shared memory: one copy in, one copy out, no system call when spinning; cost is cache-line transfers",
            Mechanism::MmapFile => "the same ring in a file mapping: identical in memory (page cache pages), writeback aside",
            Mechanism::Eventfd => "notification only: a counter in the kernel; the cost is the write, the wake-up and the read",
            Mechanism::Signal => "notification only: kill() + sigwait(); signal delivery is the heaviest wake-up",
            Mechanism::Rpc => "an ONC RPC NULL call over UDP loopback: XDR marshalling both ways, two datagrams, two wake-ups",
        }
    }
}

impl std::fmt::Display for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn the_names_clap_takes_are_the_names_printed() {
        for m in Mechanism::ALL {
            let v = m.to_possible_value().unwrap();
            assert_eq!(v.get_name(), m.name());
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
        assert_eq!(Mechanism::value_variants().len(), Mechanism::ALL.len());
    }
}
