#!/usr/bin/env python3
"""Fails when the `use crate::` paths inside a crate go round in a circle.

A module may use its own submodules and its ancestors freely (that is one module); any other
import between two modules is an edge. Two views are checked, and both must be free of cycles:
- files: every `.rs` file is a module;
- features: every top-level module (a feature folder such as `invitations/`) is one node, so a
  feature that imports another feature that imports it back is reported even through different files.
Usage: module-cycles.py [crate_dir ...]   (default: every crate under crates/)
"""
import os
import re
import sys

PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b(crate|super)::((?:[A-Za-z_][A-Za-z0-9_]*::)*)\{([^;]*?)\}", re.S)


def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            mods[tuple(rel)] = os.path.join(root, f)
    return mods


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def resolve(mod, head, parts):
    if head == "crate":
        base = []
    elif head == "self":
        base = list(mod)
    else:  # super: the parent module, and one more level for each further `super`
        base = list(mod[:-1])
        while parts and parts[0] == "super":
            base = base[:-1]
            parts = parts[1:]
    return tuple(base + parts)


def targets(mods, mod, path, text):
    found = []
    for m in GROUP.finditer(text):
        prefix = [p for p in m.group(2).split("::") if p]
        for item in re.split(r"[,\s]+", m.group(3)):
            item = item.split("::")[0].strip("{} ")
            if item and item != "self":
                found.append(resolve(mod, m.group(1), prefix + [item]))
            elif item == "self":
                found.append(resolve(mod, m.group(1), prefix))
    for m in PATH.finditer(text):
        parts = [p for p in m.group(2).split("::") if p]
        found.append(resolve(mod, m.group(1), parts))
    out = set()
    for t in found:
        while t and t not in mods:
            t = t[:-1]
        if t:
            out.add(t)
    return out


def without_test_modules(text):
    """Drops `#[cfg(test)] mod tests { ... }` blocks: a module's tests may reach anywhere."""
    out, pos = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < pos:
            continue
        depth, k = 1, m.end()
        while k < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[k], 0)
            k += 1
        out.append(text[pos:m.start()])
        pos = k
    out.append(text[pos:])
    return "".join(out)


def related(a, b):
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def cycles(edges):
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                sccs.append(sorted(scc))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return sccs


def check(crate):
    src = os.path.join(crate, "src")
    mods = modules(src)
    files, features = {}, {}
    for mod, path in mods.items():
        with open(path, encoding="utf-8") as fh:
            text = strip(fh.read())
        text = without_test_modules(text)
        for t in targets(mods, mod, path, text):
            if not related(mod, t):
                files.setdefault(mod, set()).add(t)
                if mod and t and mod[0] != t[0]:
                    features.setdefault(mod[0], set()).add(t[0])
    bad = 0
    for view, edges in (("files", files), ("features", features)):
        for scc in cycles(edges):
            bad += 1
            names = ["::".join(m) if isinstance(m, tuple) else m for m in scc]
            print(f"{crate}: import cycle ({view}): {' <-> '.join(names)}")
            for a in scc:
                for b in sorted(edges.get(a, ())):
                    if b in scc:
                        fa = "::".join(a) if isinstance(a, tuple) else a
                        fb = "::".join(b) if isinstance(b, tuple) else b
                        print(f"    {fa} -> {fb}")
    return bad


def main():
    crates = sys.argv[1:] or sorted(
        os.path.join("crates", c) for c in os.listdir("crates") if os.path.isdir(os.path.join("crates", c, "src"))
    )
    bad = sum(check(c) for c in crates)
    if bad:
        print(f"{bad} import cycle(s)")
        sys.exit(1)
    print("no import cycles")


if __name__ == "__main__":
    main()
