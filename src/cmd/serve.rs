//! `pnyx serve`: a preview server on 127.0.0.1 with tiny_http.
//!
//! The site is built in memory (with `base_url` set to the local address, so the real
//! `public/` is never overwritten with local links) and served from there: no request can
//! reach a file outside the built site. A watcher rebuilds on every change; open pages
//! long-poll a build counter and reload when it moves. A failed rebuild keeps the last good
//! site and shows its errors in the terminal and on top of every page.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tiny_http::{HTTPVersion, Header, Response, ResponseBox};

use crate::pipeline::{build_in_memory_with_theme, BuildError, BuildOptions};
use crate::render::Output;
use crate::theme::Theme;

/// Where open pages ask whether the site changed.
pub const RELOAD_ENDPOINT: &str = "/__pnyx/reload";

/// How long a reload request waits for a change before answering "no change".
const LONG_POLL: Duration = Duration::from_secs(20);

/// The threads that answer requests: a fixed number, however many clients connect.
const WORKERS: usize = 6;

/// Long-polls held at once: each holds a worker, so the rest stay free for pages. Past the
/// cap a reload request is answered at once with 503, and the page asks again later.
const MAX_LONG_POLLS: usize = WORKERS / 2;

/// Connections waiting for their request; past it the oldest is closed.
const MAX_IDLE: usize = 512;

/// An open connection that sends nothing for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Once a request starts, its head must arrive within this time, so a slow client cannot
/// hold a worker.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest request head read; a preview needs no more.
const MAX_HEAD: usize = 16 * 1024;

/// Connections ready to be read, waiting for a worker.
const QUEUE: usize = 64;

/// What the server shows: the last good build, and the errors of the last build if it failed.
#[derive(Default)]
struct State {
    /// Shared with the next rebuild, which uses again the pages whose inputs did not change.
    output: Arc<Output>,
    errors: Option<String>,
    generation: u64,
}

/// The shared state and the condition variable that wakes long-polling pages.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    long_polls: AtomicUsize,
}

/// Builds, serves on `127.0.0.1:port` and rebuilds on change until interrupted.
///
/// Threads are bounded: one loop accepts connections and waits (with `poll`) until they
/// have something to read, and a fixed pool of workers answers; each answer closes its
/// connection. Idle, slow or too many connections are closed instead of holding a thread.
pub fn serve(mut opts: BuildOptions, port: u16) -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{port}: {e}; another program may use it, try `--port {}`",
            port.wrapping_add(1)
        )
    })?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    opts.base_url = Some(format!("http://127.0.0.1:{port}/"));
    let shared = Arc::new(Shared::default());
    let theme = rebuild(&opts, &shared, None);
    let _watcher = watch(&opts, Arc::clone(&shared), theme)?;
    let (ready, queue) = std::sync::mpsc::sync_channel::<TcpStream>(QUEUE);
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..WORKERS {
        let (queue, shared) = (Arc::clone(&queue), Arc::clone(&shared));
        std::thread::spawn(move || work(&queue, &shared));
    }
    eprintln!(
        "serving the site on http://127.0.0.1:{port}/ — edits are rebuilt and reloaded; Ctrl-C to stop"
    );
    accept(&listener, &ready).context("the preview server stopped accepting connections")
}

/// Accepts connections and hands each to the workers once it has a request to read.
fn accept(listener: &TcpListener, ready: &SyncSender<TcpStream>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut idle: std::collections::VecDeque<(TcpStream, Instant)> = Default::default();
    loop {
        let readable = wait_readable(listener, idle.iter().map(|(s, _)| s), Duration::from_secs(1))?;
        let now = Instant::now();
        let mut kept = std::collections::VecDeque::with_capacity(idle.len());
        for ((stream, since), is_ready) in idle.drain(..).zip(readable.iter().skip(1)) {
            if *is_ready {
                match ready.try_send(stream) {
                    // All workers busy and the queue full: closing is the answer.
                    Ok(()) | Err(TrySendError::Full(_)) => {}
                    Err(TrySendError::Disconnected(_)) => {
                        return Err(std::io::Error::other("no worker is left"))
                    }
                }
            } else if now.duration_since(since) < IDLE_TIMEOUT {
                kept.push_back((stream, since));
            }
        }
        idle = kept;
        if readable.first().copied().unwrap_or(false) {
            loop {
                match listener.accept() {
                    Ok((stream, _)) => {
                        if idle.len() >= MAX_IDLE {
                            idle.pop_front();
                        }
                        idle.push_back((stream, now));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    // Out of file descriptors: the oldest idle connection makes room.
                    Err(e) if e.raw_os_error() == Some(EMFILE) && !idle.is_empty() => {
                        idle.pop_front();
                    }
                    // A connection reset before accept, or the like: keep serving.
                    Err(e) => {
                        eprintln!("serve: cannot accept a connection: {e}");
                        std::thread::sleep(Duration::from_millis(50));
                        break;
                    }
                }
            }
        }
    }
}

/// "Too many open files", the same number on Linux, macOS and the BSDs.
const EMFILE: i32 = 24;

/// Which of the listener (first) and `streams` have something to read, waiting at most
/// `timeout`.
#[cfg(unix)]
fn wait_readable<'a>(
    listener: &TcpListener,
    streams: impl Iterator<Item = &'a TcpStream>,
    timeout: Duration,
) -> std::io::Result<Vec<bool>> {
    use std::os::fd::AsRawFd as _;
    let mut fds: Vec<libc::pollfd> = std::iter::once(listener.as_raw_fd())
        .chain(streams.map(|s| s.as_raw_fd()))
        .map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fds` is a valid array of `fds.len()` pollfd structures for the whole call.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if rc < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(fds.iter().map(|f| f.revents != 0).collect())
}

/// Which of the listener (first) and `streams` have something to read: without `poll`, a
/// short sleep and a look at each.
#[cfg(not(unix))]
fn wait_readable<'a>(
    _listener: &TcpListener,
    streams: impl Iterator<Item = &'a TcpStream>,
    _timeout: Duration,
) -> std::io::Result<Vec<bool>> {
    std::thread::sleep(Duration::from_millis(20));
    let mut out = vec![true];
    for s in streams {
        s.set_nonblocking(true)?;
        let mut byte = [0u8; 1];
        out.push(!matches!(s.peek(&mut byte), Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock));
        s.set_nonblocking(false)?;
    }
    Ok(out)
}

/// A worker: reads one request from each connection it is given, answers and closes.
fn work(queue: &Mutex<Receiver<TcpStream>>, shared: &Shared) {
    loop {
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(stream) = next else { return };
        if let Err(e) = answer(stream, shared) {
            if !matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::WouldBlock
                    | std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::UnexpectedEof
            ) {
                eprintln!("serve: {e}");
            }
        }
    }
}

/// Reads a request head within [`REQUEST_TIMEOUT`] and writes the answer.
fn answer(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let deadline = Instant::now() + REQUEST_TIMEOUT;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return write(stream, status(408, "the request took too long"), false);
        }
        if head.len() > MAX_HEAD {
            return write(stream, status(431, "request head too large"), false);
        }
        stream.set_read_timeout(Some(left))?;
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let (response, head_only) = reply(&head, shared);
    write(stream, response, head_only)
}

/// The answer to a request head, and whether it is a `HEAD` request (headers only).
fn reply(head: &[u8], shared: &Shared) -> (ResponseBox, bool) {
    let text = String::from_utf8_lossy(head);
    let mut words = text.lines().next().unwrap_or("").split_whitespace();
    let (method, url) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let head_only = method == "HEAD";
    let response = match method {
        "GET" | "HEAD" => respond(url, shared),
        _ => status(405, "only GET and HEAD"),
    };
    (response, head_only)
}

/// One built site answered as `pnyx serve` answers it, without a socket: a request head in,
/// the bytes written on the connection out. The request-handling fuzz target drives it.
pub struct Preview {
    shared: Shared,
}

impl Preview {
    /// A preview of `output`, with the errors of a failed rebuild shown on every page.
    pub fn new(output: Output, errors: Option<String>) -> Preview {
        let shared = Shared::default();
        {
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            state.output = Arc::new(output);
            state.errors = errors;
            state.generation = 1;
        }
        Preview { shared }
    }

    /// Everything written back for the request head `head`, as on the connection.
    pub fn answer(&self, head: &[u8]) -> std::io::Result<Vec<u8>> {
        let (response, head_only) = reply(head, &self.shared);
        let mut out = Vec::new();
        let response = response.with_header(header("Connection", "close"));
        response.raw_print(&mut out, HTTPVersion(1, 1), &[], head_only, None)?;
        Ok(out)
    }
}

fn status(code: u16, text: &str) -> ResponseBox {
    Response::from_string(text).with_status_code(code).boxed()
}

/// Writes `response` and closes the connection.
fn write(mut stream: TcpStream, response: ResponseBox, head_only: bool) -> std::io::Result<()> {
    let response = response.with_header(header("Connection", "close"));
    response.raw_print(&mut stream, HTTPVersion(1, 1), &[], head_only, None)?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

/// Builds in memory and publishes the result (or the errors) to the pages. `theme` is the
/// last build's theme, when none of its files changed since; returns the theme to keep.
fn rebuild(opts: &BuildOptions, shared: &Shared, theme: Option<Arc<Theme>>) -> Option<Arc<Theme>> {
    let started = std::time::Instant::now();
    let last = Arc::clone(&shared.state.lock().unwrap_or_else(|e| e.into_inner()).output);
    let result = crate::dates::reference_now()
        .map_err(BuildError::Other)
        .and_then(|now| build_in_memory_with_theme(opts, now, theme, Some(&last)));
    drop(last);
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let mut kept = None;
    match result {
        Ok((_, output, theme)) => {
            kept = Some(theme);
            eprintln!(
                "built {} files in {} ms",
                output.files.len(),
                started.elapsed().as_millis()
            );
            state.output = Arc::new(output);
            state.errors = None;
        }
        Err(e) => {
            let text = e.to_string();
            eprintln!("{text}\n(still serving the last good build)");
            state.errors = Some(text);
        }
    }
    state.generation += 1;
    shared.changed.notify_all();
    kept
}

/// Watches the site's folder and rebuilds once after each burst of changes.
///
/// Access events are ignored: the rebuild itself reads every file, and on Linux notify
/// reports those reads, which would rebuild forever.
fn watch(
    opts: &BuildOptions,
    shared: Arc<Shared>,
    mut theme: Option<Arc<Theme>>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    use notify::{EventKind, Watcher};
    let root = opts.root.canonicalize().unwrap_or_else(|_| opts.root.clone());
    let out = opts.out.canonicalize().unwrap_or_else(|_| opts.out.clone());
    let (tx, rx) = std::sync::mpsc::channel::<bool>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        if event.paths.iter().any(|p| is_source(&root, &out, p)) {
            let _ = tx.send(event.paths.iter().any(|p| is_theme_input(&root, p)));
        }
    })
    .context("cannot watch the site's folder for changes")?;
    watcher
        .watch(&opts.root, notify::RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", opts.root.display()))?;
    let build_opts = opts.clone();
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            // Debounce: an editor's save or a `git checkout` is a burst of events.
            let mut theme_changed = first;
            while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                theme_changed |= more;
            }
            if theme_changed {
                theme = None;
            }
            theme = rebuild(&build_opts, &shared, theme.take());
        }
    });
    Ok(watcher)
}

/// Quiet time after the last change before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(50);

/// True for the files the theme is made of: the site's own theme folder and `pnyx.yaml`
/// (its language chooses the theme's strings). Any other change keeps the compiled theme.
fn is_theme_input(root: &std::path::Path, path: &std::path::Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.starts_with("themes") || rel == std::path::Path::new(crate::config::CONFIG_FILE)
}

/// True for paths whose change affects the site (not the output, git's own files, build
/// folders or editor swap files).
fn is_source(root: &std::path::Path, out: &std::path::Path, path: &std::path::Path) -> bool {
    if path.starts_with(out) {
        return false;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    if first.starts_with('.') || first == "target" || first == "public" {
        return false;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !(name.starts_with(".#") || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".swx"))
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not valid percent-encoding or UTF-8.
    BadEncoding,
    /// `..`, a backslash, a NUL or a drive letter: an attempt to leave the site.
    Traversal,
}

/// Turns a raw request URL into the key of a file of the site (`initiatives/x/index.html`).
///
/// tiny_http hands over the raw URL: decoding and confining it is our job. Any `..`
/// segment, before or after decoding, is refused rather than resolved.
pub fn resolve(url: &str) -> Result<String, Refusal> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path).ok_or(Refusal::BadEncoding)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return Err(Refusal::Traversal);
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(Refusal::Traversal),
            s if s.contains(':') => return Err(Refusal::Traversal),
            s => parts.push(s),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The media type of a file, from its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "minisig" | "pub" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn respond(url: &str, shared: &Shared) -> ResponseBox {
    if let Some(query) = url.strip_prefix(RELOAD_ENDPOINT) {
        return long_poll(shared, query);
    }
    let key = match resolve(url) {
        Ok(k) => k,
        Err(Refusal::BadEncoding) => return status(400, "bad request"),
        Err(Refusal::Traversal) => return status(403, "forbidden: outside the site"),
    };
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let generation = state.generation;
    let errors = state.errors.clone();
    if let Some(bytes) = state.output.files.get(&key) {
        let body = finish(bytes, &key, generation, errors.as_deref());
        drop(state);
        return Response::from_data(body)
            .with_header(header("Content-Type", content_type(&key)))
            .with_header(header("Cache-Control", "no-store"))
            .boxed();
    }
    // `/initiatives/x` → `/initiatives/x/`, so that relative links in the page work.
    if !key.ends_with("index.html") && state.output.files.contains_key(&format!("{key}/index.html")) {
        drop(state);
        let location = format!("/{key}/");
        return Response::empty(301)
            .with_header(header("Location", &location))
            .boxed();
    }
    let not_found = state.output.files.get("404.html").cloned();
    drop(state);
    let body = match not_found {
        Some(page) => finish(&page, "404.html", generation, errors.as_deref()),
        None => finish(
            b"<!doctype html><title>404</title><body><h1>404</h1></body>",
            "404.html",
            generation,
            errors.as_deref(),
        ),
    };
    Response::from_data(body)
        .with_status_code(404)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
        .boxed()
}

/// Answers with the build counter once it differs from `since`, or after [`LONG_POLL`];
/// at once with 503 when [`MAX_LONG_POLLS`] are already waiting.
fn long_poll(shared: &Shared, query: &str) -> ResponseBox {
    let since: Option<u64> = query.strip_prefix("?since=").and_then(|s| s.parse().ok());
    let waiting = shared.long_polls.fetch_add(1, Ordering::SeqCst);
    let _slot = Slot(&shared.long_polls);
    if waiting >= MAX_LONG_POLLS {
        return status(503, "too many pages are waiting for a reload; ask again later")
            .with_header(header("Retry-After", "5"))
            .with_header(header("Cache-Control", "no-store"));
    }
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let (state, _) = shared
        .changed
        .wait_timeout_while(state, LONG_POLL, |s| Some(s.generation) == since)
        .unwrap_or_else(|e| e.into_inner());
    let generation = state.generation;
    drop(state);
    Response::from_string(generation.to_string())
        .with_header(header("Content-Type", "text/plain"))
        .with_header(header("Cache-Control", "no-store"))
        .boxed()
}

/// Gives back a long-poll place when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// For HTML: adds the reload script and, after a failed rebuild, the errors on top.
fn finish(bytes: &[u8], key: &str, generation: u64, errors: Option<&str>) -> Vec<u8> {
    if !key.ends_with(".html") {
        return bytes.to_vec();
    }
    let html = String::from_utf8_lossy(bytes);
    let mut inject = String::new();
    if let Some(errors) = errors {
        inject.push_str(&error_overlay(errors));
    }
    inject.push_str(&format!(
        "<script>(function(){{var g={generation};function p(){{fetch('{RELOAD_ENDPOINT}?since='+g,{{cache:'no-store'}}).then(function(r){{if(r.status!==200){{setTimeout(p,5000);return}}return r.text().then(function(t){{if(parseInt(t,10)!==g){{location.reload()}}else{{p()}}}})}}).catch(function(){{setTimeout(p,2000)}})}}p()}})();</script>"
    ));
    match html.rfind("</body>") {
        Some(i) => format!("{}{inject}{}", &html[..i], &html[i..]).into_bytes(),
        None => format!("{html}{inject}").into_bytes(),
    }
}

/// The errors of a failed rebuild, escaped, in a banner over the page.
fn error_overlay(errors: &str) -> String {
    let escaped = crate::render::format::escaped(errors);
    format!(
        "<div role=\"alert\" id=\"pnyx-errors\" style=\"position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:9999;background:#fff4f4;color:#5c0000;border-bottom:4px solid #b00020;padding:1rem 1.5rem;font:14px/1.5 ui-monospace,monospace;box-shadow:0 4px 16px rgba(0,0,0,.25)\"><strong style=\"font:bold 16px system-ui,sans-serif\">La dernière reconstruction a échoué — the last rebuild failed. Le site affiché est la dernière version valide.</strong><pre style=\"white-space:pre-wrap;margin:.5rem 0 0\">{escaped}</pre></div>"
    )
}

/// `pnyx serve`: builds the site at `root`, serves it on `port` and rebuilds on change.
pub fn run(root: &Path, port: u16) -> super::Outcome {
    serve(BuildOptions::new(root), port)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_pages_and_index_files() {
        assert_eq!(resolve("/").unwrap(), "index.html");
        assert_eq!(resolve("/initiatives/x/").unwrap(), "initiatives/x/index.html");
        assert_eq!(resolve("/assets/style.css?v=2").unwrap(), "assets/style.css");
        assert_eq!(
            resolve("/initiatives/gratuit%C3%A9/").unwrap(),
            "initiatives/gratuité/index.html"
        );
    }

    #[test]
    fn refuses_every_way_out() {
        for url in [
            "/../Cargo.toml",
            "/assets/../../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2FCargo.toml",
            "/..%2fCargo.toml",
            "/..%5cCargo.toml",
            "/a/%00",
            "/C:/Windows",
        ] {
            assert!(resolve(url).is_err(), "{url} was accepted");
        }
        assert_eq!(resolve("/%zz"), Err(Refusal::BadEncoding));
    }

    #[test]
    fn answers_a_request_head_as_the_server_does() {
        let mut output = Output::default();
        output
            .files
            .insert("index.html".into(), b"<body>home</body>".to_vec());
        output
            .files
            .insert("a/index.html".into(), b"<body>a</body>".to_vec());
        let preview = Preview::new(output, None);
        let answer = |head: &str| String::from_utf8(preview.answer(head.as_bytes()).unwrap()).unwrap();
        let home = answer("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(
            home.starts_with("HTTP/1.1 200 ") && home.contains("home"),
            "{home}"
        );
        let head = answer("HEAD / HTTP/1.1\r\n\r\n");
        assert!(
            head.starts_with("HTTP/1.1 200 ") && !head.contains("home"),
            "{head}"
        );
        assert!(answer("GET /a HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 301 "));
        assert!(answer("GET /../Cargo.toml HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 403 "));
        assert!(answer("POST / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405 "));
        assert!(answer("\u{0}\u{ff}").starts_with("HTTP/1.1 405 "));
        assert!(answer("GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
    }

    #[test]
    fn injects_reload_and_errors_only_in_html() {
        let html = finish(
            b"<html><body><p>x</p></body></html>",
            "index.html",
            3,
            Some("a.md:1:1: <bad>"),
        );
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("since='+g") && html.contains("var g=3"));
        assert!(html.contains("a.md:1:1: &lt;bad&gt;"));
        assert!(html.find("pnyx-errors").unwrap() < html.find("</body>").unwrap());
        assert_eq!(finish(b"body{}", "assets/style.css", 3, None), b"body{}");
    }
}
