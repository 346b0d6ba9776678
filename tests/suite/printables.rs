//! What the council prints: signature sheets and table cards printed to PDF by Chromium, as a
//! member would with the browser's Print command, checked for their A4 size (`pdfinfo`) and
//! for QR codes that a phone would read back to the right page (`zbarimg`); and the version of
//! the text a paper batch names, which must be one the initiative had.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::fixture::{decode_entities, missing_tool, row};
use super::repo::{day, GitSite, Key};

fn tool(name: &str, arg: &str) -> bool {
    Command::new(name).arg(arg).output().is_ok()
}

/// `pdfinfo`'s page count and page size line of `pdf`.
fn pdf_pages(pdf: &Path) -> (u32, String) {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    (field("Pages:").parse().unwrap_or(0), field("Page size:"))
}

/// Every QR code `zbarimg` reads on the pages of `pdf`, rendered at 150 dpi.
fn qr_codes(pdf: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    let ok = Command::new("pdftoppm")
        .args(["-r", "150", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut codes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let out = Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(entry.unwrap().path())
            .output()
            .unwrap();
        codes.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    }
    codes.sort();
    codes
}

#[test]
fn printed_sheets_and_table_cards_are_a4_with_a_qr_code_to_their_page() {
    let pdf_tools = tool("pdfinfo", "-v") && tool("pdftoppm", "-v") && tool("zbarimg", "--version");
    if missing_tool(
        pdf_tools,
        "pdfinfo, pdftoppm and zbarimg",
        "apt-get install poppler-utils zbar-tools",
    ) {
        return;
    }
    let site = tempfile::tempdir().unwrap();
    super::reading::demo_built(site.path());
    let sheet = std::fs::read_to_string(
        site.path()
            .join("initiatives/gratuite-des-bus/feuille/index.html"),
    )
    .unwrap();
    let sheet = decode_entities(&sheet);
    assert!(sheet.contains("Nom et prénom") && sheet.contains("Signature"));
    assert!(sheet.contains("Données personnelles."));
    // No personal data: the lines are empty, and no signer's name is on the sheet.
    assert!(!sheet.contains("Julien") && !sheet.contains("signer-who"));
    let pdfs = tempfile::tempdir().unwrap();
    let printed = super::browser::run_e2e(
        "print.mjs",
        &[
            site.path().as_os_str(),
            pdfs.path().as_os_str(),
            OsStr::new("/initiatives/gratuite-des-bus/feuille/"),
            OsStr::new("/groups/se-deplacer-sans-voiture/carton/"),
        ],
        &[],
    );
    let Some(printed) = printed else {
        return;
    };
    assert_eq!(printed["errors"], serde_json::json!([]));
    let (pages, size) = pdf_pages(&pdfs.path().join("1.pdf"));
    assert_eq!(pages, 1, "the sheet fits one page");
    assert!(
        size.starts_with("59") && size.contains("x 84") && size.ends_with("(A4)"),
        "portrait A4: {size}"
    );
    assert_eq!(
        qr_codes(&pdfs.path().join("1.pdf")),
        ["https://example.org/initiatives/gratuite-des-bus/"]
    );
    let (pages, size) = pdf_pages(&pdfs.path().join("2.pdf"));
    assert_eq!(pages, 1, "the card fits one page");
    assert!(
        size.starts_with("84") && size.contains("x 59") && size.ends_with("(A4)"),
        "landscape A4: {size}"
    );
    // One code on each half: one upside down, read from the other side of the table.
    assert_eq!(
        qr_codes(&pdfs.path().join("2.pdf")),
        [
            "https://example.org/groups/se-deplacer-sans-voiture/",
            "https://example.org/groups/se-deplacer-sans-voiture/"
        ]
    );
}

const INITIATIVE: &str = "---\ntitle: Bus gratuits\nkind: regulation\npole: logement\ngoal: 100\n\
    opens: 2026-10-01\ncloses: 2026-12-31\n---\nLe texte.\n";

/// A batch of 12 signatures for `content/initiatives/bus.md` naming `text`, attested by
/// `member`; returns the batch's row of the open data.
fn batch(site: &GitSite, member: &Key, name: &str, text: &str) {
    let file = format!("signatures/paper/initiatives/bus/{name}.yaml");
    site.write(
        &file,
        &format!("place: Marché\ndate: 2026-10-10\ncollector: Gigi\ncount: 12\ntext: \"{text}\"\n"),
    );
    site.sign(
        member,
        &file,
        "pnyx/1 attest 12",
        &format!("signatures/paper/initiatives/bus/{name}.{}.minisig", member.id),
    );
}

fn paper(site: &GitSite) -> Value {
    let out = site.build();
    let data: Value =
        serde_json::from_slice(&std::fs::read(out.join("data/initiatives.json")).unwrap()).unwrap();
    row(&data, "bus").clone()
}

/// The id a printed sheet names: the first 12 hex digits of the text's git blob id.
fn version_id(text: &str) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
        .unwrap()
        .to_string()[..12]
        .to_string()
}

#[test]
fn a_paper_batch_counts_for_a_text_the_initiative_had_and_not_for_one_it_never_had() {
    let (site, members, _) = super::repo::council(0);
    site.write("content/initiatives/bus.md", INITIATIVE);
    site.commit(day(1), "the first text");
    let first = version_id(INITIATIVE);
    let second_text = INITIATIVE.replace("Le texte.", "Le texte, précisé.");
    site.write("content/initiatives/bus.md", &second_text);
    site.commit(day(2), "the text, clarified");
    // Sheets printed with the first text, collected, attested: they count.
    batch(&site, &members[0], "marche", &first);
    site.commit(day(10), "a paper batch");
    let row = paper(&site);
    assert_eq!(row["supporters"]["paper"], 12, "{row}");
    // The printed sheet of today names today's text.
    let sheet = std::fs::read_to_string(site.build().join("initiatives/bus/feuille/index.html")).unwrap();
    assert!(
        sheet.contains(&version_id(&second_text)),
        "the sheet prints the text's version"
    );
    // A batch naming a text the initiative never had, even attested by a member, does not.
    batch(&site, &members[1], "forge", "0123456789ab");
    site.commit(day(11), "a batch for another text");
    let row = paper(&site);
    assert_eq!(
        row["supporters"]["paper"], 12,
        "only the first batch counts: {row}"
    );
    let page = decode_entities(&site.page("initiatives/bus/index.html"));
    assert!(page.contains("le texte des feuilles (0123456789ab) n’est aucune version de cette initiative"));
}

#[test]
fn a_paper_batch_cannot_name_every_text_with_a_short_prefix() {
    let (site, members, _) = super::repo::council(0);
    site.write("content/initiatives/bus.md", INITIATIVE);
    site.commit(day(1), "the text");
    let id = version_id(INITIATIVE);
    batch(&site, &members[0], "court", &id[..3]);
    site.commit(day(10), "a batch naming three digits");
    assert_eq!(
        paper(&site)["supporters"]["paper"],
        0,
        "three digits would match many texts"
    );
}
