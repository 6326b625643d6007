#!/usr/bin/env python3
# role: msg-client
# expect: data end
# BROKEN: ftok with 'y' where the server uses 'z': it makes a queue of its own and waits
# there for ever.
import ctypes, os, sys
from sysv import libc, check, Msg, IPC_CREAT

key = check(libc.ftok(sys.argv[1].encode(), ord("y")), "ftok")
print(f"Message Queue - Client key is: {key}.")
msqid = check(libc.msgget(key, IPC_CREAT | 0o777), "msgget")
print(f"My msqid is: {msqid}.")
print(f"My pid is: {os.getpid()}.", flush=True)
m = Msg(888, f"hello, I'm client {os.getpid()}".encode())
check(libc.msgsnd(msqid, ctypes.byref(m), 256, 0), "msgsnd")
r = Msg()
check(libc.msgrcv(msqid, ctypes.byref(r), 256, 999, 0), "msgrcv")
print(f"Client: receive msg.mtext is: {r.mtext.decode()}.")
