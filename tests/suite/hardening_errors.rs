//! Wrong or missing errors on what a pull request can bring: each case gets its
//! `path:line:column` message with a hint.

use super::fixture::Site;

#[test]
fn geo_not_a_number_or_off_the_globe_is_refused_at_its_line() {
    let site = Site::small();
    let meeting = site.read("content/meetings/pleniere.md");
    for (geo, says) in [
        ("[.nan, .inf]", "not finite"),
        ("[91.0, 1.44]", "latitude 91 is not between -90 and 90"),
        ("[43.6, -200]", "longitude -200 is not between -180 and 180"),
    ] {
        site.write(
            "content/meetings/pleniere.md",
            meeting.replacen("---\n", &format!("---\ngeo: {geo}\n"), 1),
        );
        let run = site.build();
        assert_eq!(run.code, Some(1), "{run}");
        let line = run
            .diagnostics()
            .into_iter()
            .find(|l| l.starts_with("content/meetings/pleniere.md:2:"))
            .unwrap_or_else(|| panic!("no error at the geo line for {geo}:\n{run}"));
        assert!(line.contains(says), "{line}");
    }
}
