//! Ballot parsing for every method: a ballot is counted whole or refused with a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pnyx::tally::decide::ballot::{parse, Choice, Form};

const OPTIONS: [&str; 4] = ["yes", "no", "abstain", "a-b"];

fuzz_target!(|text: &str| {
    let grades = vec!["très-bien".to_string(), "bien".to_string(), "passable".to_string()];
    let costs = [100, 250, 0, 4_000];
    let forms = [
        Form::Single,
        Form::Approval,
        Form::Ranked,
        Form::Graded { grades: &grades },
        Form::Projects {
            costs: &costs,
            max_projects: Some(2),
            max_cost: Some(1_000),
        },
    ];
    for form in forms {
        if let Ok(choice) = parse(form, &OPTIONS, text) {
            let in_range = |i: &usize| *i < OPTIONS.len();
            match choice {
                Choice::Single(i) => assert!(in_range(&i)),
                Choice::Approve(list) => assert!(list.iter().all(in_range)),
                Choice::Rank(groups) => assert!(groups.iter().flatten().all(in_range)),
                Choice::Grades(g) => assert!(g.iter().all(|x| *x < grades.len())),
            }
        }
    }
});
