//! Rebuilds the binary when a file of the embedded default theme is added, changed or removed
//! (`include_dir!` alone does not see new files on stable Rust).

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
