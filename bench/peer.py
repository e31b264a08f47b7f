#!/usr/bin/env python3
"""The Python peer: CSV -> JSON Lines with the standard csv and json modules,
converting each column to its type (long, string, long, double, string) as
bulkhead does.  Usage: peer.py IN.csv OUT.jsonl"""
import csv
import json
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(src, newline="", encoding="utf-8") as f, \
            open(dst, "w", encoding="utf-8", buffering=1 << 20) as out:
        rows = csv.reader(f)
        names = next(rows)
        write = out.write
        for r in rows:
            write(dumps({names[0]: int(r[0]), names[1]: r[1], names[2]: int(r[2]),
                         names[3]: float(r[3]), names[4]: r[4]}))
            write("\n")


if __name__ == "__main__":
    main()
