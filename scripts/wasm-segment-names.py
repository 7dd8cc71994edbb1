#!/usr/bin/env python3
"""Drops the data segments' names from wasm modules' name sections, in place (scripts/split-wasm.sh).

The wasm splitter leaves several data segments named `.rodata`, and binaryen 116's wasm-opt refuses a
module whose segments share a name; nothing needs those names (the functions' names stay).
    python3 scripts/wasm-segment-names.py a.wasm b.wasm ...
"""
import sys

NAME_SUBSECTION_DATA_SEGMENTS = 9


def leb(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def uleb(value):
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def without_segment_names(data):
    out, i = bytearray(data[:8]), 8
    while i < len(data):
        section = data[i]
        size, start = leb(data, i + 1)
        end = start + size
        body = data[start:end]
        if section == 0:
            length, k = leb(data, start)
            if data[k:k + length] == b"name":
                k += length
                kept = bytearray(data[start:k])
                while k < end:
                    subsection = data[k]
                    length, sub_start = leb(data, k + 1)
                    if subsection != NAME_SUBSECTION_DATA_SEGMENTS:
                        kept += data[k:sub_start + length]
                    k = sub_start + length
                body = bytes(kept)
        out += bytes([section]) + uleb(len(body)) + body
        i = end
    return bytes(out)


def main():
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(without_segment_names(data))


if __name__ == "__main__":
    main()
