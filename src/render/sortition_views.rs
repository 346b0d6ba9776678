//! Views of a sortition's count: the pool, the seed and what it waits for, members' secrets,
//! the selection in draw order and every step of the audit trail, and how to recompute it.

use serde::Serialize;

use crate::content::{Item, Kind, Sortition};
use crate::signatures::keys::KeyId;
use crate::tally::sortition::count::{SortitionTally, Waiting};

use super::context::Ctx;
use super::trust_views::KeyRef;

/// A candidate, as a reader knows it.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    /// The id the algorithm sorts and draws.
    pub id: String,
    /// A name (a key's profile, an initiative's title), when there is one.
    pub label: Option<String>,
    /// Where to read about it.
    pub url: Option<String>,
    /// A member of the web of trust (for keys).
    pub member: bool,
    /// Its stratum value.
    pub stratum: Option<String>,
}

/// One hash of the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct TryView {
    /// `j`.
    pub j: u32,
    /// The hash, hexadecimal.
    pub hash: String,
    /// Used, or rejected (pnyx-sha256's rejection sampling).
    pub accepted: bool,
}

/// One step of the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Draw number, from 0.
    pub index: usize,
    /// 1-based rank of the pick in the selection.
    pub rank: usize,
    /// Candidates eligible.
    pub eligible: usize,
    /// Removed before this draw: their stratum was full.
    pub removed: Vec<CandidateView>,
    /// The hashes.
    pub tries: Vec<TryView>,
    /// Position of the pick among the eligible, from 0.
    pub position: usize,
    /// The pick.
    pub pick: CandidateView,
}

/// A member's commit–reveal secret.
#[derive(Debug, Clone, Serialize)]
pub struct SecretView {
    /// Who.
    #[serde(flatten)]
    pub key: KeyRef,
    /// The commitment.
    pub commitment: Option<String>,
    /// The revealed secret.
    pub reveal: Option<String>,
    /// `counted`, `committed`, `mismatch`…
    pub status: &'static str,
    /// Its meaning, in words.
    pub status_label: String,
    /// The statement file.
    pub path: String,
}

/// Everything the sortition page shows of the count.
#[derive(Debug, Clone, Serialize)]
pub struct SortitionResults {
    /// No draw yet.
    pub pending: bool,
    /// What the seed waits for, in words.
    pub waiting: Vec<String>,
    /// The seed fed to the algorithm (RFC 3797: its key string).
    pub seed: Option<String>,
    /// The pool, in the order the algorithm uses.
    pub pool: Vec<CandidateView>,
    /// When a pool of members was taken, in words.
    pub members_at: Option<String>,
    /// Left out because they hold the other role during the term.
    pub excluded: Vec<(CandidateView, String)>,
    /// The selection, in draw order.
    pub selected: Vec<CandidateView>,
    /// The audit trail.
    pub steps: Vec<StepView>,
    /// Members' secrets (commit–reveal).
    pub secrets: Vec<SecretView>,
    /// Commit–reveal periods, in words: (commit_by, reveal_by).
    pub commit_reveal: Option<(String, String)>,
    /// The published `result`, if any.
    pub published: Option<Vec<String>>,
    /// Whether it matches the recomputation.
    pub result_matches: Option<bool>,
    /// `pnyx draw S`.
    pub command: String,
    /// `pnyx draw S --verify`.
    pub verify_command: String,
    /// `pnyx commit S` and `pnyx reveal S`, while they are of use.
    pub commit_command: Option<String>,
    /// The same with the reference script.
    pub reference_command: Option<String>,
}

impl Ctx<'_> {
    /// A candidate id as a reader knows it: a key with its name, an initiative with its title.
    pub(super) fn candidate(&self, id: &str, stratum: Option<String>) -> CandidateView {
        // A stratum that is a pole's slug reads better as the pole's title.
        let stratum = stratum.map(|v| self.content.poles.get(&v).map_or(v, |p| p.meta.title.clone()));
        if let Some(k) = KeyId::parse(id).filter(|k| self.sigs.keys.contains_key(k)) {
            let r = self.key_ref(k);
            return CandidateView {
                id: id.to_string(),
                label: r.name,
                url: r.url,
                member: r.member,
                stratum,
            };
        }
        if let Some(i) = self.content.initiatives.get(id) {
            return CandidateView {
                id: id.to_string(),
                label: Some(i.meta.title.clone()),
                url: Some(self.url(Kind::Initiatives, id)),
                member: false,
                stratum,
            };
        }
        // A name or a number from a list: shown as written.
        let is_key = KeyId::parse(id).is_some();
        CandidateView {
            id: id.to_string(),
            label: (!is_key).then(|| id.to_string()),
            url: None,
            member: false,
            stratum,
        }
    }

    /// The count of one sortition, for its page.
    pub fn sortition_results(&self, s: &Item<Sortition>) -> Option<SortitionResults> {
        let t: &SortitionTally = self.tallies.sortitions.get(&s.slug)?;
        let stratum_of = |id: &str| t.pool.iter().find(|c| c.id == id).and_then(|c| c.stratum.clone());
        let view = |id: &str| self.candidate(id, stratum_of(id));
        let steps: Vec<StepView> = t
            .draw
            .as_ref()
            .map(|d| {
                d.steps
                    .iter()
                    .enumerate()
                    .map(|(n, st)| StepView {
                        index: st.index,
                        rank: n + 1,
                        eligible: st.eligible,
                        removed: st.removed.iter().map(|id| view(id)).collect(),
                        tries: st
                            .tries
                            .iter()
                            .map(|x| TryView {
                                j: x.j,
                                hash: x.hash.clone(),
                                accepted: x.accepted,
                            })
                            .collect(),
                        position: st.position,
                        pick: view(&st.pick),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let waiting = t
            .waiting
            .iter()
            .map(|w| match w {
                Waiting::Value => self.theme.t("draw_waiting_value"),
                Waiting::NoSecret => self.theme.t("draw_no_secret"),
                Waiting::Reveals(until) => self
                    .theme
                    .t("draw_waiting_reveals")
                    .replace("{date}", &self.time_words(*until).0),
            })
            .collect();
        let secrets = t
            .secrets
            .iter()
            .map(|x| SecretView {
                key: self.key_ref(x.key),
                commitment: x.commitment.as_ref().map(|c| c.0.clone()),
                reveal: x.reveal.as_ref().map(|r| r.0.clone()),
                status: x.status.key(),
                status_label: self.theme.t(&format!("secret_{}", x.status.key())),
                path: x.path.clone(),
            })
            .collect();
        let cr = s.meta.seed.commit_reveal.as_ref();
        let open_for_secrets =
            cr.is_some_and(|c| self.now.timestamp() <= c.reveal_by.end(&self.settings.tz).timestamp());
        let reference = t.seed.as_ref().filter(|_| s.meta.strata.is_none()).map(|seed| {
            let algorithm = match t.method {
                crate::tally::sortition::algorithm::Method::PnyxSha256 => "pnyx-sha256",
                crate::tally::sortition::algorithm::Method::Rfc3797 => "rfc3797",
            };
            let value = match t.method {
                crate::tally::sortition::algorithm::Method::Rfc3797 => {
                    s.meta.seed.value.clone().unwrap_or_default()
                }
                crate::tally::sortition::algorithm::Method::PnyxSha256 => seed.clone(),
            };
            let ids: Vec<String> = t.pool.iter().map(|c| shell_quote(&c.id)).collect();
            format!(
                "python3 tests/sortition_reference.py {algorithm} {} {} {}",
                shell_quote(&value),
                s.meta.seats,
                ids.join(" ")
            )
        });
        Some(SortitionResults {
            pending: t.draw.is_none(),
            waiting,
            seed: t.seed.clone(),
            pool: t
                .pool
                .iter()
                .map(|c| self.candidate(&c.id, c.stratum.clone()))
                .collect(),
            members_at: t.members_at.map(|ts| self.time_words(ts).0),
            excluded: t
                .excluded
                .iter()
                .map(|e| {
                    (
                        view(&e.id),
                        self.theme.t(&format!("excluded_{}", e.holds.as_str())),
                    )
                })
                .collect(),
            selected: t.selected().iter().map(|id| view(id)).collect(),
            steps,
            secrets,
            commit_reveal: cr.map(|c| (self.when(&c.commit_by), self.when(&c.reveal_by))),
            published: s.meta.result.clone(),
            result_matches: t.result_matches,
            command: format!("pnyx draw {}", s.slug),
            verify_command: format!("pnyx draw {} --verify", s.slug),
            commit_command: open_for_secrets.then(|| format!("pnyx commit {}", s.slug)),
            reference_command: reference,
        })
    }
}

/// Single quotes for a shell, when needed.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
