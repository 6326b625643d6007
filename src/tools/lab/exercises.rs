//! The exercises of `ipclab lab`, in the lecture's order: one per program a student
//! writes, each with its starter files (the slide's skeleton with `TODO` where the IPC calls
//! and the synchronisation go: never the solution), who grades it, and the pages to read.

use crate::tools::check::Role;

/// Who grades an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grader {
    /// `ipclab check ROLE -- ./PROGRAM`: ipclab plays every other part.
    Check(Role),
    /// The socket date client against `ipclab sock-server --tcp 127.0.0.1:0`.
    SockClient,
    /// The rpcgen client against `ipclab rpc-server`, found through rpcbind.
    RpcClient,
}

/// One exercise.
#[derive(Debug)]
pub struct Exercise {
    /// `ipclab lab start NAME`.
    pub name: &'static str,
    /// Where it is in the lecture.
    pub lecture: &'static str,
    /// Its title: English, Chinese.
    pub title: [&'static str; 2],
    pub grader: Grader,
    /// The program `make` builds (from `PROGRAM.c`).
    pub program: &'static str,
    /// How the grader runs it, for the README.
    pub argv: &'static str,
    /// The starter's other files (headers, date.x), besides PROGRAM.c, the Makefile and
    /// the README.
    pub extra: &'static [(&'static str, &'static str)],
    /// What the program does: English, Chinese.
    pub task: [&'static str; 2],
    /// What ipclab's side of the run does: English, Chinese.
    pub peer: [&'static str; 2],
    /// The doc page (under docs/, and docs/zh/).
    pub page: &'static str,
}

// The layouts every peer agrees on: the same headers the tests' C programs include (one
// copy: a starter and ipclab's grader cannot drift apart).
const SHMDATA: (&str, &str) = ("shmdata.h", include_str!("../../../tests/c/shmdata.h"));
const RING: (&str, &str) = ("ring.h", include_str!("../../../tests/c/check_ring.h"));
const DATE_X: (&str, &str) = ("date.x", include_str!("../../demos/rpc/date.x"));

/// The starter's C file of `e`.
pub fn source(e: &Exercise) -> &'static str {
    match e.program {
        "shmread" => include_str!("starters/shmread.c"),
        "shmwrite" => include_str!("starters/shmwrite.c"),
        "shmcon" => include_str!("starters/shmcon.c"),
        "shmproducer" => include_str!("starters/shmproducer.c"),
        "shmconsumer" => include_str!("starters/shmconsumer.c"),
        "ring_producer" => include_str!("starters/ring_producer.c"),
        "ring_consumer" => include_str!("starters/ring_consumer.c"),
        "fifo_write" => include_str!("starters/fifo_write.c"),
        "fifo_read" => include_str!("starters/fifo_read.c"),
        "msg_client" => include_str!("starters/msg_client.c"),
        "msg_server" => include_str!("starters/msg_server.c"),
        "sem_demo" => include_str!("starters/sem_demo.c"),
        "mmap_write" => include_str!("starters/mmap_write.c"),
        "mmap_read" => include_str!("starters/mmap_read.c"),
        "date_client" => include_str!("starters/date_client.c"),
        _ => include_str!("starters/rpc_client.c"),
    }
}

/// Every exercise, in the lecture's order.
pub const ALL: &[Exercise] = &[
    Exercise {
        name: "shmread",
        lecture: "8-2",
        title: ["The System V reader (alg.8-2-shmread.c)", "System V 共享内存读者（alg.8-2-shmread.c）"],
        grader: Grader::Check(Role::Shmread),
        program: "shmread",
        argv: "./shmread KEY",
        extra: &[SHMDATA],
        task: ["attach the segment of KEY, print each text the writer hands over, stop after `end`", "挂接 KEY 的共享段，打印写者交来的每段文字，收到 `end` 后结束"],
        peer: ["makes the segment under KEY and writes several texts into it (long, then short, then `end`), as alg.8-3 does", "按 KEY 创建共享段，像 alg.8-3 一样写入几段文字（先长后短，最后 `end`）"],
        page: "shm-sysv.md",
    },
    Exercise {
        name: "shmwrite",
        lecture: "8-3",
        title: ["The System V writer (alg.8-3-shmwrite.c)", "System V 共享内存写者（alg.8-3-shmwrite.c）"],
        grader: Grader::Check(Role::Shmwrite),
        program: "shmwrite",
        argv: "./shmwrite KEY   (lines on stdin)",
        extra: &[SHMDATA],
        task: ["read lines from stdin and hand each one to the reader through the segment, waiting for it to take the last one; pass `end` on and stop", "从标准输入读行，经共享段逐行交给读者，等读者取走上一段再写；把 `end` 也交出去然后结束"],
        peer: ["makes the segment and reads it as alg.8-2 does, printing what arrives", "创建共享段，像 alg.8-2 一样读取并打印收到的内容"],
        page: "shm-sysv.md",
    },
    Exercise {
        name: "shmcon",
        lecture: "8-1",
        title: ["The controller (alg.8-1-shmcon.c)", "控制进程（alg.8-1-shmcon.c）"],
        grader: Grader::Check(Role::Shmcon),
        program: "shmcon",
        argv: "./shmcon PATH",
        extra: &[SHMDATA],
        task: ["make the segment of ftok(PATH, 0x27), start ./alg.8-2-shmread.o and ./alg.8-3-shmwrite.o with the key, wait for both, remove the segment (after Ctrl-C too)", "用 ftok(PATH, 0x27) 创建共享段，以该键启动 ./alg.8-2-shmread.o 和 ./alg.8-3-shmwrite.o，等两者结束后删除共享段（Ctrl-C 之后也要删）"],
        peer: ["puts its own reader and writer at ./alg.8-2-shmread.o and ./alg.8-3-shmwrite.o and types lines into the writer", "在 ./alg.8-2-shmread.o 和 ./alg.8-3-shmwrite.o 放上自己的读者和写者，并向写者输入几行"],
        page: "shm-sysv.md",
    },
    Exercise {
        name: "shmproducer",
        lecture: "8-5",
        title: ["The POSIX producer (alg.8-5-shmproducer.c)", "POSIX 共享内存生产者（alg.8-5-shmproducer.c）"],
        grader: Grader::Check(Role::Shmproducer),
        program: "shmproducer",
        argv: "./shmproducer NAME",
        extra: &[SHMDATA],
        task: ["open the POSIX object NAME, map it and write \"Hello World!\" at its start", "打开 POSIX 共享对象 NAME，映射它，在开头写入 \"Hello World!\""],
        peer: ["makes the object (shm_open, ftruncate) as alg.8-4 does, then reads it as alg.8-6", "像 alg.8-4 一样创建对象（shm_open、ftruncate），再像 alg.8-6 一样读取"],
        page: "shm-posix.md",
    },
    Exercise {
        name: "shmconsumer",
        lecture: "8-6",
        title: ["The POSIX consumer (alg.8-6-shmconsumer.c)", "POSIX 共享内存消费者（alg.8-6-shmconsumer.c）"],
        grader: Grader::Check(Role::Shmconsumer),
        program: "shmconsumer",
        argv: "./shmconsumer NAME",
        extra: &[SHMDATA],
        task: ["map the object NAME read-only and print the producer's message, waiting for it if it is not there yet", "只读映射对象 NAME，打印生产者的消息；消息还没到就等待"],
        peer: ["makes the object and writes the message, sometimes before the consumer starts, sometimes after", "创建对象并写入消息，有时在消费者启动前，有时在之后"],
        page: "shm-posix.md",
    },
    Exercise {
        name: "ring-producer",
        lecture: "the bounded buffer",
        title: ["The bounded buffer's producer", "有界缓冲区的生产者"],
        grader: Grader::Check(Role::RingProducer),
        program: "ring_producer",
        argv: "./ring_producer NAME COUNT",
        extra: &[RING],
        task: ["put COUNT items into buffer[in] of the object NAME, waiting while it is full", "向对象 NAME 的 buffer[in] 放入 COUNT 个条目，满时等待"],
        peer: ["makes and initialises the buffer, consumes every item and checks each", "创建并初始化缓冲区，取走并检查每个条目"],
        page: "shm-posix.md",
    },
    Exercise {
        name: "ring-consumer",
        lecture: "the bounded buffer",
        title: ["The bounded buffer's consumer", "有界缓冲区的消费者"],
        grader: Grader::Check(Role::RingConsumer),
        program: "ring_consumer",
        argv: "./ring_consumer NAME COUNT",
        extra: &[RING],
        task: ["take COUNT items from buffer[out] of the object NAME, waiting while it is empty, and check each", "从对象 NAME 的 buffer[out] 取出 COUNT 个条目，空时等待，并检查每个条目"],
        peer: ["makes and initialises the buffer and produces the items", "创建并初始化缓冲区，生产条目"],
        page: "shm-posix.md",
    },
    Exercise {
        name: "fifo-write",
        lecture: "IPC全解析 二",
        title: ["The FIFO writer (write_fifo.c)", "FIFO 写者（write_fifo.c）"],
        grader: Grader::Check(Role::FifoWrite),
        program: "fifo_write",
        argv: "./fifo_write COUNT",
        extra: &[],
        task: ["open ./fifo1 and write COUNT timestamped messages, each with its NUL", "打开 ./fifo1，写入 COUNT 条带时间戳的消息，每条带上结尾的 NUL"],
        peer: ["makes ./fifo1 and reads it, printing every message", "创建 ./fifo1 并读取，打印每条消息"],
        page: "fifo.md",
    },
    Exercise {
        name: "fifo-read",
        lecture: "IPC全解析 二",
        title: ["The FIFO reader (read_fifo.c)", "FIFO 读者（read_fifo.c）"],
        grader: Grader::Check(Role::FifoRead),
        program: "fifo_read",
        argv: "./fifo_read",
        extra: &[],
        task: ["make ./fifo1, read it and print every message, then remove it (on Ctrl-C too)", "创建 ./fifo1，读取并打印每条消息，然后删除它（Ctrl-C 时也要删）"],
        peer: ["writes messages into ./fifo1, some together, a long one in parts", "向 ./fifo1 写消息，有时几条一起，长消息分几次"],
        page: "fifo.md",
    },
    Exercise {
        name: "msg-client",
        lecture: "IPC全解析 三",
        title: ["The message-queue client", "消息队列客户端"],
        grader: Grader::Check(Role::MsgClient),
        program: "msg_client",
        argv: "./msg_client PATH",
        extra: &[],
        task: ["find the server's queue (ftok(PATH, 'z')), send a type-888 request and print the type-999 reply", "找到服务器的队列（ftok(PATH, 'z')），发送类型 888 的请求，打印类型 999 的回复"],
        peer: ["runs the server: makes the queue, answers one request, removes the queue", "运行服务器：创建队列，回答一个请求，删除队列"],
        page: "msg.md",
    },
    Exercise {
        name: "msg-server",
        lecture: "IPC全解析 三",
        title: ["The message-queue server", "消息队列服务器"],
        grader: Grader::Check(Role::MsgServer),
        program: "msg_server",
        argv: "./msg_server PATH COUNT",
        extra: &[],
        task: ["make the queue of ftok(PATH, 'z'), answer COUNT type-888 requests with type-999 replies, remove the queue (after Ctrl-C too)", "创建 ftok(PATH, 'z') 的队列，用类型 999 回答 COUNT 个类型 888 的请求，然后删除队列（Ctrl-C 之后也要删）"],
        peer: ["runs the clients: each sends a request and waits for its reply", "运行客户端：每个发送请求并等待回复"],
        page: "msg.md",
    },
    Exercise {
        name: "sem-demo",
        lecture: "IPC全解析 四",
        title: ["The semaphore demo", "信号量示例"],
        grader: Grader::Check(Role::SemDemo),
        program: "sem_demo",
        argv: "./sem_demo MS",
        extra: &[],
        task: ["a semaphore at 0 makes the father wait for the child: the child sleeps MS ms, prints, V; the father P, prints; remove the set", "初值为 0 的信号量让父进程等子进程：子进程睡 MS 毫秒、打印、V；父进程 P、打印；最后删除信号量集"],
        peer: ["runs your program alone and checks the order of the two lines, the timing and what is left", "单独运行你的程序，检查两行的先后、时间和遗留物"],
        page: "sem.md",
    },
    Exercise {
        name: "mmap-write",
        lecture: "the mmap notes",
        title: ["The mmap writer (mmap_w_ipc.c)", "mmap 写者（mmap_w_ipc.c）"],
        grader: Grader::Check(Role::MmapWrite),
        program: "mmap_write",
        argv: "./mmap_write ROUNDS MS",
        extra: &[],
        task: ["map ./temp (4096 bytes) and write the greeting at offset 1024, ROUNDS times, MS ms apart", "映射 ./temp（4096 字节），每 MS 毫秒在偏移 1024 处写入问候语，共 ROUNDS 次"],
        peer: ["maps ./temp too and prints the string at offset 1024", "同样映射 ./temp，打印偏移 1024 处的字符串"],
        page: "mmap.md",
    },
    Exercise {
        name: "mmap-read",
        lecture: "the mmap notes",
        title: ["The mmap reader (mmap_r_ipc.c)", "mmap 读者（mmap_r_ipc.c）"],
        grader: Grader::Check(Role::MmapRead),
        program: "mmap_read",
        argv: "./mmap_read ROUNDS MS",
        extra: &[],
        task: ["map ./temp and print the string at offset 1024, ROUNDS times, MS ms apart", "映射 ./temp，每 MS 毫秒打印偏移 1024 处的字符串，共 ROUNDS 次"],
        peer: ["writes the greeting into ./temp at offset 1024", "在 ./temp 的偏移 1024 处写入问候语"],
        page: "mmap.md",
    },
    Exercise {
        name: "date-client",
        lecture: "sockets",
        title: ["The socket date client", "套接字日期客户端"],
        grader: Grader::SockClient,
        program: "date_client",
        argv: "./date_client HOST PORT",
        extra: &[],
        task: ["connect to the date server over TCP, read until it closes, print \"the date is: ...\"", "通过 TCP 连接日期服务器，读到对方关闭为止，打印 \"the date is: ...\""],
        peer: ["runs `ipclab sock-server --tcp 127.0.0.1:0` for one client and compares what it sent with what you print", "运行 `ipclab sock-server --tcp 127.0.0.1:0` 服务一个客户，比较它发出的和你打印的"],
        page: "sockets.md",
    },
    Exercise {
        name: "rpc-client",
        lecture: "RPC",
        title: ["The RPC date client (rpcgen date.x)", "RPC 日期客户端（rpcgen date.x）"],
        grader: Grader::RpcClient,
        program: "rpc_client",
        argv: "./rpc_client HOST udp|tcp A B",
        extra: &[DATE_X],
        task: ["on rpcgen's stubs, ask HOST's rpcbind for DATE_PROG, call DATE and ADD(A, B), print both results", "在 rpcgen 生成的存根上，向 HOST 的 rpcbind 查询 DATE_PROG，调用 DATE 和 ADD(A, B)，打印两个结果"],
        peer: ["runs `ipclab rpc-server` (registered with rpcbind) and calls your client over UDP and TCP", "运行 `ipclab rpc-server`（向 rpcbind 注册），分别用 UDP 和 TCP 运行你的客户端"],
        page: "rpc.md",
    },
];

/// The exercise called `name`.
pub fn find(name: &str) -> Option<&'static Exercise> {
    ALL.iter().find(|e| e.name == name)
}
