//! `schema_editor.quote_value`: psycopg's quoting of Python values, as `sqlmigrate` prints
//! parameters interpolated into the SQL.

use crate::parse::python::{Value, ValueKind};

/// psycopg's quoting of a Python literal, for the literals whose quoting is plain; `None`
/// for anything else.
pub(super) fn quote_value(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Str(s) if !s.contains('\\') && !s.contains('\0') => {
            Some(format!("'{}'", s.replace('\'', "''")))
        }
        ValueKind::Int(i) => Some(i.to_string()),
        ValueKind::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        ValueKind::None => Some("NULL".to_owned()),
        _ => None,
    }
}
