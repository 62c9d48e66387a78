#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Check that a netlink spec (Documentation/netlink/specs/ctrack.yaml) and
the uAPI header written by hand (include/uapi/linux/ctrack.h) agree.

The C names are formed from the spec as the kernel's ynl-gen-c forms
them (name-prefix, attr-cnt-name, attr-max-name, c-family-name, ...).
For every enum the spec defines, the header's enum must list the same
names with the same values in the same order; flags and consts must
have the same values; the attribute and command enums must end with
their count, and the "max" define must be that count minus one. Then
the other way round: every enum member and define of the header must
be accounted for by the spec, so neither side can drift alone.

Trailing header enum members that the spec does not list and whose
name contains MAX (__CTRACK_TCP_MAX, CTRACK_DIR_MAX, ...) are taken as
the enum's count and must equal it.

Needs only the standard library and PyYAML. Exit status 0 when the two
agree, 1 with one line per disagreement otherwise.
"""

import argparse
import ast
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


class Header:
    """The enums and object-like defines of a C header."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
        text = re.sub(r'//[^\n]*', ' ', text)
        self.path = path
        self.enums = []         # (tag or None, [(name, value), ...])
        self.values = {}        # every enum member and define: value
        self.raw_defines = {}   # define: expression text
        self.define_order = []
        self.guard = None

        for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+(\w+)(\(?)[ \t]*(.*)$',
                             text, flags=re.M):
            name, func, body = m.group(1), m.group(2), m.group(3).strip()
            if func:
                continue        # function-like macro: not a constant
            if not body:
                self.guard = name
                continue
            self.raw_defines[name] = body
            self.define_order.append(name)

        for m in re.finditer(r'\benum\s+(\w*)\s*\{(.*?)\}\s*;', text, flags=re.S):
            tag = m.group(1) or None
            members = []
            nxt = 0
            for item in m.group(2).split(','):
                item = item.strip()
                if not item:
                    continue
                if '=' in item:
                    name, expr = (s.strip() for s in item.split('=', 1))
                    value = self.eval(expr)
                else:
                    name, value = item, nxt
                members.append((name, value))
                self.values[name] = value
                nxt = value + 1
            self.enums.append((tag, members))

        for name in self.define_order:
            self.values[name] = self.define(name)

    def define(self, name):
        if name not in self.values:
            self.values[name] = self.eval(self.raw_defines[name])
        return self.values[name]

    def eval(self, expr):
        expr = expr.strip()
        if expr.startswith('"'):
            return ast.literal_eval(expr)
        expr = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b', r'\1', expr)
        return self._eval(ast.parse(expr, mode='eval').body)

    def _eval(self, node):
        ops = {ast.LShift: lambda a, b: a << b, ast.BitOr: lambda a, b: a | b,
               ast.BitAnd: lambda a, b: a & b, ast.Add: lambda a, b: a + b,
               ast.Sub: lambda a, b: a - b}
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.values:
                return self.values[node.id]
            if node.id in self.raw_defines:
                return self.define(node.id)
            raise ValueError(f'{self.path}: unknown name {node.id}')
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](self._eval(node.left), self._eval(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return ~self._eval(node.operand)
        raise ValueError(f'{self.path}: cannot evaluate {ast.dump(node)}')

    def enum(self, tag):
        for t, members in self.enums:
            if t == tag:
                return members
        return None

    def enum_of(self, name):
        """The members of the enum that has @name, or None."""
        for _, members in self.enums:
            if any(n == name for n, _ in members):
                return members
        return None


class Checker:
    def __init__(self, spec, hdr):
        self.spec = spec
        self.hdr = hdr
        self.ident = c_lower(spec['name'])
        self.errors = []
        self.claimed = set()
        self.checked = 0

    def err(self, msg):
        self.errors.append(msg)

    def want_value(self, name, value, what):
        self.claimed.add(name)
        self.checked += 1
        if name not in self.hdr.values:
            self.err(f'{what}: {name} is not in the header')
        elif self.hdr.values[name] != value:
            self.err(f'{what}: {name} is {self.hdr.values[name]!r} in the header, '
                     f'{value!r} in the spec')

    def want_enum(self, tag, expected, what, count=None, sentinels_ok=True):
        """
        The header's enum @tag (None: find it by its first member) must be
        @expected, a list of (name, value), then @count if given; with
        @sentinels_ok, trailing *MAX* members it adds must equal the count.
        """
        self.checked += 1
        members = self.hdr.enum(tag) if tag else self.hdr.enum_of(expected[0][0])
        label = f'enum {tag}' if tag else f'the enum of {expected[0][0]}'
        if members is None:
            self.err(f'{what}: {label} is not in the header')
            return
        want = list(expected)
        if count:
            want.append((count, expected[-1][1] + 1))
        got = members[:len(want)]
        for i, ((gn, _), (wn, _)) in enumerate(zip(got, want)):
            if gn != wn:
                self.err(f'{what}: member {i} of {label} is {gn} in the header, '
                         f'{wn} in the spec')
                break
        if len(got) < len(want):
            self.err(f'{what}: {label} ends before {want[len(got)][0]}')
        for (gn, gv), (wn, wv) in zip(got, want):
            if gn == wn and gv != wv:
                self.err(f'{what}: {gn} is {gv} in the header, {wv} in the spec')
        last = want[-1][1]
        for name, value in members[len(want):]:
            if not sentinels_ok or 'MAX' not in name:
                self.err(f'{what}: {label} has {name}, which the spec lacks')
            elif value != len(expected) or value != last + 1:
                self.err(f'{what}: sentinel {name} = {value} is not the count, '
                         f'{last + 1}')
            self.claimed.add(name)
        self.claimed.update(n for n, _ in want)

    def family(self):
        name = self.spec['name']
        name_key = c_upper(self.spec.get('c-family-name', name + '_FAMILY_NAME'))
        ver_key = c_upper(self.spec.get('c-version-name', name + '_FAMILY_VERSION'))
        self.want_value(name_key, name, 'family name')
        self.want_value(ver_key, self.spec.get('version', 1), 'family version')

    def definitions(self):
        for d in self.spec.get('definitions', []):
            what = f"definition {d['name']}"
            if d['type'] == 'const':
                self.want_value(c_upper(f"{self.ident}-{d['name']}"), d['value'], what)
                continue
            if d['type'] not in ('enum', 'flags'):
                continue
            pfx = d.get('name-prefix', f"{self.ident}-{d['name']}-")
            entries = []
            val = d.get('value-start', 0)
            for e in d['entries']:
                if isinstance(e, str):
                    e = {'name': e}
                val = e.get('value', val)
                v = 1 << val if d['type'] == 'flags' else val
                entries.append((c_upper(pfx + e['name']), v))
                val += 1
            if 'header' in d:
                self.foreign(d, entries, what)
                continue
            if 'enum-name' in d:
                tag = c_lower(d['enum-name']) if d['enum-name'] else None
            else:
                tag = c_lower(f"{self.ident}-{d['name']}")
            if d['type'] == 'flags' and tag is None:
                # Anonymous flags: the header may define them one by one.
                for name, v in entries:
                    self.want_value(name, v, what)
                continue
            count = c_upper('__' + pfx + 'max') if d.get('render-max') else None
            self.want_enum(tag, entries, what, count)
            if count:
                self.want_value(c_upper(pfx + 'max'), entries[-1][1], what)

    def foreign(self, d, entries, what):
        """A definition from another header: check it there if it is installed."""
        path = os.path.join('/usr/include', d['header'])
        if not os.path.exists(path):
            print(f'note: {what}: {path} not installed, not checked')
            return
        other = Header(path)
        for name, v in entries:
            self.checked += 1
            if other.values.get(name) != v:
                self.err(f'{what}: {name} is {other.values.get(name)!r} in {path}, '
                         f'{v} in the spec')

    def attr_sets(self):
        max_by_define = self.spec.get('max-by-define', False)
        for s in self.spec['attribute-sets']:
            if 'subset-of' in s:
                continue
            what = f"attribute set {s['name']}"
            if 'name-prefix' in s:
                pfx = s['name-prefix']
            elif s['name'] == self.spec['name']:
                pfx = f'{self.ident}-a-'
            else:
                pfx = f"{self.ident}-a-{s['name']}-"
            cnt = c_upper(s.get('attr-cnt-name', f'__{pfx}max'))
            mx = c_upper(s.get('attr-max-name', f'{pfx}max'))
            entries = []
            val = 1
            for a in s['attributes']:
                val = a.get('value', val)
                entries.append((c_upper(pfx + a['name']), val))
                val += 1
            tag = c_lower(s['enum-name']) if s.get('enum-name') else None
            self.want_enum(tag, entries, what, cnt, sentinels_ok=False)
            if max_by_define:
                self.want_value(mx, entries[-1][1], what)
            else:
                self.claimed.add(mx)

    def operations(self):
        ops = self.spec['operations']
        if ops.get('enum-model', 'unified') != 'unified':
            self.err('operations: only the unified enum model is checked')
            return
        pfx = ops.get('name-prefix', f"{self.ident}-cmd-")
        entries = []
        val = 1
        for op in ops['list']:
            val = op.get('value', val)
            if 'async-prefix' in ops and ('notify' in op or 'event' in op):
                self.err(f"operations: {op['name']}: separate notification enums "
                         'are not checked')
            entries.append((c_upper(pfx + op['name']), val))
            val += 1
        cnt = c_upper(self.spec.get('cmd-cnt-name', f'__{pfx}max'))
        mx = c_upper(self.spec.get('cmd-max-name', f'{pfx}max'))
        tag = c_lower(ops['enum-name']) if ops.get('enum-name') else None
        self.want_enum(tag, entries, 'operations', cnt, sentinels_ok=False)
        if self.spec.get('max-by-define', False):
            self.want_value(mx, entries[-1][1], 'operations')
        else:
            self.claimed.add(mx)

    def mcast_groups(self):
        for g in self.spec.get('mcast-groups', {}).get('list', []):
            name = c_upper(g.get('c-define-name', f"{self.ident}-mcgrp-{g['name']}"))
            self.want_value(name, g['name'], f"multicast group {g['name']}")

    def coverage(self):
        names = [n for _, members in self.hdr.enums for n, _ in members]
        names += self.hdr.define_order
        for name in names:
            if name not in self.claimed:
                self.err(f'header: {name} is not described by the spec')

    def run(self):
        self.family()
        self.definitions()
        self.attr_sets()
        self.operations()
        self.mcast_groups()
        self.coverage()
        return self.errors


def default_path(rel):
    return os.path.relpath(os.path.join(ROOT, rel))


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split('\n\n')[0])
    ap.add_argument('--spec', default=default_path('Documentation/netlink/specs/ctrack.yaml'))
    ap.add_argument('--header', default=default_path('include/uapi/linux/ctrack.h'))
    args = ap.parse_args()

    with open(args.spec, encoding='utf-8') as f:
        spec = yaml.safe_load(f)
    checker = Checker(spec, Header(args.header))
    errors = checker.run()
    for e in errors:
        print(f'{args.spec}: {e}', file=sys.stderr)
    if errors:
        return 1
    print(f'{args.spec} agrees with {args.header} '
          f'({checker.checked} enums and constants, {len(checker.claimed)} names)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
