#!/usr/bin/env python3
# role: msg-server
# expect: data
# BROKEN: replies with mtype 998: the client waits for 999 and never gets it.
import ctypes, os, signal, sys, time
from sysv import libc, check, Msg, IPC_CREAT, IPC_RMID

key = check(libc.ftok(sys.argv[1].encode(), ord("z")), "ftok")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
print(f"Message Queue - Server key is: {key}.")
msqid = check(libc.msgget(key, IPC_CREAT | 0o777), "msgget")
print(f"My msqid is: {msqid}.")
print(f"My pid is: {os.getpid()}.", flush=True)
signal.signal(signal.SIGINT, lambda s, f: (libc.msgctl(msqid, IPC_RMID, None), sys.exit(130)))
signal.signal(signal.SIGTERM, lambda s, f: (libc.msgctl(msqid, IPC_RMID, None), sys.exit(143)))
for _ in range(count):
    m = Msg()
    check(libc.msgrcv(msqid, ctypes.byref(m), 256, 888, 0), "msgrcv")
    print(f"Server: receive msg.mtext is: {m.mtext.decode()}.", flush=True)
    r = Msg(998, f"hello, I'm server {os.getpid()}".encode())
    check(libc.msgsnd(msqid, ctypes.byref(r), 256, 0), "msgsnd")
libc.msgctl(msqid, IPC_RMID, None)
