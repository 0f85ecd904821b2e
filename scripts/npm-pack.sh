#!/usr/bin/env bash
# Builds the npm packages of one platform from a polycache binary, as the release does for
# each: `@polycache/cli-TARGET` (the binary, with `os` and `cpu` set) and `polycache` (the
# Node shim that finds and runs it, listing every platform package as an optional
# dependency), packed with `npm pack` into OUTDIR.
#
#   scripts/npm-pack.sh target/release/polycache dist/npm            # linux-x64-gnu
#   scripts/npm-pack.sh polycache.exe dist/npm win32-x64-msvc
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 BINARY OUTDIR [TARGET]  (TARGET: linux-x64-gnu, linux-arm64-gnu, darwin-x64, darwin-arm64, win32-x64-msvc)" >&2
  exit 2
fi
bin=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
target=${3:-linux-x64-gnu}
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
case $target in
  linux-x64-gnu) os=linux cpu=x64 ;;
  linux-arm64-gnu) os=linux cpu=arm64 ;;
  darwin-x64) os=darwin cpu=x64 ;;
  darwin-arm64) os=darwin cpu=arm64 ;;
  win32-x64-msvc) os=win32 cpu=x64 ;;
  *) echo "$0: unknown target $target" >&2; exit 2 ;;
esac
[ -f "$bin" ] || { echo "$0: no binary at $bin" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/platform/bin" "$stage/main"
sed -e "s/@TARGET@/$target/g" -e "s/@VERSION@/$version/g" -e "s/@OS@/$os/g" -e "s/@CPU@/$cpu/g" \
  "$root/npm/platform/package.json.in" >"$stage/platform/package.json"
exe=polycache
[ "$os" = win32 ] && exe=polycache.exe
cp "$bin" "$stage/platform/bin/$exe"
chmod 755 "$stage/platform/bin/$exe"

cp -R "$root/npm/polycache/." "$stage/main/"
cp "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/main/"
VERSION=$version node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.version = process.env.VERSION;
  pkg.optionalDependencies = Object.fromEntries(
    ["linux-x64-gnu", "linux-arm64-gnu", "darwin-x64", "darwin-arm64", "win32-x64-msvc"]
      .map((t) => [`@polycache/cli-${t}`, process.env.VERSION]));
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$stage/main/package.json"

(cd "$stage/platform" && npm pack --silent --pack-destination "$out" >/dev/null)
(cd "$stage/main" && npm pack --silent --pack-destination "$out" >/dev/null)
ls "$out"/*.tgz
