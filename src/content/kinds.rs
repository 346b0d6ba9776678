//! The front matter of every kind of item (SPEC §3), read with serde into typed structs.
//! Unknown keys are rejected everywhere: a typo must not silently drop a value.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::values::{Color, HttpUrl, Moment, Quorum, Ratio, VoteOption};

/// `content/poles/*.md`: a thematic pole of the council, with its color.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pole {
    /// Name of the pole.
    pub title: String,
    /// The pole's color, carried through the site and the table cards.
    pub color: Color,
    /// One sentence.
    #[serde(default)]
    pub summary: Option<String>,
}

/// `content/groups/*.md`: a working group, identified by the number on its table card.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Name of the group.
    pub title: String,
    /// The number on the group's card, unique in the council.
    pub number: u32,
    /// Slug of the group's pole.
    pub pole: String,
    /// Who organises the group.
    #[serde(default)]
    pub organizer: Option<String>,
    /// One sentence.
    #[serde(default)]
    pub summary: Option<String>,
}

/// The three kinds of initiative of the minutes: a project, a budget, a regulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitiativeKind {
    /// A project to carry out.
    Project,
    /// A budget proposal.
    Budget,
    /// A rule or by-law.
    Regulation,
}

impl InitiativeKind {
    /// The key of its name in the UI strings.
    pub fn key(self) -> &'static str {
        match self {
            InitiativeKind::Project => "project",
            InitiativeKind::Budget => "budget",
            InitiativeKind::Regulation => "regulation",
        }
    }
}

/// A place where paper signatures are collected.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionPoint {
    /// Name of the place.
    pub place: String,
    /// Street address.
    #[serde(default)]
    pub address: Option<String>,
    /// When the stand opens.
    pub start: Moment,
    /// When it closes.
    #[serde(default)]
    pub end: Option<Moment>,
    /// Latitude and longitude.
    #[serde(default)]
    pub geo: Option<[f64; 2]>,
}

/// `content/initiatives/*.md`: a citizens' initiative that collects signatures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initiative {
    /// Title.
    pub title: String,
    /// Project, budget or regulation.
    pub kind: InitiativeKind,
    /// Slug of its pole.
    pub pole: String,
    /// Names or key ids of the authors.
    #[serde(default)]
    pub authors: Vec<String>,
    /// When signing opens.
    #[serde(default)]
    pub opens: Option<Moment>,
    /// When signing closes.
    #[serde(default)]
    pub closes: Option<Moment>,
    /// Signatures needed.
    #[serde(default)]
    pub goal: Option<u64>,
    /// Slug of the working group that carries it.
    #[serde(default)]
    pub group: Option<String>,
    /// Slug of the participatory budget it is a project of.
    #[serde(default)]
    pub budget: Option<String>,
    /// Its cost, for a project in a participatory budget.
    #[serde(default)]
    pub cost: Option<u64>,
    /// Where paper signatures are collected.
    #[serde(default)]
    pub collection_points: Vec<CollectionPoint>,
}

/// `content/debates/*.md`: a question put to debate; contributions sit in its folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Debate {
    /// The question.
    pub title: String,
    /// Slug of its pole.
    pub pole: String,
    /// Slug of a working group.
    #[serde(default)]
    pub group: Option<String>,
    /// Slug of the initiative debated.
    #[serde(default)]
    pub initiative: Option<String>,
    /// When contributions open.
    #[serde(default)]
    pub opens: Option<Moment>,
    /// When contributions close.
    #[serde(default)]
    pub closes: Option<Moment>,
}

/// Where a meeting takes place.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// "Café des Artistes, en terrasse".
    pub name: String,
    /// Street address.
    #[serde(default)]
    pub address: Option<String>,
}

/// Whether a meeting takes pre-registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Pre-registration is open.
    Open,
    /// Pre-registration is closed.
    Closed,
}

/// `content/meetings/*.md`: a meeting in person (and maybe online).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    /// Title.
    pub title: String,
    /// When it starts.
    pub start: Moment,
    /// Where.
    pub place: Place,
    /// When it ends.
    #[serde(default)]
    pub end: Option<Moment>,
    /// Latitude and longitude.
    #[serde(default)]
    pub geo: Option<[f64; 2]>,
    /// Slug of the group meeting.
    #[serde(default)]
    pub group: Option<String>,
    /// Slug of the pole.
    #[serde(default)]
    pub pole: Option<String>,
    /// Seats.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Pre-registration.
    #[serde(default)]
    pub registration: Option<Registration>,
    /// Link to join online.
    #[serde(default)]
    pub online: Option<HttpUrl>,
}

/// `content/minutes/*.md`: minutes of a meeting.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minutes {
    /// Title.
    pub title: String,
    /// Day of the meeting.
    pub date: Moment,
    /// Slug of the meeting.
    #[serde(default)]
    pub meeting: Option<String>,
    /// Slug of the group.
    #[serde(default)]
    pub group: Option<String>,
    /// Slug of the pole.
    #[serde(default)]
    pub pole: Option<String>,
    /// Who was there.
    #[serde(default)]
    pub attendees: Vec<String>,
    /// What was decided.
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// How a vote is counted (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoteMethod {
    /// Yes / no / abstain with a threshold.
    Majority,
    /// Approve any number of options.
    Approval,
    /// A scheduling poll: approve the dates you can attend.
    Dates,
    /// Rank the options (Schulze).
    Ranked,
    /// Grade every option (majority judgment).
    Judgment,
}

impl VoteMethod {
    /// The key of its name in the UI strings.
    pub fn key(self) -> &'static str {
        match self {
            VoteMethod::Majority => "majority",
            VoteMethod::Approval => "approval",
            VoteMethod::Dates => "dates",
            VoteMethod::Ranked => "ranked",
            VoteMethod::Judgment => "judgment",
        }
    }
}

/// Who may vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Electorate {
    /// Members of the web of trust only.
    Members,
    /// Any key.
    #[default]
    Anyone,
}

/// `content/votes/*.md`: a decision taken by signed ballots.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// The question.
    pub title: String,
    /// How ballots are counted.
    pub method: VoteMethod,
    /// The choices.
    pub options: Vec<VoteOption>,
    /// When voting opens.
    pub opens: Moment,
    /// When voting closes.
    pub closes: Moment,
    /// Who may vote.
    #[serde(default)]
    pub electorate: Electorate,
    /// Ballots needed for the result to count.
    #[serde(default)]
    pub quorum: Option<Quorum>,
    /// Share of expressed votes needed (majority).
    #[serde(default)]
    pub threshold: Option<Ratio>,
    /// Slug of the initiative decided.
    #[serde(default)]
    pub initiative: Option<String>,
    /// Grades, best first (judgment).
    #[serde(default)]
    pub grades: Vec<String>,
}

/// How a participatory budget picks projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BudgetMethod {
    /// By approvals, each project that still fits.
    Greedy,
    /// The Method of Equal Shares.
    #[default]
    EqualShares,
}

/// `content/budgets/*.md`: a participatory budget; its projects are initiatives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Title.
    pub title: String,
    /// Money to spend.
    pub total: u64,
    /// When voting opens.
    pub opens: Moment,
    /// When voting closes.
    pub closes: Moment,
    /// ISO currency code.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Which rule decides.
    #[serde(default)]
    pub method: BudgetMethod,
    /// Who may vote.
    #[serde(default)]
    pub electorate: Electorate,
    /// At most this many projects on one ballot.
    #[serde(default)]
    pub max_projects: Option<u64>,
    /// At most this much money on one ballot (the projects it approves, together).
    #[serde(default)]
    pub max_cost: Option<u64>,
}

fn default_currency() -> String {
    "EUR".into()
}

/// Which initiatives a draw of projects chooses from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitiativeFilter {
    /// Projects of this participatory budget.
    #[serde(default)]
    pub budget: Option<String>,
    /// Initiatives of this pole.
    #[serde(default)]
    pub pole: Option<String>,
    /// Initiatives of this kind.
    #[serde(default)]
    pub kind: Option<InitiativeKind>,
}

/// Who can be drawn.
#[derive(Debug, Clone)]
pub enum Pool {
    /// The members of the web of trust.
    Members,
    /// A YAML list of candidates with their attributes, at this path from the root.
    List(String),
    /// Initiatives matching a filter (a draw of projects).
    Initiatives(InitiativeFilter),
}

impl<'de> Deserialize<'de> for Pool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Map {
            #[serde(default)]
            list: Option<String>,
            #[serde(default)]
            initiatives: Option<InitiativeFilter>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`members`, `{list: path.yaml}` or `{initiatives: {budget: slug}}`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Pool, E> {
                match s {
                    "members" => Ok(Pool::Members),
                    _ => Err(E::custom(format!(
                        "invalid pool `{s}`: write `members`, `{{list: path.yaml}}` or `{{initiatives: {{budget: slug}}}}`"
                    ))),
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Pool, A::Error> {
                let m = Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (m.list, m.initiatives) {
                    (Some(l), None) => Ok(Pool::List(l)),
                    (None, Some(f)) => Ok(Pool::Initiatives(f)),
                    _ => Err(de::Error::custom(
                        "a pool is either `list` or `initiatives`, exactly one of them",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The public randomness of a draw.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Public sources announced in advance (none when the seed is members' secrets alone).
    #[serde(default)]
    pub sources: Vec<String>,
    /// When the sources were announced.
    #[serde(default)]
    pub announced: Option<Moment>,
    /// The seed, once public: the announced sources' values (for `rfc3797`, their numbers,
    /// source after source, separated by `/`).
    #[serde(default)]
    pub value: Option<String>,
    /// Members' secrets as a seed source (`pnyx/1 commit` then `pnyx/1 reveal`).
    #[serde(default)]
    pub commit_reveal: Option<CommitReveal>,
}

/// The periods of a commit–reveal seed: commitments until `commit_by`, reveals after it and
/// until `reveal_by`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitReveal {
    /// Last moment for a commitment to arrive.
    pub commit_by: Moment,
    /// Last moment for a reveal to arrive.
    pub reveal_by: Moment,
}

/// A term of office.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// First day.
    pub from: Moment,
    /// Last day.
    pub to: Moment,
}

/// Quotas per value of one attribute of the candidates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strata {
    /// The attribute (`pole`, `quartier`…).
    pub by: String,
    /// Most seats per value.
    pub quotas: BTreeMap<String, u32>,
}

/// Which algorithm draws (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// SHA-256 with rejection sampling.
    #[default]
    #[serde(rename = "pnyx-sha256")]
    PnyxSha256,
    /// RFC 3797, as used by the IETF NomCom.
    #[serde(rename = "rfc3797")]
    Rfc3797,
}

/// `content/sortitions/*.md`: a verifiable draw.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sortition {
    /// Title.
    pub title: String,
    /// How many are drawn.
    pub seats: u32,
    /// Who can be drawn.
    pub pool: Pool,
    /// Where the randomness comes from.
    pub seed: Seed,
    /// What the draw is for.
    #[serde(default)]
    pub purpose: Option<String>,
    /// The role given to those drawn (`moderator`).
    #[serde(default)]
    pub role: Option<String>,
    /// For how long.
    #[serde(default)]
    pub term: Option<Term>,
    /// Quotas.
    #[serde(default)]
    pub strata: Option<Strata>,
    /// Algorithm.
    #[serde(default)]
    pub algorithm: Algorithm,
    /// The selection as published by whoever ran the draw, in draw order: checked against the
    /// recomputation (`pnyx draw S --verify`).
    #[serde(default)]
    pub result: Option<Vec<String>>,
}

/// Hide or restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModerationAction {
    /// Hide the target.
    Hide,
    /// Show it again.
    Restore,
}

/// `content/moderation/*.md`: a moderator's decision, signed (issue of moderation).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// Hide or restore.
    pub action: ModerationAction,
    /// Path of the content concerned, from the root.
    pub target: String,
    /// Why.
    pub reason: String,
    /// When.
    pub date: Moment,
}

/// `content/pages/*.md`: a free page (about, charter, how to take part).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Title.
    pub title: String,
    /// One sentence, shown in lists.
    #[serde(default)]
    pub summary: Option<String>,
    /// Order in the footer menu, smallest first.
    #[serde(default)]
    pub weight: Option<i32>,
}

/// `content/newsletters/*.md`: a newsletter as it was sent, written by `pnyx newsletter` for the
/// site's archive.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Newsletter {
    /// Subject.
    pub title: String,
    /// When it was written.
    pub date: Moment,
    /// What it covers: what happened after this (a date or a commit).
    pub since: String,
    /// Slug of the pole it is limited to.
    #[serde(default)]
    pub pole: Option<String>,
}

/// `content/progress/<initiative>.md`: the follow-up of an adopted initiative or a funded
/// project, in a file of its own so that reporting progress never changes the text citizens
/// signed. The body tells the latest news in a few sentences.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// How far it is done, 0 to 100.
    #[serde(default)]
    pub percent: Option<u8>,
    /// The steps, in the order they come.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// One step of a follow-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What is to be done.
    pub title: String,
    /// When it was done, or is planned.
    #[serde(default)]
    pub date: Option<Moment>,
    /// Where it stands.
    pub status: StepStatus,
    /// Slug of the minutes that record it.
    #[serde(default)]
    pub minutes: Option<String>,
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Done.
    Done,
    /// Under way.
    Doing,
    /// To come.
    Planned,
}

impl StepStatus {
    /// Its key, in templates and data.
    pub fn key(self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Doing => "doing",
            StepStatus::Planned => "planned",
        }
    }
}

/// A contribution's stance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// In favour.
    For,
    /// Against.
    Against,
    /// Neither.
    Neutral,
}

impl Position {
    /// The key of its name in the UI strings.
    pub fn key(self) -> &'static str {
        match self {
            Position::For => "for",
            Position::Against => "against",
            Position::Neutral => "neutral",
        }
    }
}

/// A contribution file `content/<kind>/<slug>/<stem>.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionMeta {
    /// Key id or name.
    pub author: String,
    /// When it was written.
    pub date: Moment,
    /// Stem of the contribution it answers.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// For, against or neutral.
    #[serde(default)]
    pub position: Option<Position>,
}
