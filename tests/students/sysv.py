"""System V IPC from Python, through ctypes (the standard library has no shmget, msgget
or semget): the few calls the reference programs of tests/students need."""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.ftok.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.msgrcv.restype = ctypes.c_ssize_t
libc.msgrcv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long, ctypes.c_int]
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]

IPC_CREAT, IPC_RMID, IPC_STAT, SETVAL = 0o1000, 0, 2, 16


def check(r, what):
    """The result of a call, or exit with perror's line."""
    if r == -1 or r is None:
        raise SystemExit(f"{what}: {os.strerror(ctypes.get_errno())}")
    return r


def signed(key):
    """A key_t (a C int) from an unsigned 32-bit value."""
    return key - (1 << 32) if key >= 1 << 31 else key


class Msg(ctypes.Structure):
    """struct msg_form { long mtype; char mtext[256]; }"""
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 256)]


class SemBuf(ctypes.Structure):
    """struct sembuf"""
    _fields_ = [("sem_num", ctypes.c_ushort), ("sem_op", ctypes.c_short), ("sem_flg", ctypes.c_short)]


def queue_empty(msqid):
    """msg_qnum == 0 (struct msqid_ds on x86_64: msg_qnum at offset 80)."""
    ds = ctypes.create_string_buffer(256)
    check(libc.msgctl(msqid, IPC_STAT, ds), "msgctl(IPC_STAT)")
    return int.from_bytes(ds.raw[80:88], "little") == 0
