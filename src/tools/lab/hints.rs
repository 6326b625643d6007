//! `ipclab lab hint`: three hints per exercise, each revealing more: the call to look at,
//! then the order of operations, then the line that is usually wrong. English, Chinese.

/// The hints of exercise `name`: `[step][language]`.
pub fn of(name: &str) -> [[&'static str; 2]; 3] {
    match name {
        "shmread" => [
            ["The calls are shmget (the same key, size and flags as the writer), shmat, and shmdt at the end.", "要用的调用：shmget（与写者相同的键、大小和标志）、shmat，最后 shmdt。"],
            ["Loop: wait while written == 0; print \"You wrote: %s\"; fflush(stdout); set written = 0; stop after a text starting with \"end\".", "循环：written == 0 时等待；打印 \"You wrote: %s\"；fflush(stdout)；置 written = 0；文字以 \"end\" 开头就停。"],
            ["The wait is usually wrong: `while (shared->written == 0) ;` on a plain int is read once at -O2. Read it through `*(volatile int *)&shared->written` and usleep(10000) in the loop.", "最常错的是等待：对普通 int 的 `while (shared->written == 0) ;` 在 -O2 下只读一次。请用 `*(volatile int *)&shared->written` 读取，循环里 usleep(10000)。"],
        ],
        "shmwrite" => [
            ["The calls are shmget, shmat, and shmdt; the writer never removes the segment.", "要用的调用：shmget、shmat、shmdt；写者不删除共享段。"],
            ["Order per line: wait while written == 1; read the line; copy it into mtext; only then set written = 1.", "每行的顺序：written == 1 时等待；读一行；复制进 mtext；然后才置 written = 1。"],
            ["Usually wrong: setting written = 1 before the copy (the reader may print the old text), or a copy without its NUL (strncpy of the whole line, not strlen bytes).", "最常错的是：先置 written = 1 再复制（读者可能打印旧内容），或复制时丢了结尾的 NUL（用 strncpy 复制整行，而不是 strlen 个字节）。"],
        ],
        "shmcon" => [
            ["The calls are ftok(PATH, 0x27), shmget with IPC_CREAT, vfork and execv for each child, waitpid, shmctl(IPC_RMID).", "要用的调用：ftok(PATH, 0x27)、带 IPC_CREAT 的 shmget、每个子进程 vfork + execv、waitpid、shmctl(IPC_RMID)。"],
            ["Make the segment and set written = 0 before starting the children; remove it only after both have ended.", "先创建共享段并置 written = 0，再启动子进程；两个子进程都结束后才删除。"],
            ["Usually wrong: Ctrl-C kills the controller before its IPC_RMID. Catch SIGINT/SIGTERM with a handler that only notes the signal, retry waitpid on EINTR, then remove the segment.", "最常错的是：Ctrl-C 在 IPC_RMID 之前杀死控制进程。用只做记录的处理函数捕获 SIGINT/SIGTERM，waitpid 遇 EINTR 重试，然后删除共享段。"],
        ],
        "shmproducer" => [
            ["The calls are shm_open(NAME, O_RDWR, 0666) and mmap(..., PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0).", "要用的调用：shm_open(NAME, O_RDWR, 0666) 和 mmap(..., PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)。"],
            ["Open, map, then sprintf the message at offset 0 of the mapping; the controller made and sized the object.", "打开、映射，然后用 sprintf 把消息写到映射的偏移 0；对象由控制进程创建并设好大小。"],
            ["Usually wrong: writing at shared->mtext (offset 4) where the consumer reads offset 0, or shm_open with O_CREAT (an object of your own that nobody removes).", "最常错的是：写到 shared->mtext（偏移 4）而消费者读偏移 0，或 shm_open 带 O_CREAT（建了没人删除的对象）。"],
        ],
        "shmconsumer" => [
            ["The calls are shm_open(NAME, O_RDONLY, 0444) and mmap with PROT_READ, MAP_SHARED.", "要用的调用：shm_open(NAME, O_RDONLY, 0444) 和 PROT_READ、MAP_SHARED 的 mmap。"],
            ["Map first, then wait for the message: look at the first byte, usleep(1000), look again, up to 5 s.", "先映射，再等消息：看第一个字节，usleep(1000)，再看，最多 5 秒。"],
            ["Usually wrong: printing at once (the producer may not have written yet), or reading the first byte as a plain char in a loop the compiler hoists: use atomic_load.", "最常错的是：立即打印（生产者可能还没写），或在循环里把第一个字节当普通 char 读、被编译器提到循环外：用 atomic_load。"],
        ],
        "ring-producer" => [
            ["Only loads and stores: `in` and `out` are _Atomic uint32_t in the object; make_item fills a slot.", "只有读和写：`in` 和 `out` 是对象里的 _Atomic uint32_t；make_item 填一个槽。"],
            ["Per item: wait while (in + 1) % n == out; make the item in slot in; then store in = (in + 1) % n.", "每个条目：(in + 1) % n == out 时等待；在槽 in 做好条目；然后存 in = (in + 1) % n。"],
            ["Usually wrong: moving `in` before the item is written (the consumer reads a half-made item), or loading `out` without acquire in a loop the compiler keeps in a register.", "最常错的是：条目写好之前就移动 `in`（消费者读到半成品），或在循环中不带 acquire 地读 `out`，被编译器放进寄存器。"],
        ],
        "ring-consumer" => [
            ["Only loads and stores: `in` and `out` are _Atomic uint32_t; an item is ITEM bytes at OFF_SLOTS + out * ITEM.", "只有读和写：`in` 和 `out` 是 _Atomic uint32_t；条目是 OFF_SLOTS + out * ITEM 处的 ITEM 字节。"],
            ["Per item: wait while in == out (acquire); copy the slot out; then store out = (out + 1) % n (release).", "每个条目：in == out 时等待（acquire）；把槽复制出来；然后存 out = (out + 1) % n（release）。"],
            ["Usually wrong: `while (in == out) ;` on plain ints never ends at -O2, or moving `out` before the copy (the producer overwrites the slot).", "最常错的是：对普通 int 的 `while (in == out) ;` 在 -O2 下永不结束，或复制之前就移动 `out`（生产者覆盖了槽）。"],
        ],
        "fifo-write" => [
            ["The calls are open(\"fifo1\", O_WRONLY), write and close.", "要用的调用：open(\"fifo1\", O_WRONLY)、write、close。"],
            ["Open once (it waits for the reader), then one write per message, then close: the reader sees the end of the input.", "只打开一次（会等读者），每条消息一次 write，最后 close：读者由此看到输入结束。"],
            ["Usually wrong: writing n bytes instead of n + 1: without its NUL the reader cannot tell where one message ends.", "最常错的是：写 n 个字节而不是 n + 1 个：没有 NUL，读者分不清一条消息在哪里结束。"],
        ],
        "fifo-read" => [
            ["The calls are mkfifo(\"fifo1\", 0600), open(O_RDONLY), read until 0, close and unlink.", "要用的调用：mkfifo(\"fifo1\", 0600)、open(O_RDONLY)、read 直到返回 0、close 和 unlink。"],
            ["One read() may bring several messages, or part of one: walk the bytes, print a message at each NUL, keep the rest for the next read.", "一次 read() 可能带来几条消息或半条：逐字节处理，遇到 NUL 就打印一条，剩下的留到下一次 read。"],
            ["Usually wrong: printing only the first message of each read(), or leaving ./fifo1 behind after Ctrl-C (unlink it in the handler).", "最常错的是：每次 read() 只打印第一条消息，或 Ctrl-C 后留下 ./fifo1（在处理函数里 unlink）。"],
        ],
        "msg-client" => [
            ["The calls are ftok(PATH, 'z'), msgget(key, 0), msgsnd and msgrcv.", "要用的调用：ftok(PATH, 'z')、msgget(key, 0)、msgsnd 和 msgrcv。"],
            ["Send mtype 888 first, then msgrcv asking for type 999 (the reply), not type 0.", "先发送 mtype 888，再用 msgrcv 取类型 999（回复），不要取类型 0。"],
            ["Usually wrong: not checking msgrcv's result: when the server's queue goes away you must fail, not print your own request as the answer.", "最常错的是：不检查 msgrcv 的返回值：服务器的队列没了时应当失败，而不是把自己的请求当作回复打印。"],
        ],
        "msg-server" => [
            ["The calls are ftok(PATH, 'z'), msgget with IPC_CREAT, msgrcv, msgsnd and msgctl(IPC_RMID).", "要用的调用：ftok(PATH, 'z')、带 IPC_CREAT 的 msgget、msgrcv、msgsnd 和 msgctl(IPC_RMID)。"],
            ["COUNT times: msgrcv type 888, print the two lines, msgsnd type 999. Then wait until the queue is empty, then IPC_RMID.", "COUNT 次：msgrcv 类型 888，打印两行，msgsnd 类型 999。然后等队列变空，再 IPC_RMID。"],
            ["Usually wrong: never removing the queue (the blog's server), or removing it before the client took the reply; and Ctrl-C in msgrcv: a handler without SA_RESTART makes msgrcv return EINTR, then remove the queue.", "最常错的是：从不删除队列（博客的服务器），或客户端还没取走回复就删除；还有 msgrcv 中的 Ctrl-C：不带 SA_RESTART 的处理函数让 msgrcv 返回 EINTR，然后删除队列。"],
        ],
        "sem-demo" => [
            ["The calls are ftok, semget(key, 1, IPC_CREAT|0600), semctl(SETVAL 0), semop and semctl(IPC_RMID).", "要用的调用：ftok、semget(key, 1, IPC_CREAT|0600)、semctl(SETVAL 0)、semop 和 semctl(IPC_RMID)。"],
            ["Set the value to 0 before fork; the child prints, fflush, then V; the father P, prints, V; the father waits for the child, then removes the set.", "fork 之前把值设为 0；子进程打印、fflush、然后 V；父进程 P、打印、V；父进程等子进程结束，再删除信号量集。"],
            ["Usually wrong: SEM_UNDO on the child's V (its exit takes the V back), or the child's line still in its stdio buffer when the father prints (fflush before V).", "最常错的是：子进程的 V 带 SEM_UNDO（它退出时把 V 撤销了），或父进程打印时子进程那一行还在 stdio 缓冲区里（V 之前 fflush）。"],
        ],
        "mmap-write" => [
            ["The calls are open(\"temp\", O_RDWR|O_CREAT, 0664), fstat, ftruncate, mmap and munmap.", "要用的调用：open(\"temp\", O_RDWR|O_CREAT, 0664)、fstat、ftruncate、mmap 和 munmap。"],
            ["Make the file 4096 bytes before mapping it; then write at ptr + 1024 each round.", "映射之前把文件变成 4096 字节；然后每轮写 ptr + 1024。"],
            ["Usually wrong: mapping a file shorter than the mapping: started before the reader, ./temp is empty and the first store dies of SIGBUS. ftruncate only when it is shorter (never cut a longer file).", "最常错的是：映射比文件长：先于读者启动时 ./temp 是空的，第一次写就死于 SIGBUS。只在文件较短时 ftruncate（不要截短更长的文件）。"],
        ],
        "mmap-read" => [
            ["The calls are open(\"temp\", O_RDWR|O_CREAT, 0664), ftruncate, mmap and munmap.", "要用的调用：open(\"temp\", O_RDWR|O_CREAT, 0664)、ftruncate、mmap 和 munmap。"],
            ["Map 4096 bytes, then each round: sleep MS ms, print ptr + 1024, fflush.", "映射 4096 字节，然后每轮：睡 MS 毫秒，打印 ptr + 1024，fflush。"],
            ["Usually wrong: no fflush (a pipe is not a terminal: the lines wait in the buffer), or mapping before the file has its 4096 bytes.", "最常错的是：没有 fflush（管道不是终端：行会留在缓冲区里），或在文件还没有 4096 字节时就映射。"],
        ],
        "date-client" => [
            ["The calls are socket(AF_INET, SOCK_STREAM, 0), connect, read and close.", "要用的调用：socket(AF_INET, SOCK_STREAM, 0)、connect、read 和 close。"],
            ["Connect, then read in a loop until read returns 0 (the server closed), then print what you have.", "连接，然后循环 read 直到返回 0（服务器关闭），再打印读到的内容。"],
            ["Usually wrong: one read() (TCP may deliver the date in parts), or no room for the NUL at the end of the buffer.", "最常错的是：只 read() 一次（TCP 可能分几段送达），或缓冲区末尾没给 NUL 留位置。"],
        ],
        _ => [
            ["The calls are clnt_create(HOST, DATE_PROG, DATE_VERS, transport), date_1, add_1 and clnt_destroy (date.h, from `rpcgen date.x`).", "要用的调用：clnt_create(HOST, DATE_PROG, DATE_VERS, transport)、date_1、add_1 和 clnt_destroy（date.h 由 `rpcgen date.x` 生成）。"],
            ["clnt_create asks rpcbind where the program is; each stub returns a pointer to its result, NULL on failure.", "clnt_create 向 rpcbind 查询程序在哪里；每个存根返回指向结果的指针，失败时为 NULL。"],
            ["Usually wrong: using the result without checking for NULL (clnt_perror says why), or passing the pair by value where add_1 wants &p.", "最常错的是：不检查 NULL 就用结果（clnt_perror 会说明原因），或 add_1 要 &p 时按值传递 pair。"],
        ],
    }
}
