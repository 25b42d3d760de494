"""``make bench``: run every benchmark, print ratios against their targets, fail if one misses."""

from __future__ import annotations

import sys

from benchmarks import engine_overhead, simulate_speed


def main() -> int:
    rows = engine_overhead.run() + simulate_speed.run()
    width = max(len(r["benchmark"]) for r in rows)
    base = max(len(r["baseline"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'baseline':<{base}} {'ratio':>7} {'target':>7}  result")
    for r in rows:
        verdict = "ok" if r["ok"] else "MISSED"
        print(
            f"{r['benchmark']:<{width}}  {r['baseline']:<{base}} {r['ratio']:>7.3f} "
            f"{'<= ' + str(r['target']):>7}  {verdict}"
            + (f"  ({r['note']})" if r.get("note") else "")
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
