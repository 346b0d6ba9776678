//! Front matter and content parsing: every kind's item, and contributions, from any text.
//! Never a panic; an error always names a line and a column.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pnyx::content::{self, ContributionMeta, Item};

fn one<M: serde::de::DeserializeOwned>(path: &str, text: &str) {
    if let Err(d) = Item::<M>::parse(Path::new(path), text) {
        assert!(d.line >= 1 && d.column >= 1, "{path}: {d:?}");
    }
}

fuzz_target!(|text: &str| {
    one::<content::Pole>("content/poles/p.md", text);
    one::<content::Group>("content/groups/g.md", text);
    one::<content::Initiative>("content/initiatives/i.md", text);
    one::<content::Debate>("content/debates/d.md", text);
    one::<content::Meeting>("content/meetings/m.md", text);
    one::<content::Minutes>("content/minutes/m.md", text);
    one::<content::Vote>("content/votes/v.md", text);
    one::<content::Budget>("content/budgets/b.md", text);
    one::<content::Sortition>("content/sortitions/s.md", text);
    one::<content::Moderation>("content/moderation/m.md", text);
    one::<content::Page>("content/pages/p.md", text);
    one::<ContributionMeta>("content/debates/d/01-a.md", text);
});
