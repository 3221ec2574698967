//! `django.contrib.postgres.operations`: extensions and collations.

use std::fmt::Write as _;

use crate::sql::StatementKind;
use crate::sql::names::quote;

use super::editor::Editor;

/// `CreateExtension.database_forwards`.
pub(super) fn create_extension(editor: &mut Editor, name: &str) {
    editor.execute(
        format!("CREATE EXTENSION IF NOT EXISTS {};", quote(name)),
        StatementKind::Other,
    );
}

/// `CreateExtension.database_backwards` (on a database where the extension exists, as it
/// does once the migration is applied).
pub(super) fn drop_extension(editor: &mut Editor, name: &str) {
    editor.execute(
        format!("DROP EXTENSION IF EXISTS {};", quote(name)),
        StatementKind::Other,
    );
}

/// `CreateCollation` / `RemoveCollation.database_forwards`.
pub(super) fn collation(
    editor: &mut Editor,
    name: &str,
    locale: &str,
    provider: &str,
    deterministic: bool,
    create: bool,
) {
    if !create {
        editor.execute(
            format!("DROP COLLATION {};", quote(name)),
            StatementKind::Other,
        );
        return;
    }
    let mut args = format!("locale={}", quote(locale));
    if provider != "libc" {
        let _ = write!(args, ", provider={}", quote(provider));
    }
    if !deterministic {
        args.push_str(", deterministic=false");
    }
    editor.execute(
        format!("CREATE COLLATION {} ({args});", quote(name)),
        StatementKind::Other,
    );
}
