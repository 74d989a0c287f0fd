#!/usr/bin/env python3
"""Write schemas/nanobot/index.json: the releases covered, oldest first, with a one-line summary each.

    python3 index.py schemas/nanobot

The summary repeats a few derived facts of each <name>.json so a reader can see the differences
between releases at a glance; the per-release file stays the source of truth.
"""
import json
import sys
from pathlib import Path


def summary(d: dict) -> dict:
    ld, env, af, ch, it = d["loader"], d["env"], d["allowFrom"], d["channels"], d["interpolation"]
    return {
        "topLevelKeys": list(d["root"]["topLevelKeys"]),
        "onInvalidJson": ld["onInvalidJson"],
        "onInvalidSchema": ld["onInvalidSchema"],
        "onUnknownTopLevelKey": ld["onUnknownTopLevelKey"],
        "onSectionNotObject": ld["probes"]["toolsArray"]["status"],
        "typedChannelSections": ch["typedSections"],
        "badChannelValue": ch["badChannelValue"]["effect"],
        "channels": list(ch["list"]),
        "allowFromEmpty": af["empty"],
        "allowFromStar": af["star"],
        "gatewayExitsOnEmptyAllowFrom": af["gatewayExitsOnEmpty"],
        "keys": d["keys"]["bothSpellings"],
        "envReadBeforeFile": env["readBeforeFile"],
        "envInvalidValueStopsEvenWhenFileSetsKey": env["invalidValueStopsEvenWhenFileSetsKey"],
        "envChannelValuesJsonDecoded": env["channelValuesJsonDecoded"],
        "interpolation": it["supported"],
    }


def main():
    out_dir = Path(sys.argv[1])
    rel = []
    for p in sorted(out_dir.glob("*.json")):
        if p.name == "index.json":
            continue
        d = json.loads(p.read_text(encoding="utf-8"))
        rel.append({
            "name": d["name"], "version": d["version"], "tag": d["tag"], "commit": d["commit"],
            "date": d["date"], "file": p.name, "summary": summary(d),
        })
    rel.sort(key=lambda r: (r["date"] or "", r["name"]))
    index = {
        "format": 1,
        "description": "nanobot releases described by scripts/nanobot/extract.py; oldest first",
        "generator": "scripts/nanobot/generate.sh",
        "releases": rel,
    }
    (out_dir / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
