//! Rebuilds the binary when a file of the embedded default theme is added, changed or removed
//! (`include_dir!` alone does not see new files on stable Rust), and tells the code which
//! Pagefind it is built with: the search index kept between builds is only reused by the same
//! Pagefind (`src/search/cache.rs`).

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let version = std::fs::read_to_string("Cargo.lock")
        .ok()
        .and_then(|lock| locked_version(&lock, "pagefind"))
        .unwrap_or_default();
    println!("cargo:rustc-env=PNYX_PAGEFIND_VERSION={version}");
}

/// The version of `package` in a Cargo.lock.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_string());
        }
    }
    None
}
