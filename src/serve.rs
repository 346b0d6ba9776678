//! `pnyx serve`: preview server (placeholder, replaced below).

use crate::build::BuildOptions;

/// Serves the site.
pub fn serve(_opts: BuildOptions, _port: u16) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
