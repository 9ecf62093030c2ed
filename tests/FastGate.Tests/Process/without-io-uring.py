#!/usr/bin/env python3
"""Runs a command with io_uring_setup refused (ENOSYS), as seccomp does in containers that block io_uring.

Usage: without-io-uring.py COMMAND [ARGS...]
The filter is installed with no_new_privs and is inherited by the command; every other syscall is allowed.
"""
import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
ENOSYS = 38
IO_URING_SETUP = 425  # the same number on x86-64 and arm64
ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}[platform.machine()]

BPF_LD_W_ABS = 0x20   # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15      # BPF_JMP | BPF_JEQ | BPF_K
BPF_RET_K = 0x06      # BPF_RET | BPF_K


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


program = b"".join([
    insn(BPF_LD_W_ABS, 0, 0, 4),                 # seccomp_data.arch
    insn(BPF_JEQ_K, 1, 0, ARCH),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),    # another ABI: leave it alone
    insn(BPF_LD_W_ABS, 0, 0, 0),                 # seccomp_data.nr
    insn(BPF_JEQ_K, 0, 1, IO_URING_SETUP),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
])


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
    sys.exit(f"without-io-uring: no_new_privs: {os.strerror(ctypes.get_errno())}")
fprog = SockFprog(len(program) // 8, program)
if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.cast(ctypes.pointer(fprog), ctypes.c_void_p), 0, 0) != 0:
    sys.exit(f"without-io-uring: seccomp: {os.strerror(ctypes.get_errno())}")
os.execvp(sys.argv[1], sys.argv[1:])
