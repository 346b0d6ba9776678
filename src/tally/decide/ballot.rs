//! What a ballot says: the argument of `pnyx/1 vote …` (or a line of a paper batch), read
//! against the vote's options and its method's rules. A ballot that breaks them is refused
//! with a reason the page can show, never half-counted.

use std::collections::BTreeSet;
use std::fmt;

/// The rules a ballot must follow, from the vote or budget it is cast in.
#[derive(Debug, Clone, Copy)]
pub enum Form<'a> {
    /// One option: `yes`.
    Single,
    /// Any number of distinct options: `a,b,c`.
    Approval,
    /// A ranking, best first, `=` for ties: `b>a=c`.
    Ranked,
    /// A grade for each option: `a=good,b=poor`; `grades` best first.
    Graded {
        /// The grades, best first.
        grades: &'a [String],
    },
    /// Approval of projects of a participatory budget, within its limits.
    Projects {
        /// Cost of each project, in option order.
        costs: &'a [u64],
        /// At most this many projects per ballot.
        max_projects: Option<u64>,
        /// At most this much money per ballot.
        max_cost: Option<u64>,
    },
}

/// A valid ballot, as option indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// One option.
    Single(usize),
    /// Approved options, in increasing index order.
    Approve(Vec<usize>),
    /// Groups of tied options, best first.
    Rank(Vec<Vec<usize>>),
    /// A grade index (0 = best) per option; options not graded get the worst grade.
    Grades(Vec<usize>),
}

/// Why a ballot is not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The ballot is empty.
    Empty,
    /// It names an option the vote does not have.
    UnknownOption(String),
    /// It names an option twice.
    Twice(String),
    /// More than one choice where one is expected.
    OneChoice,
    /// A grade not in `grades`.
    UnknownGrade(String),
    /// An option without `=grade` in a judgment ballot, or a malformed part.
    Syntax(String),
    /// More projects than `max_projects`.
    TooManyProjects(u64),
    /// Approved projects cost more than `max_cost`.
    TooExpensive {
        /// What the ballot's projects cost together.
        cost: u64,
        /// The limit.
        max: u64,
    },
    /// Cast before the vote opened.
    Early,
    /// Cast after it closed.
    Late,
    /// From a key outside the electorate.
    NotMember,
}

impl Problem {
    /// The key of its explanation in the UI strings (`ballot_problem_<key>`).
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Empty => "empty",
            Problem::UnknownOption(_) => "unknown_option",
            Problem::Twice(_) => "twice",
            Problem::OneChoice => "one_choice",
            Problem::UnknownGrade(_) => "unknown_grade",
            Problem::Syntax(_) => "syntax",
            Problem::TooManyProjects(_) => "too_many_projects",
            Problem::TooExpensive { .. } => "too_expensive",
            Problem::Early => "early",
            Problem::Late => "late",
            Problem::NotMember => "not_member",
        }
    }

    /// The value the explanation names (an option, a grade, a limit), if any.
    pub fn detail(&self) -> Option<String> {
        match self {
            Problem::UnknownOption(s) | Problem::Twice(s) | Problem::UnknownGrade(s) | Problem::Syntax(s) => {
                Some(s.clone())
            }
            Problem::TooManyProjects(n) => Some(n.to_string()),
            Problem::TooExpensive { cost, max } => Some(format!("{cost} > {max}")),
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("the ballot is empty"),
            Problem::UnknownOption(s) => write!(f, "`{s}` is not one of the options"),
            Problem::Twice(s) => write!(f, "`{s}` is named twice"),
            Problem::OneChoice => f.write_str("this vote takes exactly one choice"),
            Problem::UnknownGrade(s) => write!(f, "`{s}` is not one of the grades"),
            Problem::Syntax(s) => write!(f, "cannot read `{s}`"),
            Problem::TooManyProjects(n) => write!(f, "more than {n} projects"),
            Problem::TooExpensive { cost, max } => {
                write!(f, "the projects cost {cost} together, more than {max}")
            }
            Problem::Early => f.write_str("cast before the vote opened"),
            Problem::Late => f.write_str("cast after the vote closed"),
            Problem::NotMember => f.write_str("the key is not a member, and only members vote"),
        }
    }
}

/// Reads a ballot's text against the options (their ids, in order) and the form's rules.
pub fn parse(form: Form<'_>, options: &[&str], text: &str) -> Result<Choice, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::Empty);
    }
    let index = |id: &str| -> Result<usize, Problem> {
        options
            .iter()
            .position(|o| *o == id)
            .ok_or_else(|| Problem::UnknownOption(id.to_string()))
    };
    let mut seen = BTreeSet::new();
    let mut once = |i: usize| -> Result<usize, Problem> {
        if seen.insert(i) {
            Ok(i)
        } else {
            Err(Problem::Twice(options[i].to_string()))
        }
    };
    match form {
        Form::Single => {
            if text.contains([',', '>', '=']) {
                return Err(Problem::OneChoice);
            }
            Ok(Choice::Single(index(text)?))
        }
        Form::Approval => approvals(text, index, &mut once).map(Choice::Approve),
        Form::Projects {
            costs,
            max_projects,
            max_cost,
        } => {
            let chosen = approvals(text, index, &mut once)?;
            if let Some(max) = max_projects {
                if chosen.len() as u64 > max {
                    return Err(Problem::TooManyProjects(max));
                }
            }
            if let Some(max) = max_cost {
                let cost = chosen
                    .iter()
                    .map(|&i| costs.get(i).copied().unwrap_or(0))
                    .fold(0u64, u64::saturating_add);
                if cost > max {
                    return Err(Problem::TooExpensive { cost, max });
                }
            }
            Ok(Choice::Approve(chosen))
        }
        Form::Ranked => {
            let mut groups = Vec::new();
            for group in text.split('>') {
                let mut tied = Vec::new();
                for id in group.split('=') {
                    let id = id.trim();
                    if id.is_empty() {
                        return Err(Problem::Syntax(text.to_string()));
                    }
                    tied.push(once(index(id)?)?);
                }
                tied.sort_unstable();
                groups.push(tied);
            }
            Ok(Choice::Rank(groups))
        }
        Form::Graded { grades } => {
            let worst = grades.len().saturating_sub(1);
            let mut given = vec![worst; options.len()];
            for part in text.split(',') {
                let part = part.trim();
                let Some((id, grade)) = part.split_once('=') else {
                    return Err(Problem::Syntax(part.to_string()));
                };
                let i = once(index(id.trim())?)?;
                let g = grades
                    .iter()
                    .position(|g| g == grade.trim())
                    .ok_or_else(|| Problem::UnknownGrade(grade.trim().to_string()))?;
                given[i] = g;
            }
            Ok(Choice::Grades(given))
        }
    }
}

/// `a,b,c` → sorted distinct indices.
fn approvals(
    text: &str,
    index: impl Fn(&str) -> Result<usize, Problem>,
    once: &mut impl FnMut(usize) -> Result<usize, Problem>,
) -> Result<Vec<usize>, Problem> {
    let mut chosen = Vec::new();
    for id in text.split(',') {
        let id = id.trim();
        if id.is_empty() {
            return Err(Problem::Syntax(text.to_string()));
        }
        chosen.push(once(index(id)?)?);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: [&str; 3] = ["a", "b", "c"];

    #[test]
    fn a_single_choice_is_one_known_option() {
        assert_eq!(parse(Form::Single, &OPTS, "b"), Ok(Choice::Single(1)));
        assert_eq!(parse(Form::Single, &OPTS, "a,b"), Err(Problem::OneChoice));
        assert_eq!(
            parse(Form::Single, &OPTS, "maybe"),
            Err(Problem::UnknownOption("maybe".into()))
        );
        assert_eq!(parse(Form::Single, &OPTS, "  "), Err(Problem::Empty));
    }

    #[test]
    fn approvals_are_distinct_known_options() {
        assert_eq!(
            parse(Form::Approval, &OPTS, "c, a"),
            Ok(Choice::Approve(vec![0, 2]))
        );
        assert_eq!(
            parse(Form::Approval, &OPTS, "a,a"),
            Err(Problem::Twice("a".into()))
        );
        assert_eq!(
            parse(Form::Approval, &OPTS, "a,,b"),
            Err(Problem::Syntax("a,,b".into()))
        );
    }

    #[test]
    fn rankings_may_be_partial_and_tied() {
        assert_eq!(
            parse(Form::Ranked, &OPTS, "b>a"),
            Ok(Choice::Rank(vec![vec![1], vec![0]]))
        );
        assert_eq!(
            parse(Form::Ranked, &OPTS, "c=a>b"),
            Ok(Choice::Rank(vec![vec![0, 2], vec![1]]))
        );
        assert_eq!(
            parse(Form::Ranked, &OPTS, "a>b>a"),
            Err(Problem::Twice("a".into()))
        );
    }

    #[test]
    fn grades_must_exist_and_missing_ones_are_the_worst() {
        let grades = ["good".to_string(), "fair".into(), "poor".into()];
        let form = Form::Graded { grades: &grades };
        assert_eq!(
            parse(form, &OPTS, "a=good,c=fair"),
            Ok(Choice::Grades(vec![0, 2, 1]))
        );
        assert_eq!(
            parse(form, &OPTS, "a=great"),
            Err(Problem::UnknownGrade("great".into()))
        );
        assert_eq!(parse(form, &OPTS, "a"), Err(Problem::Syntax("a".into())));
    }

    #[test]
    fn budget_ballots_respect_the_limits() {
        let costs = [100, 200, 300];
        let form = |max_projects, max_cost| Form::Projects {
            costs: &costs,
            max_projects,
            max_cost,
        };
        assert_eq!(
            parse(form(None, None), &OPTS, "a,b,c"),
            Ok(Choice::Approve(vec![0, 1, 2]))
        );
        assert_eq!(
            parse(form(Some(2), None), &OPTS, "a,b,c"),
            Err(Problem::TooManyProjects(2))
        );
        assert_eq!(
            parse(form(None, Some(450)), &OPTS, "b,c"),
            Err(Problem::TooExpensive { cost: 500, max: 450 })
        );
        assert!(parse(form(None, Some(450)), &OPTS, "a,c").is_ok());
    }
}
