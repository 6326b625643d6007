#!/usr/bin/env python3
# role: msg-client
# hostile: uses another program's queue
# Not its own queue: it talks to the server of $LIVE_KEYFILE (a msg-server running beside
# the grading) and becomes that queue's last sender and receiver.
import ctypes, os
from sysv import libc, check, Msg

key = check(libc.ftok(os.environ["LIVE_KEYFILE"].encode(), ord("z")), "ftok")
msqid = check(libc.msgget(key, 0), "msgget")
print(f"Message Queue - Client key is: {key}.\nMy msqid is: {msqid}.\nMy pid is: {os.getpid()}.", flush=True)
m = Msg(888, f"hello, I'm client {os.getpid()}".encode())
check(libc.msgsnd(msqid, ctypes.byref(m), 256, 0), "msgsnd")
r = Msg()
check(libc.msgrcv(msqid, ctypes.byref(r), 256, 999, 0), "msgrcv")
print(f"Client: receive msg.mtext is: {r.mtext.decode()}.")
