#!/usr/bin/env python3
# role: msg-server
# expect: pass
# The blog's server in Python (ctypes), serving argv[2] requests; the queue is removed only
# once the last reply was taken, and on Ctrl-C.
import ctypes, os, signal, sys, time
from sysv import libc, check, queue_empty, Msg, IPC_CREAT, IPC_RMID

key = check(libc.ftok(sys.argv[1].encode(), ord("z")), "ftok")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
print(f"Message Queue - Server key is: {key}.")
msqid = check(libc.msgget(key, IPC_CREAT | 0o777), "msgget")
print(f"My msqid is: {msqid}.")
print(f"My pid is: {os.getpid()}.", flush=True)


def bye(sig, _frame):
    libc.msgctl(msqid, IPC_RMID, None)
    sys.exit(128 + sig)


signal.signal(signal.SIGINT, bye)
signal.signal(signal.SIGTERM, bye)
for _ in range(count):
    m = Msg()
    check(libc.msgrcv(msqid, ctypes.byref(m), 256, 888, 0), "msgrcv")
    print(f"Server: receive msg.mtext is: {m.mtext.decode()}.")
    print(f"Server: receive msg.mtype is: {m.mtype}.", flush=True)
    r = Msg(999, f"hello, I'm server {os.getpid()}".encode())
    check(libc.msgsnd(msqid, ctypes.byref(r), 256, 0), "msgsnd")
for _ in range(200):
    if queue_empty(msqid):
        break
    time.sleep(0.01)
libc.msgctl(msqid, IPC_RMID, None)
