//! Every rule, sorted by id. A rule file that is not listed here is caught by a test.

use super::{
    Ctx, Rule, add_index_non_concurrent, detach_partition_blocking, diagnostics,
    domain_with_constraint, drop_schema_or_database, enum_type_change,
    index_build_under_exclusive_lock, irreversible_operation, missing_lock_timeout,
    missing_statement_timeout, offset_pagination_backfill, pg14_concurrent_index_corruption,
    runpython_imports_model, statements_after_exclusive_lock, table_rewrite_misc,
    transaction_misuse, trigger_on_existing_table, truncate_cascade, unbatched_backfill,
};

/// A rule's check over one analysed file.
pub(crate) type CheckFn = fn(&mut Ctx<'_>);

/// Rules that check statements, sorted by id.
pub(crate) static CHECKS: &[(&Rule, CheckFn)] = &[
    (
        &add_index_non_concurrent::ADD_INDEX_NON_CONCURRENT,
        add_index_non_concurrent::check,
    ),
    (
        &detach_partition_blocking::DETACH_PARTITION_BLOCKING,
        detach_partition_blocking::check,
    ),
    (
        &domain_with_constraint::DOMAIN_WITH_CONSTRAINT,
        domain_with_constraint::check,
    ),
    (
        &drop_schema_or_database::DROP_SCHEMA_OR_DATABASE,
        drop_schema_or_database::check,
    ),
    (&enum_type_change::ENUM_TYPE_CHANGE, enum_type_change::check),
    (
        &index_build_under_exclusive_lock::INDEX_BUILD_UNDER_EXCLUSIVE_LOCK,
        index_build_under_exclusive_lock::check,
    ),
    (
        &irreversible_operation::IRREVERSIBLE_OPERATION,
        irreversible_operation::check,
    ),
    (
        &missing_lock_timeout::MISSING_LOCK_TIMEOUT,
        missing_lock_timeout::check,
    ),
    (
        &missing_statement_timeout::MISSING_STATEMENT_TIMEOUT,
        missing_statement_timeout::check,
    ),
    (
        &offset_pagination_backfill::OFFSET_PAGINATION_BACKFILL,
        offset_pagination_backfill::check,
    ),
    (
        &pg14_concurrent_index_corruption::PG14_CONCURRENT_INDEX_CORRUPTION,
        pg14_concurrent_index_corruption::check,
    ),
    (
        &runpython_imports_model::RUNPYTHON_IMPORTS_MODEL,
        runpython_imports_model::check,
    ),
    (
        &statements_after_exclusive_lock::STATEMENTS_AFTER_EXCLUSIVE_LOCK,
        statements_after_exclusive_lock::check,
    ),
    (
        &table_rewrite_misc::TABLE_REWRITE_MISC,
        table_rewrite_misc::check,
    ),
    (
        &transaction_misuse::TRANSACTION_MISUSE,
        transaction_misuse::check,
    ),
    (
        &trigger_on_existing_table::TRIGGER_ON_EXISTING_TABLE,
        trigger_on_existing_table::check,
    ),
    (&truncate_cascade::TRUNCATE_CASCADE, truncate_cascade::check),
    (
        &unbatched_backfill::UNBATCHED_BACKFILL,
        unbatched_backfill::check,
    ),
];

/// Every rule of the catalog, sorted by id: the checks and the rules parse diagnostics map to.
pub fn rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = CHECKS.iter().map(|(rule, _)| *rule).collect();
    rules.extend(diagnostics::RULES);
    rules.sort_by_key(|rule| rule.id);
    rules
}

/// The rule with `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    rules().into_iter().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_and_kebab_case() {
        let ids: Vec<_> = rules().iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let check_ids: Vec<_> = CHECKS.iter().map(|(r, _)| r.id).collect();
        let mut sorted_checks = check_ids.clone();
        sorted_checks.sort_unstable();
        assert_eq!(check_ids, sorted_checks, "keep CHECKS sorted by id");
        for id in ids {
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn every_rule_file_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let registered: Vec<String> = CHECKS.iter().map(|(r, _)| r.id.replace('-', "_")).collect();
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            // Not rules: the registry, parse diagnostics, acknowledgements, helpers.
            if [
                "mod",
                "registry",
                "diagnostics",
                "test_utils",
                "ack",
                "run_python",
                "words",
            ]
            .contains(&stem)
            {
                continue;
            }
            assert!(
                registered.iter().any(|r| r == stem),
                "rules/{name} is not in registry::CHECKS"
            );
        }
    }

    #[test]
    fn docs_have_the_required_sections() {
        for rule in rules() {
            for heading in [
                "## What it flags",
                "## Why it hurts",
                "## Safe alternative",
                "## When it is fine",
            ] {
                assert!(rule.docs.contains(heading), "{} lacks `{heading}`", rule.id);
            }
        }
    }
}
