//! Writes one markdown-only corpus three ways, for comparing pnyx with Zola and Hugo:
//! `cargo run --release --example pages -- OUT_DIR [N]` (N pages, 10 000 by default) writes
//!
//! - `OUT_DIR/pnyx/`: a pnyx site, 8 poles and N debates (`content/debates/page-{i}.md`);
//! - `OUT_DIR/zola/`: a Zola site, 8 sections (`content/pole-{p}/`) holding the same N pages,
//!   with minimal templates (base, index, section, page);
//! - `OUT_DIR/hugo/`: a Hugo site of the same shape (`layouts/_default/` baseof, single, list).
//!
//! Every page's body is the same markdown for the three tools, about 7 KB of it: headings,
//! paragraphs with links, emphasis and inline code, lists, a table and a code block. The text
//! varies with the page number through a fixed pseudo-random sequence (no clock, no entropy), so
//! two runs write identical files. Only std is used. See `scripts/bench.sh` and
//! docs/benchmarks.md.

use std::fmt::Write as _;
use std::path::Path;

const POLES: usize = 8;
/// The body grows section by section until it reaches this many bytes.
const TARGET_BYTES: usize = 6400;

/// SplitMix64: a tiny, fixed pseudo-random sequence, seeded by the page number.
struct Seq(u64);

impl Seq {
    fn new(seed: u64) -> Seq {
        Seq(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x05ee_d0f9_a9e5)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

const NOUNS: &[&str] = &[
    "quartier",
    "budget",
    "école",
    "transport",
    "logement",
    "jardin",
    "piste cyclable",
    "marché",
    "bibliothèque",
    "fontaine",
    "place",
    "cantine",
    "recyclerie",
    "parc",
    "ligne de bus",
    "maison de santé",
    "conseil",
    "association",
    "rue",
    "crèche",
    "gymnase",
    "verger",
    "composteur",
    "banc",
    "éclairage",
    "assemblée",
    "commission",
    "délibération",
    "enquête",
    "permanence",
];
const ADJECTIVES: &[&str] = &[
    "public",
    "partagé",
    "gratuit",
    "municipal",
    "solidaire",
    "accessible",
    "ouvert",
    "durable",
    "local",
    "collectif",
    "sûr",
    "calme",
    "propre",
    "nouveau",
    "ancien",
    "commun",
];
const VERBS: &[&str] = &[
    "propose",
    "demande",
    "finance",
    "rénove",
    "ouvre",
    "étudie",
    "prolonge",
    "répare",
    "améliore",
    "examine",
    "soutient",
    "relie",
    "protège",
    "réduit",
    "mesure",
    "publie",
];
const PLACES: &[&str] = &[
    "les Minimes",
    "Saint-Cyprien",
    "la Daurade",
    "Bonnefoy",
    "les Carmes",
    "Rangueil",
    "Borderouge",
    "Lardenne",
    "Empalot",
    "Purpan",
    "Croix-Daurade",
    "la Roseraie",
];
const HEADINGS: &[&str] = &[
    "Le constat",
    "La proposition",
    "Le coût",
    "Le calendrier",
    "Les objections",
    "Ce qui a été essayé ailleurs",
    "Les questions ouvertes",
    "Les sources",
    "Qui décide",
    "Les suites à donner",
    "Ce que disent les habitants",
    "Les chiffres",
];

fn sentence(seq: &mut Seq, i: usize, out: &mut String) {
    let noun = seq.pick(NOUNS);
    let adj = seq.pick(ADJECTIVES);
    let verb = seq.pick(VERBS);
    let place = seq.pick(PLACES);
    let other = seq.pick(NOUNS);
    let n = seq.below(900) + 10;
    match seq.below(6) {
        0 => {
            let _ = write!(
                out,
                "Le {noun} {adj} de {place} {verb} un {other} pour {n} habitants."
            );
        }
        1 => {
            let _ = write!(
                out,
                "La commission {verb} le *{noun} {adj}*, comme le rappelle [la délibération {n}](https://example.org/deliberations/{i}/{n}), depuis {place}."
            );
        }
        2 => {
            let _ = write!(
                out,
                "Il faut **{n} jours** pour qu'un {noun} {adj} {verb} le {other} de {place}."
            );
        }
        3 => {
            let _ = write!(
                out,
                "Selon [l'enquête de {place}](https://example.org/enquetes/{i}-{n}) : « le {noun} est {adj} », et le champ `{noun}_{n}` le mesure."
            );
        }
        4 => {
            let _ = write!(
                out,
                "Chacun {verb} le {other} ; le {noun} reste _{adj}_ — au moins jusqu'en {}.",
                2026 + n % 4
            );
        }
        _ => {
            let _ = write!(
                out,
                "Le conseil de {place} {verb} {n} demandes sur le {noun} et le {other} {adj}."
            );
        }
    }
}

fn paragraph(seq: &mut Seq, i: usize, out: &mut String) {
    let sentences = 3 + seq.below(3);
    for s in 0..sentences {
        if s > 0 {
            out.push(' ');
        }
        sentence(seq, i, out);
    }
    out.push_str("\n\n");
}

fn list(seq: &mut Seq, i: usize, out: &mut String) {
    let ordered = seq.below(2) == 0;
    for k in 0..3 + seq.below(3) {
        let noun = seq.pick(NOUNS);
        let adj = seq.pick(ADJECTIVES);
        let verb = seq.pick(VERBS);
        let marker = if ordered {
            format!("{}.", k + 1)
        } else {
            "-".into()
        };
        if seq.below(3) == 0 {
            let _ = writeln!(
                out,
                "{marker} un {noun} **{adj}** qui {verb} [la fiche {k}](https://example.org/fiches/{i}/{k})"
            );
        } else {
            let _ = writeln!(out, "{marker} le {noun} {adj}, que l'on {verb} *ensemble*");
        }
    }
    out.push('\n');
}

fn table(seq: &mut Seq, i: usize, out: &mut String) {
    out.push_str("| poste | lieu | coût (€) | part |\n|---|---|--:|:-:|\n");
    for _ in 0..6 {
        let noun = seq.pick(NOUNS);
        let place = seq.pick(PLACES);
        let cost = (seq.below(500) + 1) * 100 + i % 100;
        let part = seq.below(100);
        let _ = writeln!(out, "| {noun} | {place} | {cost} | {part} % |");
    }
    out.push('\n');
}

fn code_block(seq: &mut Seq, i: usize, out: &mut String) {
    let noun = seq.pick(NOUNS).replace([' ', '\''], "_").replace('é', "e");
    let n = seq.below(1000);
    let _ = write!(
        out,
        "```rust\n// Page {i}: the share of the budget spent on {noun}.\nfn part(total: u64, spent: u64) -> f64 {{\n    if total == 0 {{\n        return 0.0;\n    }}\n    spent as f64 / total as f64\n}}\n\nfn main() {{\n    let {noun} = part({}, {n});\n    println!(\"{{:.2}}\", {noun});\n}}\n```\n\n",
        n * 10 + 1000
    );
}

/// The markdown body of page `i`, the same for the three tools.
fn body(i: usize) -> String {
    let mut seq = Seq::new(i as u64);
    let mut out = String::with_capacity(TARGET_BYTES + 1024);
    paragraph(&mut seq, i, &mut out);
    let mut section = 0;
    while out.len() < TARGET_BYTES {
        let heading = HEADINGS[(i + section) % HEADINGS.len()];
        let _ = write!(out, "## {heading} ({})\n\n", section + 1);
        paragraph(&mut seq, i, &mut out);
        match section {
            0 => list(&mut seq, i, &mut out),
            1 => table(&mut seq, i, &mut out),
            2 => code_block(&mut seq, i, &mut out),
            _ if section % 2 == 1 => list(&mut seq, i, &mut out),
            _ => {
                let _ = write!(out, "### Détail {section}\n\n");
            }
        }
        paragraph(&mut seq, i, &mut out);
        section += 1;
    }
    out
}

/// A title (quoted in front matter: it holds a `:`).
fn title(i: usize) -> String {
    let mut seq = Seq::new(!(i as u64));
    format!(
        "Page {i} : le {} {} de {}",
        seq.pick(NOUNS),
        seq.pick(ADJECTIVES),
        seq.pick(PLACES)
    )
}

/// The page's date, `YYYY-MM-DD`, spread over 2025 (28 days a month keeps every date valid).
fn date(i: usize) -> String {
    format!("2025-{:02}-{:02}", i % 12 + 1, (i / 12) % 28 + 1)
}

fn pole_title(p: usize) -> String {
    format!("Pôle {p}")
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("create folder");
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}

fn pnyx_site(root: &Path, n: usize, bodies: &[String]) {
    write(
        root,
        "pnyx.yaml",
        "title: Bench\nbase_url: https://example.org/\nlanguage: fr\ntimezone: Europe/Paris\n",
    );
    for p in 0..POLES {
        write(
            root,
            &format!("content/poles/pole-{p}.md"),
            &format!(
                "---\ntitle: {}\ncolor: \"#{:02x}3a5f\"\n---\nLe pôle {p}.\n",
                pole_title(p),
                40 + p * 10
            ),
        );
    }
    // A debate needs `title` and `pole`; `opens` (optional) carries the page's date.
    for (i, body) in bodies.iter().enumerate().take(n) {
        write(
            root,
            &format!("content/debates/page-{i}.md"),
            &format!(
                "---\ntitle: \"{}\"\npole: pole-{}\nopens: {}\n---\n{body}",
                title(i),
                i % POLES,
                date(i)
            ),
        );
    }
}

fn zola_site(root: &Path, n: usize, bodies: &[String]) {
    let mut poles = String::new();
    for p in 0..POLES {
        let _ = writeln!(
            poles,
            "  {{ name = \"{}\", url = \"pole-{p}/\" }},",
            pole_title(p)
        );
    }
    write(
        root,
        "config.toml",
        &format!(
            "base_url = \"https://example.org/\"\ntitle = \"Bench\"\ndefault_language = \"fr\"\n\
             compile_sass = false\nbuild_search_index = false\ngenerate_feeds = false\n\
             generate_sitemap = false\ngenerate_robots_txt = false\n\n\
             [markdown]\nsmart_punctuation = true\n\n[extra]\npoles = [\n{poles}]\n"
        ),
    );
    write(
        root,
        "templates/base.html",
        r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>{% block title %}{{ config.title }}{% endblock title %} · {{ config.title }}</title></head>
<body>
<header><a href="{{ config.base_url | safe }}">{{ config.title }}</a>
<nav><ul>
{% for p in config.extra.poles %}<li><a href="{{ get_url(path=p.url, trailing_slash=true) | safe }}">{{ p.name }}</a></li>
{% endfor %}</ul></nav></header>
<main>
{% block content %}{% endblock content %}
</main>
</body>
</html>
"#,
    );
    write(
        root,
        "templates/index.html",
        r#"{% extends "base.html" %}
{% block content %}<h1>{{ config.title }}</h1>
<ul>
{% for s in section.subsections | sort %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.permalink | safe }}">{{ sub.title }}</a></li>
{% endfor %}</ul>
{% endblock content %}
"#,
    );
    write(
        root,
        "templates/section.html",
        r#"{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock title %}
{% block content %}<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul>
{% for p in section.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a> <time datetime="{{ p.date }}">{{ p.date | date(format="%d/%m/%Y") }}</time></li>
{% endfor %}</ul>
{% endblock content %}
"#,
    );
    write(
        root,
        "templates/page.html",
        r#"{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock title %}
{% block content %}<article>
<h1>{{ page.title }}</h1>
<p><time datetime="{{ page.date }}">{{ page.date | date(format="%d/%m/%Y") }}</time></p>
{{ page.content | safe }}
</article>
{% endblock content %}
"#,
    );
    write(root, "content/_index.md", "+++\ntitle = \"Bench\"\n+++\n");
    for p in 0..POLES {
        write(
            root,
            &format!("content/pole-{p}/_index.md"),
            &format!(
                "+++\ntitle = \"{}\"\nsort_by = \"date\"\n+++\nLe pôle {p}.\n",
                pole_title(p)
            ),
        );
    }
    for (i, body) in bodies.iter().enumerate().take(n) {
        write(
            root,
            &format!("content/pole-{}/page-{i}.md", i % POLES),
            &format!("+++\ntitle = \"{}\"\ndate = {}\n+++\n{body}", title(i), date(i)),
        );
    }
}

fn hugo_site(root: &Path, n: usize, bodies: &[String]) {
    let mut poles = String::new();
    for p in 0..POLES {
        let _ = writeln!(
            poles,
            "[[params.poles]]\nname = \"{}\"\nurl = \"/pole-{p}/\"\n",
            pole_title(p)
        );
    }
    write(
        root,
        "hugo.toml",
        &format!(
            "baseURL = \"https://example.org/\"\ntitle = \"Bench\"\nlanguageCode = \"fr\"\n\
             defaultContentLanguage = \"fr\"\n\
             disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n\
             enableRobotsTXT = false\n\n\
             [markup.highlight]\ncodeFences = false\n\n[params]\n\n{poles}"
        ),
    );
    write(
        root,
        "layouts/_default/baseof.html",
        r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title></head>
<body>
<header><a href="{{ .Site.BaseURL }}">{{ .Site.Title }}</a>
<nav><ul>
{{ range .Site.Params.poles }}<li><a href="{{ .url | absURL }}">{{ .name }}</a></li>
{{ end }}</ul></nav></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"#,
    );
    write(
        root,
        "layouts/_default/single.html",
        r#"{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time></p>
{{ .Content }}
</article>
{{ end }}
"#,
    );
    // The home page and the sections: on the home page `.Pages` are the 8 sections.
    write(
        root,
        "layouts/_default/list.html",
        r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .Permalink }}">{{ .Title }}</a>{{ if not .IsSection }} <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time>{{ end }}</li>
{{ end }}</ul>
{{ end }}
"#,
    );
    write(root, "content/_index.md", "---\ntitle: Bench\n---\n");
    for p in 0..POLES {
        write(
            root,
            &format!("content/pole-{p}/_index.md"),
            &format!("---\ntitle: \"{}\"\n---\nLe pôle {p}.\n", pole_title(p)),
        );
    }
    for (i, body) in bodies.iter().enumerate().take(n) {
        write(
            root,
            &format!("content/pole-{}/page-{i}.md", i % POLES),
            &format!("---\ntitle: \"{}\"\ndate: {}\n---\n{body}", title(i), date(i)),
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: pages OUT_DIR [N]   (N pages, 10000 by default)");
        std::process::exit(2);
    };
    let n: usize = match args.next() {
        None => 10_000,
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("N must be a number, not {s:?}");
            std::process::exit(2);
        }),
    };
    let out = Path::new(&out);
    for tool in ["pnyx", "zola", "hugo"] {
        if out.join(tool).exists() {
            eprintln!("{} exists; remove it first", out.join(tool).display());
            std::process::exit(2);
        }
    }
    let bodies: Vec<String> = (0..n).map(body).collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    pnyx_site(&out.join("pnyx"), n, &bodies);
    zola_site(&out.join("zola"), n, &bodies);
    hugo_site(&out.join("hugo"), n, &bodies);
    eprintln!(
        "wrote {n} pages ({:.1} KB of markdown each on average) for pnyx, zola and hugo in {}",
        bytes as f64 / n.max(1) as f64 / 1000.0,
        out.display()
    );
}
