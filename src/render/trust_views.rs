//! Views of signed statements: an initiative's supporters, the members and their
//! certifications, the register of rejected statements. Built from the tally stage.

use std::collections::BTreeMap;

use chrono::TimeZone;
use serde::Serialize;

use crate::content::kinds::Initiative;
use crate::signatures::keys::KeyId;
use crate::tally::{InitiativeTally, Signer};

use super::context::Ctx;
use super::{chart, format};

/// A key as shown: its id, its name if it gave one, member or not, and its anchor.
#[derive(Debug, Clone, Serialize)]
pub struct KeyRef {
    /// Key id.
    pub key: String,
    /// Display name from its profile.
    pub name: Option<String>,
    /// Member of the web of trust.
    pub member: bool,
    /// Its entry on the members page; `None` for a key the page does not list (one whose
    /// key file is missing, e.g. the signer of a rejected statement).
    pub url: Option<String>,
}

/// One supporter, registrant or attester.
#[derive(Debug, Clone, Serialize)]
pub struct SignerView {
    /// Who.
    #[serde(flatten)]
    pub key: KeyRef,
    /// When it arrived, in words; `None` when not committed yet.
    pub date: Option<String>,
    /// ISO date.
    pub date_iso: Option<String>,
    /// Which version of the text it signed, in words, when not the current one.
    pub version: Option<String>,
    /// The statement file, from the repository root.
    pub path: String,
}

/// A paper batch.
#[derive(Debug, Clone, Serialize)]
pub struct PaperView {
    /// The batch file.
    pub path: String,
    /// Where.
    pub place: String,
    /// When, in words.
    pub date: String,
    /// Who collected.
    pub collector: String,
    /// How many.
    pub count: String,
    /// Counted.
    pub counted: bool,
    /// Members who attested it.
    pub attested_by: Vec<KeyRef>,
    /// Why it is not counted.
    pub problem: Option<String>,
}

/// Supports counted per version of the text.
#[derive(Debug, Clone, Serialize)]
pub struct VersionCount {
    /// "version du 3 octobre 2026", or "version actuelle".
    pub label: String,
    /// Supporters who signed it.
    pub count: usize,
    /// The current text.
    pub current: bool,
}

/// The supporters block of an initiative.
#[derive(Debug, Clone, Serialize)]
pub struct SupportView {
    /// Counted members.
    pub members: u64,
    /// Counted other keys.
    pub others: u64,
    /// Counted paper signatures.
    pub paper: u64,
    /// Everything counted.
    pub total: u64,
    /// Everything counted, formatted.
    pub total_text: String,
    /// Share of the goal, 0–100 for the bar.
    pub percent: u64,
    /// Goal reached.
    pub reached: bool,
    /// Withdrawn supports.
    pub withdrawn: usize,
    /// Supports that arrived after the deadline.
    pub late_count: usize,
    /// The lists, for the initiative's own page only (the `supporters` variable): lists of
    /// initiatives elsewhere would otherwise carry every signer of every initiative.
    #[serde(skip)]
    pub detail: SupportDetail,
}

/// How many signers of each list an initiative's page shows: the latest ones, oldest first.
/// Nobody reads 300 000 names on a page, and such a page would weigh megabytes; every list is
/// whole in the open data (`data/signers/<slug>.json`).
pub const SIGNERS_SHOWN: usize = 100;

/// Who signed an initiative, and how the count came about.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SupportDetail {
    /// The latest counted supporters ([`SIGNERS_SHOWN`] at most), oldest first.
    pub signers: Vec<SignerView>,
    /// How many counted supporters there are in all.
    pub signers_count: usize,
    /// How many of the earliest ones the page leaves to the open data.
    pub signers_not_shown: usize,
    /// Arrived after the deadline: shown ([`SIGNERS_SHOWN`] at most, the latest), not counted.
    pub late: Vec<SignerView>,
    /// How many of the earliest late ones the page leaves to the open data.
    pub late_not_shown: usize,
    /// The open data file with every list whole, from the site's root.
    pub signers_data: String,
    /// Paper batches.
    pub batches: Vec<PaperView>,
    /// Counts per version of the text, when it changed.
    pub versions: Vec<VersionCount>,
    /// Signatures over time, an SVG drawn at build time.
    pub chart: Option<String>,
}

/// The latest [`SIGNERS_SHOWN`] of a list, oldest first.
fn latest(list: &[Signer]) -> &[Signer] {
    &list[list.len().saturating_sub(SIGNERS_SHOWN)..]
}

impl Ctx<'_> {
    /// A key as shown everywhere.
    pub fn key_ref(&self, key: KeyId) -> KeyRef {
        KeyRef {
            key: key.to_string(),
            name: self.sigs.keys.get(&key).and_then(|k| k.name.clone()),
            member: self.tallies.trust.is_member(&key),
            url: (self.sigs.keys.contains_key(&key) || self.tallies.trust.roots.contains(&key))
                .then(|| format!("{}members/#k-{key}", self.settings.base_path)),
        }
    }

    /// A unix time in words, in the site's zone.
    pub fn time_words(&self, ts: i64) -> (String, String) {
        let t = self.local_time(ts);
        (self.theme.calendar.long_date(t.date_naive()), t.to_rfc3339())
    }

    /// The RFC 3339 form of `ts` in the site's time zone, without its words (open data).
    pub fn time_iso(&self, ts: i64) -> String {
        self.local_time(ts).to_rfc3339()
    }

    fn local_time(&self, ts: i64) -> chrono::DateTime<chrono_tz::Tz> {
        self.settings
            .tz
            .timestamp_opt(ts, 0)
            .single()
            .unwrap_or_else(|| self.now.with_timezone(&self.settings.tz))
    }

    fn signer_view(&self, s: &Signer, signed_file: &str) -> SignerView {
        let (date, date_iso) = match s.arrived {
            Some(ts) => {
                let (d, iso) = self.time_words(ts);
                (Some(d), Some(iso))
            }
            None => (None, None),
        };
        SignerView {
            key: self.key_ref(s.key),
            date,
            date_iso,
            version: (s.version > 0).then(|| self.version_label(signed_file, s.version)),
            path: s.path.clone(),
        }
    }

    /// "version du 3 octobre 2026" for version `index` (0 is the newest) of `file`.
    fn version_label(&self, file: &str, index: usize) -> String {
        let commit = self
            .sigs
            .versions
            .get(file)
            .and_then(|v| v.get(index))
            .and_then(|v| v.commit);
        let time = commit
            .and_then(|c| self.sigs.history.as_ref().and_then(|h| h.commits.get(c)))
            .map(|c| c.time);
        match time {
            Some(ts) => self
                .theme
                .t("version_of")
                .replace("{date}", &self.time_words(ts).0),
            None => self.theme.t("version_uncommitted"),
        }
    }

    /// The supporters block of initiative `slug`.
    pub fn support(&self, slug: &str, meta: &Initiative) -> SupportView {
        let goal = meta.goal;
        let empty = InitiativeTally::default();
        let t = self.tallies.initiatives.get(slug).unwrap_or(&empty);
        let file = format!("content/initiatives/{slug}.md");
        let lang = self.settings.config.language;
        let total = t.total();
        let mut per_version: BTreeMap<usize, usize> = BTreeMap::new();
        for s in &t.supporters {
            *per_version.entry(s.version).or_default() += 1;
        }
        let versions = if per_version.keys().any(|v| *v > 0) {
            per_version
                .iter()
                .map(|(v, n)| VersionCount {
                    label: if *v == 0 {
                        self.theme.t("version_current")
                    } else {
                        self.version_label(&file, *v)
                    },
                    count: *n,
                    current: *v == 0,
                })
                .collect()
        } else {
            Vec::new()
        };
        let times: Vec<i64> = t
            .supporters
            .iter()
            .map(|s| s.arrived.unwrap_or(self.tallies.now))
            .collect();
        // Undated statements (no git history) draw no curve.
        let chart = if times.len() >= 2 && self.sigs.history.is_some() {
            let label = self
                .theme
                .t("chart_label")
                .replace("{n}", &format::int(times.len() as u64, lang));
            let tz = &self.settings.tz;
            let first = times.iter().min().copied().unwrap_or(0);
            let opens = meta.opens.as_ref().map_or(first, |o| o.start(tz).timestamp());
            let today = match meta.closes.as_ref().map(|c| c.end(tz).timestamp()) {
                Some(c) if c < self.tallies.now => c,
                _ => self.tallies.now,
            };
            let span = (opens, today);
            let last = times.iter().copied().max().unwrap_or(0).max(today);
            chart::cumulative(
                &times,
                span,
                goal.map(|g| g.saturating_sub(t.paper_total)),
                &self.settings.tz,
                lang,
                &label,
                &self.time_words(first.min(opens)).0,
                &self.time_words(last).0,
            )
        } else {
            None
        };
        SupportView {
            members: t.members,
            others: t.others,
            paper: t.paper_total,
            total,
            total_text: format::int(total, lang),
            percent: goal
                .filter(|g| *g > 0)
                .map(|g| (total * 100 / g).min(100))
                .unwrap_or(0),
            reached: goal.is_some_and(|g| total >= g),
            withdrawn: t.withdrawn,
            late_count: t.late.len(),
            detail: SupportDetail {
                signers: latest(&t.supporters)
                    .iter()
                    .map(|s| self.signer_view(s, &file))
                    .collect(),
                signers_count: t.supporters.len(),
                signers_not_shown: t.supporters.len() - latest(&t.supporters).len(),
                late: latest(&t.late)
                    .iter()
                    .map(|s| self.signer_view(s, &file))
                    .collect(),
                late_not_shown: t.late.len() - latest(&t.late).len(),
                signers_data: format!("{}data/signers/{slug}.json", self.settings.base_path),
                batches: t
                    .paper
                    .iter()
                    .filter_map(|p| {
                        let b = self.sigs.paper.get(&p.path)?;
                        Some(PaperView {
                            path: p.path.clone(),
                            place: b.meta.place.clone(),
                            date: self.when(&b.meta.date),
                            collector: b.meta.collector.clone(),
                            count: format::int(p.count, lang),
                            counted: p.counted,
                            attested_by: p.attested_by.iter().map(|k| self.key_ref(*k)).collect(),
                            problem: p.problem.as_ref().map(|p| self.paper_problem_text(p)),
                        })
                    })
                    .collect(),
                versions,
                chart,
            },
        }
    }

    /// The keys registered to meeting `slug`: seated, waiting, late.
    pub fn registrations(&self, slug: &str) -> RegistrationsView {
        let file = format!("content/meetings/{slug}.md");
        let view = |list: &[crate::tally::Signer]| -> Vec<SignerView> {
            list.iter().map(|s| self.signer_view(s, &file)).collect()
        };
        self.tallies
            .registrations
            .get(slug)
            .map(|r| RegistrationsView {
                seated: view(&r.seated),
                waiting: view(&r.waiting),
                late: view(&r.late),
                withdrawn: r.withdrawn,
            })
            .unwrap_or_default()
    }
}

/// A meeting's registrations, each list in arrival order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistrationsView {
    /// With a seat.
    pub seated: Vec<SignerView>,
    /// On the waiting list, first in line first.
    pub waiting: Vec<SignerView>,
    /// Arrived after the meeting had started: not counted.
    pub late: Vec<SignerView>,
    /// Registrations taken back.
    pub withdrawn: usize,
}

/// A key on the members page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// Who.
    #[serde(flatten)]
    pub key: KeyRef,
    /// A root of the web of trust.
    pub root: bool,
    /// Member since, in words (roots: none).
    pub since: Option<String>,
    /// Who certifies it.
    pub certified_by: Vec<KeyRef>,
    /// Whom it certifies.
    pub certifies: Vec<KeyRef>,
    /// Who revoked their certification.
    pub revoked_by: Vec<KeyRef>,
    /// Its public key file.
    pub path: Option<String>,
}

/// A rejected statement or key.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedView {
    /// The file.
    pub path: String,
    /// The key it names.
    pub key: Option<KeyRef>,
    /// Short code (`forged`, `replayed`…).
    pub code: String,
    /// The reason's name, in the site's language.
    pub label: String,
    /// What it means and what to do, in the site's language.
    pub help: String,
    /// The particulars (a path, a parser message), if any.
    pub detail: Option<String>,
}

impl Ctx<'_> {
    /// Every key: members first (roots first), then the others, by name then id.
    pub fn members(&self) -> Vec<MemberView> {
        let trust = &self.tallies.trust;
        let mut keys: Vec<KeyId> = self.sigs.keys.keys().copied().collect();
        for r in &trust.roots {
            if !keys.contains(r) {
                keys.push(*r);
            }
        }
        // Whom each key certifies, found once rather than by a scan per key.
        let mut certifies: BTreeMap<KeyId, Vec<KeyId>> = BTreeMap::new();
        for (subject, certs) in &trust.certified_by {
            for c in certs {
                certifies.entry(c.by).or_default().push(*subject);
            }
        }
        let mut out: Vec<MemberView> = keys
            .into_iter()
            .map(|k| {
                let certs = |m: &BTreeMap<KeyId, Vec<crate::tally::trust::Certification>>| {
                    m.get(&k)
                        .map(|v| v.iter().map(|c| self.key_ref(c.by)).collect())
                        .unwrap_or_default()
                };
                MemberView {
                    key: self.key_ref(k),
                    root: trust.roots.contains(&k),
                    since: trust
                        .members
                        .get(&k)
                        .copied()
                        .flatten()
                        .map(|ts| self.time_words(ts).0),
                    certified_by: certs(&trust.certified_by),
                    certifies: certifies
                        .get(&k)
                        .map(|v| v.iter().map(|s| self.key_ref(*s)).collect())
                        .unwrap_or_default(),
                    revoked_by: certs(&trust.revoked_by),
                    path: self.sigs.keys.get(&k).map(|f| f.path.clone()),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (
                !a.key.member,
                !a.root,
                a.key.name.is_none(),
                &a.key.name,
                &a.key.key,
            )
                .cmp(&(
                    !b.key.member,
                    !b.root,
                    b.key.name.is_none(),
                    &b.key.name,
                    &b.key.key,
                ))
        });
        out
    }

    /// Rejected statements and unusable key files, by path.
    /// The theme string `reason_<code><suffix>`.
    fn reason_string(&self, code: &str, suffix: &str) -> Option<String> {
        self.theme
            .strings
            .get(&format!("reason_{}{suffix}", code.replace('-', "_")))
            .cloned()
    }

    pub fn rejected(&self) -> Vec<RejectedView> {
        let mut out: Vec<RejectedView> = self
            .verified
            .rejected
            .iter()
            .map(|r| {
                let code = r.reason.code();
                RejectedView {
                    path: r.path.clone(),
                    key: r.key.map(|k| self.key_ref(k)),
                    code: code.to_string(),
                    label: self
                        .reason_string(code, "")
                        .unwrap_or_else(|| r.reason.to_string()),
                    help: self.reason_string(code, "_help").unwrap_or_default(),
                    detail: r.reason.particulars(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}
