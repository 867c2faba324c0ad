"""The launcher of a student's kernel: limits, no network, nothing of the grader's in sight.

The grader's kernelspec runs ``python -m rnngrade.sandbox -- python -m ipykernel_launcher -f
{connection_file}``. Before it execs the kernel it

1. moves to an empty working folder of its own (``$RNNGRADE_RUNROOT/<notebook folder name>``);
2. where Linux allows it (root, or unprivileged user namespaces), enters new mount and network
   namespaces: the only network device is a loopback that is down, so nothing can be
   reached, and each path in ``$RNNGRADE_HIDE`` (the keys, the grader's work folder with the
   expected outputs and every submission, the output folder) is covered by an empty
   read-only tmpfs; the kernel talks to nbval over Unix sockets, which need no network;
3. sets resource limits: address space (``$RNNGRADE_MEM_MB``), CPU seconds
   (``$RNNGRADE_CPU_S``), size of any file written (16 MB), no core dumps.

Where namespaces are not allowed, step 2 is skipped and ``isolation()`` says so; limits and
the empty working folder still apply. Not enforced anywhere: another user id (the kernel runs
as the grader's user; the screen of answer cells is what keeps them from opening files) and a
separate PID namespace (``/proc`` still lists the grader's processes). Run as root, the kernel keeps
root's powers inside its namespaces; run the grader as an ordinary user.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 1, 2, 4, 0x4000, 1 << 18


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                           ctypes.c_void_p]
    return libc


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_namespaces(hide: list[str]) -> dict:
    """New mount + network namespaces with ``hide`` covered; returns what was enforced."""
    libc = _libc()
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNS | CLONE_NEWNET | (0 if uid == 0 else CLONE_NEWUSER)
    if libc.unshare(flags) != 0:
        return {"network": False, "hidden": [],
                "why": f"unshare: {os.strerror(ctypes.get_errno())}"}
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    # Private propagation first: the covers below must never show in the grader's namespace.
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return {"network": True, "hidden": [],
                "why": f"mount --make-rprivate: {os.strerror(ctypes.get_errno())}"}
    hidden = []
    for path in hide:
        if os.path.isdir(path) and libc.mount(
                b"tmpfs", path.encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                b"size=4k,mode=0555") == 0:
            hidden.append(path)
    return {"network": True, "hidden": hidden, "why": ""}


def set_limits(mem_mb: int, cpu_s: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 20, 16 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def isolation() -> dict:
    """What this machine lets the sandbox enforce, tried in a throwaway child process."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                 # child: try, report, exit
        os.close(r)
        try:
            result = enter_namespaces([])
        except Exception as err:                 # noqa: BLE001 (report any failure)
            result = {"network": False, "hidden": [], "why": repr(err)}
        os.write(w, json.dumps(result).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    os.waitpid(pid, 0)
    return json.loads(text or '{"network": false, "why": "probe failed"}')


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        raise SystemExit("usage: python -m rnngrade.sandbox -- COMMAND ...")
    runroot = os.environ.get("RNNGRADE_RUNROOT")
    if runroot:
        rundir = os.path.join(runroot, os.path.basename(os.getcwd()))
        os.makedirs(rundir, exist_ok=True)
        os.chdir(rundir)                         # before the notebook's folder is covered
    hide = [p for p in os.environ.get("RNNGRADE_HIDE", "").split(os.pathsep) if p]
    if os.environ.get("RNNGRADE_NAMESPACES", "1") == "1":
        enforced = enter_namespaces(hide)
        _write("sandbox.json", json.dumps(enforced))
    set_limits(int(os.environ.get("RNNGRADE_MEM_MB", "2048")),
               int(os.environ.get("RNNGRADE_CPU_S", "300")))
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
