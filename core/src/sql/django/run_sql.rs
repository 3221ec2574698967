//! `RunSQL`: PostgreSQL's `prepare_sql_script` runs each string as written, in one
//! `execute`, and `sqlmigrate` prints it so, with `;` appended when it lacks one.

use crate::parse::django::SqlText;

use super::editor::{Editor, Sql, Unsupported};
use super::forwards::Ctx;
use super::quote::quote_value;

/// `RunSQL.database_forwards`.
pub(super) fn run_sql(editor: &mut Editor, ctx: &Ctx<'_>, sql: &[SqlText]) -> Sql {
    for text in sql {
        let interpolated = interpolate(text)
            .ok_or_else(|| Unsupported::at("`params` Lockstep cannot quote yet", text.span))?;
        let ending = if interpolated.trim_end().ends_with(';') {
            ""
        } else {
            ";"
        };
        editor.print(format!("{interpolated}{ending}"));
        let parsed = crate::parse::sql::parse(ctx.operation.span.file, &text.text, text.span.start);
        editor.diagnostics.extend(parsed.diagnostics);
        for statement in parsed.value {
            editor.execute_parsed(statement);
        }
    }
    Ok(())
}

/// `sql % tuple(map(quote_value, params))`; `None` when a parameter cannot be quoted.
fn interpolate(text: &SqlText) -> Option<String> {
    let Some(params) = &text.params else {
        return Some(text.text.clone());
    };
    let mut params = params.iter();
    let mut out = String::with_capacity(text.text.len());
    let mut chars = text.text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s') => out.push_str(&quote_value(params.next()?)?),
            _ => return None,
        }
    }
    // Python raises when params are left over.
    params.next().is_none().then_some(out)
}
