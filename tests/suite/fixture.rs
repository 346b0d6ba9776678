//! Fixtures: temporary sites written file by file, the real `pnyx` binary run on them, and
//! helpers to read what it printed and what it wrote.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The build's reference time for every run (2026-11-18), so that nothing depends on the
/// clock of the machine running the tests.
pub const SOURCE_DATE_EPOCH: &str = "1795000000";

/// `pnyx.yaml` of the minimal site.
pub const CONFIG: &str = "title: T\nbase_url: https://example.org/\n";

/// The one pole of the minimal site.
pub const POLE: &str = "---\ntitle: Logement\ncolor: \"#9b1c31\"\n---\nTexte\n";

/// The repository root, which is itself the demo site.
pub fn demo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What one run of `pnyx` did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error, where diagnostics go.
    pub stderr: String,
}

impl Run {
    /// Exit code 0.
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with the whole output unless the run succeeded.
    #[track_caller]
    pub fn assert_ok(&self) -> &Run {
        assert!(self.succeeded(), "pnyx failed:\n{self}");
        self
    }

    /// The lines of stderr that are diagnostics: `path:line:column: message`.
    pub fn diagnostics(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| location(l).is_some()).collect()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The `path:line:column` of a diagnostic line, if the line is one: a path, two numbers, then
/// `: ` and a message.
pub fn location(line: &str) -> Option<&str> {
    let (loc, message) = line.split_once(": ")?;
    let mut parts = loc.rsplitn(3, ':');
    let column = parts.next()?;
    let line_no = parts.next()?;
    let path = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(column)
        && digits(line_no)
        && !path.is_empty()
        && !path.starts_with(' ')
        && !message.is_empty();
    ok.then_some(loc)
}

/// pnyx's own folder for the runs that do not choose one (`PNYX_HOME`): builds make their
/// verification cache's key there, never in the home of whoever runs the tests.
pub fn test_home() -> PathBuf {
    std::env::temp_dir().join("pnyx-tests-home")
}

/// Asserts that `pnyx check` refused the change (exit 1) with a diagnostic at `path` whose
/// line contains `says`.
#[track_caller]
pub fn assert_rejected(run: &Run, path: &str, says: &str) {
    assert_eq!(run.code, Some(1), "expected a rejection:\n{run}");
    let found = run
        .diagnostics()
        .into_iter()
        .any(|l| location(l).is_some_and(|loc| loc.starts_with(&format!("{path}:"))) && l.contains(says));
    assert!(found, "no diagnostic at {path} saying {says:?}:\n{run}");
}

/// The row of `slug` in an open-data list (`data/votes.json`…).
pub fn row<'a>(data: &'a serde_json::Value, slug: &str) -> &'a serde_json::Value {
    data.as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} is not in {data}"))
}

/// Runs `pnyx` with `args` in `cwd` (or the test's own directory).
pub fn pnyx_in<I, S>(cwd: Option<&Path>, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pnyx"));
    cmd.args(args)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env("PNYX_HOME", test_home());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd.output().expect("cannot run the pnyx binary");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `pnyx` with `args` and a changed environment: `(name, Some(value))` sets a variable,
/// `(name, None)` removes it.
pub fn pnyx_env<I, S>(args: I, env: &[(&str, Option<&OsStr>)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pnyx"));
    cmd.args(args)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env("PNYX_HOME", test_home());
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    let out = cmd.output().expect("cannot run the pnyx binary");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `pnyx` with `args`.
pub fn pnyx<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    pnyx_in(None, args)
}

/// `pnyx build --root ROOT --out OUT`.
pub fn build(root: &Path, out: &Path) -> Run {
    pnyx([
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ])
}

/// A site in a temporary folder, removed when dropped.
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// A folder with nothing in it.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().expect("cannot create a temporary folder"),
        }
    }

    /// `pnyx.yaml` and one pole, `logement`: the smallest site that builds.
    pub fn minimal() -> Site {
        let site = Site::empty();
        site.write("pnyx.yaml", CONFIG)
            .write("content/poles/logement.md", POLE);
        site
    }

    /// The minimal site with one item of most kinds: group `velo` (number 3), initiative
    /// `gratuite-des-bus`, debate `d` with contribution `01-a`, meeting `pleniere`, page
    /// `a-propos`.
    pub fn small() -> Site {
        let site = Site::minimal();
        site.write(
            "content/groups/velo.md",
            "---\ntitle: Vélo\nnumber: 3\npole: logement\n---\nLe groupe vélo.\n",
        )
        .write(
            "content/initiatives/gratuite-des-bus.md",
            "---\ntitle: Gratuité des bus\nkind: project\npole: logement\nopens: 2026-11-01\ncloses: 2027-02-01\ngoal: 500\n---\nDes bus gratuits.\n",
        )
        .write(
            "content/debates/d.md",
            "---\ntitle: Faut-il des bus gratuits ?\npole: logement\ngroup: velo\n---\nLa question.\n",
        )
        .write(
            "content/debates/d/01-a.md",
            "---\nauthor: Alice\ndate: 2026-11-02\nposition: for\n---\nOui.\n",
        )
        .write(
            "content/meetings/pleniere.md",
            "---\ntitle: Plénière\nstart: 2026-12-01T18:30:00\nplace:\n  name: Salle du quartier\n---\nOrdre du jour.\n",
        )
        .write(
            "content/pages/a-propos.md",
            "---\ntitle: À propos\n---\nQui nous sommes.\n",
        );
        site
    }

    /// The site's folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the site.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Site {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("cannot write {rel}: {e}"));
        self
    }

    /// Reads a file of the site as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Deletes a file of the site.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("cannot remove {rel}: {e}"));
    }

    /// `pnyx build --root ROOT`, into `ROOT/public`.
    pub fn build(&self) -> Run {
        pnyx([OsStr::new("build"), OsStr::new("--root"), self.root().as_os_str()])
    }

    /// `pnyx build --root ROOT --out OUT`.
    pub fn build_to(&self, out: &Path) -> Run {
        build(self.root(), out)
    }

    /// `pnyx new KIND TITLE --root ROOT`.
    pub fn new_item(&self, kind: &str, title: &str) -> Run {
        pnyx([
            OsStr::new("new"),
            OsStr::new(kind),
            OsStr::new(title),
            OsStr::new("--root"),
            self.root().as_os_str(),
        ])
    }
}

/// Every file under `dir`, by `/`-separated relative path, with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()));
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Copies the folder `from` (recursively) to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        let path = to.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A text as tera's autoescape prints it in a page.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
    out
}

/// Decodes the character references of an HTML attribute value (`&amp;`, `&#x2F;`,
/// `&#47;`, `&quot;`…), as a browser does before following a link.
pub fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The decoded values of every `name="…"` (or `name='…'`) attribute in `html`. Only real
/// attributes count: the name must follow whitespace, so `data-href` is not `href`.
pub fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    let needle = format!("{name}=");
    let mut from = 0;
    while let Some(i) = html[from..].find(&needle) {
        let start = from + i;
        let after = start + needle.len();
        from = after;
        let real = html[..start].ends_with(|c: char| c.is_ascii_whitespace());
        let Some(quote) = html[after..].chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(len) = html[after + 1..].find(quote) else {
            break;
        };
        if real {
            values.push(decode_entities(&html[after + 1..after + 1 + len]));
        }
        from = after + 1 + len;
    }
    values
}

/// Every link target of a page: `href` and `src` values.
pub fn link_targets(html: &str) -> Vec<String> {
    let mut urls = attribute_values(html, "href");
    urls.extend(attribute_values(html, "src"));
    urls
}

#[test]
fn recognises_diagnostic_lines() {
    assert_eq!(
        location("content/poles/a.md:3:1: unknown field"),
        Some("content/poles/a.md:3:1")
    );
    assert_eq!(
        location("pnyx.yaml:3:11: unknown time zone"),
        Some("pnyx.yaml:3:11")
    );
    assert_eq!(location("  hint: did you mean `logement`?"), None);
    assert_eq!(location("1 error found; nothing was written"), None);
    assert_eq!(location("content/poles/a.md:x:1: no"), None);
}

#[test]
fn decodes_attribute_values_as_a_browser_does() {
    assert_eq!(decode_entities("&#x2F;a&#x2F;?x=1&amp;y=2"), "/a/?x=1&y=2");
    assert_eq!(decode_entities("&#47;b&quot;&unknown; & c"), "/b\"&unknown; & c");
    let html = r#"<a class="x" href="&#x2F;a/">x</a><img src='/i.png'><b data-href="/no/">"#;
    assert_eq!(link_targets(html), vec!["/a/", "/i.png"]);
}

/// A small deterministic generator (xorshift64*) for the randomised comparisons with reference
/// implementations: a failure can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An index into a list of `len` elements.
    pub fn index(&mut self, len: usize) -> usize {
        (self.next() % len as u64) as usize
    }

    /// One of `list`.
    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.index(list.len())]
    }
}

/// Whether Node.js runs here: the page's signing library and the browser tests need it.
pub fn node_installed() -> bool {
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether a test that needs a program the machine lacks should stop: it says so and returns
/// true, unless `PNYX_REQUIRE_TOOLS` is set (as CI does, having installed them), where it
/// fails instead.
pub fn missing_tool(available: bool, what: &str, install: &str) -> bool {
    if available {
        return false;
    }
    if std::env::var_os("PNYX_REQUIRE_TOOLS").is_some() {
        panic!("PNYX_REQUIRE_TOOLS is set but {what} is not available ({install})");
    }
    eprintln!("skipped: {what} is not installed ({install})");
    true
}
