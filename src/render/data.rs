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
    let json = |v: &dyn erased::Json| v.to_pretty();
    vec![
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
    ]
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
