#!/usr/bin/env bash
# Copies the browser libraries of the signing page into the theme, from the npm registry:
# each package at its pinned version, its tarball checked against the pinned integrity, only
# the files the page imports (unchanged, with their licence), and their SHA-256 in
# themes/default/static/vendor/SHA256SUMS, which `cargo test` checks. See docs/third-party.md.
#
# Run from the repository's root after changing a version here: bash scripts/vendor-js.sh
set -euo pipefail
cd "$(dirname "$0")/.."

dest=themes/default/static/vendor
# package  version  integrity (from `npm view PACKAGE@VERSION dist.integrity`)  files
packages=(
  "@noble/ed25519|3.2.0|sha512-criDgRlnUA09hchYrTy/JUWPIEap5rZxQe6wDWzRx51oWWpDRcUpuNzlgPxDJaOK6AsW9c0wKcj3rKRv6t+bPQ==|index.js LICENSE"
  "@noble/hashes|2.4.0|sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4Fkoxm5kZ+Ms+aW+eA==|blake2.js _blake.js _md.js _u64.js utils.js scrypt.js pbkdf2.js hmac.js sha2.js LICENSE"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$dest"
mkdir -p "$dest"
for entry in "${packages[@]}"; do
  IFS='|' read -r name version integrity files <<<"$entry"
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tarball="$work/$(echo "${name#@}" | tr / -)-$version.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "error: $name@$version does not have the pinned integrity ($actual)" >&2
    exit 2
  fi
  unpacked="$work/$(echo "${name#@}" | tr / -)"
  mkdir -p "$unpacked"
  tar -xzf "$tarball" -C "$unpacked"
  target="$dest/$(echo "${name#@}" | tr / -)"
  mkdir -p "$target"
  for f in $files; do
    cp "$unpacked/package/$f" "$target/$f"
  done
done
(cd "$dest" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "copied into $dest:"
cat "$dest/SHA256SUMS"
