#!/usr/bin/env bash
# demo-waiting-list.sh — the registrations of the demo's key-making workshop, which is full.
#
# content/meetings/atelier-creer-sa-cle-a-saint-cyprien.md has 4 seats. This script makes six
# throwaway keys (Malik, Rose, Théo, Léna, Samir, Zoé: `signatures/keys/<KEYID>.pub` and
# `.yaml`), has each of them register (`pnyx/1 register`), then has Zoé take her registration
# back (`pnyx/1 withdraw`, which replaces her registration at the same path). Five registrations
# remain for four seats: the site shows the workshop full, with one person on the waiting list.
# Registrations committed together are seated in key-id order.
#
# Run it after demo-signatures.sh (which deletes `signatures/`), with the meeting's text as it
# is: the statements sign its exact bytes. Needs the stock `minisign` command line, base64, od.
# The secret keys live in a `mktemp -d` folder deleted when the script ends.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v minisign >/dev/null || { echo "demo-waiting-list: the minisign command line is needed" >&2; exit 1; }

meeting=atelier-creer-sa-cle-a-saint-cyprien
file=content/meetings/$meeting.md
[ -f "$file" ] || { echo "demo-waiting-list: $file is missing" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The key id as minisign prints it (see demo-signatures.sh).
keyid() {
  local bytes id="" i
  read -r -a bytes <<<"$(sed -n 2p "$1" | base64 -d | od -An -v -tx1 | tr '\n' ' ')"
  for ((i = 9; i >= 2; i--)); do id+=${bytes[i]}; done
  printf '%s\n' "${id^^}"
}

mkdir -p "signatures/meetings/$meeting"
for p in "malik|Malik" "rose|Rose" "theo|Théo" "lena|Léna" "samir|Samir" "zoe|Zoé"; do
  h=${p%%|*} name=${p#*|}
  minisign -G -W -p "$tmp/$h.pub" -s "$tmp/$h.key" >/dev/null
  id=$(keyid "$tmp/$h.pub")
  cp "$tmp/$h.pub" "signatures/keys/$id.pub"
  printf 'name: "%s"\n' "$name" >"signatures/keys/$id.yaml"
  minisign -S -s "$tmp/$h.key" -m "$file" -x "signatures/meetings/$meeting/$id.minisig" \
    -t "pnyx/1 register $file" >/dev/null
  if [ "$h" = zoe ]; then
    minisign -S -s "$tmp/$h.key" -m "$file" -x "signatures/meetings/$meeting/$id.minisig" \
      -t "pnyx/1 withdraw $file" >/dev/null
  fi
  minisign -V -H -p "signatures/keys/$id.pub" -m "$file" -x "signatures/meetings/$meeting/$id.minisig" >/dev/null
done
echo "demo-waiting-list: 6 registrations to $meeting, 1 withdrawn"
