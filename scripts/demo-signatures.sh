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
#   - ballots (`pnyx/1 vote CHOICE`) on the five votes. Four of them close late on
#     2026-12-01 (23:30, 23:40, 23:50 Paris time): their ballots count because the demo's
#     statements were committed that evening (a ballot committed after the close is listed as
#     late, not counted; to remake the demo later, move those `closes` too):
#       . adoption-de-la-charte-des-debats (majority, members, quorum 10): 7 yes, 2 no,
#         1 abstain from members (10 ballots: quorum met, adopted); Julien's `oui` is refused
#         (not an option) and Lucie's `yes` too (not a member);
#       . adhesion-au-reseau-national-des-conseils-citoyens (majority, members, quorum 50 %, i.e.
#         6 of the 11 members): 4 member ballots, no quorum; Nikki's is refused (not a member);
#       . nom-de-la-lettre-d-information (ranked, Schulze, anyone): 12 rankings, some partial, one
#         with a tie; « Les Échos » has the most first places (5), « Place publique » beats
#         every other name face to face and wins;
#       . priorites-transports-2027 (majority judgment, anyone): 12 ballots (one leaves an option
#         out: it gets the worst grade); the cycle network is first with « très-bien »; pavements
#         and night buses both get « bien », pavements ahead on the tie-break; Hugo's ballot is
#         refused (`tres-bien` is not a grade);
#       . jour-de-la-reunion-hebdomadaire (dates, anyone, open until 2026-12-10): 14 online
#         answers (Wednesday 9, Tuesday 7, Thursday 3) and a paper batch of 6 answers from the
#         Tuesday meeting of 2026-11-24 (collected by Julien, attested `pnyx/1 attest 6` by
#         Serge) that puts Tuesday ahead, 12 to 11;
#   - the 11 members' ballots on budget-participatif-2027 (equal shares, open until
#     2027-01-31): 7 approve the benches and the bike shelter (6 of them the gentle gym too), 4
#     the compost bins and the book boxes; greedy funds the majority's three projects (49 000 €),
#     equal shares funds the gym, the book boxes, the bike shelter and the compost bins
#     (45 500 €); Hélène's and Lucie's ballots are refused (not members);
#   - the list of volunteers for the moderators' draw (their key ids);
#   - roles.yaml (two admins, two moderators in term, one past term) and two moderation
#     decisions: Amina (a moderator) hides a personal attack; Thomas (not a moderator) signs
#     one that has no effect;
#   - exactly ONE forgery, for the site's list of rejected statements: Mehdi's support of
#     recyclerie-de-quartier, made and verified, then its trusted comment line edited from
#     `support` to `withdraw` (the global signature no longer verifies: "forged").
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
# `pnyx.yaml`, `roles.yaml`, content/sortitions/volontaires-moderation-2027.yaml and the two
# files of `content/moderation/`. Choices (who signs what) are fixed lists below; only the keys and the signature
# bytes change from run to run (minisign signatures are randomised).
# It signs the exact bytes of the content files: edit `content/initiatives/*.md`,
# `content/meetings/*.md`, `content/votes/*.md` and `content/budgets/*.md` BEFORE running it, or
# the statements will be for an older version.
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

# sign HANDLE SIGNED-FILE STATEMENT-FILE "pnyx/1 VERB [ARGUMENT]": a prehashed signature
# (minisign's default) whose trusted comment names the signed file after the verb, as
# docs/signing.md says: `pnyx/1 VERB SIGNED-FILE [ARGUMENT]`. A second statement at the same
# path replaces the first, as in the repository.
sign() {
  local words=${4#pnyx/1 } verb argument comment
  verb=${words%% *}
  argument=${words#"$verb"}
  comment="pnyx/1 $verb $2$argument"
  mkdir -p "$(dirname "$3")"
  minisign -S -s "$tmp/$1.key" -m "$2" -x "$3" -t "$comment" >/dev/null
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
vote() { # vote SLUG HANDLE "CHOICE": a ballot on content/votes/SLUG.md
  sign "$2" "content/votes/$1.md" "signatures/votes/$1/${ID[$2]}.minisig" "pnyx/1 vote $3"
}
budget_vote() { # budget_vote SLUG HANDLE "PROJECT,…": approved projects of content/budgets/SLUG.md
  sign "$2" "content/budgets/$1.md" "signatures/budgets/$1/${ID[$2]}.minisig" "pnyx/1 vote $3"
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

# --- votes --------------------------------------------------------------------------------
# The charter (majority, members, quorum 10): 10 member ballots count, 7 yes, 2 no, 1 abstain:
# adopted (7 > 50 % of 9). Two are refused: Julien wrote `oui`, Lucie is not a member.
charte=adoption-de-la-charte-des-debats
for h in beatrice jean-pierre odile gigi manu serge nadia; do vote $charte "$h" yes; done
vote $charte wilfrid no
vote $charte patrick no
vote $charte amina abstain
vote $charte julien oui   # refused: not one of the options
vote $charte lucie yes    # refused: not a member

# The national network (majority, members, quorum 50 % of 11 members = 6): 4 ballots, no quorum.
reseau=adhesion-au-reseau-national-des-conseils-citoyens
vote $reseau manu yes
vote $reseau nadia yes
vote $reseau patrick no
vote $reseau beatrice abstain
vote $reseau nikki yes    # refused: not a member

# The newsletter's name (ranked, Schulze, anyone). First places: echos 5, daurade 3, carton 2,
# place-publique 2; but place-publique beats echos 7–5, daurade 7–4, carton 8–3.
# Ranking: place-publique > echos > daurade > carton.
lettre=nom-de-la-lettre-d-information
vote $lettre beatrice "echos>place-publique>daurade>carton"
vote $lettre jean-pierre "echos>place-publique>carton>daurade"
vote $lettre karim "echos>place-publique"
vote $lettre odile "echos>daurade>place-publique>carton"
vote $lettre hugo "echos"
vote $lettre julien "daurade>place-publique>carton>echos"
vote $lettre serge "daurade>place-publique>echos"
vote $lettre chloe "daurade>carton>place-publique"
vote $lettre gigi "carton>place-publique>daurade>echos"
vote $lettre manu "carton>place-publique>echos"
vote $lettre nikki "place-publique>carton=daurade>echos"
vote $lettre ines "place-publique>echos>daurade>carton"

# The transport pole's priorities (majority judgment, anyone). Majority grades: velo très-bien;
# trottoirs and bus-de-nuit bien (trottoirs 4 better / 3 worse, bus-de-nuit 3 better / 4 worse:
# trottoirs ahead on the tie-break); parkings-relais passable.
transports=priorites-transports-2027
vote $transports julien "velo=excellent,bus-de-nuit=bien,trottoirs=très-bien,parkings-relais=passable"
vote $transports helene "velo=très-bien,bus-de-nuit=passable,trottoirs=bien,parkings-relais=excellent"
vote $transports serge "velo=excellent,bus-de-nuit=bien,trottoirs=bien,parkings-relais=bien"
vote $transports nadia "velo=bien,bus-de-nuit=très-bien,trottoirs=très-bien,parkings-relais=insuffisant"
vote $transports gigi "velo=très-bien,bus-de-nuit=bien,trottoirs=excellent,parkings-relais=passable"
vote $transports thomas "velo=insuffisant,bus-de-nuit=excellent,trottoirs=bien,parkings-relais=très-bien"
vote $transports baptiste "velo=bien,bus-de-nuit=passable,trottoirs=passable,parkings-relais=à-rejeter"
vote $transports mathilde "velo=très-bien,bus-de-nuit=insuffisant,trottoirs=bien,parkings-relais=bien"
vote $transports yannick "velo=passable,bus-de-nuit=très-bien,trottoirs=passable,parkings-relais=passable"
vote $transports camille "velo=excellent,bus-de-nuit=bien,trottoirs=insuffisant,parkings-relais=insuffisant"
vote $transports jeanne "velo=bien,bus-de-nuit=passable,trottoirs=très-bien" # parkings-relais: à-rejeter
vote $transports patrick "velo=très-bien,bus-de-nuit=bien,trottoirs=bien,parkings-relais=passable"
vote $transports hugo "velo=tres-bien,trottoirs=bien" # refused: `tres-bien` is not a grade

# The weekly meeting's day (dates, anyone, open until 2026-12-10). Online: Tuesday 7,
# Wednesday 9, Thursday 3; with the paper batch below: Tuesday 12, Wednesday 11, Thursday 5.
jour=jour-de-la-reunion-hebdomadaire
mardi=2027-01-05 mercredi=2027-01-06 jeudi=2027-01-07
vote $jour beatrice "$mardi,$mercredi"
vote $jour jean-pierre "$mardi"
vote $jour odile "$mercredi"
vote $jour gigi "$mardi,$mercredi"
vote $jour julien "$mercredi,$jeudi"
vote $jour nadia "$mardi"
vote $jour karim "$mercredi"
vote $jour chloe "$mardi,$jeudi"
vote $jour hugo "$mercredi"
vote $jour nikki "$mardi,$mercredi"
vote $jour rachid "$jeudi"
vote $jour thomas "$mercredi"
vote $jour sophie "$mardi"
vote $jour fatima "$mercredi"
# Paper answers from the Tuesday meeting at la Daurade, attested by Serge (a member).
batch=signatures/paper/votes/$jour/reunion-du-mardi-2026-11-24
mkdir -p "$(dirname "$batch")"
cat >"$batch.yaml" <<'YAML'
place: "Place de la Daurade, réunion du mardi (groupe n° 1, Se déplacer sans voiture)"
date: 2026-11-24
collector: "Julien"
count: 6
ballots:
  "2027-01-05": 2
  "2027-01-05,2027-01-06": 2
  "2027-01-05,2027-01-07": 1
  "2027-01-07": 1
YAML
sign serge "$batch.yaml" "$batch.${ID[serge]}.minisig" "pnyx/1 attest 6"

# --- the participatory budget -------------------------------------------------------------
# 50 000 € (equal shares, members), 11 member ballots. Approvals: abri-velo (16 000 €) 7,
# bancs-et-fontaines (24 000 €) 7, gym-douce (9 000 €) 6, boites-a-livres (6 500 €) 4,
# composteurs (14 000 €) 4. Greedy: abri-velo, bancs-et-fontaines, gym-douce = 49 000 €.
# Equal shares: gym-douce, boites-a-livres, abri-velo, then (add-one) composteurs = 45 500 €.
budget=budget-participatif-2027
majorite="bancs-et-fontaines,abri-velo-securise-aux-minimes,gym-douce-dans-les-parcs"
for h in beatrice jean-pierre julien patrick nadia amina; do budget_vote $budget "$h" "$majorite"; done
budget_vote $budget serge "bancs-et-fontaines,abri-velo-securise-aux-minimes"
for h in gigi wilfrid odile manu; do budget_vote $budget "$h" "composteurs-de-quartier,boites-a-livres"; done
budget_vote $budget helene "abri-velo-securise-aux-minimes"                # refused: not a member
budget_vote $budget lucie "boites-a-livres,composteurs-de-quartier"        # refused: not a member

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
# The volunteers for the moderators' draw (content/sortitions/tirage-au-sort-des-moderateurs-
# et-moderatrices.md): members, and Béatrice, an admin, whom the draw leaves out. Their ids
# change with the keys: afterwards, run `pnyx draw tirage-au-sort-des-moderateurs-et-moderatrices`
# and copy its selection into that draw's `result`.
{
  echo "# Les membres de la toile de confiance qui se sont portés volontaires pour modérer de mars à"
  echo "# août 2027 (réunion du mardi 24 novembre 2026). Un identifiant par personne : sa clé."
  for h in gigi julien manu wilfrid patrick nadia odile; do
    printf -- '- id: %s # %s\n' "${ID[$h]}" "$h"
  done
  printf -- '- id: %s # Béatrice, admin jusqu’en août 2027 : écartée du tirage\n' "${ID[beatrice]}"
} >content/sortitions/volontaires-moderation-2027.yaml
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
sed -i 's/^trusted comment: pnyx\/1 support /trusted comment: pnyx\/1 withdraw /' "$forged"

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
