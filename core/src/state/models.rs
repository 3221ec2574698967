//! The models of a project state, stored so that states share what they have in common.
//!
//! Why: the analysis keeps the state before every operation (the SQL of an operation and the
//! rules' safe alternatives are written against it). With one flat map, each of those copies
//! cost every model of the project, and `lockstep check` grew with the square of the project
//! (1,600 migrations: 4.9 s). Here a copy is one reference count, and changing a model copies
//! only the list of apps and the map of that model's app.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ModelState;
use crate::parse::django::ModelRef;

/// One app's models, by model name lowercased.
type AppModels = BTreeMap<String, Arc<ModelState>>;

/// A model's key, borrowed from the map (iterating builds no strings).
#[derive(Clone, Copy, Debug)]
pub(super) struct Key<'a> {
    app: &'a str,
    model: &'a str,
}

impl Key<'_> {
    /// Whether this is the key `other`.
    pub(super) fn is(self, other: &ModelRef) -> bool {
        self.app == other.app_label && self.model == other.model
    }

    /// The key, owned.
    pub(super) fn to_ref(self) -> ModelRef {
        ModelRef {
            app_label: self.app.to_owned(),
            model: self.model.to_owned(),
        }
    }
}

/// Every model, by app label and then model name lowercased; cheap to clone.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct ModelMap {
    apps: Arc<BTreeMap<String, Arc<AppModels>>>,
}

impl ModelMap {
    /// The model under `key`.
    pub(super) fn get(&self, key: &ModelRef) -> Option<&Arc<ModelState>> {
        self.apps.get(&key.app_label)?.get(&key.model)
    }

    /// The model under `key`, to change (copying what other states still share).
    pub(super) fn get_mut(&mut self, key: &ModelRef) -> Option<&mut ModelState> {
        // Looked up first so a miss copies nothing.
        self.get(key)?;
        let app = Arc::make_mut(&mut self.apps).get_mut(&key.app_label)?;
        Arc::make_mut(app).get_mut(&key.model).map(Arc::make_mut)
    }

    /// Puts `model` under `key`, replacing what was there.
    pub(super) fn insert(&mut self, key: ModelRef, model: Arc<ModelState>) {
        let app = Arc::make_mut(&mut self.apps)
            .entry(key.app_label)
            .or_default();
        Arc::make_mut(app).insert(key.model, model);
    }

    /// Takes the model under `key` out; an app left without models is gone too.
    pub(super) fn remove(&mut self, key: &ModelRef) -> Option<Arc<ModelState>> {
        self.get(key)?;
        let apps = Arc::make_mut(&mut self.apps);
        let app = Arc::make_mut(apps.get_mut(&key.app_label)?);
        let model = app.remove(&key.model);
        if app.is_empty() {
            apps.remove(&key.app_label);
        }
        model
    }

    /// Whether any model of `app` is known.
    pub(super) fn has_app(&self, app: &str) -> bool {
        self.apps.contains_key(app)
    }

    /// Every model with its key, in `(app, name)` order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Key<'_>, &ModelState)> {
        self.apps.iter().flat_map(|(app, models)| {
            models
                .iter()
                .map(move |(model, state)| (Key { app, model }, state.as_ref()))
        })
    }

    /// Every model, in `(app, name)` order.
    pub(super) fn values(&self) -> impl Iterator<Item = &ModelState> {
        self.apps
            .values()
            .flat_map(|models| models.values().map(AsRef::as_ref))
    }

    /// The keys of the models that `matches`, in `(app, name)` order.
    pub(super) fn keys_where(&self, matches: impl Fn(&ModelState) -> bool) -> Vec<ModelRef> {
        let mut keys = Vec::new();
        for (app, models) in self.apps.iter() {
            for (name, model) in models.iter() {
                if matches(model) {
                    keys.push(ModelRef {
                        app_label: app.clone(),
                        model: name.clone(),
                    });
                }
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::django::ModelOptions;

    fn model(app: &str, name: &str) -> Arc<ModelState> {
        Arc::new(ModelState {
            app_label: app.to_owned(),
            name: name.to_owned(),
            fields: Vec::new(),
            options: ModelOptions::default(),
            touched: std::collections::BTreeSet::new(),
        })
    }

    fn key(app: &str, name: &str) -> ModelRef {
        ModelRef {
            app_label: app.to_owned(),
            model: name.to_lowercase(),
        }
    }

    #[test]
    fn a_copy_keeps_its_models_when_the_original_changes() {
        let mut map = ModelMap::default();
        map.insert(key("shop", "Order"), model("shop", "Order"));
        map.insert(key("auth", "User"), model("auth", "User"));
        let before = map.clone();
        map.get_mut(&key("shop", "order")).unwrap().name = "Purchase".to_owned();
        map.remove(&key("auth", "user"));
        assert_eq!(before.get(&key("shop", "order")).unwrap().name, "Order");
        assert!(before.has_app("auth") && !map.has_app("auth"));
        // The app untouched by a change is still the same allocation in both.
        map.insert(key("blog", "Post"), model("blog", "Post"));
        let after = map.clone();
        map.get_mut(&key("blog", "post")).unwrap().name = "Article".to_owned();
        assert!(Arc::ptr_eq(
            after.get(&key("shop", "order")).unwrap(),
            map.get(&key("shop", "order")).unwrap()
        ));
    }

    #[test]
    fn iteration_is_in_app_then_name_order() {
        let mut map = ModelMap::default();
        for (app, name) in [("shop", "order"), ("auth", "user"), ("shop", "item")] {
            map.insert(key(app, name), model(app, name));
        }
        let keys: Vec<_> = map
            .iter()
            .map(|(k, _)| (k.to_ref().app_label, k.to_ref().model))
            .collect();
        assert_eq!(
            keys,
            [("auth", "user"), ("shop", "item"), ("shop", "order")]
                .map(|(a, m)| (a.to_owned(), m.to_owned()))
        );
        assert_eq!(map.keys_where(|m| m.name == "item"), [key("shop", "item")]);
        assert!(map.get_mut(&key("shop", "nothing")).is_none());
        assert!(map.remove(&key("nope", "nothing")).is_none());
    }
}
