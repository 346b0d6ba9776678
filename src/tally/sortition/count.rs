//! Counting a sortition at the build's reference time: its pool (frozen when the seed's
//! sources were announced), its seed (the announced value, and members' secrets by
//! commit–reveal), the draw once the seed is known, the published result checked against it,
//! and the roles the draw gives.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::algorithm::{self, Candidate, Draw, Method};
use crate::content::{Algorithm, Content, InitiativeFilter, Item, Pool, Sortition};
use crate::load::roles::{RoleKind, Roles, Term};
use crate::signatures::keys::KeyId;
use crate::signatures::statement::{Target, Verb};
use crate::signatures::verify::Accepted;
use crate::tally::decide::count::Context;

/// A candidate left out of the pool before the draw, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// Its id.
    pub id: String,
    /// The role it holds during the term, which the draw's role may not be combined with.
    pub holds: RoleKind,
}

/// What happened to one member's commit–reveal secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretStatus {
    /// Committed in time; the reveal has not come (yet).
    Committed,
    /// Revealed in time and matching: part of the seed.
    Counted,
    /// The commitment arrived after `commit_by`.
    LateCommit,
    /// The reveal arrived before the commitments closed: anyone could then adapt theirs.
    EarlyReveal,
    /// The reveal arrived after `reveal_by`.
    LateReveal,
    /// The secret does not hash to the commitment.
    Mismatch,
    /// A reveal without an earlier commitment in the history.
    NoCommitment,
    /// The commitment is not 64 hexadecimal digits.
    BadCommitment,
}

impl SecretStatus {
    /// The key of its name in the UI strings.
    pub fn key(self) -> &'static str {
        match self {
            SecretStatus::Committed => "committed",
            SecretStatus::Counted => "counted",
            SecretStatus::LateCommit => "late_commit",
            SecretStatus::EarlyReveal => "early_reveal",
            SecretStatus::LateReveal => "late_reveal",
            SecretStatus::Mismatch => "mismatch",
            SecretStatus::NoCommitment => "no_commitment",
            SecretStatus::BadCommitment => "bad_commitment",
        }
    }
}

/// One member's part in a commit–reveal seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// The key.
    pub key: KeyId,
    /// The commitment (SHA-256 of the secret, hexadecimal) and when it arrived.
    pub commitment: Option<(String, Option<i64>)>,
    /// The secret and when it arrived.
    pub reveal: Option<(String, Option<i64>)>,
    /// What came of it.
    pub status: SecretStatus,
    /// The statement file.
    pub path: String,
}

/// What the seed still waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// The announced sources' value, to be written in `seed.value`.
    Value,
    /// The reveal period, until this time.
    Reveals(i64),
    /// Nothing: the reveal period is over, no secret counts and no public value was announced.
    /// The draw cannot be made.
    NoSecret,
}

/// One sortition's count.
#[derive(Debug, Clone)]
pub struct SortitionTally {
    /// The algorithm.
    pub method: Method,
    /// The candidates, sorted and without duplicates, as drawn from.
    pub pool: Vec<Candidate>,
    /// Candidates left out because of the role they hold.
    pub excluded: Vec<Excluded>,
    /// When the pool of members was taken (the announcement), if it is a pool of members.
    pub members_at: Option<i64>,
    /// Commit–reveal secrets, by key.
    pub secrets: Vec<Secret>,
    /// The seed the algorithm is fed (for RFC 3797, the key string), once complete.
    pub seed: Option<String>,
    /// What the seed waits for; empty once complete.
    pub waiting: Vec<Waiting>,
    /// The draw, once the seed is complete.
    pub draw: Option<Draw>,
    /// Whether the published `result` is the draw's selection (`None`: nothing published).
    pub result_matches: Option<bool>,
    /// The role terms the draw gives.
    pub terms: Vec<Term>,
}

impl SortitionTally {
    /// The selected ids in draw order (empty while pending).
    pub fn selected(&self) -> Vec<&str> {
        self.draw.as_ref().map(Draw::selected).unwrap_or_default()
    }
}

/// Counts every sortition, and returns the roles of `roles.yaml` with the terms the draws
/// give. Draws that give a role are counted in the order their terms start, so that each
/// leaves out whoever holds the other role then — in `roles.yaml` or by an earlier draw.
pub fn tally_sortitions(
    content: &Content,
    ctx: &Context<'_>,
    roles: &Roles,
    accepted: &[Accepted],
    earlier: &[Accepted],
) -> (BTreeMap<String, SortitionTally>, Roles) {
    let mut by_slug: BTreeMap<&str, Vec<&Accepted>> = BTreeMap::new();
    for a in accepted.iter().chain(earlier) {
        if let Target::Item {
            folder: "sortitions",
            slug,
        } = &a.valid.place.target
        {
            by_slug.entry(slug.as_str()).or_default().push(a);
        }
    }
    let mut order: Vec<&Item<Sortition>> = content.sortitions.values().collect();
    order.sort_by_key(|s| {
        (
            s.meta.term.as_ref().map(|t| t.from.start(ctx.tz).timestamp()),
            s.slug.clone(),
        )
    });
    let mut all_roles = roles.clone();
    let mut out = BTreeMap::new();
    for s in order {
        let statements = by_slug.get(s.slug.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let t = tally_one(content, s, ctx, &all_roles, statements);
        all_roles.terms.extend(t.terms.iter().cloned());
        out.insert(s.slug.clone(), t);
    }
    (out, all_roles)
}

fn tally_one(
    content: &Content,
    s: &Item<Sortition>,
    ctx: &Context<'_>,
    roles: &Roles,
    statements: &[&Accepted],
) -> SortitionTally {
    let m = &s.meta;
    let method = match m.algorithm {
        Algorithm::PnyxSha256 => Method::PnyxSha256,
        Algorithm::Rfc3797 => Method::Rfc3797,
    };
    let by = m.strata.as_ref().map(|x| x.by.as_str());
    let announced = m.seed.announced.as_ref().map(|a| a.end(ctx.tz).timestamp());
    let mut members_at = None;
    let candidates: Vec<Candidate> = match &m.pool {
        Pool::Members => {
            // The pool is frozen when the sources are announced, before anyone can know the
            // seed: a certification that arrives later cannot change who may be drawn.
            let at = announced.unwrap_or(ctx.now);
            members_at = Some(at.min(ctx.now));
            ctx.trust_at(at)
                .members
                .keys()
                .map(|k| Candidate {
                    id: k.to_string(),
                    stratum: None,
                })
                .collect()
        }
        Pool::List(path) => content
            .pool_lists
            .get(path)
            .map(|list| {
                list.iter()
                    .map(|e| Candidate {
                        id: e.id.clone(),
                        stratum: by.and_then(|b| e.attributes.get(b).cloned()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Pool::Initiatives(filter) => initiatives(content, filter, by),
    };
    let role = m.role.as_deref().and_then(role_kind);
    let mut excluded = Vec::new();
    let candidates: Vec<Candidate> = match (role, &m.term) {
        (Some(kind), Some(term)) => {
            let other = match kind {
                RoleKind::Admin => RoleKind::Moderator,
                RoleKind::Moderator => RoleKind::Admin,
            };
            let (from, to) = (
                term.from.start(ctx.tz).timestamp(),
                term.to.end(ctx.tz).timestamp(),
            );
            candidates
                .into_iter()
                .filter(|c| {
                    let holds = KeyId::parse(&c.id).is_some_and(|k| {
                        roles.terms.iter().any(|t| {
                            t.key == k
                                && t.kind == other
                                && t.from.start(ctx.tz).timestamp() <= to
                                && t.to.as_ref().is_none_or(|e| e.end(ctx.tz).timestamp() >= from)
                        })
                    });
                    if holds {
                        excluded.push(Excluded {
                            id: c.id.clone(),
                            holds: other,
                        });
                    }
                    !holds
                })
                .collect()
        }
        _ => candidates,
    };

    let secrets = m
        .seed
        .commit_reveal
        .as_ref()
        .map(|cr| {
            secrets(
                statements,
                cr.commit_by.end(ctx.tz).timestamp(),
                cr.reveal_by.end(ctx.tz).timestamp(),
                ctx,
            )
        })
        .unwrap_or_default();
    let mut waiting = Vec::new();
    if !m.seed.sources.is_empty() && m.seed.value.is_none() {
        waiting.push(Waiting::Value);
    }
    if let Some(cr) = &m.seed.commit_reveal {
        let until = cr.reveal_by.end(ctx.tz).timestamp();
        if ctx.now <= until {
            waiting.push(Waiting::Reveals(until));
        }
    }
    let seed = if waiting.is_empty() {
        seed_value(m, &secrets)
    } else {
        None
    };
    if waiting.is_empty() && seed.is_none() {
        waiting.push(Waiting::NoSecret);
    }
    let seats = m.seats as usize;
    let quotas = m.strata.as_ref().map(|x| &x.quotas);
    let draw = seed
        .as_ref()
        .map(|seed| algorithm::draw(method, seed.as_bytes(), &candidates, seats, quotas));
    let result_matches = m.result.as_ref().map(|published| {
        draw.as_ref().is_some_and(|d| {
            d.selected()
                .iter()
                .copied()
                .eq(published.iter().map(String::as_str))
        })
    });
    let pool = algorithm::normalise(&candidates);
    let terms = match (role, &m.term, &draw) {
        (Some(kind), Some(term), Some(d)) => d
            .selected()
            .iter()
            .filter_map(|id| KeyId::parse(id))
            .map(|key| Term {
                key,
                kind,
                from: term.from,
                to: Some(term.to),
                line: 0,
                drawn_by: Some(s.slug.clone()),
            })
            .collect(),
        _ => Vec::new(),
    };
    SortitionTally {
        method,
        pool,
        excluded,
        members_at,
        secrets,
        seed,
        waiting,
        draw,
        result_matches,
        terms,
    }
}

/// `moderator` and `admin` (and their plurals) are the roles that carry rights; any other
/// role a draw names is shown, with no rights attached.
pub fn role_kind(role: &str) -> Option<RoleKind> {
    match role {
        "moderator" | "moderators" => Some(RoleKind::Moderator),
        "admin" | "admins" => Some(RoleKind::Admin),
        _ => None,
    }
}

/// The initiatives a filter selects, by slug, with the stratifying attribute.
fn initiatives(content: &Content, f: &InitiativeFilter, by: Option<&str>) -> Vec<Candidate> {
    content
        .initiatives
        .values()
        .filter(|i| f.budget.is_none() || i.meta.budget == f.budget)
        .filter(|i| f.pole.as_ref().is_none_or(|p| &i.meta.pole == p))
        .filter(|i| f.kind.is_none_or(|k| i.meta.kind == k))
        .map(|i| Candidate {
            id: i.slug.clone(),
            stratum: by.and_then(|b| match b {
                "pole" => Some(i.meta.pole.clone()),
                "kind" => Some(i.meta.kind.key().to_string()),
                "budget" => i.meta.budget.clone(),
                "group" => i.meta.group.clone(),
                _ => None,
            }),
        })
        .collect()
}

/// The seed the algorithm is fed, from the announced value and the counted secrets:
/// pnyx-sha256 joins the value and each counted secret as `KEYID:secret`, in key-id order,
/// with `/`; RFC 3797 turns the value into its key string.
fn seed_value(m: &Sortition, secrets: &[Secret]) -> Option<String> {
    match m.algorithm {
        Algorithm::Rfc3797 => algorithm::rfc3797_key(m.seed.value.as_deref()?).ok(),
        Algorithm::PnyxSha256 => {
            let mut parts: Vec<String> = m.seed.value.iter().cloned().collect();
            for s in secrets.iter().filter(|s| s.status == SecretStatus::Counted) {
                if let Some((secret, _)) = &s.reveal {
                    parts.push(format!("{}:{secret}", s.key));
                }
            }
            (!parts.is_empty()).then(|| parts.join("/"))
        }
    }
}

/// Sorts the commit and reveal statements of one draw (every version of each key's file,
/// current and earlier) into each key's secret.
fn secrets(statements: &[&Accepted], commit_by: i64, reveal_by: i64, ctx: &Context<'_>) -> Vec<Secret> {
    let mut by_key: BTreeMap<KeyId, Vec<&Accepted>> = BTreeMap::new();
    for a in statements {
        by_key.entry(a.valid.place.key).or_default().push(a);
    }
    let mut out = Vec::new();
    for (key, mut list) in by_key {
        // Oldest first; a statement not committed yet comes last.
        list.sort_by_key(|a| a.arrived.unwrap_or(i64::MAX));
        let when = |a: &Accepted| a.arrived.unwrap_or(ctx.now);
        let commitment = list
            .iter()
            .rev()
            .find(|a| a.valid.said.verb == Verb::Commit && (!ctx.dated || when(a) <= commit_by))
            .or_else(|| list.iter().find(|a| a.valid.said.verb == Verb::Commit));
        let reveal = list.iter().rev().find(|a| a.valid.said.verb == Verb::Reveal);
        let path = list.last().map(|a| a.path.clone()).unwrap_or_default();
        let arg = |a: &Accepted| a.valid.said.argument.clone().unwrap_or_default();
        let status = match (commitment, reveal) {
            (None, _) => SecretStatus::NoCommitment,
            (Some(c), _) if !is_sha256_hex(&arg(c)) => SecretStatus::BadCommitment,
            (Some(c), _) if ctx.dated && when(c) > commit_by => SecretStatus::LateCommit,
            (Some(_), None) => SecretStatus::Committed,
            (Some(c), Some(r)) => {
                if ctx.dated && when(r) <= commit_by {
                    SecretStatus::EarlyReveal
                } else if ctx.dated && when(r) > reveal_by {
                    SecretStatus::LateReveal
                } else if hex_sha256(&arg(r)) != arg(c).to_ascii_lowercase() {
                    SecretStatus::Mismatch
                } else {
                    SecretStatus::Counted
                }
            }
        };
        out.push(Secret {
            key,
            commitment: commitment.map(|c| (arg(c), c.arrived)),
            reveal: reveal.map(|r| (arg(r), r.arrived)),
            status,
            path,
        });
    }
    out
}

/// SHA-256 of a secret's UTF-8 bytes, lower-case hexadecimal: the commitment `pnyx commit`
/// publishes.
pub fn hex_sha256(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A draw in `data/sortitions.json` (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SortitionRow {
    /// Slug.
    pub slug: String,
    /// `pnyx-sha256` or `rfc3797`.
    pub algorithm: &'static str,
    /// `pending` or `drawn`.
    pub phase: &'static str,
    /// The seed fed to the algorithm (RFC 3797: its key string); `null` while pending.
    pub seed: Option<String>,
    /// Candidates drawn from.
    pub pool_size: usize,
    /// Ids in draw order.
    pub selected: Vec<String>,
    /// Whether the published `result` is the recomputed selection; `null` when none is.
    pub result_matches: Option<bool>,
    /// The role given, and its term (`from`, `to`).
    pub role: Option<String>,
    /// First and last day of the term.
    pub term: Option<(String, String)>,
}

/// Every draw's row of `data/sortitions.json`, by slug.
pub fn rows(content: &Content, tallies: &BTreeMap<String, SortitionTally>) -> Vec<SortitionRow> {
    content
        .sortitions
        .values()
        .filter_map(|s| {
            let t = tallies.get(&s.slug)?;
            Some(SortitionRow {
                slug: s.slug.clone(),
                algorithm: match t.method {
                    Method::PnyxSha256 => "pnyx-sha256",
                    Method::Rfc3797 => "rfc3797",
                },
                phase: if t.draw.is_some() { "drawn" } else { "pending" },
                seed: t.seed.clone(),
                pool_size: t.pool.len(),
                selected: t.selected().iter().map(|s| s.to_string()).collect(),
                result_matches: t.result_matches,
                role: s.meta.role.clone(),
                term: s
                    .meta
                    .term
                    .as_ref()
                    .map(|x| (x.from.to_string(), x.to.to_string())),
            })
        })
        .collect()
}

/// A published `result` that is not what the draw gives, as a problem at its line: the
/// pull-request gate refuses it (the site shows the recomputed selection and a warning).
pub fn result_problems(
    content: &Content,
    tallies: &BTreeMap<String, SortitionTally>,
) -> Vec<crate::error::Diagnostic> {
    content
        .sortitions
        .values()
        .filter_map(|s| {
            let t = tallies.get(&s.slug)?;
            (t.result_matches == Some(false)).then(|| {
                let computed = t.selected();
                let message = if computed.is_empty() {
                    "a result is published, but the draw cannot be computed yet".to_string()
                } else {
                    format!(
                        "the published result differs from the draw, which gives: {}",
                        computed.join(", ")
                    )
                };
                s.error_at("result", message).hint(format!(
                    "run `pnyx draw {}` and publish its selection, in draw order",
                    s.slug
                ))
            })
        })
        .collect()
}
