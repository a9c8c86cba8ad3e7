"""The whole benchmark suite: platform (throughput, latency, memory), deploy → visible, ingestion.

Each part starts and stops what it measures and prints its own table; ``--quick`` passes on to
every part (proves the suite runs, figures mean little). ``--json DIR`` keeps each part's figures.

Usage: ./pants run benchmarks:all -- [--quick] [--json DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import deploy_benchmark, ingestion_benchmark, platform_benchmark

PARTS: dict[str, Callable[[list[str]], int]] = {
    "platform": platform_benchmark.main,
    "deploy": deploy_benchmark.main,
    "ingestion": ingestion_benchmark.main,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every part in its quick mode")
    parser.add_argument("--json", type=Path, help="write <part>.json here")
    parser.add_argument("--parts", default=",".join(PARTS), help="which parts, in order")
    args = parser.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    if not parts or set(parts) - set(PARTS):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    failed = []
    for name in parts:
        print(f"== {name} ==", flush=True)
        part_args = ["--quick"] if args.quick else []
        if args.json:
            args.json.mkdir(parents=True, exist_ok=True)
            part_args += ["--json", str(args.json / f"{name}.json")]
        if PARTS[name](part_args) != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
