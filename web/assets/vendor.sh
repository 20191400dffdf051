#!/usr/bin/env bash
# Re-fetch the console's vendored front-end packages from npm and check them.
#
#   web/assets/vendor.sh           fetch the pinned versions, copy the files the console serves
#                                  into web/assets/vendor/, and fail unless every file's SHA-256
#                                  equals the one in web/assets/vendor/SHA256SUMS
#   web/assets/vendor.sh --update  the same, then rewrite SHA256SUMS (after changing a version
#                                  below; review the diff and commit it with the files)
#
# Nothing here runs at build or run time: the files are committed and embedded with go:embed
# (web/assets/assets.go). npm checks each tarball against the registry's integrity hash; this
# script then checks every file it copies against our own list, so a changed upstream tarball
# for the same version is caught.
set -euo pipefail

DKFDS_VERSION=11.2.0
HTMX_VERSION=4.0.1

here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/vendor"
update=0
[ "${1:-}" = "--update" ] && update=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "dkfds@$DKFDS_VERSION" "htmx.org@$HTMX_VERSION" >/dev/null
mkdir dkfds htmx
tar -xzf "dkfds-$DKFDS_VERSION.tgz" -C dkfds
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx

out="$work/out"
d="$out/dkfds"
mkdir -p "$d/css" "$d/js" "$d/img" "$out/htmx"
src=dkfds/package/dist
# The design system: the default theme (job-centre staff), the virk.dk theme (employers, issue 13),
# the script bundle, the icon sprite, and every file the style sheets refer to (fonts, icons, logos).
cp "$src/css/dkfds.min.css" "$src/css/dkfds-virkdk.min.css" "$d/css/"
cp "$src/js/dkfds.min.js" "$d/js/"
cp "$src/img/all-svg-icons.svg" "$src/img/logo_virk.svg" "$d/img/"
for css in "$d"/css/*.css; do
  grep -o 'url([^)]*)' "$css" | sed -e 's/^url(//' -e 's/)$//' -e "s/^[\"']//" -e "s/[\"']$//" \
    | grep -v '^data:' | sed 's/[?#].*$//' | sort -u
done | sort -u | while read -r ref; do
  rel="${ref#../}"
  mkdir -p "$d/$(dirname "$rel")"
  cp "$src/$rel" "$d/$rel"
done
cp "$src/LICENSE.md" "$d/LICENSE.md"
cp "$src/fonts/IBMPlexSans/complete/woff2/license.txt" "$d/fonts/IBMPlexSans/LICENSE.txt"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$out/htmx/"
printf 'dkfds %s\nhtmx.org %s\n' "$DKFDS_VERSION" "$HTMX_VERSION" >"$out/VERSIONS"

(cd "$out" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum) >"$work/SHA256SUMS"
if [ "$update" -eq 1 ]; then
  rm -rf "$vendor"
  cp -R "$out" "$vendor"
  cp "$work/SHA256SUMS" "$vendor/SHA256SUMS"
  echo "vendored dkfds $DKFDS_VERSION and htmx.org $HTMX_VERSION into $vendor; SHA256SUMS rewritten"
  exit 0
fi
if ! diff -u "$vendor/SHA256SUMS" "$work/SHA256SUMS"; then
  echo "FAIL: the files npm served differ from web/assets/vendor/SHA256SUMS (see the diff above)" >&2
  exit 1
fi
rm -rf "$vendor"
cp -R "$out" "$vendor"
cp "$work/SHA256SUMS" "$vendor/SHA256SUMS"
echo "ok: dkfds $DKFDS_VERSION and htmx.org $HTMX_VERSION fetched; every file matches SHA256SUMS"
