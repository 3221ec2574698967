//! The one function of `unicode_names2` that `ruff_python_parser` calls, for `\N{NAME}`
//! escapes in Python strings, answering that no name is known.
//!
//! Why: Unicode's name table is about 890 KB of the browser bundle — more than everything
//! else in it after this cut — and `\N{…}` escapes do not occur in generated migrations
//! (`makemigrations` writes the characters themselves). The same stand-in is used natively, so
//! the browser and the `lockstep` command read every file alike: an escape is a parse error at
//! its position, which Lockstep words as "write the character itself" (see
//! `lockstep_core::parse::python`). Nothing is guessed.

/// The character named `name`: never known here (see the crate documentation).
pub fn character(name: &str) -> Option<char> {
    let _ = name;
    None
}
