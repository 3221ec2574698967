//! A rule's safe alternative, applied, no longer fires the rule: the SQL block of each
//! finding's `safe_alternative` is analysed again in place of the statement.

use lockstep_core::{Settings, SourceFile, analyze};

/// The findings of `rule` for a `.sql` file.
fn fired(rule: &str, sql: &str) -> Vec<lockstep_core::Finding> {
    analyze(
        &[SourceFile::from_text("db/0001.sql", sql)],
        &Settings::default(),
    )
    .findings
    .into_iter()
    .filter(|f| f.rule == rule)
    .collect()
}

/// The first fenced SQL block of a safe alternative.
fn sql_block(text: &str) -> String {
    let start = text.find("```sql\n").expect("an SQL block") + "```sql\n".len();
    let end = start + text[start..].find("```").expect("a closed block");
    text[start..end].to_owned()
}

#[test]
fn applied_alternatives_clear_their_findings() {
    let cases = [
        (
            "truncate-cascade",
            "SET lock_timeout = '1s';\n",
            "TRUNCATE shop_cart CASCADE;",
        ),
        (
            "detach-partition-blocking",
            "SET lock_timeout = '1s';\n",
            "ALTER TABLE events DETACH PARTITION events_2023;",
        ),
        (
            "domain-with-constraint",
            "",
            "ALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 100);",
        ),
        (
            "missing-lock-timeout",
            "",
            "ALTER TABLE shop_order ADD COLUMN note text;",
        ),
        (
            "missing-statement-timeout",
            "SET lock_timeout = '1s';\n",
            "ALTER TABLE shop_order ADD CONSTRAINT c CHECK (total >= 0);",
        ),
        (
            "unbatched-backfill",
            "SET lock_timeout = '1s';\n",
            "UPDATE shop_order SET total = 0 WHERE total IS NULL;",
        ),
        (
            "index-build-under-exclusive-lock",
            "SET lock_timeout = '1s';\nBEGIN;\nALTER TABLE shop_order ADD COLUMN code text;\n",
            "CREATE INDEX shop_order_code ON shop_order (code);\nCOMMIT;",
        ),
        (
            "statements-after-exclusive-lock",
            "SET lock_timeout = '1s';\nBEGIN;\n",
            "ALTER TABLE shop_order ADD COLUMN note text;\nALTER TABLE shop_customer ADD COLUMN flag boolean;\nCOMMIT;",
        ),
    ];
    for (rule, before, statement) in cases {
        let original = format!("{before}{statement}\n");
        let found = fired(rule, &original);
        assert_eq!(found.len(), 1, "{rule} should fire on:\n{original}");
        let rewritten_block = sql_block(&found[0].safe_alternative);
        // The alternative replaces the statement the finding is about.
        let target = found[0].statement.clone().unwrap();
        let rewritten = original.replacen(&target, &rewritten_block, 1);
        assert!(
            fired(rule, &rewritten).is_empty(),
            "{rule} still fires after its alternative:\n{rewritten}"
        );
        assert!(
            fired("transaction-misuse", &rewritten).is_empty(),
            "{rule}'s alternative breaks the transactions:\n{rewritten}"
        );
    }
}
