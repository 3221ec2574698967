//! `schema_editor.quote_value`: psycopg's quoting of Python values, as `sqlmigrate` prints
//! parameters interpolated into the SQL.
//!
//! psycopg 3 (`psycopg.sql.quote`) writes numbers with Python's `str()`, putting a space
//! before negative ones (so `- -1` cannot turn into a comment), strings as standard literals
//! or, when they hold a backslash, as ` E'…'` (again with a leading space), and typed values
//! such as dates with a cast (`'2026-01-02'::date`).

use crate::parse::python::{Value, ValueKind};

/// psycopg's quoting of a Python literal, for the literals whose quoting is plain; `None`
/// for anything else.
pub(super) fn quote_value(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Str(s) => quote_str(s),
        ValueKind::Int(i) => Some(quote_int(*i)),
        ValueKind::Float(f) => quote_float(*f),
        ValueKind::Bool(b) => Some(quote_bool(*b)),
        ValueKind::None => Some("NULL".to_owned()),
        _ => None,
    }
}

/// A `str`: `'it''s'`, or ` E'a\\b'` when it holds a backslash (libpq's
/// `PQescapeLiteral`); `None` for a NUL, which PostgreSQL strings cannot hold.
pub(super) fn quote_str(s: &str) -> Option<String> {
    if s.contains('\0') {
        return None;
    }
    let doubled = s.replace('\'', "''");
    Some(if s.contains('\\') {
        format!(" E'{}'", doubled.replace('\\', "\\\\"))
    } else {
        format!("'{doubled}'")
    })
}

/// An `int`: ` -1` for negative numbers.
pub(super) fn quote_int(i: i64) -> String {
    if i < 0 {
        format!(" {i}")
    } else {
        i.to_string()
    }
}

/// A `bool`.
pub(super) fn quote_bool(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

/// A `float`: Python's `repr`, ` -2.5` for negative numbers; `None` for infinities and NaN
/// (which psycopg casts, and no literal in a migration produces).
pub(super) fn quote_float(f: f64) -> Option<String> {
    let repr = python_float_repr(f)?;
    Some(if f < 0.0 { format!(" {repr}") } else { repr })
}

/// A `decimal.Decimal` written as the string `s`: `str(Decimal(s))`, with the leading
/// space of negative numbers.
pub(super) fn quote_decimal(s: &str) -> Option<String> {
    let (negative, text) = decimal_str(s)?;
    Some(
        match (negative, text.chars().all(|c| c == '0' || c == '.')) {
            // `Decimal("-0") >= 0`, so psycopg adds no space.
            (true, true) => format!("-{text}"),
            (true, false) => format!(" -{text}"),
            (false, _) => text,
        },
    )
}

/// `str(Decimal(s))` for plain decimal strings (`"007.50"` → `"7.50"`), as its sign and
/// digits; `None` for exponents, specials and values Python would print in scientific form.
fn decimal_str(s: &str) -> Option<(bool, String)> {
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    // `Decimal.__str__` switches to scientific notation when the adjusted exponent is
    // below -6.
    let exponent = -i64::try_from(frac.len()).ok()?;
    let coefficient = format!("{int}{frac}");
    let significant = coefficient.trim_start_matches('0');
    let adjusted = i64::try_from(significant.len().max(1)).ok()? - 1 + exponent;
    if exponent < 0 && adjusted < -6 {
        return None;
    }
    let int = if int.is_empty() { "0" } else { int };
    Some((
        negative,
        if frac.is_empty() {
            int.to_owned()
        } else {
            format!("{int}.{frac}")
        },
    ))
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation for
/// exponents from -4 to 15 (`0.0001`, `1.5`, `2.0`) and scientific otherwise (`1e-05`,
/// `1e+16`).
pub(super) fn python_float_repr(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return Some(format!("{sign}0.0"));
    }
    // Rust's `{:e}` also prints the shortest round-trip digits: `1.5e0`, `1e20`.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i64 = exponent.parse().ok()?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let body = if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at_checked(1)?;
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{exponent_sign}{:02}", exponent.abs())
    } else if exponent < 0 {
        let zeros = usize::try_from(-exponent - 1).ok()?;
        format!("0.{}{digits}", "0".repeat(zeros))
    } else {
        let point = usize::try_from(exponent + 1).ok()?;
        if digits.len() <= point {
            format!("{digits}{}.0", "0".repeat(point - digits.len()))
        } else {
            let (int, frac) = digits.split_at_checked(point)?;
            format!("{int}.{frac}")
        }
    };
    Some(format!("{sign}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from psycopg 3.3 `sql.quote` via Django's `schema_editor.quote_value`.
    #[test]
    fn numbers_are_quoted_like_psycopg() {
        assert_eq!(quote_int(0), "0");
        assert_eq!(quote_int(-1), " -1");
        assert_eq!(quote_float(1.5).as_deref(), Some("1.5"));
        assert_eq!(quote_float(0.0).as_deref(), Some("0.0"));
        assert_eq!(quote_float(-2.5).as_deref(), Some(" -2.5"));
        assert_eq!(quote_float(2.0).as_deref(), Some("2.0"));
        assert_eq!(quote_float(1e20).as_deref(), Some("1e+20"));
        assert_eq!(quote_float(1e16).as_deref(), Some("1e+16"));
        assert_eq!(quote_float(1e-7).as_deref(), Some("1e-07"));
        assert_eq!(quote_float(0.0001).as_deref(), Some("0.0001"));
        assert_eq!(
            quote_float(123_456_789.123).as_deref(),
            Some("123456789.123")
        );
        assert_eq!(quote_float(1.5e300).as_deref(), Some("1.5e+300"));
        assert_eq!(quote_float(f64::INFINITY), None);
    }

    #[test]
    fn decimals_print_as_python_str() {
        assert_eq!(quote_decimal("1.50").as_deref(), Some("1.50"));
        assert_eq!(quote_decimal("-3").as_deref(), Some(" -3"));
        assert_eq!(quote_decimal("007.5").as_deref(), Some("7.5"));
        assert_eq!(quote_decimal(".5").as_deref(), Some("0.5"));
        assert_eq!(quote_decimal("1.2").as_deref(), Some("1.2"));
        assert_eq!(quote_decimal("-0").as_deref(), Some("-0"));
        assert_eq!(quote_decimal("0.0000001"), None);
        assert_eq!(quote_decimal("1E+2"), None);
    }

    #[test]
    fn strings_are_quoted_like_psycopg() {
        assert_eq!(quote_str("it's").as_deref(), Some("'it''s'"));
        assert_eq!(quote_str("a\\b").as_deref(), Some(" E'a\\\\b'"));
        assert_eq!(quote_str("").as_deref(), Some("''"));
        assert_eq!(quote_str("a\0"), None);
    }
}
