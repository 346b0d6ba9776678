//! `pnyx serve`'s request handling, without a socket: any request head against the demo site.
//! Never a panic; always a well-formed HTTP/1.1 answer with a status the server means to send;
//! nothing but the built site is ever served.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pnyx::pipeline::{build_in_memory, BuildOptions};
use pnyx::cmd::serve::Preview;

fn preview() -> &'static Preview {
    static PREVIEW: OnceLock<Preview> = OnceLock::new();
    PREVIEW.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut opts = BuildOptions::new(&root);
        opts.base_url = Some("http://127.0.0.1:8000/".into());
        let (_, output) = build_in_memory(&opts, chrono::Utc::now()).expect("the demo builds");
        Preview::new(output, Some("content/x.md:1:1: <b>an error</b>".into()))
    })
}

fuzz_target!(|head: &[u8]| {
    let text = String::from_utf8_lossy(head);
    // A reload request for the current build waits for the next one: not a case to fuzz.
    if text.contains("reload") && text.contains("since") {
        return;
    }
    let answer = preview().answer(head).expect("writing to memory cannot fail");
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {:?}", &answer[..answer.len().min(80)]));
    assert!(
        [200, 301, 400, 403, 404, 405, 503].contains(&status),
        "status {status} for {text:?}"
    );
    // The repository's own files sit one folder above the site's output: never served.
    assert!(!answer.contains("[package]"), "Cargo.toml served for {text:?}");
    assert!(!answer.contains("-----BEGIN"), "a secret served for {text:?}");
});
