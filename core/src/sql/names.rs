//! Django's generated identifiers, reproduced exactly.
//!
//! Django names indexes and constraints it creates implicitly from the table, the columns and
//! an md5 digest (`BaseDatabaseSchemaEditor._create_index_name`, `names_digest`,
//! `truncate_name`). Lockstep must produce the same names, or the plan's
//! `CREATE INDEX CONCURRENTLY` would leave Django's state and the database disagreeing.

use md5::{Digest, Md5};

/// PostgreSQL's `NAMEDATALEN - 1`, which Django uses as `max_name_length()`.
pub const MAX_NAME_LENGTH: usize = 63;

/// `django.db.backends.utils.names_digest`: the first `length` hex digits of the md5 of the
/// concatenated arguments.
pub fn names_digest(args: &[&str], length: usize) -> String {
    let mut hasher = Md5::new();
    for arg in args {
        hasher.update(arg.as_bytes());
    }
    let mut hex = hex(&hasher.finalize());
    hex.truncate(length);
    hex
}

/// Lowercase hexadecimal digits of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .filter_map(|nibble| char::from_digit(u32::from(nibble), 16))
        .collect()
}

/// `django.db.backends.utils.truncate_name` for an unqualified name: names longer than
/// `length` keep a prefix and end in a 4-digit digest of the whole name.
pub fn truncate_name(name: &str, length: usize) -> String {
    const HASH_LEN: usize = 4;
    if name.len() <= length {
        return name.to_owned();
    }
    format!(
        "{}{}",
        prefix(name, length - HASH_LEN),
        names_digest(&[name], HASH_LEN)
    )
}

/// `BaseDatabaseSchemaEditor._create_index_name(table, columns, suffix)`.
pub fn index_name(table: &str, columns: &[&str], suffix: &str) -> String {
    let mut digest_args = vec![table];
    digest_args.extend_from_slice(columns);
    let mut hash_suffix = format!("{}{suffix}", names_digest(&digest_args, 8));
    let joined = columns.join("_");
    let name = format!("{table}_{joined}_{hash_suffix}");
    if name.len() <= MAX_NAME_LENGTH {
        return name;
    }
    if hash_suffix.len() > MAX_NAME_LENGTH / 3 {
        hash_suffix = prefix(&hash_suffix, MAX_NAME_LENGTH / 3).to_owned();
    }
    let other_length = (MAX_NAME_LENGTH - hash_suffix.len()) / 2 - 1;
    let name = format!(
        "{}_{}_{hash_suffix}",
        prefix(table, other_length),
        prefix(&joined, other_length)
    );
    // Django prepends `D` (and drops the last character) when the name would start with `_`
    // or a digit, which PostgreSQL would reject unquoted.
    if name.starts_with('_') || name.starts_with(|c: char| c.is_ascii_digit()) {
        let mut chars = name.chars();
        chars.next_back();
        return format!("D{}", chars.as_str());
    }
    name
}

/// The first `chars` characters of `s` (Python slicing counts characters, not bytes).
fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices()
        .nth(chars)
        .map_or(s, |(i, _)| s.get(..i).unwrap_or(s))
}

/// `"name"`: PostgreSQL's quoting of an identifier as Django's `quote_name` does it.
pub fn quote(name: &str) -> String {
    if name.starts_with('"') && name.ends_with('"') && name.len() > 1 {
        return name.to_owned();
    }
    format!("\"{name}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed by Django 5.2 itself (`connection.schema_editor()._create_index_name`).
    #[test]
    fn index_names_match_django() {
        assert_eq!(
            index_name("shop_order", &["note"], ""),
            "shop_order_note_94455a30"
        );
        assert_eq!(
            index_name("shop_order", &["note"], "_like"),
            "shop_order_note_94455a30_like"
        );
    }

    #[test]
    fn long_names_are_shortened_like_django() {
        let table = "a_very_long_application_label_with_a_very_long_model_name";
        assert_eq!(
            index_name(table, &["an_equally_long_column_name_for_good_measure"], ""),
            "a_very_long_application_la_an_equally_long_column_nam_efe3caa9"
        );
        assert_eq!(
            index_name("1abc", &[&"x".repeat(70)], ""),
            "D1abc_xxxxxxxxxxxxxxxxxxxxxxxxxx_eefbe9c"
        );
        assert_eq!(truncate_name("short", 63), "short");
        assert_eq!(
            truncate_name(&"x".repeat(70), 63),
            format!("{}7d56", "x".repeat(59))
        );
    }
}
