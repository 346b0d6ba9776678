//! minisign keys: public keys as stored in `signatures/keys/<KEYID>.pub`, secret keys as made
//! by `pnyx keygen` or by the stock `minisign -G` (with or without a password).

use std::fmt;
use std::path::Path;

use anyhow::{bail, Context as _};
use base64::Engine as _;

/// A key id as minisign prints it: 16 upper-case hexadecimal digits of a little-endian u64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub u64);

impl KeyId {
    /// From the 8 key-number bytes of a key or signature.
    pub fn from_keynum(bytes: &[u8]) -> Option<KeyId> {
        let arr: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
        Some(KeyId(u64::from_le_bytes(arr)))
    }

    /// Parses `2F3240DF3C8A9906`; only the canonical upper-case form is a valid file name.
    pub fn parse(s: &str) -> Option<KeyId> {
        let ok = s.len() == 16
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
        ok.then(|| u64::from_str_radix(s, 16).ok().map(KeyId)).flatten()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", self.0)
    }
}

/// A public key read from its `.pub` file.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Id read from the base64 payload (the comment line is untrusted and ignored).
    pub id: KeyId,
    /// The key, ready to verify.
    pub key: minisign::PublicKey,
}

/// Parses the text of a `.pub` file: an untrusted comment line, then the base64 key.
pub fn parse_public_key(text: &str) -> Result<PublicKey, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or("no key in the file: expected a line `untrusted comment: …` and a base64 line")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line)
        .map_err(|_| "the key line is not valid base64".to_string())?;
    if bytes.len() != 42 || &bytes[..2] != b"Ed" {
        return Err("not a minisign Ed25519 public key (expected 42 bytes starting with `Ed`)".into());
    }
    let id = KeyId::from_keynum(&bytes[2..10]).ok_or("truncated key")?;
    let key = minisign::PublicKey::from_base64(line).map_err(|e| format!("invalid public key: {e}"))?;
    Ok(PublicKey { id, key })
}

/// The text of a `.pub` file, as stock minisign writes it.
pub fn public_key_text(key: &minisign::PublicKey) -> String {
    let id = KeyId::from_keynum(key.keynum())
        .map(|k| k.to_string())
        .unwrap_or_default();
    format!(
        "untrusted comment: minisign public key {id}\n{}\n",
        key.to_base64()
    )
}

/// The text of a secret key file: an untrusted comment line, then the base64 key, as stock
/// minisign writes it (stock `minisign` reads it back, with or without a password).
pub fn secret_key_text(key: &minisign::SecretKey, comment: &str) -> anyhow::Result<String> {
    let comment = comment.replace(['\r', '\n'], " ");
    let text = key
        .to_box(Some(&comment))
        .map_err(|e| anyhow::anyhow!("cannot write the secret key: {e}"))?
        .into_string();
    Ok(text)
}

/// A secret key's file: `Ed`, the KDF algorithm (`Sc` scrypt or two zero bytes), …
struct SecretKeyBytes(Vec<u8>);

impl SecretKeyBytes {
    fn parse(text: &str) -> anyhow::Result<SecretKeyBytes> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .context("no key in the file")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line)
            .context("the key line is not valid base64")?;
        if bytes.len() < 6 || &bytes[..2] != b"Ed" {
            bail!("not a minisign secret key");
        }
        Ok(SecretKeyBytes(bytes))
    }

    fn encrypted(&self) -> bool {
        self.0[2..4] != [0, 0]
    }
}

/// True when the secret key file needs a password.
pub fn secret_key_needs_password(text: &str) -> anyhow::Result<bool> {
    Ok(SecretKeyBytes::parse(text)?.encrypted())
}

/// Loads a secret key: password-protected ones with `password`, unprotected ones without.
///
/// `minisign -G -W` writes an unprotected key with an all-zero checksum, which the minisign
/// crate refuses as "Corrupted key"; such keys are read directly, and the caller checks them
/// against their public key by signing (see [`check_pair`]).
pub fn load_secret_key(text: &str, password: Option<&str>) -> anyhow::Result<minisign::SecretKey> {
    let raw = SecretKeyBytes::parse(text)?;
    if raw.encrypted() {
        let password = password.context("this secret key is protected by a password")?;
        minisign::SecretKey::from_box(
            minisign::SecretKeyBox::from_string(text)?,
            Some(password.to_string()),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot open the secret key (wrong password?)")
    } else {
        minisign::SecretKey::from_bytes(&raw.0).map_err(|e| anyhow::anyhow!("invalid secret key: {e}"))
    }
}

/// Checks that `sk` is the secret half of `pk`, by signing a test message.
pub fn check_pair(pk: &minisign::PublicKey, sk: &minisign::SecretKey) -> anyhow::Result<()> {
    minisign::sign(
        Some(pk),
        sk,
        std::io::Cursor::new(b"pnyx key check"),
        Some("pnyx/1 check"),
        None,
    )
    .map(|_| ())
    .map_err(|_| anyhow::anyhow!("the secret key does not match the public key"))
}

/// Reads a `.pub` file from disk.
pub fn read_public_key(path: &Path) -> anyhow::Result<PublicKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_public_key(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_id_from_the_payload_not_the_comment() {
        let text = "untrusted comment: minisign public key 0000000000000000\nRWQGmYo830AyL1oHyXJucLn1E4ePg88aG8dnIQSLckn8ssWfQOHe6eGE\n";
        let k = parse_public_key(text).unwrap();
        assert_eq!(k.id.to_string(), "2F3240DF3C8A9906");
        assert_eq!(KeyId::parse("2F3240DF3C8A9906"), Some(k.id));
        assert_eq!(KeyId::parse("2f3240df3c8a9906"), None);
    }

    #[test]
    fn loads_a_minisign_key_without_password() {
        // Made by `minisign -G -W`: unprotected, all-zero checksum.
        let sk = "untrusted comment: minisign encrypted secret key\nRWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABpmKPN9AMi/4wblCj6qtgvghFVF+qV/3s1+y2Q6uo4okwVzqpGfJNFoHyXJucLn1E4ePg88aG8dnIQSLckn8ssWfQOHe6eGEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
";
        let pk = parse_public_key(
            "untrusted comment: x\nRWQGmYo830AyL1oHyXJucLn1E4ePg88aG8dnIQSLckn8ssWfQOHe6eGE\n",
        )
        .unwrap();
        assert!(!secret_key_needs_password(sk).unwrap());
        let key = load_secret_key(sk, None).unwrap();
        check_pair(&pk.key, &key).unwrap();
    }

    #[test]
    fn rejects_what_is_not_a_key() {
        assert!(parse_public_key("hello").is_err());
        assert!(parse_public_key("untrusted comment: x\nRWQ=\n").is_err());
    }
}
