//! The final state of `django.contrib`'s models, bundled.
//!
//! A project's migrations point at `auth.User`, `contenttypes.ContentType` and the like
//! without their migrations being among the files under review. Rather than assume Django's
//! defaults for them, the state falls back to these facts, written by real Django
//! (`tests/django/record.py contrib-state`, checked by `record.py check`) as one `CreateModel`
//! per model, and read with Lockstep's own parser.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::parse::django::{self, ModelRef, OperationKind};
use crate::span::FileId;
use crate::state::ModelState;

/// `(app label, generated migration text)`, Django 5.2.
const APPS: [(&str, &str); 7] = [
    ("admin", include_str!("../contrib/admin.py")),
    ("auth", include_str!("../contrib/auth.py")),
    ("contenttypes", include_str!("../contrib/contenttypes.py")),
    ("flatpages", include_str!("../contrib/flatpages.py")),
    ("redirects", include_str!("../contrib/redirects.py")),
    ("sessions", include_str!("../contrib/sessions.py")),
    ("sites", include_str!("../contrib/sites.py")),
];

/// Whether `app` is one of the bundled `django.contrib` apps.
pub fn is_bundled(app: &str) -> bool {
    APPS.iter().any(|(label, _)| *label == app)
}

/// The bundled model `model`, if it is one.
pub(crate) fn model(model: &ModelRef) -> Option<&'static Arc<ModelState>> {
    models().get(model)
}

/// Every bundled model, parsed once.
fn models() -> &'static BTreeMap<ModelRef, Arc<ModelState>> {
    static MODELS: OnceLock<BTreeMap<ModelRef, Arc<ModelState>>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let mut models = BTreeMap::new();
        for (app, text) in APPS {
            // Spans into these texts never reach a finding: the state re-anchors them.
            let Some(migration) = django::parse(FileId(u32::MAX), app, "contrib", text).value
            else {
                continue;
            };
            for operation in migration.operations {
                if let OperationKind::CreateModel {
                    name,
                    fields,
                    options,
                } = operation.kind
                {
                    let key = ModelRef {
                        app_label: app.to_owned(),
                        model: name.to_lowercase(),
                    };
                    let model = ModelState {
                        app_label: app.to_owned(),
                        name,
                        fields,
                        options,
                        touched: std::collections::BTreeSet::new(),
                    };
                    models.insert(key, Arc::new(model));
                }
            }
        }
        models
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_app_parses_into_its_models() {
        let user = model(&ModelRef {
            app_label: "auth".to_owned(),
            model: "user".to_owned(),
        })
        .unwrap();
        assert_eq!(user.db_table(), "auth_user");
        assert_eq!(user.primary_key().unwrap().1.class, "AutoField");
        for (app, _) in APPS {
            assert!(
                models().keys().any(|k| k.app_label == app),
                "no model read for {app}"
            );
        }
        // LogEntry, Group, Permission, User, ContentType, FlatPage, Redirect, Session, Site.
        assert_eq!(models().len(), 9);
    }
}
