//! Database connections, with passwords kept out of every message.

use anyhow::Context as _;
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

/// The byte range of the password in `url`. The userinfo ends at the *last* `@`, so a
/// password containing `/`, `?` or `@` is still found (erring towards redacting too much).
fn password_range(url: &str) -> Option<std::ops::Range<usize>> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let at = rest.rfind('@')?;
    let colon = rest[..at].find(':')?;
    Some(start + colon + 1..start + at)
}

/// `url` with its password replaced by `***`, for messages.
pub(crate) fn redact(url: &str) -> String {
    match password_range(url) {
        Some(range) => format!("{}***{}", &url[..range.start], &url[range.end..]),
        None => url.to_owned(),
    }
}

/// Connects to `url`; the error names the redacted URL, never the password.
pub(crate) async fn connect(url: &str) -> anyhow::Result<PgConnection> {
    PgConnection::connect(url)
        .await
        .map_err(|error| anyhow::anyhow!(redact_error(&error.to_string(), url)))
        .with_context(|| format!("cannot connect to {}", redact(url)))
}

/// `message` with every occurrence of `url`'s password replaced by `***`.
fn redact_error(message: &str, url: &str) -> String {
    match password_range(url).map(|range| &url[range]) {
        Some(password) if !password.is_empty() => message.replace(password, "***"),
        _ => message.to_owned(),
    }
}

/// `text` (a child process's output, an error) with `url`'s password replaced by `***`.
pub(crate) fn redact_text(text: &str, url: &str) -> String {
    redact_error(text, url)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_appear() {
        assert_eq!(
            redact("postgres://u:s3cret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("not a url"), "not a url");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u:pa/ss?x@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            super::redact_error("auth failed for pa/ss", "postgres://u:pa/ss@h/db"),
            "auth failed for ***"
        );
    }
}
