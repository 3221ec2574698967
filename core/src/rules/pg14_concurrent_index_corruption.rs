use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};
use crate::sql::StatementKind;

declare_rule! {
    /// ## What it flags
    /// `CREATE INDEX CONCURRENTLY` or `REINDEX … CONCURRENTLY` when the target is PostgreSQL
    /// 14.0 to 14.3. The minor version must be given (`pg_version = "14.2"` in
    /// `lockstep.toml`, `Settings.pg_minor`); with only the major version the rule cannot
    /// tell and does not fire.
    ///
    /// ## Why it hurts
    /// A bug in those releases (fixed in 14.4, June 2022) can build the index without rows
    /// that were being updated during the build: queries through it silently miss rows, and a
    /// unique index may let duplicates in.
    ///
    /// ## Safe alternative
    /// Upgrade the server to 14.4 or later before building indexes concurrently, and rebuild
    /// indexes built concurrently on 14.0–14.3 (`pg_amcheck --heapallindexed` finds them).
    /// Until then, build with a plain (blocking) `CREATE INDEX` in a maintenance window.
    /// Django: `AddIndex` instead of `AddIndexConcurrently` for now; SQL:
    /// ```sql
    /// CREATE INDEX "shop_order_created_idx" ON "shop_order" ("created");  -- in a window, on 14.0–14.3
    /// ```
    ///
    /// ## When it is fine
    /// The server runs 14.4 or later (set `pg_version` accordingly).
    pub(crate) static PG14_CONCURRENT_INDEX_CORRUPTION = { id: "pg14-concurrent-index-corruption", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let settings = ctx.settings();
    let Some(minor) = settings
        .pg_minor
        .filter(|&m| settings.pg_version == 14 && m < 4)
    else {
        return;
    };
    for (operation, statement) in ctx.statements() {
        let concurrent_build =
            if let StatementKind::CreateIndex { concurrently, .. } = &statement.statement.kind {
                *concurrently
            } else {
                let words = Words::new(&statement.statement.sql);
                words.starts("REINDEX") && words.contains("CONCURRENTLY")
            };
        if !concurrent_build {
            continue;
        }
        ctx.report(Report {
            rule: &PG14_CONCURRENT_INDEX_CORRUPTION,
            span: ctx.span_for(operation, statement),
            message: format!(
                "PostgreSQL 14.{minor} can build an index concurrently without rows updated during the build \
                 (fixed in 14.4): queries through it silently miss rows"
            ),
            safe_alternative: "Upgrade the server to 14.4 or later first, then rebuild indexes built concurrently \
                               on 14.0–14.3 (`REINDEX INDEX CONCURRENTLY …` after the upgrade; `pg_amcheck \
                               --heapallindexed` finds the damaged ones). Until then build without `CONCURRENTLY` \
                               in a maintenance window."
                .to_owned(),
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::render_findings;
    use crate::source::{Settings, SourceFile};

    fn rules(pg_version: u8, pg_minor: Option<u8>) -> Vec<crate::rules::Finding> {
        let settings = Settings {
            pg_version,
            pg_minor,
            ..Settings::default()
        };
        let files = [SourceFile::from_text(
            "db/0016.sql",
            "CREATE INDEX CONCURRENTLY i ON shop_order (created);\nREINDEX INDEX CONCURRENTLY j;",
        )];
        crate::analyze(&files, &settings)
            .findings
            .into_iter()
            .filter(|f| f.rule == "pg14-concurrent-index-corruption")
            .collect()
    }

    #[test]
    fn fires_on_14_0_to_14_3() {
        let found = rules(14, Some(2));
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
        assert_eq!(rules(14, Some(0)).len(), 2);
    }

    #[test]
    fn later_minors_other_majors_and_unknown_minor_do_not_fire() {
        assert!(rules(14, Some(4)).is_empty());
        assert!(rules(14, None).is_empty());
        assert!(rules(15, Some(2)).is_empty());
    }
}
