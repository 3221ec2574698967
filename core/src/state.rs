//! Project state: the models, tables and columns as Django's `state_forwards` leaves them.
//!
//! In: Django operations in the order they apply. Out: for each model its table and its
//! fields' columns, before every operation. Invariant: the state never guesses. A model that an
//! operation Lockstep does not model yet has touched is marked [`ModelState::stale`], and SQL
//! that depends on it is then not claimed as reproduced.

use std::collections::BTreeMap;

use crate::parse::django::{Field, Operation, OperationKind};
use crate::sql::django::table_name;

/// Every model known so far, by `(app_label, model name lowercased)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectState {
    models: BTreeMap<(String, String), ModelState>,
    /// Apps where an unknown operation ran: nothing about them can be trusted any more.
    stale_apps: Vec<String>,
}

/// One model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelState {
    /// The database table.
    pub db_table: String,
    /// `(field name, field)` in definition order.
    pub fields: Vec<(String, Field)>,
    /// An operation Lockstep does not model changed this model.
    pub stale: bool,
}

/// What the state says about a model an operation names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lookup<'s> {
    /// Known exactly.
    Known(&'s ModelState),
    /// Not in the supplied files: Django's defaults are assumed.
    Missing,
    /// Changed by an operation Lockstep does not model.
    Stale,
}

impl ProjectState {
    /// The model `name` of `app`.
    pub fn model(&self, app: &str, name: &str) -> Lookup<'_> {
        if self.stale_apps.iter().any(|a| a == app) {
            return Lookup::Stale;
        }
        match self.models.get(&(app.to_owned(), name.to_lowercase())) {
            Some(model) if model.stale => Lookup::Stale,
            Some(model) => Lookup::Known(model),
            None => Lookup::Missing,
        }
    }

    /// Applies `operation` of `app`, as Django's `state_forwards` does.
    pub fn apply(&mut self, app: &str, operation: &Operation) {
        let key = |name: &str| (app.to_owned(), name.to_lowercase());
        match &operation.kind {
            OperationKind::CreateModel {
                name,
                fields,
                db_table,
                ..
            } => {
                let db_table = db_table.clone().unwrap_or_else(|| table_name(app, name));
                self.models.insert(
                    key(name),
                    ModelState {
                        db_table,
                        fields: fields.clone(),
                        stale: false,
                    },
                );
            }
            OperationKind::AddField {
                model_name,
                name,
                field,
            } => {
                if let Some(model) = self.models.get_mut(&key(model_name)) {
                    model.fields.push((name.clone(), field.clone()));
                }
            }
            // Indexes and raw SQL/Python do not change tables or columns.
            OperationKind::AddIndex { .. }
            | OperationKind::RemoveIndex { .. }
            | OperationKind::RunSql { .. }
            | OperationKind::RunPython { .. } => {}
            OperationKind::Unmodelled => {
                for name in &operation.models {
                    match self.models.get_mut(&key(name)) {
                        Some(model) => model.stale = true,
                        // A model created by an unmodelled operation, or renamed to this name.
                        None => {
                            self.models.insert(
                                key(name),
                                ModelState {
                                    db_table: String::new(),
                                    fields: Vec::new(),
                                    stale: true,
                                },
                            );
                        }
                    }
                }
            }
            OperationKind::Unknown => self.stale_apps.push(app.to_owned()),
        }
    }
}

impl ModelState {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }
}
