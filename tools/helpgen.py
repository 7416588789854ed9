#!/usr/bin/env python3
"""helpgen.py — man pages and shell completions from perfkit's own --help.

The --help text of each subcommand (the usage_text at the top of
cli/<command>.c) is the one source: this script runs the built binary,
reads `perfkit --help` (the command table) and `perfkit CMD --help`, and
writes perfkit.1, perfkit-CMD.1 per command, a bash completion (perfkit)
and a zsh one (_perfkit). A new option or command shows up everywhere at
the next build, so the pages cannot drift from the help.

The help layout it reads: "usage: perfkit CMD ..." (more synopsis lines
indented under it), description paragraphs, section headings ("Options:",
"Runs:" — a line ending in ':'), option lines ("  -x, --long ARG   text",
continued by deeper-indented lines), and an "Exit: ..." paragraph.

Usage: helpgen.py PERFKIT OUTDIR — writes OUTDIR/man/*.1, OUTDIR/completions/.
"""
import os
import re
import subprocess
import sys

OPT = re.compile(r'^ {2,6}(-\S.*?)(?:\s{2,}(\S.*))?$')


def help_of(perfkit, *args):
    return subprocess.run([perfkit, *args, '--help'], check=True, capture_output=True,
                          text=True).stdout


def commands(text):
    """[(name, summary)] from the 'commands:' table of `perfkit --help`."""
    out, on = [], False
    for ln in text.splitlines():
        if ln.strip() == 'commands:':
            on = True
        elif on and ln.startswith('  ') and ln.strip():
            name, summary = ln.strip().split(None, 1)
            out.append((name, summary.strip()))
        elif on and not ln.strip():
            on = False
    return out


def parse(text):
    """A command's help as {synopsis, description, sections, exit}."""
    lines = text.rstrip('\n').split('\n')
    synopsis = [lines[0][len('usage: '):]]
    i = 1
    while i < len(lines) and lines[i].startswith('       '):
        synopsis.append(lines[i].strip())
        i += 1
    description, sections, exitst = [], [], []
    para, sect = [], None
    cur = None  # the option being read: [spec, [text lines]]

    def flush():
        nonlocal para
        if para:
            (exitst if para[0].startswith('Exit:') else
             (sect[1] if sect else description)).append(('para', ' '.join(para)))
        para = []

    for ln in lines[i:]:
        m = OPT.match(ln)
        if not ln.strip():
            flush()
            cur = None
        elif m:
            flush()
            if sect is None:
                sect = ('Options', [])
                sections.append(sect)
            cur = [m.group(1).strip(), [m.group(2)] if m.group(2) else []]
            sect[1].append(('opt', cur))
        elif cur is not None and ln.startswith('       '):
            cur[1].append(ln.strip())
        elif not ln.startswith(' ') and ln.endswith(':') and not para:
            sect = (ln[:-1], [])
            sections.append(sect)
            cur = None
        else:
            para.append(ln.strip())
    flush()
    return {'synopsis': synopsis, 'description': description, 'sections': sections,
            'exit': [p for _, p in exitst]}


def options(parsed):
    """Every option spelling, with its description: [(spelling, text)]."""
    out = []
    for _, items in parsed['sections']:
        for kind, item in items:
            if kind != 'opt':
                continue
            spec, text = item
            desc = ' '.join(text)
            for part in re.split(r'[,|]\s*', spec):
                word = part.split()[0] if part.split() else ''
                if word.startswith('-'):
                    out.append((word, desc))
    return out


def words(parsed, cmd):
    """Literal words after `perfkit CMD` in the synopsis (baseline's pin/unpin)."""
    out = []
    for syn in parsed['synopsis']:
        toks = syn.split()
        if len(toks) > 2 and toks[1] == cmd and re.fullmatch(r'[a-z][a-z-]*', toks[2]):
            out.append(toks[2])
    return out


def roff(s):
    s = s.replace('\\', '\\e').replace('-', '\\-')
    return '\\&' + s if s[:1] in ('.', "'") else s


def man_page(name, summary, version, parsed, see_also):
    o = ['.TH %s 1 "" "perfkit %s" "perfkit manual"' % (name.upper().replace('-', '\\-'), version),
         '.SH NAME', '%s \\- %s' % (roff(name), roff(summary)),
         '.SH SYNOPSIS', '.nf']
    o += [roff(s) for s in parsed['synopsis']] + ['.fi']
    if parsed['description']:
        o.append('.SH DESCRIPTION')
        for _, p in parsed['description']:
            o += ['.PP', roff(p)]
    if parsed['sections']:
        if not parsed['sections'][0][0].isupper():
            o.append('.SH OPTIONS')
        for title, items in parsed['sections']:
            if title.isupper():   # a section of its own (perfkit.1's COMMANDS)
                o.append('.SH ' + roff(title))
            elif title != 'Options' or len(parsed['sections']) > 1:
                o.append('.SS ' + roff(title))
            for kind, item in items:
                if kind == 'opt':
                    o += ['.TP', '.B ' + roff(item[0])]
                    o.append(roff(' '.join(item[1])) if item[1] else '.PP')
                else:
                    o += ['.PP', roff(item)]
    if parsed['exit']:
        o.append('.SH EXIT STATUS')
        for p in parsed['exit']:
            o += ['.PP', roff(p[len('Exit:'):].strip())]
    o += ['.SH SEE ALSO', ',\n'.join('.BR %s (1)' % roff(s) for s in see_also)]
    return '\n'.join(o) + '\n'


def bash_completion(cmds, info):
    q = lambda xs: ' '.join(xs)
    o = ['# bash completion for perfkit — generated by tools/helpgen.py from --help',
         '_perfkit()', '{',
         '    local cur=${COMP_WORDS[COMP_CWORD]} opts="" words=""',
         '    COMPREPLY=()',
         '    if [ "$COMP_CWORD" -eq 1 ]; then',
         '        COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))'
         % q(c for c, _ in cmds),
         '        return 0', '    fi',
         '    case ${COMP_WORDS[1]} in']
    for c, _ in cmds:
        parsed = info[c]
        o.append('        %s) opts="%s"; words="%s" ;;'
                 % (c, q(sorted({w for w, _ in options(parsed)})), q(words(parsed, c))))
    o += ['    esac',
          '    case $cur in',
          '        -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;',
          '        *) [ "$COMP_CWORD" -eq 2 ] && [ -n "$words" ] &&'
          ' COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;',
          '    esac', '    return 0', '}',
          'complete -o default -F _perfkit perfkit', '']
    return '\n'.join(o)


def zq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def zsh_completion(cmds, info):
    o = ['#compdef perfkit',
         '# zsh completion for perfkit — generated by tools/helpgen.py from --help',
         'local -a cmds opts subs', 'cmds=(']
    o += ['  %s' % zq('%s:%s' % (c, s)) for c, s in cmds]
    o += [')', 'if (( CURRENT == 2 )); then', "  _describe 'command' cmds", '  return', 'fi',
          'case $words[2] in']
    for c, _ in cmds:
        parsed = info[c]
        opts = ' '.join(zq('%s:%s' % (w.replace(':', '\\:'), d)) for w, d in options(parsed))
        o.append('  %s) opts=(%s); subs=(%s) ;;' % (c, opts, ' '.join(words(parsed, c))))
    o += ['esac',
          'if [[ $PREFIX == -* ]]; then',
          "  _describe 'option' opts",
          'elif (( CURRENT == 3 && $#subs )); then',
          "  compadd -a subs",
          'else', '  _files', 'fi', '']
    return '\n'.join(o)


def main():
    perfkit, outdir = sys.argv[1], sys.argv[2]
    version = subprocess.run([perfkit, '--version'], check=True, capture_output=True,
                             text=True).stdout.split()[-1]
    top = help_of(perfkit)
    cmds = commands(top)
    info = {c: parse(help_of(perfkit, c)) for c, _ in cmds}
    os.makedirs(os.path.join(outdir, 'man'), exist_ok=True)
    os.makedirs(os.path.join(outdir, 'completions'), exist_ok=True)
    pages = ['perfkit-' + c for c, _ in cmds]
    mainp = {'synopsis': ['perfkit <command> [options] [\\-\\-] [args]'.replace('\\', ''),
                          'perfkit \\-\\-help | \\-\\-version'.replace('\\', '')],
             'description': [('para', 'perfkit is a performance-engineering toolkit for '
                              'native software. Each command has its own page, and '
                              '`perfkit <command> --help` prints the same text.')],
             'sections': [('COMMANDS', [('opt', ['perfkit ' + c, [s + ' (see perfkit-%s(1))'
                                                                  % c]]) for c, s in cmds]),
                          ('OPTIONS', [('opt', ['-h, --help', ['the commands']]),
                                       ('opt', ['-V, --version', ['the version']])])],
             'exit': ['Exit: 0 ok, 1 a verdict failed or a benchmarked command failed, 2 usage '
                      'or input error, 3 internal error (each page lists its own).']}
    out = {'man/perfkit.1': man_page('perfkit', 'performance-engineering toolkit',
                                     version, mainp, pages)}
    for c, s in cmds:
        out['man/perfkit-%s.1' % c] = man_page('perfkit-' + c, s, version, info[c],
                                               ['perfkit'] + [p for p in pages
                                                              if p != 'perfkit-' + c])
    out['completions/perfkit'] = bash_completion(cmds, info)
    out['completions/_perfkit'] = zsh_completion(cmds, info)
    for rel, text in out.items():
        with open(os.path.join(outdir, rel), 'w', encoding='utf-8') as f:
            f.write(text)


if __name__ == '__main__':
    main()
