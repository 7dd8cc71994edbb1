#!/usr/bin/env python3
"""Modules import one way: prints every pair of modules of one crate that use each other and exits 1
when there is any. A pair is two siblings (`crate::a` and `crate::b`, or `a::x` and `a::y`, each with
everything below it) or a module and one of its children (`a` and `a::x`). A module uses another when
it names it in a path: `crate::…`, `super::…`, `self::…`, the name of one of its own children
(`shards::Shards` in `serve/mod.rs`), or a name it brought in with `use` (`Gpt2::shared()`). A name
a module re-exports (`pub use x::Name`) counts as x's, and a re-export itself is a module's
interface, not a use. Test code (`#[cfg(test)]` items, `tests.rs`, `*_tests.rs`), `src/bin/` and
comments are left out.

usage: scripts/module-cycles.py [CRATE_SRC_DIR...]   (default: src and every crates/*/src)"""
import glob
import os
import re
import sys

PATH = re.compile(r"(?<![\w:])((?:[A-Za-z_]\w*)(?:::(?:[A-Za-z_]\w*))*)(?:::\{([^{}]*)\})?")
USE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")


def module_of(rel):
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def source(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    text = re.sub(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*mod\s+\w+\s*;", "", text)  # test files
    text = re.split(r"#\[cfg\(test\)\]", text)[0]  # the test module and what follows stay out
    text = re.sub(r"//[^\n]*", "", text)  # comments (doc links)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)  # strings
    return text


def flatten(tree):
    """`a::{b, c::{d, e}}` → [['a','b'], ['a','c','d'], ['a','c','e']] (names only, no `as`)."""
    tree = tree.strip()
    m = re.match(r"^([\w:]*?)(?:::)?\{(.*)\}$", tree, re.S)
    if not m:
        return [[s for s in re.split(r"::", tree.split(" as ")[0].strip()) if s]]
    head = [s for s in m.group(1).split("::") if s]
    out, depth, item = [], 0, ""
    for ch in m.group(2) + ",":
        if ch == "," and depth == 0:
            if item.strip():
                out += [head + tail for tail in flatten(item)]
            item = ""
            continue
        depth += (ch == "{") - (ch == "}")
        item += ch
    return out


class Crate:
    def __init__(self, src):
        self.files = {}
        for dirpath, _, names in os.walk(src):
            for name in names:
                rel = os.path.relpath(os.path.join(dirpath, name), src).replace(os.sep, "/")
                if not name.endswith(".rs") or name.endswith("_tests.rs") or name == "tests.rs":
                    continue
                if rel.startswith("bin/"):
                    continue
                self.files[module_of(rel)] = source(os.path.join(src, rel))
        self.modules = set(self.files)
        self.reexports = {}  # (module, name) -> the path it names, for `pub use`
        self.imports = {}  # (module, name) -> the path it names, for every `use`
        for me, text in self.files.items():
            for m in USE.finditer(text):
                for segs in flatten(m.group(2)):
                    if segs and segs[-1] not in ("self", "*"):
                        self.imports[(me, segs[-1])] = segs
                        if m.group(1):
                            self.reexports[(me, segs[-1])] = segs

    def resolve(self, me, segs, depth=0):
        """The module `segs` (a path written in module `me`) lands in, or None outside the crate."""
        if segs[0] in ("crate", "super", "self"):
            base = [] if segs[0] == "crate" else list(me)
        elif me + (segs[0],) in self.modules:  # a child module by its bare name
            base = list(me)
        elif (me, segs[0]) in self.imports and depth < 8:  # a name brought in by a `use`
            return self.resolve(me, self.imports[(me, segs[0])] + list(segs[1:]), depth + 1)
        else:
            return None
        rest = list(segs)
        while rest:
            s = rest[0]
            if s == "crate" or s == "self":
                rest.pop(0)
            elif s == "super":
                base = base[:-1]
                rest.pop(0)
            elif tuple(base + [s]) in self.modules:
                base.append(s)
                rest.pop(0)
            else:
                break
        target = tuple(base)
        if rest and (target, rest[0]) in self.reexports and depth < 8:
            again = self.resolve(target, self.reexports[(target, rest[0])] + rest[1:], depth + 1)
            if again is not None:
                return again
        return target

    def uses(self):
        edges = set()
        for me, text in self.files.items():
            # A re-export is the module's interface; `mod x;` declares, it does not use.
            text = USE.sub(lambda m: "" if m.group(1) else "use " + m.group(2) + ";", text)
            text = re.sub(r"\bmod\s+\w+\s*;", "", text)
            paths = []
            for m in USE.finditer(text):
                paths += flatten(m.group(2))
            text = USE.sub("", text)
            for m in PATH.finditer(text):
                if "::" in m.group(1):
                    head = m.group(1).split("::")
                    tails = [[]]
                    if m.group(2):
                        tails = [flatten(t)[0][:1] for t in m.group(2).split(",") if t.strip()]
                    paths += [head + tail for tail in tails]
            for segs in paths:
                if not segs:
                    continue
                target = self.resolve(me, segs)
                if target is not None and target != me:
                    edges.add((me, target))
        return edges


def pairs(crate):
    ties = set()
    for a, b in crate.uses():
        i = 0
        while i < len(a) and i < len(b) and a[i] == b[i]:
            i += 1
        if i < len(a) and i < len(b):  # siblings under a[:i]
            ties.add((a[: i + 1], b[: i + 1]))
        elif i == len(b):  # b is an ancestor of a: a's branch uses b itself
            ties.add((a[: i + 1], b))
        else:  # a is an ancestor of b: a uses its child's branch
            ties.add((a, b[: i + 1]))
    return sorted((a, b) for a, b in ties if a < b and (b, a) in ties)


def name(module):
    return "::".join(module) or "(crate root)"


def main(dirs):
    found = []
    for src in dirs:
        for a, b in pairs(Crate(src)):
            found.append(f"{src}: {name(a)} <-> {name(b)}")
    print("\n".join(found) if found else "no module pair uses each other")
    return 1 if found else 0


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    sys.exit(main(sys.argv[1:] or ["src"] + sorted(glob.glob("crates/*/src"))))
