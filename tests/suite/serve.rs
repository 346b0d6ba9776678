//! `pnyx serve` end to end: a real server process, raw HTTP requests (so that no client
//! normalises the path before pnyx sees it), a content edit picked up by the watcher.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(root: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_pnyx"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(root)
        .env("PNYX_HOME", super::fixture::test_home())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pnyx serve starts");
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if get(server.port, "/").0 == 200 {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("pnyx serve did not answer within 20 s");
}

/// Sends `GET raw_path` exactly as written and returns (status, body).
fn get(port: u16, raw_path: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let req = format!("GET {raw_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "pnyx.yaml",
        "title: Conseil de test\nbase_url: https://example.org/\n",
    );
    w(
        "content/poles/logement.md",
        "---\ntitle: Logement\ncolor: \"#9b1c31\"\n---\nLe pôle logement.\n",
    );
    w(
        "content/pages/a-propos.md",
        "---\ntitle: À propos\n---\nPremière version du texte.\n",
    );
    w("secret.txt", "SECRET-OUTSIDE-THE-SITE");
    dir
}

#[test]
fn serves_pages_with_content_types_and_a_404() {
    let dir = site();
    let server = start(dir.path());
    let (status, body) = get(server.port, "/pages/a-propos/");
    assert_eq!(status, 200);
    assert!(body.contains("Première version du texte."));
    assert!(
        body.contains("/__pnyx/reload"),
        "the live-reload script is injected"
    );
    let (status, body) = get(server.port, "/assets/style.css");
    assert_eq!(status, 200);
    assert!(!body.contains("__pnyx"), "no script in CSS");
    let (status, _) = get(server.port, "/no/such/page/");
    assert_eq!(status, 404);
    let (status, _) = get(server.port, "/pages/a-propos");
    assert_eq!(status, 301, "a page without its trailing slash redirects");
}

#[test]
fn refuses_paths_outside_the_site() {
    let dir = site();
    let server = start(dir.path());
    for path in [
        "/../secret.txt",
        "/pages/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
    ] {
        let (status, body) = get(server.port, path);
        assert!(
            status == 403 || status == 400 || status == 404,
            "{path} answered {status}"
        );
        assert!(!body.contains("SECRET-OUTSIDE-THE-SITE"), "{path} leaked a file");
    }
}

#[test]
fn an_edit_is_visible_after_reload_and_a_broken_edit_keeps_the_last_good_site() {
    let dir = site();
    let server = start(dir.path());
    let (_, before) = get(server.port, "/__pnyx/reload?since=999");
    let generation: u64 = before
        .trim()
        .parse()
        .expect("the reload endpoint answers the build counter");
    std::fs::write(
        dir.path().join("content/pages/a-propos.md"),
        "---\ntitle: À propos\n---\nDeuxième version, modifiée.\n",
    )
    .unwrap();
    // The long poll answers as soon as the rebuild is done.
    let (_, after) = get(server.port, &format!("/__pnyx/reload?since={generation}"));
    assert_ne!(after.trim(), generation.to_string(), "the build counter moved");
    let (_, body) = get(server.port, "/pages/a-propos/");
    assert!(body.contains("Deuxième version, modifiée."), "the edit is served");

    let generation: u64 = after.trim().parse().unwrap();
    std::fs::write(
        dir.path().join("content/pages/a-propos.md"),
        "---\ntitle: [broken\n---\nTroisième.\n",
    )
    .unwrap();
    let _ = get(server.port, &format!("/__pnyx/reload?since={generation}"));
    let (status, body) = get(server.port, "/pages/a-propos/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Deuxième version, modifiée."),
        "the last good site is still served"
    );
    assert!(
        body.contains("pnyx-errors") && body.contains("content/pages/a-propos.md:2:"),
        "the error is shown in the page"
    );
}

/// `pnyx serve` keeps the compiled theme between rebuilds while only content changes, and
/// compiles it again as soon as a file of the theme changes: the change shows on the next
/// reload, and so does the content edited after it.
#[test]
fn a_theme_edited_during_serve_shows_on_the_next_reload() {
    let dir = site();
    let template = dir.path().join("themes/default/templates/page.html");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    let server = start(dir.path());
    let generation = |text: &str| -> u64 { text.trim().parse().expect("the build counter") };
    let (_, now) = get(server.port, "/__pnyx/reload?since=999");
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
    )
    .unwrap();
    let marked = page.replace(
        "<div class=\"prose\"",
        "<p class=\"theme-mark\">Gabarit du conseil</p>\n  <div class=\"prose\"",
    );
    assert_ne!(marked, page, "the template has the place the test marks");
    // Saved whole, as an editor saves: written beside, then renamed into place.
    let beside = tempfile::tempdir_in(dir.path().parent().unwrap()).unwrap();
    std::fs::write(beside.path().join("page.html"), &marked).unwrap();
    std::fs::rename(beside.path().join("page.html"), &template).unwrap();
    let (_, after) = get(server.port, &format!("/__pnyx/reload?since={}", generation(&now)));
    let (_, body) = get(server.port, "/pages/a-propos/");
    assert!(body.contains("Gabarit du conseil"), "the edited template is used");

    // A content edit afterwards: the theme kept is the edited one.
    std::fs::write(
        dir.path().join("content/pages/a-propos.md"),
        "---\ntitle: À propos\n---\nDeuxième version, modifiée.\n",
    )
    .unwrap();
    let _ = get(
        server.port,
        &format!("/__pnyx/reload?since={}", generation(&after)),
    );
    let (_, body) = get(server.port, "/pages/a-propos/");
    assert!(
        body.contains("Deuxième version, modifiée."),
        "the content edit is served"
    );
    assert!(body.contains("Gabarit du conseil"), "with the edited template");
}

/// Threads of a process, from `/proc/PID/status`.
fn threads(pid: u32) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

/// Sends a raw request without reading the answer.
fn send(port: u16, raw_path: &str) -> Option<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let req = format!("GET {raw_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    s.write_all(req.as_bytes()).ok()?;
    Some(s)
}

#[test]
fn serve_keeps_answering_under_1000_idle_connections_with_bounded_threads() {
    if threads(std::process::id()).is_none() {
        eprintln!("skipped: no /proc/PID/status here to count the server's threads");
        return;
    }
    let dir = site();
    let server = start(dir.path());
    let pid = server.child.id();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut idle = Vec::with_capacity(1000);
    while idle.len() < 1000 && Instant::now() < deadline {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => idle.push(s),
            Err(e) => panic!("connection {} refused: {e}", idle.len()),
        }
    }
    assert_eq!(idle.len(), 1000, "1 000 connections within 60 s");
    // Some are slow clients that start a request and never finish it.
    for s in idle.iter_mut().take(20) {
        let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }
    // More pages wait for a reload than the cap allows: the extra ones are answered at once.
    let (_, generation) = get(server.port, "/__pnyx/reload?since=999");
    let generation = generation.trim().to_string();
    let polls: Vec<_> = (0..6)
        .filter_map(|_| send(server.port, &format!("/__pnyx/reload?since={generation}")))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let asked = Instant::now();
    let (status, _) = get(server.port, &format!("/__pnyx/reload?since={generation}"));
    assert_eq!(status, 503, "a long poll past the cap is answered at once");
    let (status, body) = get(server.port, "/pages/a-propos/");
    assert_eq!(status, 200);
    assert!(body.contains("Première version du texte."));
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "answered in {:?}",
        asked.elapsed()
    );
    // The build's own worker threads (one per core) come on top of the server's few.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bound = 32 + cores;
    let count = threads(pid).expect("the server's /proc/PID/status");
    assert!(
        count < bound,
        "{count} threads for 1 000 idle connections (bound {bound})"
    );
    drop(polls);
    drop(idle);
}
