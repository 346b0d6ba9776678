//! Slugs: the `[a-z0-9-]+` names of items, and how titles become slugs.

/// True when `s` is a valid slug: only `a-z`, `0-9` and `-`, starting and ending with a letter
/// or a digit (`-` or `-a` would make addresses nobody can read or type).
pub fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Turns a title into a slug, folding accents: "Gratuité des bus" → `gratuite-des-bus`.
pub fn slugify(title: &str) -> String {
    let folded = deunicode::deunicode(title).to_ascii_lowercase();
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_punctuation() {
        assert_eq!(slugify("Gratuité des bus"), "gratuite-des-bus");
        assert_eq!(slugify("  L'été à Toulouse ! "), "l-ete-a-toulouse");
        assert_eq!(slugify("Œuvres & Crèches"), "oeuvres-creches");
    }

    #[test]
    fn validates_slugs() {
        assert!(is_valid("gratuite-des-bus-2"));
        assert!(!is_valid("Gratuite"));
        assert!(!is_valid("a_b"));
        assert!(!is_valid(""));
        assert!(!is_valid("-"), "a slug of a hyphen alone");
        assert!(!is_valid("-bus"));
        assert!(!is_valid("bus-"));
        assert!(is_valid("2026-11-12-masquer-01-julien"));
    }
}
