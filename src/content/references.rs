//! Checks across items: references that must exist, numbers that must be unique, dates
//! in order. Each problem is placed on the key that carries it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::content::{Content, Item, Items, Kind, Pool, VoteMethod};
use crate::error::{Diagnostic, Diagnostics};

/// Runs every cross-item check on loaded content.
pub fn check_content(c: &Content, root: &Path, diags: &mut Diagnostics) {
    let mut numbers: BTreeMap<u32, &str> = BTreeMap::new();
    for g in c.groups.values() {
        refer(
            diags,
            &c.unreadable,
            g,
            "pole",
            Some(&g.meta.pole),
            &c.poles,
            Kind::Poles,
        );
        if let Some(first) = numbers.insert(g.meta.number, &g.slug) {
            diags.push(
                g.error_at(
                    "number",
                    format!("group number {} is already used by `{first}`", g.meta.number),
                )
                .hint(format!(
                    "give this group a free number; the highest in use is {}",
                    numbers.keys().last().unwrap_or(&0)
                )),
            );
            numbers.insert(g.meta.number, first);
        }
    }
    for i in c.initiatives.values() {
        let m = &i.meta;
        refer(
            diags,
            &c.unreadable,
            i,
            "pole",
            Some(&m.pole),
            &c.poles,
            Kind::Poles,
        );
        refer(
            diags,
            &c.unreadable,
            i,
            "group",
            m.group.as_ref(),
            &c.groups,
            Kind::Groups,
        );
        refer(
            diags,
            &c.unreadable,
            i,
            "budget",
            m.budget.as_ref(),
            &c.budgets,
            Kind::Budgets,
        );
        if m.budget.is_some() && m.cost.is_none() {
            diags.push(
                i.error_at("budget", "a project of a participatory budget needs a `cost`")
                    .hint("add `cost: 12000` (in the budget's currency)"),
            );
        }
        if m.cost == Some(0) {
            diags.push(
                i.error_at("cost", "a project of a participatory budget cannot cost nothing")
                    .hint("give its cost in the budget's currency, at least 1"),
            );
        }
        if m.cost.is_some() && m.budget.is_none() {
            diags.push(
                i.error_at("cost", "`cost` only makes sense with `budget`")
                    .hint("add `budget: <slug of the budget>` or remove `cost`"),
            );
        }
        in_order(
            diags,
            i,
            ("opens", m.opens.as_ref()),
            ("closes", m.closes.as_ref()),
        );
        for (n, p) in m.collection_points.iter().enumerate() {
            if let Some(problem) = p.geo.and_then(geo_problem) {
                diags.push(
                    i.error_at(
                        "collection_points",
                        format!("collection point {} (`{}`): {problem}", n + 1, p.place),
                    )
                    .hint(GEO_HINT),
                );
            }
            if let Some(end) = &p.end {
                if end.start(&chrono::Utc) < p.start.start(&chrono::Utc) {
                    diags.push(
                        i.error_at(
                            "collection_points",
                            format!("collection point {} (`{}`) ends before it starts", n + 1, p.place),
                        )
                        .hint("check `start` and `end`"),
                    );
                }
            }
        }
    }
    for d in c.debates.values() {
        let m = &d.meta;
        refer(
            diags,
            &c.unreadable,
            d,
            "pole",
            Some(&m.pole),
            &c.poles,
            Kind::Poles,
        );
        refer(
            diags,
            &c.unreadable,
            d,
            "group",
            m.group.as_ref(),
            &c.groups,
            Kind::Groups,
        );
        refer(
            diags,
            &c.unreadable,
            d,
            "initiative",
            m.initiative.as_ref(),
            &c.initiatives,
            Kind::Initiatives,
        );
        in_order(
            diags,
            d,
            ("opens", m.opens.as_ref()),
            ("closes", m.closes.as_ref()),
        );
    }
    for mt in c.meetings.values() {
        let m = &mt.meta;
        refer(
            diags,
            &c.unreadable,
            mt,
            "pole",
            m.pole.as_ref(),
            &c.poles,
            Kind::Poles,
        );
        refer(
            diags,
            &c.unreadable,
            mt,
            "group",
            m.group.as_ref(),
            &c.groups,
            Kind::Groups,
        );
        in_order(diags, mt, ("start", Some(&m.start)), ("end", m.end.as_ref()));
        if let Some(problem) = m.geo.and_then(geo_problem) {
            diags.push(mt.error_at("geo", problem).hint(GEO_HINT));
        }
    }
    for mn in c.minutes.values() {
        let m = &mn.meta;
        refer(
            diags,
            &c.unreadable,
            mn,
            "meeting",
            m.meeting.as_ref(),
            &c.meetings,
            Kind::Meetings,
        );
        refer(
            diags,
            &c.unreadable,
            mn,
            "group",
            m.group.as_ref(),
            &c.groups,
            Kind::Groups,
        );
        refer(
            diags,
            &c.unreadable,
            mn,
            "pole",
            m.pole.as_ref(),
            &c.poles,
            Kind::Poles,
        );
    }
    for v in c.votes.values() {
        let m = &v.meta;
        refer(
            diags,
            &c.unreadable,
            v,
            "initiative",
            m.initiative.as_ref(),
            &c.initiatives,
            Kind::Initiatives,
        );
        in_order(diags, v, ("opens", Some(&m.opens)), ("closes", Some(&m.closes)));
        let mut seen = BTreeSet::new();
        for o in &m.options {
            if !seen.insert(&o.id) {
                diags.push(
                    v.error_at("options", format!("option `{}` is listed twice", o.id))
                        .hint("each option id must be unique"),
                );
            }
        }
        let min = if m.method == VoteMethod::Majority { 2 } else { 1 };
        if m.options.len() < min {
            diags.push(
                v.error_at("options", "a vote needs options to choose from")
                    .hint("for a yes/no question write `options: [yes, no, abstain]`"),
            );
        }
        if m.method == VoteMethod::Judgment && m.grades.len() < 2 {
            diags.push(
                v.error_at("method", "a majority-judgment vote needs `grades`, best first")
                    .hint("add `grades: [excellent, good, fair, poor, reject]`"),
            );
        }
        if m.method == VoteMethod::Majority {
            let ids: Vec<&str> = m.options.iter().map(|o| o.id.as_str()).collect();
            let odd: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| !["yes", "no", "abstain"].contains(id))
                .collect();
            if !odd.is_empty() || !ids.contains(&"yes") || !ids.contains(&"no") {
                diags.push(
                    v.error_at("options", "a majority vote's options are `yes`, `no` and, if you wish, `abstain`")
                        .hint("write `options: [yes, no, abstain]` (give labels with `{id: yes, label: \"Pour\"}`); for other choices use `method: approval` or `ranked`"),
                );
            }
        }
        let mut grades_seen = BTreeSet::new();
        for g in &m.grades {
            if g.trim().is_empty() || g.contains([',', '=', '>']) || g.trim() != g {
                diags.push(
                    v.error_at("grades", format!("the grade `{g}` cannot be written in a ballot"))
                        .hint("a grade is a word or two, without `,`, `=` or `>`, as in `grades: [excellent, bien, passable, insuffisant]`"),
                );
            } else if !grades_seen.insert(g) {
                diags.push(
                    v.error_at("grades", format!("the grade `{g}` is listed twice"))
                        .hint("each grade must be unique"),
                );
            }
        }
        if m.method != VoteMethod::Judgment && !m.grades.is_empty() {
            diags.push(
                v.error_at("grades", "`grades` are only used by `method: judgment`")
                    .hint("remove `grades`, or set `method: judgment`"),
            );
        }
        if m.method != VoteMethod::Majority && m.threshold.is_some() {
            diags.push(
                v.error_at("threshold", "`threshold` only applies to `method: majority`")
                    .hint("remove `threshold`"),
            );
        }
    }
    for b in c.budgets.values() {
        in_order(
            diags,
            b,
            ("opens", Some(&b.meta.opens)),
            ("closes", Some(&b.meta.closes)),
        );
        if b.meta.max_projects == Some(0) {
            diags.push(
                b.error_at(
                    "max_projects",
                    "a ballot limited to 0 projects cannot approve anything",
                )
                .hint("remove `max_projects`, or give at least 1"),
            );
        }
    }
    for s in c.sortitions.values() {
        let m = &s.meta;
        if m.seats == 0 {
            diags.push(
                s.error_at("seats", "a draw needs at least one seat")
                    .hint("set `seats: 3`, say"),
            );
        }
        match &m.pool {
            Pool::Members => {}
            Pool::List(_) => {} // read, and checked, with the content (load::read_pool_lists)
            Pool::Initiatives(f) => {
                refer(
                    diags,
                    &c.unreadable,
                    s,
                    "pool",
                    f.budget.as_ref(),
                    &c.budgets,
                    Kind::Budgets,
                );
                refer(
                    diags,
                    &c.unreadable,
                    s,
                    "pool",
                    f.pole.as_ref(),
                    &c.poles,
                    Kind::Poles,
                );
            }
        }
        if let Some(t) = &m.term {
            in_order(diags, s, ("term", Some(&t.from)), ("term", Some(&t.to)));
        }
        check_sortition(s, diags);
    }
    for p in c.progress.values() {
        // Its file is named after the initiative it follows.
        if !c.initiatives.contains_key(&p.slug)
            && !c.unreadable.contains(&(Kind::Initiatives, p.slug.clone()))
        {
            diags.push(
                p.error_at(
                    "percent",
                    format!("there is no initiative `{}` to follow up", p.slug),
                )
                .hint("name the file after the initiative: content/progress/<initiative>.md"),
            );
        }
        if p.meta.percent.is_some_and(|n| n > 100) {
            diags.push(
                p.error_at("percent", "a percentage is at most 100")
                    .hint("write how far it is done, 0 to 100"),
            );
        }
        for step in &p.meta.steps {
            refer(
                diags,
                &c.unreadable,
                p,
                "minutes",
                step.minutes.as_ref(),
                &c.minutes,
                Kind::Minutes,
            );
        }
    }
    for md in c.moderation.values() {
        let target = &md.meta.target;
        let safe = target.starts_with("content/") && !target.split('/').any(|p| p == ".." || p.is_empty());
        if !safe || !root.join(target).is_file() {
            diags.push(
                md.error_at("target", format!("the target `{target}` is not a content file"))
                    .hint("write the path from the site's root, e.g. `content/debates/x/03-name.md`"),
            );
        }
    }
    check_contributions(&c.initiatives, diags);
    check_contributions(&c.debates, diags);
    check_contributions(&c.meetings, diags);
    check_contributions(&c.votes, diags);
    check_contributions(&c.budgets, diags);
    check_contributions(&c.minutes, diags);
    check_contributions(&c.groups, diags);
    check_contributions(&c.poles, diags);
    check_contributions(&c.pages, diags);
    check_contributions(&c.sortitions, diags);
    check_contributions(&c.moderation, diags);
}

/// The rules of a draw that its front matter alone shows (SPEC §6, docs/sortition.md).
fn check_sortition(s: &Item<crate::content::Sortition>, diags: &mut Diagnostics) {
    use crate::content::Algorithm;
    let m = &s.meta;
    let seed = &m.seed;
    if seed.sources.is_empty() && seed.commit_reveal.is_none() {
        diags.push(
            s.error_at("seed", "a draw needs a seed announced in advance")
                .hint("list public sources in `seed.sources` (a lottery draw after the announcement), or add `seed.commit_reveal`"),
        );
    }
    if seed.announced.is_none() {
        diags.push(
            s.error_at("seed", "when were the seed's sources announced?")
                .hint("add `announced: 2026-11-20` under `seed:`: the pool is taken as it stood then, before anyone could know the seed"),
        );
    }
    if seed.sources.is_empty() && seed.value.is_some() {
        diags.push(
            s.error_at("value", "a seed `value` without the `sources` it comes from")
                .hint("say in `seed.sources` where the value comes from, announced before it was known"),
        );
    }
    if let Some(cr) = &seed.commit_reveal {
        in_order(
            diags,
            s,
            ("commit_by", Some(&cr.commit_by)),
            ("reveal_by", Some(&cr.reveal_by)),
        );
        if m.algorithm == Algorithm::Rfc3797 {
            diags.push(
                s.error_at(
                    "commit_reveal",
                    "RFC 3797 draws from public numbers only, not from members' secrets",
                )
                .hint("use `algorithm: pnyx-sha256` with `commit_reveal`, or remove `commit_reveal`"),
            );
        }
    }
    if m.algorithm == Algorithm::Rfc3797 {
        if let Some(v) = &seed.value {
            // upward: RFC 3797 defines how its seed is written; the draw algorithm is pure (it
            // imports nothing of the crate), and reading the seed here puts the error at its line.
            if let Err(e) = crate::tally::sortition::algorithm::rfc3797_key(v) {
                diags.push(
                    s.error_at("value", format!("this RFC 3797 seed cannot be read: {e}"))
                        .hint("write each source's numbers, sources separated by `/`: `value: \"9319 / 2 5 8 10 12 / 9 18 26 34 41 45\"`"),
                );
            }
        }
    }
    if let Some(strata) = &m.strata {
        match &m.pool {
            Pool::Members => diags.push(
                s.error_at("strata", "members have no attributes to stratify by")
                    .hint("list the candidates with their attributes in a file, `pool: {list: content/sortitions/NAME.yaml}`"),
            ),
            Pool::Initiatives(_) if !["pole", "kind", "budget", "group"].contains(&strata.by.as_str()) => diags.push(
                s.error_at("by", format!("initiatives have no attribute `{}`", strata.by))
                    .hint("stratify initiatives by `pole`, `kind`, `budget` or `group`"),
            ),
            _ => {}
        }
        if strata.quotas.is_empty() {
            diags.push(
                s.error_at("quotas", "strata without quotas")
                    .hint("give the most seats per value, e.g. `quotas: {nord: 2, sud: 2}`"),
            );
        }
    }
    if let Some(role) = &m.role {
        if m.term.is_none() {
            diags.push(
                s.error_at("role", format!("the role `{role}` is given without a term"))
                    .hint("add `term: {from: 2027-02-01, to: 2027-07-31}`"),
            );
        }
        if matches!(m.pool, Pool::Initiatives(_)) {
            diags.push(
                s.error_at("role", "a role cannot go to initiatives")
                    .hint("draw people: `pool: members`, or a list of key ids"),
            );
        }
    }
    if let Some(result) = &m.result {
        let mut seen = BTreeSet::new();
        for id in result {
            if !seen.insert(id) {
                diags.push(
                    s.error_at("result", format!("`{id}` is twice in the result"))
                        .hint("a candidate is drawn once at most; copy the selection `pnyx draw` prints"),
                );
            }
        }
        if result.len() > m.seats as usize {
            diags.push(
                s.error_at(
                    "result",
                    format!("{} selected for {} seats", result.len(), m.seats),
                )
                .hint("copy the selection `pnyx draw` prints"),
            );
        }
    }
}

/// Replies must answer a contribution of the same item, and never form a loop.
fn check_contributions<M>(items: &Items<M>, diags: &mut Diagnostics) {
    for item in items.values() {
        let index: BTreeMap<&str, usize> = item
            .contributions
            .iter()
            .enumerate()
            .map(|(i, c)| (c.slug.as_str(), i))
            .collect();
        // The contribution each one answers, when that one exists and is another.
        let mut parent: Vec<Option<usize>> = vec![None; item.contributions.len()];
        for (i, c) in item.contributions.iter().enumerate() {
            let Some(to) = c.meta.reply_to.as_deref() else {
                continue;
            };
            match index.get(to) {
                None => {
                    let known: Vec<&str> = index.keys().copied().collect();
                    diags.push(
                        c.error_at(
                            "reply_to",
                            format!("`{to}` is not a contribution of `{}`", item.slug),
                        )
                        .hint(suggest(to, &known, "contributions here", "")),
                    );
                }
                Some(&p) if p == i => diags.push(
                    c.error_at("reply_to", "this contribution answers itself")
                        .hint("name the contribution it answers, or remove `reply_to:`"),
                ),
                Some(&p) => parent[i] = Some(p),
            }
        }
        for cycle in reply_loops(&parent) {
            for (at, &i) in cycle.iter().enumerate() {
                // Each member of the loop is told, starting from itself.
                let chain: Vec<&str> = cycle[at..]
                    .iter()
                    .chain(&cycle[..at])
                    .map(|&j| item.contributions[j].slug.as_str())
                    .collect();
                let me = chain[0];
                let shown = if chain.len() > 6 {
                    format!("{} → … ({} replies) → {me}", chain[..3].join(" → "), chain.len())
                } else {
                    format!("{} → {me}", chain.join(" → "))
                };
                diags.push(
                    item.contributions[i]
                        .error_at(
                            "reply_to",
                            format!("these replies answer each other in a loop: {shown}"),
                        )
                        .hint(
                            "a reply must answer an earlier contribution: change one `reply_to:` of the loop",
                        ),
                );
            }
        }
    }
}

/// The loops of a "replies to" relation, each in reply order: every contribution is walked
/// once (a thread of any length or depth is fine, and takes linear time).
fn reply_loops(parent: &[Option<usize>]) -> Vec<Vec<usize>> {
    const NEW: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    // NEW, DONE, or the position on the walk under way.
    let mut state = vec![NEW; parent.len()];
    let mut loops = Vec::new();
    for start in 0..parent.len() {
        let mut walk: Vec<usize> = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                NEW => {
                    state[i] = walk.len();
                    walk.push(i);
                    at = parent[i];
                }
                DONE => break,
                on_walk => {
                    loops.push(walk[on_walk..].to_vec());
                    break;
                }
            }
        }
        for i in walk {
            state[i] = DONE;
        }
    }
    loops
}

/// Reports `value` at `key` when it is not a slug of `targets`.
fn refer<M, T>(
    diags: &mut Diagnostics,
    unreadable: &BTreeSet<(Kind, String)>,
    item: &Item<M>,
    key: &str,
    value: Option<&String>,
    targets: &Items<T>,
    kind: Kind,
) {
    let Some(v) = value else { return };
    // A target whose own file has errors is reported there: its fix is the one to make,
    // and saying here that it "does not exist" would only mislead.
    if targets.contains_key(v) || unreadable.contains(&(kind, v.clone())) {
        return;
    }
    let what = noun(kind);
    let known: Vec<&str> = targets.keys().map(String::as_str).collect();
    diags.push(
        item.error_at(key, format!("{what} `{v}` does not exist"))
            .hint(suggest(v, &known, &format!("{what}s"), "")),
    );
}

/// What one item of `kind` is called in messages.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Poles => "pole",
        Kind::Groups => "working group",
        Kind::Initiatives => "initiative",
        Kind::Debates => "debate",
        Kind::Meetings => "meeting",
        Kind::Minutes => "minutes",
        Kind::Votes => "vote",
        Kind::Budgets => "participatory budget",
        Kind::Sortitions => "sortition",
        Kind::Moderation => "moderation decision",
        Kind::Pages => "page",
        Kind::Newsletters => "newsletter",
        Kind::Progress => "follow-up",
    }
}

/// "did you mean `x`?" from the closest known slugs, or the list when it is short.
/// "did you mean `x`?" when a known value is close to `value`, else the known values.
/// `create` says what to do when there are none (empty: create the file first).
pub(crate) fn suggest<S: AsRef<str>>(value: &str, known: &[S], what: &str, create: &str) -> String {
    if known.is_empty() {
        let create = if create.is_empty() {
            "create the file first"
        } else {
            create
        };
        return format!("there are no {what} yet; {create}");
    }
    let mut scored: Vec<(f64, &str)> = known
        .iter()
        .map(|k| (strsim::jaro_winkler(value, k.as_ref()), k.as_ref()))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    if scored[0].0 > 0.8 {
        return format!("did you mean `{}`?", scored[0].1);
    }
    let list: Vec<String> = known
        .iter()
        .take(12)
        .map(|k| format!("`{}`", k.as_ref()))
        .collect();
    let more = if known.len() > 12 { ", …" } else { "" };
    format!("known {what}: {}{more}", list.join(", "))
}

/// Reports when `later` comes before `earlier`.
fn in_order<M>(
    diags: &mut Diagnostics,
    item: &Item<M>,
    earlier: (&str, Option<&crate::content::values::Moment>),
    later: (&str, Option<&crate::content::values::Moment>),
) {
    if let (Some(a), Some(b)) = (earlier.1, later.1) {
        if b.end(&chrono::Utc) < a.start(&chrono::Utc) {
            diags.push(
                item.error_at(
                    later.0,
                    format!("`{}` ({b}) comes before `{}` ({a})", later.0, earlier.0),
                )
                .hint("check the two dates"),
            );
        }
    }
}

/// Convenience for tests and callers that only have a `Diagnostic` list.
pub fn diagnostics_for(c: &Content, root: &Path) -> Vec<Diagnostic> {
    let mut d = Diagnostics::default();
    check_content(c, root, &mut d);
    d.sort();
    d.0
}

/// How to write `geo:`.
const GEO_HINT: &str =
    "write `geo: [LATITUDE, LONGITUDE]` in decimal degrees, e.g. `geo: [43.6045, 1.4440]` for Toulouse";

/// What is wrong with a `[latitude, longitude]`, if anything: `.nan` and `.inf` are YAML
/// numbers, but no place.
fn geo_problem([lat, lon]: [f64; 2]) -> Option<String> {
    if !lat.is_finite() || !lon.is_finite() {
        return Some("`geo` holds a number that is not finite (`.nan` or `.inf`)".into());
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Some(format!("the latitude {lat} is not between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Some(format!("the longitude {lon} is not between -180 and 180"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::reply_loops;

    #[test]
    fn finds_each_loop_once_and_not_the_chains_that_lead_into_it() {
        // 0 → 1 → 2 → 0 is a loop; 3 → 4 → 1 leads into it; 5 → 6 is a plain thread.
        let parent = [Some(1), Some(2), Some(0), Some(4), Some(1), Some(6), None];
        assert_eq!(reply_loops(&parent), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_thread_of_a_hundred_thousand_replies_has_no_loop() {
        let parent: Vec<Option<usize>> = (0..100_000usize).map(|i| i.checked_sub(1)).collect();
        assert!(reply_loops(&parent).is_empty());
        let mut looped = parent.clone();
        looped[0] = Some(99_999);
        assert_eq!(reply_loops(&looped).len(), 1);
        assert_eq!(reply_loops(&looped)[0].len(), 100_000);
    }
}
