//! The web reviewer's static files, embedded at build time by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The file at `path` (`""` is `index.html`) with its content type.
pub(crate) fn asset(path: &str) -> Option<(&'static [u8], &'static str)> {
    let path = if path.is_empty() { "index.html" } else { path };
    let (_, bytes) = ASSETS.iter().find(|(name, _)| *name == path)?;
    let content_type = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    Some((bytes, content_type))
}

/// Whether the binary was built with the web files.
pub(crate) fn is_embedded() -> bool {
    !ASSETS.is_empty()
}
