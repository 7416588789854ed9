#!/usr/bin/env python3
"""docblocks.py — the runnable code blocks of a Markdown page, as shell scripts.

A code block (fenced or indented) is runnable when the line before it, or the
line before a blank line before it, is an HTML comment `<!-- runnable ... -->`:

    <!-- runnable -->              run the block with `sh -e`; it must exit 0
    <!-- runnable exit=1 -->       ... it must exit 1 (e.g. a gate that fails)
    <!-- runnable exit=0,1 -->     ... 0 or 1 (a verdict that depends on the
                                   machine's speed: the block must run, its
                                   verdict may go either way)
    <!-- runnable file=x.c -->     write the block to x.c (no run): the source
                                   a later block compiles

Inside a block to run, when some lines start with `$ `, only those lines (and
the lines continuing them after a trailing backslash) are commands; the
others are the output shown to the reader (a here-document's lines, up to
its delimiter, belong to its command). Otherwise the whole block is the
script.

Usage: docblocks.py PAGE.md OUTDIR — writes OUTDIR/NNN.sh per runnable block
and prints one line per block: "NNN LINE EXIT" (tab-separated; EXIT may
be a comma-separated list), in page order.
"""
import os
import re
import sys

MARK = re.compile(r'^\s*<!--\s*runnable\b(.*?)-->\s*$')
FENCE = re.compile(r'^(\s*)(```+|~~~+)(.*)$')
HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")


def blocks(lines):
    """(first line number, body lines, marker attributes or None) per block."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        start = i
        if m:
            indent, fence = len(m.group(1)), m.group(2)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            body = [ln[indent:] if ln[:indent].strip() == '' else ln.lstrip()
                    for ln in lines[i + 1:j]]
            nxt = j + 1
        elif lines[i].startswith('    ') and lines[i].strip() and \
                (i == 0 or not lines[i - 1].strip() or MARK.match(lines[i - 1])):
            j = i
            while j < len(lines) and (lines[j].startswith('    ') or not lines[j].strip()):
                j += 1
            body = [ln[4:] for ln in lines[i:j]]
            while body and not body[-1].strip():
                body.pop()
            nxt = j
        else:
            i += 1
            continue
        k = start - 1
        if k >= 0 and not lines[k].strip():
            k -= 1
        mark = MARK.match(lines[k]) if k >= 0 else None
        yield start + 1, body, (mark.group(1) if mark else None)
        i = nxt


def script(body):
    """The commands of a block: its `$ ` lines, or all of it."""
    if not any(ln.startswith('$ ') for ln in body):
        return '\n'.join(body) + '\n'
    out, cont, heredoc = [], False, None
    for ln in body:
        if heredoc is not None:
            out.append(ln)
            if ln.strip() == heredoc:
                heredoc = None
        elif ln.startswith('$ ') or cont:
            cmd = ln[2:] if ln.startswith('$ ') and not cont else ln
            out.append(cmd)
            cont = cmd.rstrip().endswith('\\')
            m = HEREDOC.search(cmd)
            if m:
                heredoc = m.group(1)
    return '\n'.join(out) + '\n'


def main():
    page, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with open(page, encoding='utf-8') as f:
        lines = f.read().split('\n')
    n = 0
    for line, body, attrs in blocks(lines):
        if attrs is None:
            continue
        opts = dict(a.split('=', 1) for a in attrs.split() if '=' in a)
        n += 1
        if 'file' in opts:
            text = '\n'.join(body) + '\n'
            tag = 'PK_DOC_EOF'
            sh = "cat > '%s' <<'%s'\n%s%s\n" % (opts['file'], tag, text, tag)
        else:
            sh = script(body)
        path = os.path.join(outdir, '%03d.sh' % n)
        with open(path, 'w', encoding='utf-8') as f:
            f.write('# %s:%d\n%s' % (page, line, sh))
        print('%03d\t%d\t%s' % (n, line, opts.get('exit', '0')))


if __name__ == '__main__':
    main()
