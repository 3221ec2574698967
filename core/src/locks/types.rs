//! Column types as the lock model needs them: normalised names, and whether changing one
//! into another rewrites the table.
//!
//! PostgreSQL skips the rewrite of `ALTER COLUMN … TYPE` when the conversion is binary
//! coercible after its planner simplifies length coercions (`varchar_support`,
//! `numeric_support`, `timestamp_support`); LOCKS.md lists the cases. Anything not in the
//! tables here is answered `None` (unknown), never guessed.

use super::tokens::Tok;

/// A normalised column type: `varchar(30)`, `numeric(14,4)`, `timestamptz`, `integer[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlType {
    /// Base type name, lower case, aliases resolved (`int4` → `integer`).
    pub base: String,
    /// Type modifiers (`varchar(30)` → `[30]`).
    pub mods: Vec<u32>,
    /// Whether it is an array.
    pub array: bool,
}

/// Spellings PostgreSQL accepts for the same type, mapped to one name.
const ALIASES: &[(&str, &str)] = &[
    ("int", "integer"),
    ("int4", "integer"),
    ("int8", "bigint"),
    ("int2", "smallint"),
    ("bool", "boolean"),
    ("character varying", "varchar"),
    ("char varying", "varchar"),
    ("character", "bpchar"),
    ("char", "bpchar"),
    ("decimal", "numeric"),
    ("float8", "double precision"),
    ("float4", "real"),
    ("timestamp with time zone", "timestamptz"),
    ("timestamp without time zone", "timestamp"),
    ("time with time zone", "timetz"),
    ("time without time zone", "time"),
    ("serial4", "serial"),
    ("serial8", "bigserial"),
    ("varbit", "bit varying"),
];

/// Built-in types with no constraints of their own: adding a column of one of them never
/// needs a rewrite for the type's sake (domains with constraints do).
const BUILT_IN: &[&str] = &[
    "integer",
    "bigint",
    "smallint",
    "numeric",
    "real",
    "double precision",
    "boolean",
    "text",
    "varchar",
    "bpchar",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "tsvector",
    "tsquery",
    "bit",
    "bit varying",
    "money",
    "xml",
    "int4range",
    "int8range",
    "numrange",
    "daterange",
    "tsrange",
    "tstzrange",
    "point",
    "citext",
    "hstore",
];

/// Conversions between different base types that are binary coercible (`pg_cast` method
/// `b`) and need no length check: `(from, to)`; `to` must be unbounded.
const BINARY_COERCIBLE: &[(&str, &str)] = &[
    ("varchar", "text"),
    ("text", "varchar"),
    ("cidr", "inet"),
    ("bpchar", "varchar"),
];

/// Types whose typmod growth is simplified away by a planner support function.
const GROWABLE: &[&str] = &["varchar", "bit varying", "timestamp", "timestamptz"];

impl SqlType {
    /// Reads a type from its tokens (`character varying ( 30 ) [ ]`).
    pub(super) fn from_tokens(tokens: &[Tok]) -> Option<Self> {
        let mut words = Vec::new();
        let mut mods = Vec::new();
        let mut array = false;
        let mut in_parens = false;
        let mut in_brackets = false;
        for tok in tokens {
            match tok {
                Tok::Sym(s) if s == "(" => in_parens = true,
                Tok::Sym(s) if s == ")" => in_parens = false,
                Tok::Sym(s) if s == "[" => {
                    array = true;
                    in_brackets = true;
                }
                Tok::Sym(s) if s == "]" => in_brackets = false,
                Tok::Sym(s) if s == "," && in_parens => {}
                Tok::Lit(n) if in_parens => mods.push(n.parse().ok()?),
                Tok::Lit(_) if in_brackets => {}
                Tok::Word {
                    text,
                    quoted: false,
                } if !in_parens && !in_brackets => {
                    if text.eq_ignore_ascii_case("ARRAY") {
                        array = true;
                    } else {
                        words.push(text.to_ascii_lowercase());
                    }
                }
                // A quoted or schema-qualified type is a user type; keep its name as written.
                Tok::Word { text, quoted: true } if !in_parens => words.push(text.clone()),
                Tok::Sym(s) if s == "." => words.clear(),
                _ => return None,
            }
        }
        if words.is_empty() {
            return None;
        }
        let written = words.join(" ");
        let base = ALIASES
            .iter()
            .find(|(alias, _)| *alias == written)
            .map_or(written.clone(), |(_, name)| (*name).to_owned());
        // `char` without a length is `char(1)`.
        if base == "bpchar" && mods.is_empty() {
            mods.push(1);
        }
        Some(Self { base, mods, array })
    }

    /// Whether PostgreSQL knows this type with no constraints attached (not a domain).
    pub fn is_built_in(&self) -> bool {
        BUILT_IN.contains(&self.base.as_str())
    }

    /// Whether this is `serial`/`bigserial`/`smallserial` (a sequence default: a rewrite).
    pub fn is_serial(&self) -> bool {
        matches!(self.base.as_str(), "serial" | "bigserial" | "smallserial")
    }
}

impl std::fmt::Display for SqlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)?;
        if !self.mods.is_empty() {
            let mods: Vec<String> = self.mods.iter().map(u32::to_string).collect();
            write!(f, "({})", mods.join(","))?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// Whether changing a column from `old` to `new` rewrites the table; `None` when it depends
/// on something the model does not know (a user type, the session's `TimeZone`).
pub fn change_rewrites(old: &SqlType, new: &SqlType) -> Option<bool> {
    if old == new {
        return Some(false);
    }
    if !old.is_built_in() || !new.is_built_in() {
        return None;
    }
    if old.array || new.array {
        // Element conversions of arrays are not simplified by the planner.
        return Some(true);
    }
    if old.base == new.base {
        return Some(!typmod_grows(&old.base, &old.mods, &new.mods)?);
    }
    if matches!(
        (old.base.as_str(), new.base.as_str()),
        ("timestamp", "timestamptz") | ("timestamptz", "timestamp")
    ) {
        // PG 12+: no rewrite when the session's TimeZone is UTC, a rewrite otherwise.
        return None;
    }
    let coercible = BINARY_COERCIBLE
        .iter()
        .any(|(from, to)| *from == old.base && *to == new.base);
    // `bpchar` → `varchar` drops trailing blanks' meaning but keeps bytes only without length.
    Some(!(coercible && new.mods.is_empty() && old.base != "bpchar"))
}

/// Whether going from `old` to `new` modifiers of `base` only widens (no rewrite); `None`
/// for types whose modifiers the model does not know.
fn typmod_grows(base: &str, old: &[u32], new: &[u32]) -> Option<bool> {
    if new.is_empty() && (GROWABLE.contains(&base) || base == "numeric") {
        return Some(true);
    }
    if base == "numeric" {
        // numeric(p,s) → numeric(p'≥p, s): same scale, more precision.
        let (Some(p), Some(q)) = (old.first(), new.first()) else {
            return Some(false);
        };
        return Some(old.get(1).unwrap_or(&0) == new.get(1).unwrap_or(&0) && q >= p);
    }
    if GROWABLE.contains(&base) {
        let (Some(p), Some(q)) = (old.first(), new.first()) else {
            // Unbounded → bounded needs a check: a rewrite.
            return Some(false);
        };
        return Some(q >= p);
    }
    if base == "bpchar" {
        // char(n) has no support function: any length change rewrites.
        return Some(false);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tokens::statements;
    use super::*;

    fn ty(sql: &str) -> SqlType {
        let tokens = statements(sql).unwrap().remove(0);
        SqlType::from_tokens(&tokens).unwrap()
    }

    #[test]
    fn normalises_spellings() {
        assert_eq!(ty("character varying(30)").to_string(), "varchar(30)");
        assert_eq!(ty("timestamp with time zone").to_string(), "timestamptz");
        assert_eq!(ty("numeric(14, 4)").to_string(), "numeric(14,4)");
        assert_eq!(ty("integer[3]").to_string(), "integer[]");
        assert_eq!(ty("int8").to_string(), "bigint");
    }

    #[test]
    fn binary_coercible_changes_do_not_rewrite() {
        let cases = [
            ("varchar(30)", "varchar(100)", Some(false)),
            ("varchar(100)", "varchar(30)", Some(true)),
            ("varchar(30)", "text", Some(false)),
            ("varchar(30)", "varchar", Some(false)),
            ("text", "varchar", Some(false)),
            ("text", "varchar(10)", Some(true)),
            ("numeric(10, 2)", "numeric(12, 2)", Some(false)),
            ("numeric(10, 2)", "numeric(12, 3)", Some(true)),
            ("numeric(10, 2)", "numeric", Some(false)),
            ("integer", "bigint", Some(true)),
            ("bigint", "integer", Some(true)),
            ("cidr", "inet", Some(false)),
            ("timestamp", "timestamptz", None),
            ("my_domain", "text", None),
        ];
        for (old, new, expected) in cases {
            assert_eq!(
                change_rewrites(&ty(old), &ty(new)),
                expected,
                "{old} → {new}"
            );
        }
    }
}
