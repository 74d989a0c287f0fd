#!/usr/bin/env python3
"""Make the oracle's output reproducible: drop run-specific paths and pydantic's doc links.

    python3 tidy_verdicts.py OUT.jsonl CASES_DIR > verdicts/<release>.jsonl

The oracle's messages quote the config path (a temporary copy of the cases) and pydantic's
"For further information visit https://errors.pydantic.dev/<pydantic version>/..." lines; both
change between runs or machines and say nothing about nanobot, so they are replaced by
"<cases>/<id>/config.json" and removed. Nothing else is changed.
"""
import json
import re
import sys
from pathlib import Path

URL = re.compile(r"\n?\s*For further information visit https://errors\.pydantic\.dev/\S+")
HOME = re.compile(r"/tmp/nbhome-[A-Za-z0-9_]+")


def tidy(v, cases: str):
    if isinstance(v, str):
        v = v.replace(cases, "<cases>")
        v = URL.sub("", v)
        return HOME.sub("<home>", v)
    if isinstance(v, list):
        return [tidy(x, cases) for x in v]
    if isinstance(v, dict):
        return {k: tidy(x, cases) for k, x in v.items()}
    return v


def main():
    out, cases = sys.argv[1], str(Path(sys.argv[2]).resolve())
    for line in open(out, encoding="utf-8"):
        r = json.loads(line)
        sys.stdout.write(json.dumps(tidy(r, cases), ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
