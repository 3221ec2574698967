//! Marks on fields (a name Django derived is stale), shared between states like the models.
//!
//! Why a type: the analysis keeps a state per operation, and these sets grow with every
//! rename in the project; copied with each state they made `lockstep check` quadratic. Here a
//! copy is a reference count, and a change that changes nothing copies nothing.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::parse::django::ModelRef;

/// A set of `(model, field)`, copied only when it changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct FieldMarks(Arc<BTreeSet<(ModelRef, String)>>);

impl FieldMarks {
    /// Whether field `field` of `model` is marked.
    pub(super) fn contains(&self, model: &ModelRef, field: &str) -> bool {
        // A range over the model's marks: no key is built for the lookup.
        self.of(model).any(|f| f == field)
    }

    /// The marked fields of `model`.
    fn of<'a>(&'a self, model: &'a ModelRef) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .range((model.clone(), String::new())..)
            .take_while(move |(m, _)| m == model)
            .map(|(_, f)| f.as_str())
    }

    /// Marks field `field` of `model`.
    pub(super) fn insert(&mut self, model: &ModelRef, field: &str) {
        if !self.contains(model, field) {
            Arc::make_mut(&mut self.0).insert((model.clone(), field.to_owned()));
        }
    }

    /// Marks every `(model, field)` of `marks`.
    pub(super) fn extend(&mut self, marks: impl IntoIterator<Item = (ModelRef, String)>) {
        for (model, field) in marks {
            self.insert(&model, &field);
        }
    }

    /// Unmarks field `field` of `model`.
    pub(super) fn remove(&mut self, model: &ModelRef, field: &str) {
        if self.contains(model, field) {
            Arc::make_mut(&mut self.0).remove(&(model.clone(), field.to_owned()));
        }
    }

    /// Unmarks every field of `model`.
    pub(super) fn remove_model(&mut self, model: &ModelRef) {
        if self.of(model).next().is_some() {
            Arc::make_mut(&mut self.0).retain(|(m, _)| m != model);
        }
    }

    /// Moves the marks of `old` to `new` (a renamed model), or only field `from`'s to `to`.
    pub(super) fn rename(&mut self, old: &ModelRef, new: &ModelRef, field: Option<(&str, &str)>) {
        let moved: Vec<String> = self
            .of(old)
            .filter(|f| field.is_none_or(|(from, _)| *f == from))
            .map(str::to_owned)
            .collect();
        for f in moved {
            self.remove(old, &f);
            let name = field.map_or(f, |(_, to)| to.to_owned());
            self.insert(new, &name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> ModelRef {
        ModelRef {
            app_label: "shop".to_owned(),
            model: name.to_owned(),
        }
    }

    #[test]
    fn marks_move_with_renames_and_copies_keep_theirs() {
        let mut marks = FieldMarks::default();
        marks.insert(&model("order"), "customer");
        marks.insert(&model("order"), "total");
        marks.insert(&model("orderline"), "order");
        let before = marks.clone();
        marks.rename(&model("order"), &model("purchase"), None);
        assert!(!marks.contains(&model("order"), "customer"));
        assert!(marks.contains(&model("purchase"), "customer"));
        assert!(
            marks.contains(&model("orderline"), "order"),
            "a model sorting after is kept"
        );
        marks.rename(
            &model("purchase"),
            &model("purchase"),
            Some(("total", "amount")),
        );
        assert!(marks.contains(&model("purchase"), "amount"));
        assert!(!marks.contains(&model("purchase"), "total"));
        marks.remove_model(&model("purchase"));
        assert!(!marks.contains(&model("purchase"), "amount"));
        assert!(before.contains(&model("order"), "total"));
        // A change that changes nothing shares the set still.
        let copy = before.clone();
        let mut same = before.clone();
        same.remove(&model("nothing"), "x");
        same.insert(&model("order"), "total");
        assert!(Arc::ptr_eq(&copy.0, &same.0));
    }
}
