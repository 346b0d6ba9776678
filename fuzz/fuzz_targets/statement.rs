//! Statement files, trusted comments and public keys. A statement read once reads back the
//! same from its canonical form: one identity per statement, whatever its encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pnyx::signatures::{keys, statement};

fuzz_target!(|text: &str| {
    if let Ok(parsed) = statement::parse_file(text) {
        let again = statement::parse_file(&parsed.canonical).expect("canonical form reads back");
        assert_eq!(again.identity, parsed.identity);
        assert_eq!(again.canonical, parsed.canonical);
    }
    if let Ok(said) = statement::parse_comment(text) {
        if let Some(target) = &said.target {
            let back = statement::comment(said.verb, target, said.argument.as_deref());
            assert_eq!(statement::parse_comment(&back), Ok(said));
        }
    }
    let _ = statement::place(text);
    let _ = keys::parse_public_key(text);
    let _ = keys::secret_key_needs_password(text);
});
