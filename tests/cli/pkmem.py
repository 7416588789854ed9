#!/usr/bin/python3
"""pkmem.py FILE — the test side's own reader of perfkit mem's event file
(docs/mem.md "File format", versions 2 and 1), independent of lib/mem: it checks
the writer (libperfkit-mem.so) against the format, not against the other
reader. Prints one JSON object:

  info {pid, ppid, page, cmdline [..], exe}, flags, end {reason, sig} or
  null, truncated (no 'E'), threads {tid: name}, stacks (count), forks [pids],
  maps (count of 'M'), allocs, frees, unknown_frees, alloc_bytes, peak_bytes,
  leaked_bytes, leaked_blocks, by_size {size: [allocs, live at end]},
  leaks [{size, count, frames: [...]}] with frames of the main executable
  named by `nm` (function name), others as "module+0xoffset",
  records_after_end (must be 0), clocks ('C' records; v2), switches ('W').
Version 2 is decoded as well as the writer is checked: no event before its
thread's 'T', a 'W' only when the thread changes, the clock never back.
A record cut short at the end of the file is "truncated", not an error;
anything else malformed raises.
"""
import bisect
import json
import os
import struct
import subprocess
import sys


class Cut(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.d, self.i = data, 0

    def byte(self):
        if self.i >= len(self.d):
            raise Cut()
        self.i += 1
        return self.d[self.i - 1]

    def uv(self):
        v = s = 0
        while True:
            b = self.byte()
            v |= (b & 0x7F) << s
            s += 7
            if b < 0x80:
                return v

    def sv(self):
        v = self.uv()
        return (v >> 1) ^ -(v & 1)

    def bytes(self):
        n = self.uv()
        if self.i + n > len(self.d):
            raise Cut()
        self.i += n
        return self.d[self.i - n:self.i]


def parse_maps(text):
    out = []
    for line in text.decode(errors="replace").splitlines():
        f = line.split(None, 5)
        if len(f) < 6 or not f[5].startswith("/"):
            continue
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        out.append((lo, hi, int(f[2], 16), f[5]))
    return out


def elf_vaddr(path, off, cache={}):
    """file offset -> virtual address (the LOAD segment holding it)"""
    if path not in cache:
        segs = []
        try:
            with open(path, "rb") as f:
                h = f.read(64)
                phoff, = struct.unpack_from("<Q", h, 32)
                phentsize, phnum = struct.unpack_from("<HH", h, 54)
                f.seek(phoff)
                for _ in range(phnum):
                    p = f.read(phentsize)
                    typ, _flags, o, va, _pa, fsz = struct.unpack_from("<IIQQQQ", p)
                    if typ == 1:
                        segs.append((o, va, fsz))
        except OSError:
            pass
        cache[path] = segs
    for o, va, fsz in cache[path]:
        if o <= off < o + fsz:
            return off - o + va
    return off


def nm_symbols(path):
    try:
        txt = subprocess.run(["nm", "-S", "--defined-only", path], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    syms = []
    for line in txt.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tTwW":
            syms.append((int(f[0], 16), int(f[1], 16), f[3]))
    return sorted(syms)


def main(path):
    data = open(path, "rb").read()
    if len(data) < 16 or data[:6] != b"PKMEM\0":
        raise SystemExit("%s: not a perfkit mem file" % path)
    version, flags = struct.unpack_from("<HI", data, 6)
    if version not in (1, 2):
        raise SystemExit("%s: version %d" % (path, version))
    r = Reader(data)
    r.i = 16
    res = {"flags": flags, "end": None, "truncated": False, "threads": {}, "forks": [],
           "maps": 0, "allocs": 0, "frees": 0, "unknown_frees": 0, "alloc_bytes": 0,
           "records_after_end": 0, "version": version, "clocks": 0, "switches": 0}
    stacks, live, by_size, snapshots = {}, {}, {}, []
    cur = peak = 0
    seen_threads = set()
    cur_tid, prev_ptr = None, 0
    while r.i < len(data):
        start = r.i
        try:
            t = chr(r.byte())
            if res["end"] is not None:
                res["records_after_end"] += 1
            if t == "I":
                res["info"] = {"pid": r.uv(), "ppid": r.uv(), "start": r.uv(), "page": r.uv(),
                               "cmdline": [a.decode() for a in r.bytes().split(b"\0")],
                               "exe": r.bytes().decode()}
            elif t == "M":
                snapshots.append(parse_maps(r.bytes()))
                res["maps"] += 1
            elif t == "S":
                sid, n = r.uv(), r.uv()
                prev, fr = 0, []
                for _ in range(n):
                    prev += r.sv()
                    fr.append(prev)
                if sid != len(stacks) + 1:
                    raise SystemExit("stack id %d out of order" % sid)
                stacks[sid] = fr
            elif t == "T":
                tid, name = r.uv(), r.bytes().decode()
                res["threads"][str(tid)] = name
                seen_threads.add(tid)
                cur_tid = tid
            elif t == "C" and version == 2:
                r.uv()
                res["clocks"] += 1
            elif t == "W" and version == 2:
                tid = r.uv()
                if tid == cur_tid or tid not in seen_threads:
                    raise SystemExit("'W' %d: no change, or before its 'T'" % tid)
                cur_tid = tid
                res["switches"] += 1
            elif t in "AF" and version == 2:
                prev_ptr += r.sv()
                ptr, tid = prev_ptr, cur_tid
                if t == "A":
                    size, sid = r.uv(), r.uv()
                if tid not in seen_threads or (t == "A" and sid and sid not in stacks):
                    raise SystemExit("%r before its 'T' or 'S'" % t)
                if t == "A":
                    if ptr in live:
                        raise SystemExit("pointer 0x%x allocated twice" % ptr)
                    live[ptr] = (size, sid)
                    res["allocs"] += 1
                    res["alloc_bytes"] += size
                    by_size.setdefault(size, [0, 0])[0] += 1
                    cur += size
                    peak = max(peak, cur)
                elif ptr in live:
                    cur -= live.pop(ptr)[0]
                    res["frees"] += 1
                else:
                    res["unknown_frees"] += 1
            elif t == "K" and version == 2:
                res["forks"].append(r.uv())
            elif t == "E" and version == 2:
                res["end"] = {"reason": r.uv(), "sig": r.uv()}
            elif t == "A":
                _dt, tid, ptr, size, sid = r.uv(), r.uv(), r.uv(), r.uv(), r.uv()
                if tid not in seen_threads or (sid and sid not in stacks):
                    raise SystemExit("'A' before its 'T' or 'S'")
                if ptr in live:
                    raise SystemExit("pointer 0x%x allocated twice" % ptr)
                live[ptr] = (size, sid)
                res["allocs"] += 1
                res["alloc_bytes"] += size
                by_size.setdefault(size, [0, 0])[0] += 1
                cur += size
                peak = max(peak, cur)
            elif t == "F":
                _dt, tid, ptr = r.uv(), r.uv(), r.uv()
                if tid not in seen_threads:
                    raise SystemExit("'F' before its 'T'")
                if ptr in live:
                    cur -= live.pop(ptr)[0]
                    res["frees"] += 1
                else:
                    res["unknown_frees"] += 1
            elif t == "K":
                r.uv()
                res["forks"].append(r.uv())
            elif t == "E":
                res["end"] = {"dt": r.uv(), "reason": r.uv(), "sig": r.uv()}
            else:
                raise SystemExit("unknown record %r at %d" % (t, start))
        except Cut:
            res["truncated"] = True
            break
    if res["end"] is None:
        res["truncated"] = True
    res["stacks"] = len(stacks)
    res["peak_bytes"] = peak
    res["leaked_bytes"] = cur
    res["leaked_blocks"] = len(live)
    for size, _sid in live.values():
        by_size[size][1] += 1
    res["by_size"] = {str(k): v for k, v in sorted(by_size.items())}

    exe = res.get("info", {}).get("exe", "")
    syms = nm_symbols(exe) if exe else []
    starts = [s[0] for s in syms]

    def name(addr):
        for snap in reversed(snapshots):
            for lo, hi, off, mod in snap:
                if lo <= addr < hi:
                    va = elf_vaddr(mod, addr - lo + off)
                    if mod == exe and syms:
                        k = bisect.bisect_right(starts, va - 1) - 1
                        if k >= 0 and syms[k][0] <= va - 1 < syms[k][0] + syms[k][1]:
                            return syms[k][2]
                    return "%s+0x%x" % (os.path.basename(mod), va)
        return "0x%x" % addr

    groups = {}
    for size, sid in live.values():
        key = (size, sid)
        groups[key] = groups.get(key, 0) + 1
    res["leaks"] = [{"size": s, "count": c, "frames": [name(a) for a in stacks.get(sid, [])]}
                    for (s, sid), c in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1]))]
    json.dump(res, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
