//! What earlier statements created, as far as locks depend on it.
//!
//! The lock of some statements depends on objects the statement does not name: `DROP INDEX`
//! locks the index's table, dropping a foreign key locks the referenced table, `SET NOT NULL`
//! skips its scan when a valid `CHECK (col IS NOT NULL)` exists, and `ALTER COLUMN TYPE`
//! rewrites or not depending on the old type. The catalog is fed by every statement in plan
//! order. Invariant: it only holds what statements showed; a lookup that misses is answered
//! as unknown by the classifier, never guessed.

use std::collections::BTreeMap;

use super::types::SqlType;

/// Tables, indexes and constraints seen so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Table → column → type.
    pub(super) tables: BTreeMap<String, BTreeMap<String, SqlType>>,
    /// Index (or constraint-backing index) → its table.
    pub(super) indexes: BTreeMap<String, String>,
    /// Index → the columns (and other identifiers) its definition names.
    pub(super) index_columns: BTreeMap<String, Vec<String>>,
    /// View (plain or materialized) → the tables and views its query names.
    pub(super) views: BTreeMap<String, Vec<String>>,
    /// `(table, constraint name)` → constraint.
    pub(super) constraints: BTreeMap<(String, String), Constraint>,
}

/// A constraint, as far as locks care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Constraint {
    /// For a foreign key: the referenced table.
    pub(super) references: Option<String>,
    /// Its columns (for a foreign key: the referencing ones), when written.
    pub(super) columns: Vec<String>,
    /// For `CHECK (col IS NOT NULL)`: the column.
    pub(super) not_null_of: Option<String>,
    /// Whether it is validated (not `NOT VALID`).
    pub(super) validated: bool,
}

impl Catalog {
    /// Whether `table` has a validated `CHECK (column IS NOT NULL)`.
    pub(super) fn has_not_null_check(&self, table: &str, column: &str) -> bool {
        self.constraints.iter().any(|((t, _), c)| {
            t == table && c.validated && c.not_null_of.as_deref() == Some(column)
        })
    }

    /// The tables whose foreign keys reference `table`, other than itself.
    pub(super) fn referencing(&self, table: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .constraints
            .iter()
            .filter(|((t, _), c)| t != table && c.references.as_deref() == Some(table))
            .map(|((t, _), _)| t.clone())
            .collect();
        out.dedup();
        out
    }

    /// The tables `table`'s foreign keys reference, other than itself.
    pub(super) fn referenced_by(&self, table: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .constraints
            .iter()
            .filter(|((t, _), _)| t == table)
            .filter_map(|(_, c)| c.references.clone())
            .filter(|r| r != table)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether a known CHECK constraint of `table` mentions `column` (an `ALTER COLUMN TYPE`
    /// re-validates it: a scan).
    pub(super) fn column_in_check(&self, table: &str, column: &str) -> bool {
        self.constraints.iter().any(|((t, _), c)| {
            t == table && c.references.is_none() && c.columns.iter().any(|x| x == column)
        })
    }

    /// Whether a known index of `table` mentions `column`.
    pub(super) fn column_in_index(&self, table: &str, column: &str) -> bool {
        self.indexes.iter().any(|(index, t)| {
            t == table
                && self
                    .index_columns
                    .get(index)
                    .is_some_and(|cols| cols.iter().any(|x| x == column))
        })
    }

    /// Records an index on `table` naming `columns`.
    pub(super) fn add_index(&mut self, index: &str, table: &str, columns: Vec<String>) {
        self.indexes.insert(index.to_owned(), table.to_owned());
        self.index_columns.insert(index.to_owned(), columns);
    }

    /// Views whose query names `table` (dropped with it by `CASCADE`).
    pub(super) fn dependent_views(&self, table: &str) -> Vec<String> {
        self.views
            .iter()
            .filter(|(_, tables)| tables.iter().any(|t| t == table))
            .map(|(view, _)| view.clone())
            .collect()
    }

    /// The column's type, if known.
    pub(super) fn column_type(&self, table: &str, column: &str) -> Option<&SqlType> {
        self.tables.get(table)?.get(column)
    }

    /// Records a new table (replacing any earlier one of that name).
    pub(super) fn create_table(&mut self, table: &str) {
        self.drop_table(table);
        self.tables.insert(table.to_owned(), BTreeMap::new());
    }

    /// Forgets `table`, its indexes and constraints, and foreign keys pointing to it.
    pub(super) fn drop_table(&mut self, table: &str) {
        self.tables.remove(table);
        let gone: Vec<String> = self
            .indexes
            .iter()
            .filter(|(_, t)| *t == table)
            .map(|(i, _)| i.clone())
            .collect();
        for index in gone {
            self.indexes.remove(&index);
            self.index_columns.remove(&index);
        }
        self.constraints
            .retain(|(t, _), c| t != table && c.references.as_deref() != Some(table));
    }

    /// Renames a table everywhere it is mentioned.
    pub(super) fn rename_table(&mut self, from: &str, to: &str) {
        if let Some(columns) = self.tables.remove(from) {
            self.tables.insert(to.to_owned(), columns);
        }
        for t in self.indexes.values_mut() {
            if t == from {
                to.clone_into(t);
            }
        }
        let constraints = std::mem::take(&mut self.constraints);
        self.constraints = constraints
            .into_iter()
            .map(|((t, n), mut c)| {
                if c.references.as_deref() == Some(from) {
                    c.references = Some(to.to_owned());
                }
                ((if t == from { to.to_owned() } else { t }, n), c)
            })
            .collect();
    }

    /// Sets a column's type (`None`: unknown from now on).
    pub(super) fn set_column(&mut self, table: &str, column: &str, ty: Option<SqlType>) {
        let columns = self.tables.entry(table.to_owned()).or_default();
        match ty {
            Some(ty) => {
                columns.insert(column.to_owned(), ty);
            }
            None => {
                columns.remove(column);
            }
        }
    }

    /// Renames a column of `table`.
    pub(super) fn rename_column(&mut self, table: &str, from: &str, to: &str) {
        if let Some(columns) = self.tables.get_mut(table)
            && let Some(ty) = columns.remove(from)
        {
            columns.insert(to.to_owned(), ty);
        }
        for (index, t) in &self.indexes {
            if t == table
                && let Some(cols) = self.index_columns.get_mut(index)
            {
                for col in cols.iter_mut().filter(|c| *c == from) {
                    to.clone_into(col);
                }
            }
        }
        for ((t, _), c) in &mut self.constraints {
            if t == table {
                for col in c.columns.iter_mut().chain(c.not_null_of.iter_mut()) {
                    if col == from {
                        to.clone_into(col);
                    }
                }
            }
        }
    }

    /// Drops a column and the constraints on it.
    pub(super) fn drop_column(&mut self, table: &str, column: &str) {
        if let Some(columns) = self.tables.get_mut(table) {
            columns.remove(column);
        }
        self.constraints.retain(|(t, _), c| {
            t != table
                || !(c.columns.iter().any(|x| x == column)
                    || c.not_null_of.as_deref() == Some(column))
        });
    }

    /// The foreign keys of `table` on `column`: referenced tables.
    pub(super) fn foreign_keys_on(&self, table: &str, column: &str) -> Vec<String> {
        self.constraints
            .iter()
            .filter(|((t, _), c)| t == table && c.columns.iter().any(|x| x == column))
            .filter_map(|(_, c)| c.references.clone())
            .filter(|r| r != table)
            .collect()
    }

    /// Records a constraint.
    pub(super) fn add_constraint(&mut self, table: &str, name: &str, constraint: Constraint) {
        self.constraints
            .insert((table.to_owned(), name.to_owned()), constraint);
    }

    /// The constraint `name` of `table`.
    pub(super) fn constraint(&self, table: &str, name: &str) -> Option<&Constraint> {
        self.constraints.get(&(table.to_owned(), name.to_owned()))
    }

    /// Removes a constraint and the index backing it.
    pub(super) fn drop_constraint(&mut self, table: &str, name: &str) {
        self.constraints
            .remove(&(table.to_owned(), name.to_owned()));
        if self.indexes.get(name).is_some_and(|t| t == table) {
            self.indexes.remove(name);
        }
    }
}
