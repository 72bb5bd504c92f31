#!/usr/bin/env bash
# Re-fetches the charting library the dashboard bundles (uPlot, MIT) from
# the npm registry into crates/airlock-server/ui/vendor/uplot/, checking
# the package's checksum. The files are committed so a build needs no npm;
# run this only to upgrade (then update VERSION and SHA256 below).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.6.32
SHA256=4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$VERSION" >/dev/null)
echo "$SHA256  $work/uplot-$VERSION.tgz" | sha256sum -c -
tar -xzf "$work/uplot-$VERSION.tgz" -C "$work"
dest=crates/airlock-server/ui/vendor/uplot
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$dest/"
echo "uPlot $VERSION vendored into $dest"
