//! What `_constraint_names` and `_get_sequence_name` would find on a field's column,
//! predicted from the project state instead of asking the database.
//!
//! Django looks up the unique constraint, the plain indexes and the check of a column it is
//! about to alter by introspection. Their names follow from how they were created: PostgreSQL
//! names the inline constraints of `CREATE TABLE` and `ADD COLUMN` (`<table>_<column>_key`,
//! `<table>_<column>_check`) and identity sequences (`<table>_<column>_seq`); Django names the
//! indexes it creates (`_create_index_name`). A field altered or renamed since it was added,
//! or on a renamed table ([`ModelState::touched`]), may carry other names: it is
//! [`Unsupported`]. Indexes created by `RunSQL` are not known to the state and not predicted.

use crate::parse::django::Field;
use crate::parse::python::{Value, ValueKind};
use crate::sql::names::{self, MAX_NAME_LENGTH};
use crate::state::ModelState;

use super::columns::{DbParams, is_unique};
use super::editor::{Sql, Unsupported};
use super::indexes::like_opclass;

/// The column being altered, as the state before the operation has it.
pub(super) struct Altered<'a> {
    /// Its model.
    pub(super) model: &'a ModelState,
    /// Field name.
    pub(super) name: &'a str,
    /// The field.
    pub(super) field: &'a Field,
    /// Its parameters.
    pub(super) params: &'a DbParams,
    /// `model._meta.db_table`.
    pub(super) table: &'a str,
    /// `field.column`.
    pub(super) column: &'a str,
    /// Whether this migration already created the table or changed the column.
    pub(super) shaped: bool,
}

impl Altered<'_> {
    /// Names can be predicted only for columns whose history the state does not hide.
    fn untouched(&self, what: &str) -> Sql {
        if self.shaped {
            return Err(Unsupported::at(
                format!(
                    "the {what} of `{}`, which `sqlmigrate` looks up in the database as it is \
                     before this migration changed the column",
                    self.name
                ),
                self.field.span,
            ));
        }
        if self.model.touched.contains(self.name) {
            return Err(Unsupported::at(
                format!(
                    "the {what} of `{}`, whose name depends on how the column was altered or \
                     renamed before (Django asks the database)",
                    self.name
                ),
                self.field.span,
            ));
        }
        Ok(())
    }

    /// `_constraint_names(model, [column], unique=True, primary_key=False,
    /// exclude=<Meta.constraints names>)`.
    pub(super) fn unique_constraints(&self) -> Sql<Vec<String>> {
        self.untouched("unique constraint")?;
        self.no_together(&self.model.options.unique_together, "unique_together")?;
        let mut found = Vec::new();
        if self.field.unique && !self.field.primary_key {
            found.push(pg_object_name(self.table, self.column, "key")?);
        }
        Ok(found)
    }

    /// `_constraint_names(model, [column], index=True, type_=Index.suffix,
    /// exclude=<Meta.indexes names>)`: the plain B-tree indexes on exactly this column, in
    /// the name order PostgreSQL's grouping returns them.
    pub(super) fn plain_indexes(&self) -> Sql<Vec<String>> {
        self.untouched("indexes")?;
        self.no_together(&self.model.options.index_together, "index_together")?;
        let mut found = Vec::new();
        if self.field.db_index && !is_unique(self.field) {
            found.push(names::index_name(self.table, &[self.column], ""));
        }
        if like_opclass(self.field, self.params).is_some() {
            found.push(names::index_name(self.table, &[self.column], "_like"));
        }
        // `UniqueConstraint(fields=[name], condition=…)` and friends are unique indexes, and
        // only `Meta.indexes` are excluded.
        for constraint in &self.model.options.constraints {
            if constraint.class != "UniqueConstraint" {
                continue;
            }
            let fields = constraint.arg("fields").and_then(Value::as_sequence);
            let on_this =
                fields.is_some_and(|f| matches!(f, [only] if only.as_str() == Some(self.name)));
            if !on_this {
                continue;
            }
            let set = |k: &str| {
                constraint
                    .arg(k)
                    .is_some_and(|v| !matches!(v.kind, ValueKind::None) && !is_empty(v))
            };
            if !constraint.expressions.is_empty() || set("include") {
                continue;
            }
            if set("condition") || set("opclasses") {
                let name = constraint.name.clone().ok_or_else(|| {
                    Unsupported::at("a unique constraint without a name", constraint.span)
                })?;
                found.push(name);
            }
        }
        found.sort();
        Ok(found)
    }

    /// `_constraint_names(model, [column], check=True, exclude=<Meta.constraints names>)`.
    pub(super) fn checks(&self) -> Sql<Vec<String>> {
        self.untouched("check constraint")?;
        match self.params.check {
            Some(_) => Ok(vec![pg_object_name(self.table, self.column, "check")?]),
            None => Ok(Vec::new()),
        }
    }

    /// `_get_sequence_name(table, column)`: the identity's sequence.
    pub(super) fn sequence(&self) -> Sql<String> {
        self.untouched("sequence")?;
        pg_object_name(self.table, self.column, "seq")
    }

    /// A `*_together` entry on this column alone would be found too, in an order only the
    /// database knows.
    fn no_together(&self, together: &[Vec<String>], option: &str) -> Sql {
        if together
            .iter()
            .any(|t| matches!(t.as_slice(), [only] if only == self.name))
        {
            return Err(Unsupported::at(
                format!("`{option}` on `{}` alone", self.name),
                self.field.span,
            ));
        }
        Ok(())
    }
}

/// Whether a list or tuple is empty.
fn is_empty(value: &Value) -> bool {
    value.as_sequence().is_some_and(<[Value]>::is_empty)
}

/// PostgreSQL's `makeObjectName(name1, name2, label)`: `name1_name2_label`, shortening the
/// longer of the two names first until it fits in 63 bytes. PostgreSQL then adds a digit
/// when the name is taken, which Lockstep does not track; names that had to be shortened
/// are therefore not claimed.
pub(super) fn pg_object_name(name1: &str, name2: &str, label: &str) -> Sql<String> {
    let name = format!("{name1}_{name2}_{label}");
    if name.len() > MAX_NAME_LENGTH || !name.is_ascii() {
        return Err(Unsupported::new(format!(
            "PostgreSQL's name for `{name}`, which it shortens"
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_names_inline_constraints() {
        assert_eq!(
            pg_object_name("catalog_product", "sku", "key")
                .ok()
                .as_deref(),
            Some("catalog_product_sku_key")
        );
        assert!(pg_object_name(&"t".repeat(40), &"c".repeat(30), "key").is_err());
    }
}
