//! The tally stage: from accepted statements and the web of trust to the numbers on the site.
//! Pure: everything comes from the loaded site and the verify stage.

pub mod decide;
pub mod meetings;
pub mod moderation;
pub mod paper;
pub mod sortition;
pub mod summary;
pub mod trust;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::load::signatures::Signatures;
use crate::signatures::keys::KeyId;
use crate::signatures::statement::{Target, Verb};
use crate::signatures::verify::{Accepted, Verified};
use paper::{paper_tally, Attestations, PaperTally};
use trust::{Certification, Trust};

/// A key that supports an initiative (or registered, or attested).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The key.
    pub key: KeyId,
    /// Member of the web of trust.
    pub member: bool,
    /// Arrival time (`None`: not committed yet; counted as now).
    pub arrived: Option<i64>,
    /// Which version of the text it signed (0 is the current one).
    pub version: usize,
    /// The statement file.
    pub path: String,
}

/// The supporters of one initiative.
#[derive(Debug, Clone, Default)]
pub struct InitiativeTally {
    /// Counted supports, oldest first.
    pub supporters: Vec<Signer>,
    /// Supports that arrived after `closes`: shown, not counted.
    pub late: Vec<Signer>,
    /// Keys whose latest statement is a withdrawal.
    pub withdrawn: usize,
    /// Paper batches.
    pub paper: Vec<PaperTally>,
    /// Counted supporters who are members.
    pub members: u64,
    /// Counted supporters who are not.
    pub others: u64,
    /// Counted paper signatures.
    pub paper_total: u64,
}

impl InitiativeTally {
    /// Everything counted.
    pub fn total(&self) -> u64 {
        self.members + self.others + self.paper_total
    }
}

/// Everything counted on the site.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    /// The web of trust.
    pub trust: Trust,
    /// Per initiative slug.
    pub initiatives: BTreeMap<String, InitiativeTally>,
    /// Registrations per meeting slug: seated, waiting, late.
    pub registrations: BTreeMap<String, meetings::RegistrationTally>,
    /// The build's reference time, for statements not committed yet.
    pub now: i64,
    /// Moderation decisions and what they hide (see [`crate::tally::moderation::decide`]).
    pub moderation: crate::tally::moderation::ModerationLog,
    /// Per vote slug.
    pub votes: BTreeMap<String, crate::tally::decide::count::VoteTally>,
    /// Per participatory budget slug.
    pub budgets: BTreeMap<String, crate::tally::decide::count::BudgetTally>,
    /// Per sortition slug.
    pub sortitions: BTreeMap<String, crate::tally::sortition::count::SortitionTally>,
    /// The roles in force: `roles.yaml` and the terms that draws give.
    pub roles: crate::load::roles::Roles,
}

/// Counts everything of a loaded site, with its trust settings, time zone and roles.
pub fn tally(site: &crate::load::Site, verified: &Verified, now: DateTime<Utc>) -> Tallies {
    let content = &site.content;
    let sigs: &Signatures = &site.signatures;
    let roots: &[KeyId] = &site.settings.roots;
    let needed = site.settings.config.trust.certifications;
    let tz = &site.settings.tz;
    let roles = &site.roles;
    let now_ts = now.timestamp();
    // Without git history nothing says when a statement arrived: none is called late (the
    // site says its counts are undated). With history, an uncommitted one arrives "now".
    let dated = sigs.history.is_some();
    let certifications: Vec<Certification> = verified.accepted.iter().filter_map(certification).collect();
    let trust = trust::compute(roots, &certifications, needed, now_ts);
    // With the earlier versions history keeps, to know the web of trust at a past moment.
    let every_version: Vec<Certification> = certifications
        .iter()
        .copied()
        .chain(verified.earlier.iter().filter_map(certification))
        .collect();
    let signer = |a: &Accepted| Signer {
        key: a.valid.place.key,
        member: trust.is_member(&a.valid.place.key),
        arrived: a.arrived,
        version: a.valid.version,
        path: a.path.clone(),
    };
    let mut initiatives: BTreeMap<String, InitiativeTally> = content
        .initiatives
        .keys()
        .map(|k| (k.clone(), InitiativeTally::default()))
        .collect();
    let mut registered: BTreeMap<String, (Vec<Signer>, usize)> = BTreeMap::new();
    let mut attestations = Attestations::new();
    let mut ballots: BTreeMap<&str, BTreeMap<String, Vec<&Accepted>>> = BTreeMap::new();
    for a in &verified.accepted {
        match (&a.valid.place.target, a.valid.said.verb) {
            (
                Target::Item {
                    folder: "initiatives",
                    slug,
                },
                verb,
            ) => {
                let (Some(t), Some(item)) = (initiatives.get_mut(slug), content.initiatives.get(slug)) else {
                    continue;
                };
                if verb == Verb::Withdraw {
                    t.withdrawn += 1;
                    continue;
                }
                let s = signer(a);
                let closes = item.meta.closes.map(|c| c.end(tz).timestamp());
                if dated && closes.is_some_and(|c| s.arrived.unwrap_or(now_ts) > c) {
                    t.late.push(s);
                } else {
                    t.supporters.push(s);
                }
            }
            (
                Target::Item {
                    folder: "meetings",
                    slug,
                },
                verb,
            ) => {
                let entry = registered.entry(slug.clone()).or_default();
                match verb {
                    Verb::Register => entry.0.push(signer(a)),
                    Verb::Withdraw => entry.1 += 1,
                    _ => {}
                }
            }
            (
                Target::Item {
                    folder: folder @ ("votes" | "budgets"),
                    slug,
                },
                Verb::Vote,
            ) => {
                ballots
                    .entry(folder)
                    .or_default()
                    .entry(slug.clone())
                    .or_default()
                    .push(a);
            }
            (Target::Paper { .. }, Verb::Attest) => {
                let batch = a.valid.place.signed_file();
                attestations.entry(batch).or_default().push((
                    a.valid.place.key,
                    a.valid.said.argument.clone(),
                    a.arrived,
                ));
            }
            _ => {}
        }
    }
    for batch in sigs.paper.values().filter(|b| b.folder == "initiatives") {
        let Some(t) = initiatives.get_mut(&batch.slug) else {
            continue;
        };
        let mut p = paper_tally(batch, &attestations, |key| trust.is_member(key), None);
        if let Some(text) = &batch.meta.text {
            let path = format!("content/initiatives/{}.md", batch.slug);
            if !is_version_of(text, &path, content, sigs) {
                p.counted = false;
                p.attested_by.clear();
                p.problem = Some(paper::PaperProblem::UnknownText(text.clone()));
            }
        }
        if p.counted {
            t.paper_total += p.count;
        }
        t.paper.push(p);
    }
    for t in initiatives.values_mut() {
        t.supporters.sort_by_key(|s| (s.arrived.unwrap_or(now_ts), s.key));
        t.late.sort_by_key(|s| (s.arrived.unwrap_or(now_ts), s.key));
        t.members = t.supporters.iter().filter(|s| s.member).count() as u64;
        t.others = t.supporters.len() as u64 - t.members;
    }
    let registrations: BTreeMap<String, meetings::RegistrationTally> = registered
        .into_iter()
        .filter_map(|(slug, (list, withdrawn))| {
            let m = &content.meetings.get(&slug)?.meta;
            let start = m.start.start(tz).timestamp();
            let t = meetings::seat(list, withdrawn, m.capacity, start, now_ts, dated);
            Some((slug, t))
        })
        .collect();
    let ctx = crate::tally::decide::count::Context {
        now: now_ts,
        dated,
        tz,
        trust: &trust,
        certifications: &every_version,
        roots,
        needed,
    };
    let paper: Vec<&crate::load::signatures::PaperBatch> = sigs.paper.values().collect();
    let none = BTreeMap::new();
    let votes = crate::tally::decide::count::tally_votes(
        content,
        &ctx,
        ballots.get("votes").unwrap_or(&none),
        &paper,
        &attestations,
    );
    let budgets = crate::tally::decide::count::tally_budgets(
        content,
        &ctx,
        ballots.get("budgets").unwrap_or(&none),
        &paper,
        &attestations,
    );
    let (sortitions, roles) = crate::tally::sortition::count::tally_sortitions(
        content,
        &ctx,
        roles,
        &verified.accepted,
        &verified.earlier,
    );
    Tallies {
        trust,
        initiatives,
        registrations,
        now: now_ts,
        moderation: Default::default(),
        votes,
        budgets,
        sortitions,
        roles,
    }
}

/// A certification or revocation statement, as the web of trust reads it.
fn certification(a: &Accepted) -> Option<Certification> {
    match a.valid.place.target {
        Target::Key(subject) => Some(Certification {
            by: a.valid.place.key,
            subject,
            active: a.valid.said.verb == Verb::Certify,
            arrived: a.arrived,
        }),
        _ => None,
    }
}

/// Whether `text` (hex digits, as a signature sheet prints them) starts the git blob id of a
/// version of the initiative at `path`: its text now, or one the branch's history keeps. At
/// least 7 digits, as git asks of a short id, so that a batch cannot name every text at once.
fn is_version_of(text: &str, path: &str, content: &crate::content::Content, sigs: &Signatures) -> bool {
    let text = text.trim().to_ascii_lowercase();
    if text.len() < 7 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let slug = path
        .trim_start_matches("content/initiatives/")
        .trim_end_matches(".md");
    let current = content
        .initiatives
        .get(slug)
        .map(|i| crate::load::history::blob_id(i.source.as_bytes()));
    let earlier = sigs
        .history
        .as_ref()
        .map(|h| h.versions(path).iter().map(|v| v.blob).collect::<Vec<_>>())
        .unwrap_or_default();
    current
        .into_iter()
        .chain(earlier)
        .any(|blob| blob.to_string().starts_with(&text))
}
