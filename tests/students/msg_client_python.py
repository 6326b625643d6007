#!/usr/bin/env python3
# role: msg-client
# expect: pass
# The blog's client in Python (ctypes): type 888 out, type 999 back; a msgrcv that fails
# (the queue removed) is an error, not a reply.
import ctypes, os, sys
from sysv import libc, check, Msg, IPC_CREAT

key = check(libc.ftok(sys.argv[1].encode(), ord("z")), "ftok")
print(f"Message Queue - Client key is: {key}.")
msqid = check(libc.msgget(key, IPC_CREAT | 0o777), "msgget")
print(f"My msqid is: {msqid}.")
print(f"My pid is: {os.getpid()}.", flush=True)
m = Msg(888, f"hello, I'm client {os.getpid()}".encode())
check(libc.msgsnd(msqid, ctypes.byref(m), 256, 0), "msgsnd")
r = Msg()
check(libc.msgrcv(msqid, ctypes.byref(r), 256, 999, 0), "msgrcv")
print(f"Client: receive msg.mtext is: {r.mtext.decode()}.")
print(f"Client: receive msg.mtype is: {r.mtype}.")
