//! Numbers and money in the site's language: "50 000 €", "€50,000", "1 200"; and HTML
//! escaping for the few fragments written outside templates (diffs, charts, the error banner).

use crate::config::Language;

/// An ordinal number: "1ᵉʳ", "2ᵉ" in French; "1st", "2nd", "3rd", "11th" in English.
pub fn ordinal(n: u64, lang: Language) -> String {
    match lang {
        Language::Fr if n == 1 => "1ᵉʳ".to_string(),
        Language::Fr => format!("{n}ᵉ"),
        Language::En => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

/// Appends `s` to `out` with `& < > " '` escaped: safe in text and in quoted attributes.
pub fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `s` with `& < > " '` escaped.
pub fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape(s, &mut out);
    out
}

/// An integer with thousands separators: narrow no-break space in French, comma in English.
pub fn int(n: u64, lang: Language) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Language::Fr => "\u{202f}",
        Language::En => ",",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// An amount of money, with the currency's symbol where it has a common one.
pub fn money(amount: u64, currency: &str, lang: Language) -> String {
    let symbol = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "CHF" => "CHF",
        "CAD" => "$ CA",
        other => other,
    };
    match lang {
        Language::Fr => format!("{}\u{a0}{symbol}", int(amount, lang)),
        Language::En if symbol.chars().count() == 1 => format!("{symbol}{}", int(amount, lang)),
        Language::En => format!("{} {symbol}", int(amount, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_in_each_language() {
        assert_eq!(ordinal(1, Language::Fr), "1ᵉʳ");
        assert_eq!(ordinal(2, Language::Fr), "2ᵉ");
        assert_eq!(ordinal(1, Language::En), "1st");
        assert_eq!(ordinal(2, Language::En), "2nd");
        assert_eq!(ordinal(3, Language::En), "3rd");
        assert_eq!(ordinal(11, Language::En), "11th");
        assert_eq!(ordinal(22, Language::En), "22nd");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(int(50000, Language::Fr), "50\u{202f}000");
        assert_eq!(int(1234567, Language::En), "1,234,567");
        assert_eq!(int(999, Language::En), "999");
        assert_eq!(money(50000, "EUR", Language::Fr), "50\u{202f}000\u{a0}€");
        assert_eq!(money(50000, "EUR", Language::En), "€50,000");
    }
}
