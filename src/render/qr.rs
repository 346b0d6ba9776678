//! QR codes for the printables, made at build time by the `qrcode` crate as SVG: black modules
//! on white whatever the theme, with the four-module quiet zone the standard asks for, and
//! error correction level M (15 %), so that a sheet folded, creased or photocopied still scans.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An inline `<svg>` of the QR code of `url`, sized by CSS (it has a viewBox and no fixed
/// size in print), with `label` as its accessible name. `None` only if the URL is too long for
/// a QR code (thousands of characters).
pub fn svg(url: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build();
    // Inline in HTML: no XML declaration; an accessible name instead of a fixed size.
    let body = image.split_once("<svg").map(|(_, rest)| rest)?;
    let body = body
        .replacen(r#" version="1.1""#, "", 1)
        .replacen(" width=\"", " data-width=\"", 1)
        .replacen(" height=\"", " data-height=\"", 1);
    Some(format!(
        r#"<svg class="qr" role="img" aria-label="{}"{body}"#,
        tera::escape_html(label)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_has_a_quiet_zone_and_scales_with_its_box() {
        let svg = svg("https://example.org/initiatives/gratuite-des-bus/", "QR <code>").unwrap();
        assert!(svg.starts_with(r#"<svg class="qr" role="img" aria-label="QR &lt;code&gt;""#));
        assert!(!svg.contains("<?xml"));
        // 33 modules (version 4 for this length at level M) and 4 of quiet zone on each side.
        let side: u32 = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        assert_eq!(
            (side - 8 - 17) % 4,
            0,
            "a QR code's side is 17 + 4 × version modules"
        );
        // The first dark module is inside the quiet zone's border.
        assert!(svg.contains(r#"d="M4 4"#), "{svg}");
        assert!(svg.contains(r##"fill="#fff""##) && svg.contains(r##"fill="#000""##));
    }
}
