//! The agenda in a real repository: seats given in arrival order, a waiting list that moves
//! up when someone withdraws, dates a pull request cannot push back, and calendar files that
//! an independent reader (Python's `icalendar`) parses, with the same UIDs build after build.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::fixture::{decode_entities, missing_tool, pnyx_env, row};
use super::repo::{day, GitSite, Key};

const WORKSHOP: &str = "---\ntitle: Atelier clés\nstart: 2026-12-01T18:00:00+01:00\n\
    end: 2026-12-01T20:00:00+01:00\nplace:\n  name: Salle 2\n  address: 1 rue A, Toulouse\n\
    geo: [43.6, 1.44]\npole: logement\ncapacity: 2\nregistration: open\n---\nDeux places.\n";

fn register(site: &GitSite, k: &Key, verb: &str) {
    site.sign(
        k,
        "content/meetings/atelier.md",
        &format!("pnyx/1 {verb}"),
        &format!("signatures/meetings/atelier/{}.minisig", k.id),
    );
}

/// Each registration's key and status, in the order of `data/meetings.json`.
fn seats(site: &GitSite) -> Vec<(String, String)> {
    let out = site.build();
    let data: Value =
        serde_json::from_slice(&std::fs::read(out.join("data/meetings.json")).unwrap()).unwrap();
    row(&data, "atelier")["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status(keys: &[&Key], s: &str) -> Vec<(String, String)> {
    keys.iter().map(|k| (k.id.to_string(), s.to_string())).collect()
}

#[test]
fn a_registration_after_every_seat_is_taken_waits_and_moves_up_after_a_withdrawal() {
    let (site, members, others) = super::repo::council(2);
    site.write("content/meetings/atelier.md", WORKSHOP);
    site.commit(day(1), "a workshop with two seats");
    let (a, b, c) = (&others[0], &members[0], &others[1]);
    for (n, k) in [a, b, c].into_iter().enumerate() {
        register(&site, k, "register");
        site.commit(day(2 + n as i64), "a registration");
    }
    let mut expected = status(&[a, b], "seated");
    expected.extend(status(&[c], "waiting"));
    assert_eq!(seats(&site), expected, "the third in line waits");
    let page = decode_entities(&site.page("meetings/atelier/index.html"));
    assert!(page.contains("Complet"), "the page says it is full");
    assert!(page.contains("1 personne en liste d’attente"));
    assert!(page.contains("Liste d’attente"));

    // The first one takes the registration back, with the command a citizen would use.
    let keys = tempfile::tempdir().unwrap();
    let secret = a.secret_file(keys.path());
    pnyx_env(
        [
            OsStr::new("register"),
            OsStr::new("atelier"),
            OsStr::new("--withdraw"),
            OsStr::new("--root"),
            site.root().as_os_str(),
            OsStr::new("--secret-key"),
            secret.as_os_str(),
        ],
        &[],
    )
    .assert_ok();
    site.commit(day(6), "a withdrawal");
    assert_eq!(
        seats(&site),
        status(&[b, c], "seated"),
        "the one waiting moves up"
    );
    let page = decode_entities(&site.page("meetings/atelier/index.html"));
    assert!(page.contains("1 inscription annulée"));
    assert!(!page.contains("Liste d’attente"));
}

#[test]
fn a_registration_backdated_in_a_pull_request_still_waits_behind_earlier_ones() {
    let (site, members, others) = super::repo::council(2);
    site.write(
        "content/meetings/atelier.md",
        WORKSHOP.replace("capacity: 2", "capacity: 1").as_str(),
    );
    site.commit(day(1), "a workshop with one seat");
    // The attacker's branch starts here, and its commit claims day 2.
    site.branch("pr");
    register(&site, &others[0], "register");
    site.commit(day(2), "my registration, dated early");
    site.switch("main");
    register(&site, &members[0], "register");
    site.commit(day(5), "a registration on main");
    site.merge("pr", day(6), "Merge pull request: a registration");
    let mut expected = status(&[&members[0]], "seated");
    expected.extend(status(&[&others[0]], "waiting"));
    assert_eq!(
        seats(&site),
        expected,
        "it counts from the merge, not from the date it claims"
    );
}

#[test]
fn a_registration_after_the_meeting_started_takes_no_seat() {
    let (site, members, _) = super::repo::council(0);
    site.write(
        "content/meetings/atelier.md",
        WORKSHOP.replace("2026-12-01", "2026-10-03").as_str(),
    );
    site.commit(day(1), "a workshop on 3 October");
    register(&site, &members[0], "register");
    site.commit(day(2), "on time");
    register(&site, &members[1], "register");
    site.commit(day(4), "too late");
    let mut expected = status(&[&members[0]], "seated");
    expected.extend(status(&[&members[1]], "late"));
    assert_eq!(seats(&site), expected);
}

/// Runs tests/agenda_check.py on the `.ics` files of `out`: prints what Python's
/// `icalendar` read, as JSON. `None` when python3 or icalendar is missing (and allowed to be).
fn read_calendars(out: &Path) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/agenda_check.py");
    let available = Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if missing_tool(available, "python3 with icalendar", "pip install icalendar") {
        return None;
    }
    let run = Command::new("python3").arg(script).arg(out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    Some(serde_json::from_slice(&run.stdout).unwrap())
}

#[test]
fn calendars_read_with_an_independent_parser_and_keep_their_uids_across_builds() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    super::reading::demo_built(first.path());
    super::reading::demo_built(second.path());
    let Some(read) = read_calendars(first.path()) else {
        return;
    };
    let again = read_calendars(second.path()).unwrap();
    assert_eq!(read["uids"], again["uids"], "UIDs are the same in two builds");
    let files = read["files"].as_object().unwrap();
    // One file per meeting and per collection point, and subscriptions of everything, of
    // each pole and of each group.
    assert!(files.contains_key("calendar/all.ics"));
    assert!(files.contains_key("calendar/meetings/assemblee-pleniere-de-decembre.ics"));
    assert!(files.contains_key("calendar/collection/gratuite-des-bus-20261212t1000.ics"));
    assert!(files.contains_key("calendar/poles/transports-et-mobilite.ics"));
    assert!(files.contains_key("calendar/groups/se-deplacer-sans-voiture.ics"));
    let plenary = &files["calendar/meetings/assemblee-pleniere-de-decembre.ics"]["events"][0];
    assert_eq!(
        plenary["uid"],
        "meetings/assemblee-pleniere-de-decembre@example.org"
    );
    // 14:00 in Paris in December is 13:00 UTC: the VTIMEZONE says so.
    assert_eq!(plenary["start_utc"], "2026-12-12T13:00:00+00:00");
    assert_eq!(plenary["tzid"], "Europe/Paris");
    assert_eq!(
        plenary["url"],
        "https://example.org/meetings/assemblee-pleniere-de-decembre/"
    );
    assert_eq!(
        plenary["location"],
        "Salle du Sénéchal, 17 rue de Rémusat, 31000 Toulouse"
    );
    assert_eq!(plenary["geo"], serde_json::json!([43.6068, 1.4431]));
    assert!(plenary["sequence"].is_u64() && plenary["last_modified"].is_string());
    let all = files["calendar/all.ics"]["events"].as_array().unwrap();
    assert!(all.len() >= 8, "meetings and collection points: {}", all.len());
    let transports = files["calendar/poles/transports-et-mobilite.ics"]["events"]
        .as_array()
        .unwrap();
    assert!(transports
        .iter()
        .any(|e| e["uid"] == "collection/gratuite-des-bus/20261212t1000@example.org"));
    assert!(transports
        .iter()
        .all(|e| e["uid"] != "meetings/assemblee-pleniere-de-decembre@example.org"));
    assert_eq!(read["long_lines"], serde_json::json!([]), "folded at 75 octets");
}

#[test]
fn the_agenda_lists_coming_meetings_and_collection_points_then_past_meetings_by_month() {
    let out = tempfile::tempdir().unwrap();
    super::reading::demo_built(out.path());
    let page = decode_entities(&std::fs::read_to_string(out.path().join("meetings/index.html")).unwrap());
    let at = |s: &str| {
        page.find(s)
            .unwrap_or_else(|| panic!("`{s}` is not on the agenda"))
    };
    // Coming, in date order: the stand of 12 December at 10:00, the plenary at 14:00, the
    // workshop of the 16th, then January.
    assert!(at("Place Arnaud-Bernard") < at("Assemblée plénière de décembre"));
    assert!(at("Assemblée plénière de décembre") < at("Atelier « créer sa clé"));
    assert!(at("Atelier « créer sa clé") < at("Cantines et circuits courts"));
    assert!(page.contains("Complet"), "the full workshop says so");
    assert!(page.contains("/calendar/meetings/assemblee-pleniere-de-decembre.ics"));
    assert!(page.contains("webcal://example.org/calendar/all.ics"));
    // Past: by month, the latest first.
    let past = &page[at("Rencontres passées")..];
    let november = past.find("Novembre 2026").unwrap();
    let october = past.find("Octobre 2026").unwrap();
    assert!(november < october);
    assert!(past[november..october].contains("Assemblée plénière d’automne"));
}
