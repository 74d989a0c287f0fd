#!/usr/bin/env bash
# Regenerate what harden knows about nanobot, from nanobot itself, for every release.
#
#   scripts/nanobot/generate.sh [schemas|corpus|verdicts|all]   (default: all)
#
#   schemas   schemas/nanobot/<name>.json for every release + schemas/nanobot/index.json, and the
#             behaviour table in scripts/nanobot/README.md
#   corpus    test/fixtures/nanobot-corpus/cases/ (deterministic, from corpus.py)
#   verdicts  test/fixtures/nanobot-corpus/verdicts/<name>.jsonl: nanobot's own verdict per case
#
# Needs: a git copy of HKUDS/nanobot with its release tags (NANOBOT_GIT, default the mirror
# below), python3 with pydantic and pydantic-settings. Every other import nanobot makes is
# stubbed (nbstub.py). Releases are laid out under $WORK (default /tmp/nanobot-releases), never
# inside this repository: nanobot's code is read and run, not copied.
#
# Releases: every tag v0.1.3.post4 and later, plus the newest main (REF_MAIN, default "main"),
# named "<version in pyproject>+main.<short commit>". To add a release, tag it in the git copy
# (or fetch) and run this again; see scripts/nanobot/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NANOBOT_GIT="${NANOBOT_GIT:-/work/.mirror/HKUDS+nanobot/repo}"
WORK="${WORK:-/tmp/nanobot-releases}"
REF_MAIN="${REF_MAIN:-main}"
FIRST_TAG="v0.1.3.post4"
OUT_SCHEMAS="$ROOT/schemas/nanobot"
CORPUS="$ROOT/test/fixtures/nanobot-corpus"
what="${1:-all}"

git_() { git --git-dir "$NANOBOT_GIT" "$@"; }

# "name<TAB>ref" for every release, oldest first
releases() {
  git_ tag --list 'v*' | sort -V | awk -v first="$FIRST_TAG" '$0==first{on=1} on' | while read -r tag; do
    printf '%s\t%s\n' "${tag#v}" "$tag"
  done
  local sha ver
  sha="$(git_ rev-parse "$REF_MAIN")"
  ver="$(git_ show "$sha:pyproject.toml" | sed -n 's/^version *= *"\(.*\)"/\1/p' | head -1)"
  printf '%s\t%s\n' "$ver+main.${sha:0:9}" "$sha"
}

layout() { # ref -> directory holding nanobot/ and pyproject.toml at that ref
  local ref="$1" dir="$WORK/$1"
  if [ ! -d "$dir/nanobot" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git_ archive "$ref" nanobot pyproject.toml | tar -x -C "$dir"
  fi
  printf '%s' "$dir"
}

do_schemas() {
  mkdir -p "$OUT_SCHEMAS"
  while IFS=$'\t' read -r name ref; do
    local dir sha date
    dir="$(layout "$ref")"
    sha="$(git_ rev-parse "$ref^{commit}")"
    date="$(git_ log -1 --format=%cI "$sha")"
    local tagarg=()
    [[ "$ref" == v* ]] && tagarg=(--tag "$ref")
    echo "schemas: $name" >&2
    NANOBOT_SRC="$dir" python3 "$HERE/extract.py" "${tagarg[@]}" --commit "$sha" --date "$date" \
      --name "$name" --out "$OUT_SCHEMAS/$name.json"
  done < <(releases)
  python3 "$HERE/index.py" "$OUT_SCHEMAS"
  python3 "$HERE/table.py" "$OUT_SCHEMAS" --write "$HERE/README.md"
}

do_corpus() {
  python3 "$HERE/corpus.py" "$CORPUS"
}

do_verdicts() {
  mkdir -p "$CORPUS/verdicts"
  local run="$WORK/corpus-run"
  while IFS=$'\t' read -r name ref; do
    local dir
    dir="$(layout "$ref")"
    # run on a copy: nanobot may create state (pairing, media dirs) beside the config it reads
    rm -rf "$run" && mkdir -p "$run" && cp -r "$CORPUS/cases" "$run/cases"
    echo "verdicts: $name" >&2
    NANOBOT_SRC="$dir" python3 "$HERE/nb_oracle.py" "$run/cases" "$run/out.jsonl"
    python3 "$HERE/tidy_verdicts.py" "$run/out.jsonl" "$run/cases" > "$CORPUS/verdicts/$name.jsonl"
  done < <(releases)
}

case "$what" in
  schemas) do_schemas ;;
  corpus) do_corpus ;;
  verdicts) do_verdicts ;;
  all) do_schemas; do_corpus; do_verdicts ;;
  *) echo "usage: $0 [schemas|corpus|verdicts|all]" >&2; exit 2 ;;
esac
