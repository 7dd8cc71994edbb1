#!/usr/bin/env python3
"""Where the dashboard's wasm bytes are: its function bodies grouped by where they come from (the page,
Leptos, serde, likely-core, ...), each group's raw bytes and its bytes compressed alone with brotli 11,
plus the data section's texts and the rest (vtables, tables).

The main module, the one a first visit downloads: scripts/split-wasm.sh keeps each module with its
function names in `$CARGO_TARGET_DIR/wasm-split/wasm-release/` (`main.wasm`, the pieces under their
names); this runs the same wasm-opt on the main one with `-g` (names kept), then reads the name
section.
    scripts/build.sh (or trunk build --release), then: python3 scripts/wasm-parts.py
    python3 scripts/wasm-parts.py some-named.wasm        # a wasm that already has its names
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# First match wins: (substring of the demangled name, group).
GROUPS = [
    ("serde", "serde and serde_json"), ("Deserial", "serde and serde_json"),
    ("Serial", "serde and serde_json"), ("Visitor", "serde and serde_json"),
    ("tachys", "Leptos"), ("reactive_graph", "Leptos"), ("leptos", "Leptos"), ("any_spawner", "Leptos"),
    ("IntoAny", "Leptos"), ("Render", "Leptos"),
    ("miniz", "miniz_oxide, csv, sha2, base64, postcard"), ("csv", "miniz_oxide, csv, sha2, base64, postcard"),
    ("sha2", "miniz_oxide, csv, sha2, base64, postcard"), ("base64", "miniz_oxide, csv, sha2, base64, postcard"),
    ("postcard", "miniz_oxide, csv, sha2, base64, postcard"),
    ("core::fmt", "the rest"), ("flt2dec", "the rest"), ("dec2flt", "the rest"),
    ("core::", "core/alloc generics"), ("alloc::", "core/alloc generics"),
]


def group(name):
    head = name.split("::")[0]
    if "likely_app" in head:
        return "the page's own functions"
    if head.lstrip("<") == "likely_core":
        return "likely-core's own functions"
    for key, label in GROUPS:
        if key in name:
            return label
    return "the rest"


def _segment_names():
    """scripts/wasm-segment-names.py as a module (its name has dashes): its LEB128 reader."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wasm-segment-names.py")
    spec = importlib.util.spec_from_file_location("wasm_segment_names", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


leb = _segment_names().leb


def string(data, i):
    n, i = leb(data, i)
    return data[i:i + n].decode("utf-8", "replace"), i + n


def brotli(data):
    return len(subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True).stdout)


def read(path):
    data = open(path, "rb").read()
    imported, bodies, names, data_section = 0, [], {}, b""
    i = 8
    while i < len(data):
        section = data[i]
        size, j = leb(data, i + 1)
        end = j + size
        if section == 2:  # imports: count the functions, which come first in the index space
            n, k = leb(data, j)
            for _ in range(n):
                _, k = string(data, k)
                _, k = string(data, k)
                kind = data[k]
                k += 1
                if kind == 0:
                    _, k = leb(data, k)
                    imported += 1
                elif kind == 1:
                    k += 1
                    flags, k = leb(data, k)
                    _, k = leb(data, k)
                    if flags & 1:
                        _, k = leb(data, k)
                elif kind == 2:
                    flags, k = leb(data, k)
                    _, k = leb(data, k)
                    if flags & 1:
                        _, k = leb(data, k)
                else:
                    k += 2
        elif section == 10:
            n, k = leb(data, j)
            for _ in range(n):
                length, k = leb(data, k)
                bodies.append(data[k:k + length])
                k += length
        elif section == 11:
            data_section = data[j:end]
        elif section == 0:
            name, k = string(data, j)
            while name == "name" and k < end:
                sub, (length, k2) = data[k], leb(data, k + 1)
                if sub == 1:
                    n, q = leb(data, k2)
                    for _ in range(n):
                        index, q = leb(data, q)
                        names[index], q = string(data, q)
                k = k2 + length
        i = end
    return imported, bodies, names, data_section


def named_wasm():
    script = open(os.path.join(ROOT, "scripts", "split-wasm.sh")).read()
    flags = re.search(r"WASM_OPT_FLAGS=\(([^)]*)\)", script).group(1).split()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    source = os.path.join(target, "wasm-split", "wasm-release", "main.wasm")
    out = tempfile.NamedTemporaryFile(suffix=".wasm", delete=False).name
    subprocess.run(["wasm-opt", *flags, source, "-g", "-o", out], check=True, stderr=subprocess.DEVNULL)
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else named_wasm()
    imported, bodies, names, data_section = read(path)
    if not names:
        sys.exit(f"{path} has no function names")
    groups = collections.defaultdict(list)
    for index, body in enumerate(bodies):
        name = names.get(imported + index, "?")
        groups[group(name)].append((name, body))
    print(f"{'part':45} {'raw':>9} {'brotli':>8} functions")
    for label, items in sorted(groups.items(), key=lambda item: -sum(len(b) for _, b in item[1])):
        items.sort()  # the order wasm-opt --reorder-functions-by-name gives
        blob = b"".join(body for _, body in items)
        print(f"{label:45} {len(blob):9,} {brotli(blob):8,} {len(items)}")
    code = b"".join(bodies)
    print(f"{'(all function bodies, compressed together)':45} {len(code):9,} {brotli(code):8,}")
    texts = re.findall(rb"[\x20-\x7e\n\t]{6,}", data_section)
    text = b"".join(texts)
    rest = re.sub(rb"[\x20-\x7e\n\t]{6,}", b"", data_section)
    print(f"{'data section: texts':45} {len(text):9,} {brotli(text):8,}")
    print(f"{'data section: the rest (vtables, tables)':45} {len(rest):9,} {brotli(rest):8,}")


if __name__ == "__main__":
    main()
