//! Open data (SPEC §9): `public/data/*.json`, so that anyone can recompute and reuse every
//! number of the site. Keys are sorted and output is stable: two builds of the same commit
//! with the same reference time give the same bytes.

use serde::Serialize;

use super::context::Ctx;
use super::trust_views::MemberView;
use super::views::Views;

#[derive(Serialize)]
struct Supporters {
    members: u64,
    others: u64,
    paper: u64,
    total: u64,
}

#[derive(Serialize)]
struct InitiativeData<'a> {
    slug: &'a str,
    title: &'a str,
    kind: &'a str,
    pole: &'a str,
    goal: Option<u64>,
    closes: Option<String>,
    supporters: Supporters,
    reached: bool,
    /// The follow-up of the decision, once the council reports one.
    progress: Option<ProgressData<'a>>,
}

#[derive(Serialize)]
struct ProgressData<'a> {
    percent: Option<u8>,
    steps: Vec<StepData<'a>>,
}

#[derive(Serialize)]
struct StepData<'a> {
    title: &'a str,
    date: Option<String>,
    status: &'static str,
    minutes: Option<&'a str>,
}

#[derive(Serialize)]
struct MemberData {
    key: String,
    name: Option<String>,
    member: bool,
    root: bool,
    certified_by: Vec<String>,
}

#[derive(Serialize)]
struct RejectedData {
    path: String,
    key: Option<String>,
    reason: String,
    detail: String,
}

#[derive(Serialize)]
struct BuildData {
    /// The build's reference time ("now"): `SOURCE_DATE_EPOCH` when set.
    reference_time: String,
    /// Whether statements were dated from git history.
    history: bool,
    /// The reference read (`refs/heads/main`) and its last commit.
    reference: Option<String>,
    commit: Option<String>,
    statements_accepted: usize,
    statements_rejected: usize,
}

#[derive(Serialize)]
struct Positions {
    r#for: usize,
    against: usize,
    neutral: usize,
}

/// One signer of an initiative, in `data/signers/<slug>.json`.
#[derive(Serialize)]
struct SignerData<'a> {
    key: String,
    name: Option<&'a str>,
    member: bool,
    /// Arrival (the commit that brought the statement), RFC 3339 in the site's time zone;
    /// `null` when not committed yet.
    date: Option<&'a str>,
    /// Which version of the text it signs: 0 is the current one.
    version: usize,
    /// The statement file.
    path: &'a str,
}

/// `data/signers/<slug>.json`: every signer of one initiative, whom its page shows only the
/// latest of: `{"slug": …, "signers": […], "late": […]}`, the counted ones then those that
/// arrived after the deadline, oldest first, one per line (a city's initiative has hundreds
/// of thousands).
fn signers_file(ctx: &Ctx<'_>, slug: &str) -> Vec<u8> {
    let empty = crate::tally::InitiativeTally::default();
    let t = ctx.tallies.initiatives.get(slug).unwrap_or(&empty);
    let mut out = format!("{{\n  \"slug\": {}", serde_json::Value::from(slug)).into_bytes();
    // The date of the row before, in words: rows come oldest first, and a city's statements
    // arrive in a few commits, so most rows have the date of the row before.
    let mut dated: Option<(i64, String)> = None;
    for (name, list) in [("signers", &t.supporters), ("late", &t.late)] {
        out.extend_from_slice(format!(",\n  \"{name}\": [").as_bytes());
        for (i, s) in list.iter().enumerate() {
            if let Some(ts) = s
                .arrived
                .filter(|ts| dated.as_ref().is_none_or(|(at, _)| at != ts))
            {
                dated = Some((ts, ctx.time_iso(ts)));
            }
            let row = SignerData {
                key: s.key.to_string(),
                name: ctx.sigs.keys.get(&s.key).and_then(|k| k.name.as_deref()),
                member: s.member,
                date: s.arrived.and(dated.as_ref().map(|(_, iso)| iso.as_str())),
                version: s.version,
                path: &s.path,
            };
            out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
            // Plain data into a vector: it serialises, and the writer never fails.
            let _ = serde_json::to_writer(&mut out, &row);
        }
        out.extend_from_slice(if list.is_empty() { b"]" } else { b"\n  ]" });
    }
    out.extend_from_slice(b"\n}\n");
    out
}

#[derive(Serialize)]
struct DebateData<'a> {
    slug: &'a str,
    title: &'a str,
    pole: &'a str,
    group: Option<&'a str>,
    initiative: Option<&'a str>,
    opens: Option<String>,
    closes: Option<String>,
    status: super::context::Status,
    contributions: usize,
    positions: Positions,
}

/// One contribution of any item's discussion: what its page shows, its text as written. A
/// contribution moderation hid keeps its place (replies name it) with neither author nor text.
#[derive(Serialize)]
struct ContributionData<'a> {
    /// `debates/<slug>`, `initiatives/<slug>`…: the item discussed.
    item: String,
    /// The file name without `.md`, what `reply_to` names.
    id: String,
    path: String,
    hidden: bool,
    author: Option<&'a str>,
    date: String,
    position: Option<&'static str>,
    reply_to: Option<&'a str>,
    text: Option<&'a str>,
}

#[derive(Serialize)]
struct RegistrationData {
    key: String,
    name: Option<String>,
    member: bool,
    date: Option<String>,
    /// `seated`, `waiting` (in line, in this order) or `late` (after the start: not counted).
    status: &'static str,
}

#[derive(Serialize)]
struct MeetingData<'a> {
    slug: &'a str,
    title: &'a str,
    start: String,
    end: Option<String>,
    place: &'a str,
    address: Option<&'a str>,
    geo: Option<[f64; 2]>,
    online: Option<String>,
    pole: Option<&'a str>,
    group: Option<&'a str>,
    capacity: Option<u32>,
    registration: Option<&'static str>,
    registrations: Vec<RegistrationData>,
    full: bool,
    withdrawn: usize,
    minutes: Vec<&'a str>,
}

#[derive(Serialize)]
struct MinutesData<'a> {
    slug: &'a str,
    title: &'a str,
    date: String,
    meeting: Option<&'a str>,
    pole: Option<&'a str>,
    group: Option<&'a str>,
    attendees: &'a [String],
    decisions: &'a [String],
}

#[derive(Serialize)]
struct ModerationData<'a> {
    slug: &'a str,
    action: &'static str,
    target: &'a str,
    reason: &'a str,
    date: String,
    signed_by: Vec<String>,
    effective: bool,
    problem: Option<&'static str>,
}

/// Every discussion's contributions, item by item in path order.
fn contributions<'a>(ctx: &Ctx<'a>) -> Vec<ContributionData<'a>> {
    use crate::content::{Item, Kind};
    let c = ctx.content;
    let mut out = Vec::new();
    let mut add = |kind: Kind, slug: &str, list: &'a [Item<crate::content::ContributionMeta>]| {
        for x in list {
            let path = x.path.to_string_lossy().replace('\\', "/");
            let hidden = ctx.tallies.moderation.hidden.contains_key(&path);
            out.push(ContributionData {
                item: format!("{}/{slug}", kind.dir()),
                id: x.slug.clone(),
                hidden,
                author: (!hidden).then_some(x.meta.author.as_str()),
                date: x.meta.date.to_string(),
                position: if hidden {
                    None
                } else {
                    x.meta.position.map(|p| p.key())
                },
                reply_to: x.meta.reply_to.as_deref(),
                text: (!hidden).then_some(x.body.as_str()),
                path,
            });
        }
    };
    for (slug, i) in &c.initiatives {
        add(Kind::Initiatives, slug, &i.contributions);
    }
    for (slug, d) in &c.debates {
        add(Kind::Debates, slug, &d.contributions);
    }
    for (slug, m) in &c.meetings {
        add(Kind::Meetings, slug, &m.contributions);
    }
    for (slug, v) in &c.votes {
        add(Kind::Votes, slug, &v.contributions);
    }
    for (slug, b) in &c.budgets {
        add(Kind::Budgets, slug, &b.contributions);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The data files, by name.
pub fn files(ctx: &Ctx<'_>, v: &Views, members: &[MemberView]) -> Vec<(String, Vec<u8>)> {
    let initiatives: Vec<InitiativeData<'_>> = v
        .initiatives
        .iter()
        .map(|i| {
            let item = &ctx.content.initiatives[&i.slug];
            InitiativeData {
                slug: &i.slug,
                title: &i.title,
                kind: i.kind,
                pole: &item.meta.pole,
                goal: item.meta.goal,
                closes: item.meta.closes.map(|c| c.to_string()),
                supporters: Supporters {
                    members: i.support.members,
                    others: i.support.others,
                    paper: i.support.paper,
                    total: i.support.total,
                },
                reached: i.support.reached,
                progress: ctx.content.progress.get(&i.slug).map(|p| ProgressData {
                    percent: p.meta.percent,
                    steps: p
                        .meta
                        .steps
                        .iter()
                        .map(|s| StepData {
                            title: &s.title,
                            date: s.date.map(|d| d.to_string()),
                            status: s.status.key(),
                            minutes: s.minutes.as_deref(),
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    let mut initiatives = initiatives;
    initiatives.sort_by(|a, b| a.slug.cmp(b.slug));
    let members: Vec<MemberData> = members
        .iter()
        .map(|m| MemberData {
            key: m.key.key.clone(),
            name: m.key.name.clone(),
            member: m.key.member,
            root: m.root,
            certified_by: m.certified_by.iter().map(|k| k.key.clone()).collect(),
        })
        .collect();
    let history = ctx.sigs.history.as_ref();
    let build = BuildData {
        reference_time: ctx.now.to_rfc3339(),
        history: history.is_some(),
        reference: history.map(|h| h.reference.clone()),
        commit: history.and_then(|h| h.commits.last()).map(|c| c.id.to_string()),
        statements_accepted: ctx.verified.accepted.len(),
        statements_rejected: ctx.verified.rejected.len(),
    };
    let rejected: Vec<RejectedData> = ctx
        .verified
        .rejected
        .iter()
        .map(|r| RejectedData {
            path: r.path.clone(),
            key: r.key.map(|k| k.to_string()),
            reason: r.reason.code().to_string(),
            detail: r.reason.to_string(),
        })
        .collect();
    let c = ctx.content;
    let debates: Vec<DebateData<'_>> = v
        .debates
        .iter()
        .map(|d| {
            let item = &c.debates[&d.slug];
            DebateData {
                slug: &d.slug,
                title: &d.title,
                pole: &item.meta.pole,
                group: item.meta.group.as_deref(),
                initiative: item.meta.initiative.as_deref(),
                opens: item.meta.opens.map(|m| m.to_string()),
                closes: item.meta.closes.map(|m| m.to_string()),
                status: d.status,
                contributions: item.contributions.len(),
                positions: Positions {
                    r#for: d.positions.r#for,
                    against: d.positions.against,
                    neutral: d.positions.neutral,
                },
            }
        })
        .collect();
    let meetings: Vec<MeetingData<'_>> = v
        .meetings
        .iter()
        .map(|m| {
            let item = &c.meetings[&m.slug];
            MeetingData {
                slug: &m.slug,
                title: &m.title,
                start: item.meta.start.to_string(),
                end: item.meta.end.map(|e| e.to_string()),
                place: &item.meta.place.name,
                address: item.meta.place.address.as_deref(),
                geo: item.meta.geo,
                online: item.meta.online.as_ref().map(|u| u.0.clone()),
                pole: item.meta.pole.as_deref(),
                group: item.meta.group.as_deref(),
                capacity: item.meta.capacity,
                registration: m.registration,
                registrations: [
                    ("seated", &m.registered.seated),
                    ("waiting", &m.registered.waiting),
                    ("late", &m.registered.late),
                ]
                .into_iter()
                .flat_map(|(status, list)| {
                    list.iter().map(move |r| RegistrationData {
                        key: r.key.key.clone(),
                        name: r.key.name.clone(),
                        member: r.key.member,
                        date: r.date_iso.clone(),
                        status,
                    })
                })
                .collect(),
                full: m.full,
                withdrawn: m.registered.withdrawn,
                minutes: c
                    .minutes
                    .values()
                    .filter(|x| x.meta.meeting.as_deref() == Some(m.slug.as_str()))
                    .map(|x| x.slug.as_str())
                    .collect(),
            }
        })
        .collect();
    let minutes: Vec<MinutesData<'_>> = c
        .minutes
        .values()
        .map(|m| MinutesData {
            slug: &m.slug,
            title: &m.meta.title,
            date: m.meta.date.to_string(),
            meeting: m.meta.meeting.as_deref(),
            pole: m.meta.pole.as_deref(),
            group: m.meta.group.as_deref(),
            attendees: &m.meta.attendees,
            decisions: &m.meta.decisions,
        })
        .collect();
    let moderation: Vec<ModerationData<'_>> = ctx
        .tallies
        .moderation
        .decisions
        .iter()
        .map(|d| ModerationData {
            slug: &d.slug,
            action: match d.action {
                crate::content::ModerationAction::Hide => "hide",
                crate::content::ModerationAction::Restore => "restore",
            },
            target: &d.target,
            reason: &d.reason,
            date: d.date.to_string(),
            signed_by: d.signed_by.iter().map(|k| k.to_string()).collect(),
            effective: d.effective(),
            problem: d.problem.as_ref().map(|p| p.code()),
        })
        .collect();
    let json = |v: &dyn erased::Json| v.to_pretty();
    let signers = ctx
        .content
        .initiatives
        .keys()
        .map(|slug| (format!("signers/{slug}.json"), signers_file(ctx, slug)));
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("debates.json".into(), json(&debates)),
        ("contributions.json".into(), json(&contributions(ctx))),
        ("meetings.json".into(), json(&meetings)),
        ("minutes.json".into(), json(&minutes)),
        ("moderation.json".into(), json(&moderation)),
        ("initiatives.json".into(), json(&initiatives)),
        ("members.json".into(), json(&members)),
        ("build.json".into(), json(&build)),
        ("rejected.json".into(), json(&rejected)),
        (
            "votes.json".into(),
            json(&crate::tally::decide::rows::vote_rows(
                ctx.content,
                &ctx.tallies.votes,
            )),
        ),
        (
            "budgets.json".into(),
            json(&crate::tally::decide::rows::budget_rows(
                ctx.content,
                &ctx.tallies.budgets,
            )),
        ),
        (
            "sortitions.json".into(),
            json(&crate::tally::sortition::count::rows(
                ctx.content,
                &ctx.tallies.sortitions,
            )),
        ),
    ];
    files.extend(signers);
    files
}

mod erased {
    /// Pretty JSON with a final newline.
    pub trait Json {
        fn to_pretty(&self) -> Vec<u8>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_pretty(&self) -> Vec<u8> {
            let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
            v.push(b'\n');
            v
        }
    }
}
