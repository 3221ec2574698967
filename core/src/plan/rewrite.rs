//! The safe rewrites: one hazardous statement → the steps that do the same without the
//! long lock.
//!
//! Each rewrite answers to the rule whose finding it resolves, by that finding's fingerprint
//! (`rule, app, migration, operation, statement`): the reviewer's [`Choice::Keep`] keeps the
//! statement as written; anything else (the default) takes the rewrite. A rewrite only
//! applies where its rule would fire: on a table that existed before the migration. Names of
//! indexes and constraints are Django's (the helper `CHECK` of the `SET NOT NULL` path is
//! dropped again), so after the plan the schema is the one Django's own `migrate` makes.

use std::collections::{BTreeMap, BTreeSet};

use super::build::Unit;
use super::shapes::{Action, Column, ConstraintKind, Shape, shape};
use super::steps::{self, single};
use super::{Backfill, Check, Choice, Choices, StepKind, TransactionMode};
use crate::analysis::StatementAnalysis;
use crate::sql::names::{index_name, quote};

/// Rows per backfill batch the plan starts with (the runner adapts it).
pub(crate) const BATCH_SIZE: u32 = 1_000;

/// Where a statement is, for fingerprints and for what is new.
pub(crate) struct Ctx<'a> {
    /// App label.
    pub(crate) app: &'a str,
    /// Migration name.
    pub(crate) migration: &'a str,
    /// Operation (or `.sql` statement) index.
    pub(crate) operation: usize,
    /// The reviewer's choices.
    pub(crate) choices: &'a Choices,
    /// Tables this migration created before or in this operation, with the first operation.
    pub(crate) created_here: &'a BTreeMap<String, usize>,
    /// Each table's primary-key column, as far as the plan has seen it created.
    pub(crate) primary_keys: &'a BTreeMap<String, String>,
}

impl Ctx<'_> {
    /// Whether the reviewer leaves the rewrite for `rules` on `sql` on (the default).
    fn chosen(&self, rules: &[&str], sql: &str) -> bool {
        // The reviewer is offered a choice only for REWRITTEN_RULES (the web reads the list).
        debug_assert!(
            rules.iter().all(|rule| super::rewrites(rule)),
            "{rules:?} missing from REWRITTEN_RULES"
        );
        let operation = self.operation.to_string();
        !rules.iter().any(|rule| {
            let fingerprint =
                crate::analysis::fingerprint(&[rule, self.app, self.migration, &operation, sql]);
            self.choices.get(&fingerprint) == Some(&Choice::Keep)
        })
    }

    fn existing(&self, table: &str) -> bool {
        self.created_here
            .get(table)
            .is_none_or(|&first| first > self.operation)
    }
}

/// The rewritten steps for `statement`, or `None` to run it as written.
pub(crate) fn rewrite(ctx: &Ctx<'_>, statement: &StatementAnalysis) -> Option<Vec<Unit>> {
    let sql = statement.statement.sql.as_str();
    let main = single(sql)?;
    match shape(main) {
        Shape::CreateIndex {
            name: Some(name),
            table,
            concurrently: false,
            insert_at,
        } if ctx.existing(&table) && ctx.chosen(&["add-index-non-concurrent"], sql) => {
            let rewritten = format!(
                "{} CONCURRENTLY{};",
                main.get(..insert_at)?,
                main.get(insert_at..)?
            );
            Some(vec![concurrent_index(rewritten, &name, &table)])
        }
        Shape::DropIndex {
            names,
            concurrently: false,
            cascade: false,
            insert_at,
        } if names.len() == 1 && ctx.chosen(&["drop-index-non-concurrent"], sql) => {
            let rewritten = format!(
                "{} CONCURRENTLY{};",
                main.get(..insert_at)?,
                main.get(insert_at..)?
            );
            let mut unit = Unit::ddl(vec![rewritten], TransactionMode::Autocommit);
            unit.long = true;
            unit.relations.extend(names);
            Some(vec![unit])
        }
        Shape::AlterTable {
            table,
            head,
            actions,
        } if ctx.existing(&table) => alter_table(ctx, sql, statement, &table, head, &actions),
        Shape::Update {
            table,
            table_text,
            set,
            condition,
        } if ctx.existing(&table) => {
            let key = ctx.primary_keys.get(&table)?;
            // Which of the two rules reports the UPDATE depends on what follows it (a
            // `SET NOT NULL` in the same transaction makes it the pair rule's, in a `.sql`
            // file as in Django's AlterField): keeping either keeps the statement.
            let rules = [
                "django-alterfield-backfill-in-transaction",
                "unbatched-backfill",
            ];
            if !ctx.chosen(&rules, sql) {
                return None;
            }
            Some(vec![backfill(
                &table,
                table_text,
                key,
                set,
                condition.unwrap_or("TRUE"),
            )])
        }
        _ => None,
    }
}

fn alter_table(
    ctx: &Ctx<'_>,
    sql: &str,
    statement: &StatementAnalysis,
    table: &str,
    head: &str,
    actions: &[(&str, Action<'_>)],
) -> Option<Vec<Unit>> {
    match actions {
        [
            (
                text,
                Action::AddConstraint {
                    name,
                    kind: kind @ (ConstraintKind::ForeignKey | ConstraintKind::Check),
                    not_valid: false,
                },
            ),
        ] => {
            let rule = if *kind == ConstraintKind::ForeignKey {
                "add-foreign-key-validating"
            } else {
                "add-check-validating"
            };
            if !ctx.chosen(&[rule], sql) {
                return None;
            }
            let mut add = Unit::ddl(
                vec![format!("{head} {text} NOT VALID;")],
                TransactionMode::Transaction,
            );
            add.relations.insert(table.to_owned());
            add.creates.push(name.clone());
            add.reverse = Some(vec![format!(
                "{head} DROP CONSTRAINT IF EXISTS {};",
                quote(name)
            )]);
            Some(vec![add, validate(head, table, name)])
        }
        [(_, Action::AddColumn(column))] => add_column(ctx, sql, statement, table, head, column),
        _ => set_not_null(ctx, sql, table, head, actions),
    }
}

/// `ADD COLUMN` with a foreign key (split out as `NOT VALID` + `VALIDATE`) or a volatile
/// default (nullable column + default + backfill + `NOT NULL`).
fn add_column(
    ctx: &Ctx<'_>,
    sql: &str,
    statement: &StatementAnalysis,
    table: &str,
    head: &str,
    column: &Column<'_>,
) -> Option<Vec<Unit>> {
    let name = column.name_text;
    let others: String = column.others.iter().fold(String::new(), |mut out, o| {
        out.push(' ');
        out.push_str(o);
        out
    });
    if let Some((fk, references)) = &column.foreign_key {
        if !ctx.chosen(&["add-foreign-key-validating"], sql) {
            return None;
        }
        let default = column
            .default
            .map(|d| format!(" DEFAULT {d}"))
            .unwrap_or_default();
        let null = if column.not_null { "NOT NULL" } else { "NULL" };
        let mut add = Unit::ddl(
            vec![
                format!(
                    "{head} ADD COLUMN {name} {} {null}{default}{others};",
                    column.ty
                ),
                format!(
                    "{head} ADD CONSTRAINT {} FOREIGN KEY ({name}) {references} NOT VALID;",
                    quote(fk)
                ),
            ],
            TransactionMode::Transaction,
        );
        add.relations.insert(table.to_owned());
        add.creates.push(fk.clone());
        add.expect = steps::expect(add.sql.iter().map(String::as_str));
        return Some(vec![add, validate(head, table, fk)]);
    }
    let default = column.default?;
    let rewrites = statement
        .locks
        .on(table)
        .is_some_and(|lock| lock.rewrites == Some(true));
    if column.generated
        || column.unnamed_reference
        || !rewrites
        || !ctx.chosen(&["add-column-volatile-default"], sql)
    {
        return None;
    }
    let key = ctx.primary_keys.get(table)?;
    let mut add = Unit::ddl(
        vec![
            format!("{head} ADD COLUMN {name} {} NULL{others};", column.ty),
            format!("{head} ALTER COLUMN {name} SET DEFAULT {default};"),
        ],
        TransactionMode::Transaction,
    );
    add.relations.insert(table.to_owned());
    add.expect = steps::expect(add.sql.iter().map(String::as_str));
    let table_text = head
        .get(head.to_ascii_uppercase().find("TABLE")? + "TABLE".len()..)?
        .trim();
    let table_text = table_text
        .strip_prefix("ONLY ")
        .unwrap_or(table_text)
        .trim();
    let mut units = vec![
        add,
        backfill(
            table,
            table_text,
            key,
            &format!("{name} = {default}"),
            &format!("{name} IS NULL"),
        ),
    ];
    if column.not_null {
        // Not a contract: the column is new, and its default fills every row old code
        // inserts, so `NOT NULL` holds for old and new code alike.
        units.extend(
            not_null_units(head, table, &column.name, name)
                .into_iter()
                .map(|mut u| {
                    u.contract = false;
                    u
                }),
        );
    }
    Some(units)
}

/// `ALTER COLUMN … SET NOT NULL` (with other actions of the same statement kept as they are)
/// → a validated `CHECK (col IS NOT NULL)`, `SET NOT NULL` without a scan, the check dropped.
fn set_not_null(
    ctx: &Ctx<'_>,
    sql: &str,
    table: &str,
    head: &str,
    actions: &[(&str, Action<'_>)],
) -> Option<Vec<Unit>> {
    let mut not_null = actions.iter().filter_map(|(_, a)| match a {
        Action::SetNotNull {
            column,
            column_text,
        } => Some((column, *column_text)),
        _ => None,
    });
    let (column, column_text) = not_null.next()?;
    if not_null.next().is_some() || !ctx.chosen(&["set-not-null-scan"], sql) {
        return None;
    }
    let rest: Vec<&str> = actions
        .iter()
        .filter(|(_, a)| !matches!(a, Action::SetNotNull { .. }))
        .map(|(text, _)| *text)
        .collect();
    let mut units = Vec::new();
    if !rest.is_empty() {
        let mut others = Unit::ddl(
            vec![format!("{head} {};", rest.join(", "))],
            TransactionMode::Transaction,
        );
        others.relations.insert(table.to_owned());
        others.expect = steps::expect(others.sql.iter().map(String::as_str));
        units.push(others);
    }
    units.extend(not_null_units(head, table, column, column_text));
    Some(units)
}

/// The contract steps that make `column` `NOT NULL` without scanning under an exclusive lock.
fn not_null_units(head: &str, table: &str, column: &str, column_text: &str) -> Vec<Unit> {
    let check = index_name(table, &[column], "_notnull");
    let q_check = quote(&check);
    let mut add = Unit::ddl(
        vec![format!(
            "{head} ADD CONSTRAINT {q_check} CHECK ({column_text} IS NOT NULL) NOT VALID;"
        )],
        TransactionMode::Transaction,
    );
    add.reverse = Some(vec![format!("{head} DROP CONSTRAINT IF EXISTS {q_check};")]);
    add.creates.push(check.clone());
    let validate = validate(head, table, &check);
    let mut set = Unit::ddl(
        vec![
            format!("{head} ALTER COLUMN {column_text} SET NOT NULL;"),
            format!("{head} DROP CONSTRAINT {q_check};"),
        ],
        TransactionMode::Transaction,
    );
    set.reverse = Some(vec![format!(
        "{head} ALTER COLUMN {column_text} DROP NOT NULL;"
    )]);
    set.expect = vec![Check::Column {
        table: table.to_owned(),
        column: column.to_owned(),
        nullable: false,
        r#type: None,
    }];
    let mut units = vec![add, validate, set];
    for unit in &mut units {
        unit.contract = true;
        unit.relations.insert(table.to_owned());
    }
    units
}

fn validate(head: &str, table: &str, name: &str) -> Unit {
    let mut unit = Unit::ddl(
        vec![format!("{head} VALIDATE CONSTRAINT {};", quote(name))],
        TransactionMode::Transaction,
    );
    unit.long = true;
    unit.reverse = Some(Vec::new());
    unit.relations.insert(table.to_owned());
    unit.expect = vec![Check::ConstraintValidated {
        table: table.to_owned(),
        constraint: name.to_owned(),
    }];
    unit
}

fn concurrent_index(sql: String, name: &str, table: &str) -> Unit {
    let mut unit = Unit::ddl(vec![sql], TransactionMode::Autocommit);
    unit.long = true;
    unit.reverse = Some(vec![format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {};",
        quote(name)
    )]);
    unit.creates.push(name.to_owned());
    unit.relations = BTreeSet::from([table.to_owned(), name.to_owned()]);
    unit.expect = vec![Check::IndexValid {
        index: name.to_owned(),
    }];
    unit
}

fn backfill(table: &str, table_text: &str, key: &str, set: &str, condition: &str) -> Unit {
    let mut unit = Unit::ddl(Vec::new(), TransactionMode::Autocommit);
    unit.kind = StepKind::Backfill;
    unit.reverse = Some(Vec::new());
    unit.relations.insert(table.to_owned());
    unit.backfill = Some(Backfill {
        table: table_text.to_owned(),
        key: quote(key),
        set: set.to_owned(),
        r#where: condition.to_owned(),
        batch_size: BATCH_SIZE,
    });
    unit
}
