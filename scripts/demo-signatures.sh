#!/usr/bin/env bash
# demo-signatures.sh — (re)makes the demo council's signed statements in `signatures/`.
#
# What it makes (SPEC §4; the guide is docs/signing.md):
#   - 30 citizens' keys: `signatures/keys/<KEYID>.pub` (the two-line file minisign writes) and
#     `signatures/keys/<KEYID>.yaml` (`name: "…"`), KEYID read from the key's payload;
#   - the web of trust: 3 roots (Béatrice, Jean-Pierre, Odile), written into `pnyx.yaml`
#     (`trust.roots`, that line only); 8 more members certified by 3 members each (Patrick only by
#     non-roots, and Nadia and Amina only through him: the fixpoint takes several rounds);
#     Lucie and Thomas certified by 2 members only; Yannick, Inès and Sophie certifying each other
#     (each also has one member's certification: 3 certifications, 1 from a member, no member);
#     Hélène certified by 3 members, then Wilfrid revokes his certification (his revocation
#     replaces his certification at the same path): she is left with 2 and is not a member;
#   - supports on 7 open initiatives, members and other keys mixed, and one withdrawal (Baptiste,
#     gratuite-des-bus: his file holds the `withdraw` that replaced his `support`);
#   - a paper batch of 280 signatures for jardins-partages (marché Saint-Aubin, collected by
#     Gigi, attested `pnyx/1 attest 280` by Odile, a root): with its 24 online supports it makes
#     304, past its `goal: 300`;
#   - 4 supports on arbres-fruitiers-dans-la-ville, which closed on 2026-10-31: they are
#     committed after the deadline, so the site lists them and does not count them;
#   - registrations to the two coming meetings with open registration;
#   - roles.yaml (two admins, two moderators in term, one past term) and two moderation
#     decisions: Amina (a moderator) hides a personal attack; Thomas (not a moderator) signs
#     one that has no effect;
#   - exactly ONE forgery, for the site's list of rejected statements: Mehdi's support of
#     recyclerie-de-quartier, made and verified, then its trusted comment line edited from
#     `pnyx/1 support` to `pnyx/1 withdraw` (the global signature no longer verifies: "forged").
# Then it checks every statement with the stock tool (`minisign -V -H`: prehashed only) and
# fails unless all verify except that one forgery.
#
# Needs: bash, the stock `minisign` command line (0.10 or later: prehashed signatures by
# default), base64, od, sed. Run from anywhere: it works in the repository this file is in.
#
# Keys are THROWAWAY keys made with `minisign -G -W` (no password) in a `mktemp -d` folder that
# is deleted when the script ends, even on error: no secret key survives, and nobody can sign
# in these demo citizens' names afterwards. Running it again makes new keys.
#
# It DELETES and rewrites the whole `signatures/` folder, rewrites the `roots:` line of
# `pnyx.yaml`, `roles.yaml` and the two files of `content/moderation/`. Choices (who signs what) are fixed lists below; only the keys and the signature
# bytes change from run to run (minisign signatures are randomised).
# It signs the exact bytes of the content files: edit `content/initiatives/*.md` and
# `content/meetings/*.md` BEFORE running it, or the statements will be for an older version.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v minisign >/dev/null || { echo "demo-signatures: the minisign command line is needed" >&2; exit 1; }
[ "$(grep -c '^  roots:' pnyx.yaml)" = 1 ] || { echo "demo-signatures: pnyx.yaml needs one '  roots:' line under trust:" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# handle|name, in the order the keys are made.
people=(
  # the roots, chosen by plebiscite
  "beatrice|Béatrice" "jean-pierre|Jean-Pierre" "odile|Odile"
  # members through certifications
  "gigi|Gigi" "julien|Julien" "manu|Manu" "serge|Serge" "wilfrid|Wilfrid"
  "patrick|Patrick" "nadia|Nadia" "amina|Amina"
  # certified, then one certification revoked
  "helene|Hélène"
  # certified by two members only
  "lucie|Lucie" "thomas|Thomas"
  # the certification cycle
  "yannick|Yannick" "ines|Inès" "sophie|Sophie"
  # keys nobody has certified yet
  "karim|Karim" "nikki|Nikki" "mathilde|Mathilde" "rachid|Rachid" "chloe|Chloé"
  "baptiste|Baptiste" "fatima|Fatima" "louis|Louis" "camille|Camille" "mehdi|Mehdi"
  "elodie|Élodie" "hugo|Hugo" "jeanne|Jeanne"
)

declare -A ID
# The key id as minisign prints it: bytes 2..10 of the public key's payload, a little-endian
# u64 in upper-case hex. The `.pub` comment line is untrusted, so it is not read.
keyid() {
  local bytes id="" i
  read -r -a bytes <<<"$(sed -n 2p "$1" | base64 -d | od -An -v -tx1 | tr '\n' ' ')"
  for ((i = 9; i >= 2; i--)); do id+=${bytes[i]}; done
  printf '%s\n' "${id^^}"
}

rm -rf signatures
mkdir -p signatures/keys
for p in "${people[@]}"; do
  h=${p%%|*} name=${p#*|}
  minisign -G -W -p "$tmp/$h.pub" -s "$tmp/$h.key" >/dev/null
  id=$(keyid "$tmp/$h.pub")
  ID[$h]=$id
  cp "$tmp/$h.pub" "signatures/keys/$id.pub"
  printf 'name: "%s"\n' "$name" >"signatures/keys/$id.yaml"
done

# sign HANDLE SIGNED-FILE STATEMENT-FILE "pnyx/1 …": a prehashed signature (minisign's default).
# A second statement at the same path replaces the first, as in the repository.
sign() {
  mkdir -p "$(dirname "$3")"
  minisign -S -s "$tmp/$1.key" -m "$2" -x "$3" -t "$4" >/dev/null
}
support() { # support SLUG HANDLE…
  local s=$1 h; shift
  for h in "$@"; do sign "$h" "content/initiatives/$s.md" "signatures/initiatives/$s/${ID[$h]}.minisig" "pnyx/1 support"; done
}
withdraw() { # withdraw SLUG HANDLE
  sign "$2" "content/initiatives/$1.md" "signatures/initiatives/$1/${ID[$2]}.minisig" "pnyx/1 withdraw"
}
register() { # register MEETING HANDLE…
  local s=$1 h; shift
  for h in "$@"; do sign "$h" "content/meetings/$s.md" "signatures/meetings/$s/${ID[$h]}.minisig" "pnyx/1 register"; done
}
certify() { # certify SUBJECT CERTIFIER…
  local s=$1 h; shift
  for h in "$@"; do sign "$h" "signatures/keys/${ID[$s]}.pub" "signatures/certifications/${ID[$s]}/${ID[$h]}.minisig" "pnyx/1 certify"; done
}
revoke() { # revoke SUBJECT CERTIFIER
  sign "$2" "signatures/keys/${ID[$1]}.pub" "signatures/certifications/${ID[$1]}/${ID[$2]}.minisig" "pnyx/1 revoke"
}

# --- the web of trust ---------------------------------------------------------------------
roots="[${ID[beatrice]}, ${ID[jean-pierre]}, ${ID[odile]}]"
sed -i -E "s/^  roots:.*/  roots: $roots/" pnyx.yaml

certify gigi beatrice jean-pierre odile
certify julien beatrice jean-pierre odile
certify manu beatrice odile gigi
certify serge jean-pierre odile julien
certify wilfrid beatrice gigi manu
certify patrick gigi julien serge # no root: a member only once Gigi, Julien and Serge are
certify nadia jean-pierre manu patrick
certify amina beatrice serge nadia
certify helene julien manu wilfrid
revoke helene wilfrid # replaces Wilfrid's certification: Hélène is left with 2
certify lucie beatrice amina
certify thomas gigi odile
# the cycle: each of the three certifies the two others and has one member's certification
certify yannick ines sophie nadia
certify ines yannick sophie manu
certify sophie yannick ines serge

# --- initiatives --------------------------------------------------------------------------
support jardins-partages beatrice jean-pierre odile gigi julien manu serge wilfrid patrick \
  nadia amina helene lucie thomas ines sophie karim mathilde chloe fatima louis camille elodie jeanne
support gratuite-des-bus julien nadia serge odile manu patrick amina helene yannick nikki \
  rachid chloe baptiste hugo mehdi camille jeanne
withdraw gratuite-des-bus baptiste
support encadrement-des-loyers beatrice karim odile jean-pierre manu wilfrid lucie nikki \
  rachid fatima louis elodie
support referendum-d-initiative-citoyenne manu ines odile beatrice jean-pierre patrick nikki \
  yannick sophie hugo
support schema-directeur-velo julien helene serge nadia gigi thomas baptiste mathilde
support cantines-en-circuits-courts serge amina gigi chloe fatima mathilde
support recyclerie-de-quartier wilfrid sophie gigi louis camille
# closed on 2026-10-31: listed as arrived after the deadline, not counted
support arbres-fruitiers-dans-la-ville gigi thomas wilfrid lucie

# A paper batch, attested by a member (Odile, a root).
batch=signatures/paper/initiatives/jardins-partages/marche-saint-aubin-2026-11-22
mkdir -p "$(dirname "$batch")"
cat >"$batch.yaml" <<'YAML'
place: "Marché Saint-Aubin, stand du groupe Jardins et vergers"
date: 2026-11-22
collector: "Gigi"
count: 280
YAML
sign odile "$batch.yaml" "$batch.${ID[odile]}.minisig" "pnyx/1 attest 280"

# --- meetings -----------------------------------------------------------------------------
register assemblee-pleniere-de-decembre beatrice odile julien nadia karim chloe hugo
register cantines-et-circuits-courts-a-l-espace-bonnefoy serge amina fatima mathilde

# --- roles and moderation -----------------------------------------------------------------
# Admins (Béatrice, Jean-Pierre) and moderators (Amina, Serge; Nadia's term is over) in
# roles.yaml, with forge handles in their profiles for `pnyx codeowners`.
for h in beatrice jean-pierre amina serge nadia; do
  printf 'forge: "%s-demo"\n' "$h" >>"signatures/keys/${ID[$h]}.yaml"
done
cat >roles.yaml <<YAML
# Who administers and who moderates, and until when (docs/moderation.md).
# Admins and moderators are different people; all of them are members of the web of trust.
admins:
  - key: ${ID[beatrice]} # Béatrice
    from: 2026-09-01
    to: 2027-08-31
  - key: ${ID[jean-pierre]} # Jean-Pierre
    from: 2026-09-01
    to: 2027-08-31
moderators:
  - key: ${ID[amina]} # Amina, drawn by lot for six months
    from: 2026-09-01
    to: 2027-02-28
  - key: ${ID[serge]} # Serge, drawn by lot for six months
    from: 2026-09-01
    to: 2027-02-28
  - key: ${ID[nadia]} # Nadia, the previous term
    from: 2026-03-01
    to: 2026-08-31
YAML
# Amina hides a personal attack in the LBD debate; Thomas, who is no moderator, "hides" a
# contribution he disagrees with: his entry is listed on the log, without effect.
mkdir -p content/moderation
cat >content/moderation/2026-11-10-masquer-05b-anonyme.md <<'MD'
---
action: hide
target: content/debates/le-maire-peut-il-interdire-le-lbd/05b-anonyme.md
reason: "Attaque personnelle contre une participante (charte, article 2)."
date: 2026-11-10
---
MD
cat >content/moderation/2026-11-12-masquer-01-julien.md <<'MD'
---
action: hide
target: content/debates/faut-il-rendre-les-bus-gratuits/01-julien.md
reason: "Je ne suis pas d'accord avec ce message."
date: 2026-11-12
---
MD
moderate() { # moderate SLUG HANDLE
  sign "$2" "content/moderation/$1.md" "signatures/moderation/$1/${ID[$2]}.minisig" "pnyx/1 moderate"
}
moderate 2026-11-10-masquer-05b-anonyme amina
moderate 2026-11-12-masquer-01-julien thomas

# --- the one forgery ----------------------------------------------------------------------
# Mehdi's genuine support, whose trusted comment is then edited by hand into a withdrawal:
# the global signature covers the trusted comment, so it no longer verifies.
support recyclerie-de-quartier mehdi
forged="signatures/initiatives/recyclerie-de-quartier/${ID[mehdi]}.minisig"
sed -i 's/^trusted comment: pnyx\/1 support$/trusted comment: pnyx\/1 withdraw/' "$forged"

# --- check every statement with the stock tool --------------------------------------------
# The signed file and the key come from the statement's path (SPEC §4).
ok=0 bad=0
while IFS= read -r -d '' sig; do
  rel=${sig#signatures/}
  IFS=/ read -r -a part <<<"$rel"
  case $rel in
    certifications/*) key=${part[2]%.minisig} signed=signatures/keys/${part[1]}.pub ;;
    paper/*) stem=${part[3]%.minisig} key=${stem##*.} signed=signatures/paper/${part[1]}/${part[2]}/${stem%.*}.yaml ;;
    *) key=${part[2]%.minisig} signed=content/${part[0]}/${part[1]}.md ;;
  esac
  if minisign -V -H -q -p "signatures/keys/$key.pub" -m "$signed" -x "$sig" 2>/dev/null; then
    ok=$((ok + 1))
  elif [ "$sig" = "$forged" ]; then
    bad=$((bad + 1))
  else
    echo "demo-signatures: $sig does not verify against $signed" >&2
    exit 1
  fi
done < <(find signatures -name '*.minisig' -print0 | sort -z)

[ "$bad" = 1 ] || { echo "demo-signatures: the forgery $forged verifies" >&2; exit 1; }
echo "keys: ${#people[@]}; roots in pnyx.yaml: $roots"
echo "statements: $((ok + bad)); verified with minisign: $ok; rejected (the forgery): $bad ($forged)"
