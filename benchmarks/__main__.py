"""``make bench``: run every benchmark, print ratios against their targets, fail if one misses."""

from __future__ import annotations

import sys

from benchmarks import engine_overhead


def main() -> int:
    rows = engine_overhead.run()
    width = max(len(r["benchmark"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'baseline':<12} {'ratio':>7} {'target':>7}  result")
    for r in rows:
        verdict = "ok" if r["ok"] else "MISSED"
        print(
            f"{r['benchmark']:<{width}}  {r['baseline']:<12} {r['ratio']:>7.3f} "
            f"{'<= ' + str(r['target']):>7}  {verdict}"
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
