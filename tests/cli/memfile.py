#!/usr/bin/env python3
"""memfile.py — write a perfkit mem event file (docs/mem.md "File format",
version 2) for the CLI tests: memfile.py OUT [story|bigger|cut|garbage].

story: one thread, two stacks, times in ns:
  10 A 0x1000 100 s1 / 20 A 0x2000 50 s2 / 30 F 0x1000 / 40 A 0x3000 200 s2
  (the peak, 250 B) / 50 F 0x3000 (temporary) / 60 A 0x4000 10 s1, then E.
  Leaked: 60 B in 2 blocks. bigger: the same, s2's block at 40 is 400 B.
cut: story without its end record and with the last record cut short."""
import sys

def uv(v):
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        out.append(b | 0x80 if v else b)
        if not v:
            return bytes(out)

def sv(v):
    return uv((v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1)

def text(s):
    return uv(len(s)) + s

def story(big=False):
    b = bytearray(b"PKMEM\0" + bytes([2, 0, 1, 0, 0, 0, 0, 0, 0, 0]))
    b += b"I" + uv(4242) + uv(1) + uv(0) + uv(4096) + text(b"prog\0arg\0") + text(b"/usr/bin/prog")
    b += b"T" + uv(7) + text(b"prog")
    def stack(i, frames):
        nonlocal b
        b += b"S" + uv(i) + uv(len(frames))
        prev = 0
        for f in frames:
            b += sv(f - prev)
            prev = f
    prev = 0
    def a(dt, ptr, size, st):
        nonlocal b, prev
        b += b"C" + uv(dt) + b"A" + sv(ptr - prev) + uv(size) + uv(st)
        prev = ptr
    def f(dt, ptr):
        nonlocal b, prev
        b += b"C" + uv(dt) + b"F" + sv(ptr - prev)
        prev = ptr
    stack(1, [0x401000, 0x402000])
    a(10, 0x1000, 100, 1)
    stack(2, [0x401100, 0x402000])
    a(10, 0x2000, 50, 2)
    f(10, 0x1000)
    a(10, 0x3000, 400 if big else 200, 2)
    f(10, 0x3000)
    a(10, 0x4000, 10, 1)
    return b

kind = sys.argv[2] if len(sys.argv) > 2 else "story"
if kind == "garbage":
    data = b"PKMEM\0" + bytes([2, 0, 0, 0, 0, 0, 0, 0, 0, 0]) + b"Q"
elif kind == "cut":
    data = bytes(story()[:-2])
else:
    data = bytes(story(kind == "bigger") + b"E" + uv(0) + uv(0))
open(sys.argv[1], "wb").write(data)
