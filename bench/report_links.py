"""Prints bench/run's review-link table from review_link_bench's JSON lines (native, wasm)."""

import json
import sys

native, wasm = ([json.loads(line) for line in arg.splitlines() if line.strip()]
                for arg in sys.argv[1:3])
print(f"  {'review':10} {'files':>5} {'text':>10} {'link':>12} {'link/text':>9}"
      f" {'encode':>10} {'decode':>10} {'encode wasm':>12} {'decode wasm':>12}")
for n, w in zip(native, wasm, strict=True):
    # The same review must give the same link in both builds, or the figures compare nothing.
    assert (n["label"], n["chars"]) == (w["label"], w["chars"]), (n, w)
    print(f"  {n['label']:10} {n['files']:5} {n['bytes']:8,} B {n['chars']:8,} chars"
          f" {n['chars'] / n['bytes']:8.2f}x {n['encode_us'] / 1000:7.2f} ms {n['decode_us'] / 1000:7.2f} ms"
          f" {w['encode_us'] / 1000:9.2f} ms {w['decode_us'] / 1000:9.2f} ms")
