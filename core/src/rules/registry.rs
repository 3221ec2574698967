//! Every rule, sorted by id. A rule file that is not listed here is caught by a test.

use super::{
    Ctx, Rule, add_check_validating, add_column_required, add_column_rewrites,
    add_column_volatile_default, add_exclusion_constraint, add_foreign_key_validating,
    add_index_non_concurrent, add_primary_key_blocking, add_unique_constraint_blocking,
    alter_column_type_rewrite, concurrent_in_transaction, detach_partition_blocking, diagnostics,
    django_alterfield_backfill_in_transaction, django_default_dropped, domain_with_constraint,
    drop_column, drop_index_non_concurrent, drop_not_null, drop_schema_or_database, drop_table,
    enum_type_change, foreign_key_without_index, index_build_under_exclusive_lock,
    irreversible_operation, json_column, missing_lock_timeout, missing_statement_timeout,
    multiple_alter_same_table, offset_pagination_backfill, pg14_concurrent_index_corruption,
    prefer_bigint_primary_key, prefer_timestamptz, reindex_non_concurrent, rename_column,
    rename_table, runpython_imports_model, set_not_null_scan, statements_after_exclusive_lock,
    table_rewrite_misc, transaction_misuse, trigger_on_existing_table, truncate_cascade,
    unbatched_backfill, validate_in_same_transaction,
};

/// A rule's check over one analysed file.
pub(crate) type CheckFn = fn(&mut Ctx<'_>);

/// Rules that check statements, sorted by id.
pub(crate) static CHECKS: &[(&Rule, CheckFn)] = &[
    (
        &add_check_validating::ADD_CHECK_VALIDATING,
        add_check_validating::check,
    ),
    (
        &add_column_required::ADD_COLUMN_REQUIRED,
        add_column_required::check,
    ),
    (
        &add_column_rewrites::ADD_COLUMN_REWRITES,
        add_column_rewrites::check,
    ),
    (
        &add_column_volatile_default::ADD_COLUMN_VOLATILE_DEFAULT,
        add_column_volatile_default::check,
    ),
    (
        &add_exclusion_constraint::ADD_EXCLUSION_CONSTRAINT,
        add_exclusion_constraint::check,
    ),
    (
        &add_foreign_key_validating::ADD_FOREIGN_KEY_VALIDATING,
        add_foreign_key_validating::check,
    ),
    (
        &add_index_non_concurrent::ADD_INDEX_NON_CONCURRENT,
        add_index_non_concurrent::check,
    ),
    (
        &add_primary_key_blocking::ADD_PRIMARY_KEY_BLOCKING,
        add_primary_key_blocking::check,
    ),
    (
        &add_unique_constraint_blocking::ADD_UNIQUE_CONSTRAINT_BLOCKING,
        add_unique_constraint_blocking::check,
    ),
    (
        &alter_column_type_rewrite::ALTER_COLUMN_TYPE_REWRITE,
        alter_column_type_rewrite::check,
    ),
    (
        &concurrent_in_transaction::CONCURRENT_IN_TRANSACTION,
        concurrent_in_transaction::check,
    ),
    (
        &detach_partition_blocking::DETACH_PARTITION_BLOCKING,
        detach_partition_blocking::check,
    ),
    (
        &django_alterfield_backfill_in_transaction::DJANGO_ALTERFIELD_BACKFILL_IN_TRANSACTION,
        django_alterfield_backfill_in_transaction::check,
    ),
    (
        &django_default_dropped::DJANGO_DEFAULT_DROPPED,
        django_default_dropped::check,
    ),
    (
        &domain_with_constraint::DOMAIN_WITH_CONSTRAINT,
        domain_with_constraint::check,
    ),
    (&drop_column::DROP_COLUMN, drop_column::check),
    (
        &drop_index_non_concurrent::DROP_INDEX_NON_CONCURRENT,
        drop_index_non_concurrent::check,
    ),
    (&drop_not_null::DROP_NOT_NULL, drop_not_null::check),
    (
        &drop_schema_or_database::DROP_SCHEMA_OR_DATABASE,
        drop_schema_or_database::check,
    ),
    (&drop_table::DROP_TABLE, drop_table::check),
    (&enum_type_change::ENUM_TYPE_CHANGE, enum_type_change::check),
    (
        &foreign_key_without_index::FOREIGN_KEY_WITHOUT_INDEX,
        foreign_key_without_index::check,
    ),
    (
        &index_build_under_exclusive_lock::INDEX_BUILD_UNDER_EXCLUSIVE_LOCK,
        index_build_under_exclusive_lock::check,
    ),
    (
        &irreversible_operation::IRREVERSIBLE_OPERATION,
        irreversible_operation::check,
    ),
    (&json_column::JSON_COLUMN, json_column::check),
    (
        &missing_lock_timeout::MISSING_LOCK_TIMEOUT,
        missing_lock_timeout::check,
    ),
    (
        &missing_statement_timeout::MISSING_STATEMENT_TIMEOUT,
        missing_statement_timeout::check,
    ),
    (
        &multiple_alter_same_table::MULTIPLE_ALTER_SAME_TABLE,
        multiple_alter_same_table::check,
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
        &prefer_bigint_primary_key::PREFER_BIGINT_PRIMARY_KEY,
        prefer_bigint_primary_key::check,
    ),
    (
        &prefer_timestamptz::PREFER_TIMESTAMPTZ,
        prefer_timestamptz::check,
    ),
    (
        &reindex_non_concurrent::REINDEX_NON_CONCURRENT,
        reindex_non_concurrent::check,
    ),
    (&rename_column::RENAME_COLUMN, rename_column::check),
    (&rename_table::RENAME_TABLE, rename_table::check),
    (
        &runpython_imports_model::RUNPYTHON_IMPORTS_MODEL,
        runpython_imports_model::check,
    ),
    (
        &set_not_null_scan::SET_NOT_NULL_SCAN,
        set_not_null_scan::check,
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
    (
        &validate_in_same_transaction::VALIDATE_IN_SAME_TRANSACTION,
        validate_in_same_transaction::check,
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
                "rewrite",
                "shape",
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
