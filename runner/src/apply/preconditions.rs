//! Preconditions: does the database look like what the plan was made for?
//!
//! In: the catalog (tables, columns, indexes, constraints in the search path), the plan and
//! what the runner will do with each step ([`Decision`]). Out: nothing, or every problem at
//! once. Each pending step's statements are read ([`statement::read`]) and checked against a
//! model of the schema that the earlier pending steps have changed as they will: a table the
//! plan alters must exist, a table, column, index or constraint it creates must not, one it
//! drops must. Backfills need their table and key column, `django` steps a runnable command and
//! no later migration of their app applied (`migrate APP NAME` would unapply it). Invariant:
//! all of it is checked before the first change; after a statement the model cannot follow
//! (opaque DDL, a `django` step), later "must (not) exist" problems are notes, not refusals.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::plan::{Plan, Step, StepKind, TransactionMode};
use sqlx::postgres::PgConnection;

use super::statement::{self, Action, TableAction};
use super::{ApplyError, Decision, Options, db_error};

/// The schema as far as preconditions care. Names are as PostgreSQL stores them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Schema {
    /// Table → its columns.
    tables: BTreeMap<String, BTreeSet<String>>,
    /// Every relation name (tables, indexes, sequences, views): `CREATE INDEX` needs a free one.
    relations: BTreeSet<String>,
    /// Index → whether valid.
    indexes: BTreeMap<String, bool>,
    /// (table, constraint).
    constraints: BTreeSet<(String, String)>,
}

impl Schema {
    /// Reads the catalog (relations visible in the search path).
    pub(crate) async fn load(conn: &mut PgConnection) -> sqlx::Result<Self> {
        let mut schema = Self::default();
        let relations: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.relname::text, c.relkind::text FROM pg_class c \
             WHERE pg_table_is_visible(c.oid) \
               AND c.relnamespace <> 'pg_catalog'::regnamespace",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (name, kind) in relations {
            if matches!(kind.as_str(), "r" | "p" | "v" | "m" | "f") {
                schema.tables.entry(name.clone()).or_default();
            }
            schema.relations.insert(name);
        }
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.relname::text, a.attname::text FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             WHERE pg_table_is_visible(c.oid) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
               AND c.relnamespace <> 'pg_catalog'::regnamespace \
               AND a.attnum > 0 AND NOT a.attisdropped",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (table, column) in columns {
            schema.tables.entry(table).or_default().insert(column);
        }
        let indexes: Vec<(String, bool)> = sqlx::query_as(
            "SELECT c.relname::text, x.indisvalid FROM pg_index x \
             JOIN pg_class c ON c.oid = x.indexrelid \
             WHERE pg_table_is_visible(c.oid) AND c.relnamespace <> 'pg_catalog'::regnamespace",
        )
        .fetch_all(&mut *conn)
        .await?;
        schema.indexes = indexes.into_iter().collect();
        let constraints: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.relname::text, k.conname::text FROM pg_constraint k \
             JOIN pg_class c ON c.oid = k.conrelid \
             WHERE pg_table_is_visible(c.oid) AND c.relnamespace <> 'pg_catalog'::regnamespace",
        )
        .fetch_all(conn)
        .await?;
        schema.constraints = constraints.into_iter().collect();
        Ok(schema)
    }

    fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    fn has_column(&self, table: &str, column: &str) -> bool {
        self.tables.get(table).is_some_and(|c| c.contains(column))
    }

    fn has_constraint(&self, table: &str, name: &str) -> bool {
        self.constraints
            .contains(&(table.to_owned(), name.to_owned()))
    }
}

/// Where a statement sits, for messages.
struct At<'a> {
    step: &'a str,
    statement: usize,
}

impl At<'_> {
    fn say(&self, problem: &str) -> String {
        format!(
            "step `{}`, statement {}: {problem}",
            self.step, self.statement
        )
    }
}

/// Problems and notes found so far.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
    notes: Vec<String>,
    /// What came earlier that the model cannot follow (opaque DDL, a `django` step): the
    /// model may be wrong from here.
    tainted: Option<String>,
}

impl Findings {
    fn problem(&mut self, line: String) {
        match &self.tainted {
            Some(reason) => self.notes.push(format!(
                "note: {line} (not refused: after {reason} the runner cannot tell)"
            )),
            None => self.problems.push(line),
        }
    }

    fn taint(&mut self, reason: impl FnOnce() -> String) {
        if self.tainted.is_none() {
            self.tainted = Some(reason());
        }
    }
}

/// Checks every pending step; returns notes to print, or refuses with every problem.
pub(crate) async fn check(
    conn: &mut PgConnection,
    plan: &Plan,
    decisions: &[Decision],
    options: &Options,
) -> Result<Vec<String>, ApplyError> {
    let mut schema = Schema::load(conn)
        .await
        .map_err(|e| db_error("while reading the catalog for preconditions", &e))?;
    let recorded = super::recorded_migrations(conn).await?;
    let mut findings = Findings::default();
    for ((_, step), decision) in plan.steps().zip(decisions) {
        let Decision::Run { resume } = decision else {
            continue;
        };
        match step.kind {
            StepKind::Ddl => {
                // An autocommit step a crash interrupted: its first statements are in effect,
                // and the next may be too.
                let done = match (step.transaction, resume) {
                    (TransactionMode::Autocommit, Some(row)) => {
                        usize::try_from(row.statements_done).unwrap_or(0)
                    }
                    _ => 0,
                };
                let in_flight = resume.is_some() && step.transaction == TransactionMode::Autocommit;
                for (index, sql) in step.sql.iter().enumerate().skip(done) {
                    let at = At {
                        step: &step.id,
                        statement: index + 1,
                    };
                    let action = statement::read(sql);
                    let lenient = in_flight && index == done;
                    check_action(&mut schema, &action, &at, lenient, &mut findings);
                }
            }
            StepKind::Backfill => check_backfill(&schema, step, &mut findings),
            StepKind::Django => {
                check_django(plan, step, &recorded, options, &mut findings);
                // Django may create or change anything: the model cannot follow.
                findings.taint(|| format!("Django's step `{}`", step.id));
            }
            StepKind::Record | StepKind::Verify => {}
        }
    }
    if findings.problems.is_empty() {
        Ok(findings.notes)
    } else {
        Err(ApplyError::Preconditions {
            problems: findings.problems,
        })
    }
}

/// Checks one statement against the model, then applies it to the model. `lenient`: the
/// statement may already be in effect (a resumed autocommit statement).
fn check_action(
    schema: &mut Schema,
    action: &Action,
    at: &At<'_>,
    lenient: bool,
    findings: &mut Findings,
) {
    match action {
        Action::CreateTable {
            table,
            if_not_exists,
            columns,
            constraints,
        } => {
            if schema.has_table(table) && !if_not_exists && !lenient {
                findings.problem(at.say(&format!("table \"{table}\" already exists")));
            }
            schema
                .tables
                .insert(table.clone(), columns.iter().cloned().collect());
            schema.relations.insert(table.clone());
            for name in constraints {
                schema.constraints.insert((table.clone(), name.clone()));
            }
        }
        Action::DropTable { tables, if_exists } => {
            for table in tables {
                if !schema.has_table(table) && !if_exists && !lenient {
                    findings.problem(at.say(&format!("table \"{table}\" does not exist")));
                }
                schema.tables.remove(table);
                schema.relations.remove(table);
                schema.constraints.retain(|(t, _)| t != table);
            }
        }
        Action::AlterTable {
            table,
            if_exists,
            actions,
        } => {
            if !schema.has_table(table) {
                if !if_exists && !lenient {
                    findings.problem(at.say(&format!("table \"{table}\" does not exist")));
                }
                return;
            }
            let mut table = table.clone();
            for action in actions {
                alter(schema, &mut table, action, at, lenient, findings);
            }
        }
        Action::CreateIndex {
            name,
            table,
            if_not_exists,
            ..
        } => {
            if !schema.has_table(table) && !lenient {
                findings.problem(at.say(&format!("table \"{table}\" does not exist")));
            }
            // An index left INVALID by an interrupted build is fine: the runner drops and
            // rebuilds it.
            match schema.indexes.get(name) {
                Some(true) if !if_not_exists && !lenient => {
                    findings.problem(at.say(&format!("index \"{name}\" already exists")));
                }
                None if schema.relations.contains(name) && !if_not_exists => {
                    findings
                        .problem(at.say(&format!("a relation named \"{name}\" already exists")));
                }
                _ => {}
            }
            schema.indexes.insert(name.clone(), true);
            schema.relations.insert(name.clone());
        }
        Action::DropIndex { names, if_exists } => {
            for name in names {
                if !schema.indexes.contains_key(name) && !if_exists && !lenient {
                    findings.problem(at.say(&format!("index \"{name}\" does not exist")));
                }
                schema.indexes.remove(name);
                schema.relations.remove(name);
            }
        }
        Action::RenameIndex { from, to } => {
            if !schema.indexes.contains_key(from) && !lenient {
                findings.problem(at.say(&format!("index \"{from}\" does not exist")));
            }
            if let Some(valid) = schema.indexes.remove(from) {
                schema.indexes.insert(to.clone(), valid);
            }
            schema.relations.remove(from);
            schema.relations.insert(to.clone());
        }
        Action::Other { ddl: true } => {
            findings.taint(|| format!("step `{}`, statement {}", at.step, at.statement));
        }
        Action::Other { ddl: false } => {}
    }
}

fn alter(
    schema: &mut Schema,
    table: &mut String,
    action: &TableAction,
    at: &At<'_>,
    lenient: bool,
    findings: &mut Findings,
) {
    let t = table.clone();
    match action {
        TableAction::AddColumn {
            column,
            if_not_exists,
        } => {
            if schema.has_column(&t, column) && !if_not_exists && !lenient {
                findings.problem(at.say(&format!("column \"{t}\".\"{column}\" already exists")));
            }
            schema.tables.entry(t).or_default().insert(column.clone());
        }
        TableAction::DropColumn { column, if_exists } => {
            if !schema.has_column(&t, column) && !if_exists && !lenient {
                findings.problem(at.say(&format!("column \"{t}\".\"{column}\" does not exist")));
            }
            if let Some(columns) = schema.tables.get_mut(&t) {
                columns.remove(column);
            }
        }
        TableAction::AlterColumn { column } => {
            if !schema.has_column(&t, column) && !lenient {
                findings.problem(at.say(&format!("column \"{t}\".\"{column}\" does not exist")));
            }
        }
        TableAction::AddConstraint { name, index } => {
            if schema.has_constraint(&t, name) && !lenient {
                findings
                    .problem(at.say(&format!("constraint \"{name}\" on \"{t}\" already exists")));
            }
            schema.constraints.insert((t, name.clone()));
            if *index {
                schema.indexes.insert(name.clone(), true);
                schema.relations.insert(name.clone());
            }
        }
        TableAction::DropConstraint { name, if_exists } => {
            if !schema.has_constraint(&t, name) && !if_exists && !lenient {
                findings
                    .problem(at.say(&format!("constraint \"{name}\" on \"{t}\" does not exist")));
            }
            schema.constraints.remove(&(t, name.clone()));
            schema.indexes.remove(name);
        }
        TableAction::ValidateConstraint { name } => {
            if !schema.has_constraint(&t, name) && !lenient {
                findings
                    .problem(at.say(&format!("constraint \"{name}\" on \"{t}\" does not exist")));
            }
        }
        TableAction::RenameColumn { from, to } => {
            if !schema.has_column(&t, from) && !lenient {
                findings.problem(at.say(&format!("column \"{t}\".\"{from}\" does not exist")));
            }
            if schema.has_column(&t, to) && !lenient {
                findings.problem(at.say(&format!("column \"{t}\".\"{to}\" already exists")));
            }
            if let Some(columns) = schema.tables.get_mut(&t) {
                columns.remove(from);
                columns.insert(to.clone());
            }
        }
        TableAction::RenameConstraint { from, to } => {
            if !schema.has_constraint(&t, from) && !lenient {
                findings
                    .problem(at.say(&format!("constraint \"{from}\" on \"{t}\" does not exist")));
            }
            schema.constraints.remove(&(t.clone(), from.clone()));
            schema.constraints.insert((t, to.clone()));
        }
        TableAction::RenameTable { to } => {
            if schema.has_table(to) && !lenient {
                findings.problem(at.say(&format!("table \"{to}\" already exists")));
            }
            if let Some(columns) = schema.tables.remove(&t) {
                schema.tables.insert(to.clone(), columns);
            }
            let moved: Vec<(String, String)> = schema
                .constraints
                .iter()
                .filter(|(owner, _)| *owner == t)
                .cloned()
                .collect();
            for (owner, name) in moved {
                schema.constraints.remove(&(owner, name.clone()));
                schema.constraints.insert((to.clone(), name));
            }
            schema.relations.remove(&t);
            schema.relations.insert(to.clone());
            to.clone_into(table);
        }
        TableAction::Other => {}
    }
}

fn check_backfill(schema: &Schema, step: &Step, findings: &mut Findings) {
    let Some(spec) = &step.backfill else {
        return;
    };
    let table = unquote(&spec.table);
    let key = unquote(&spec.key);
    let at = At {
        step: &step.id,
        statement: 1,
    };
    if !schema.has_table(&table) {
        findings.problem(at.say(&format!("backfill table \"{table}\" does not exist")));
    } else if !schema.has_column(&table, &key) {
        findings.problem(at.say(&format!(
            "backfill key column \"{table}\".\"{key}\" does not exist"
        )));
    }
}

fn check_django(
    plan: &Plan,
    step: &Step,
    recorded: &BTreeSet<(String, String)>,
    options: &Options,
    findings: &mut Findings,
) {
    let at = At {
        step: &step.id,
        statement: 1,
    };
    match options.django_command.first() {
        None => findings.problem(at.say("--django-command is empty")),
        Some(program) if !runnable(program, options.django_dir.as_deref()) => {
            findings.problem(at.say(&format!(
                "the Django command `{program}` is not found (set --django-command)"
            )));
        }
        Some(_) => {}
    }
    // `migrate APP NAME` unapplies what comes after NAME: refuse if Django recorded a later
    // migration of the app.
    let mut after = false;
    for (_, other) in plan.steps() {
        if other.migration == step.migration {
            after = true;
            continue;
        }
        if after
            && other.migration.app == step.migration.app
            && recorded.contains(&(other.migration.app.clone(), other.migration.name.clone()))
        {
            findings.problem(at.say(&format!(
                "{}.{} is applied but {}.{} before it is not: `migrate {} {}` would unapply it",
                other.migration.app,
                other.migration.name,
                step.migration.app,
                step.migration.name,
                step.migration.app,
                step.migration.name
            )));
            break;
        }
    }
}

/// Whether `program` can be started: a path that exists, or a name found in `PATH`.
fn runnable(program: &str, dir: Option<&std::path::Path>) -> bool {
    let path = std::path::Path::new(program);
    if path.components().count() > 1 {
        let full = match dir {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        };
        return full.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// `"name"` → `name`; unquoted names fold to lower case as PostgreSQL does.
pub(crate) fn unquote(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    match last.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => last.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        let mut s = Schema::default();
        s.tables.insert(
            "shop_order".into(),
            ["id".to_owned(), "total".to_owned()].into_iter().collect(),
        );
        s.relations.insert("shop_order".into());
        s.indexes.insert("shop_order_pkey".into(), true);
        s.indexes.insert("half_built".into(), false);
        s.relations.insert("shop_order_pkey".into());
        s.relations.insert("half_built".into());
        s.constraints
            .insert(("shop_order".into(), "shop_order_pkey".into()));
        s
    }

    fn problems(statements: &[&str]) -> Vec<String> {
        let mut s = schema();
        let mut f = Findings::default();
        for (i, sql) in statements.iter().enumerate() {
            let at = At {
                step: "s",
                statement: i + 1,
            };
            check_action(&mut s, &statement::read(sql), &at, false, &mut f);
        }
        f.problems
    }

    #[test]
    fn statements_are_checked_against_the_schema_as_earlier_ones_leave_it() {
        assert!(
            problems(&[
                r#"CREATE TABLE "shop_item" ("id" bigint PRIMARY KEY, "order_id" bigint)"#,
                r#"ALTER TABLE "shop_item" ADD CONSTRAINT "fk" FOREIGN KEY ("order_id") REFERENCES "shop_order" ("id") NOT VALID"#,
                r#"ALTER TABLE "shop_item" VALIDATE CONSTRAINT "fk""#,
                r#"CREATE INDEX CONCURRENTLY "shop_item_order_id" ON "shop_item" ("order_id")"#,
                r#"ALTER TABLE "shop_order" ADD COLUMN "note" text NULL"#,
                r#"CREATE INDEX CONCURRENTLY "half_built" ON "shop_order" ("total")"#,
            ])
            .is_empty()
        );
        assert_eq!(
            problems(&[
                r#"ALTER TABLE "shop_order" ADD COLUMN "total" int"#,
                r#"ALTER TABLE "nope" ADD COLUMN "x" int"#,
                r#"CREATE INDEX "shop_order_pkey" ON "shop_order" ("id")"#,
                r#"ALTER TABLE "shop_order" VALIDATE CONSTRAINT "missing""#,
                r#"CREATE TABLE "shop_order" (id int)"#,
            ]),
            [
                "step `s`, statement 1: column \"shop_order\".\"total\" already exists",
                "step `s`, statement 2: table \"nope\" does not exist",
                "step `s`, statement 3: index \"shop_order_pkey\" already exists",
                "step `s`, statement 4: constraint \"missing\" on \"shop_order\" does not exist",
                "step `s`, statement 5: table \"shop_order\" already exists",
            ]
        );
        // After a statement the model cannot follow, problems become notes.
        assert!(
            problems(&[
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql",
                r#"ALTER TABLE "made_by_the_function" ADD COLUMN "x" int"#,
            ])
            .is_empty()
        );
    }

    #[test]
    fn unquotes_as_postgres_folds() {
        assert_eq!(unquote("\"Shop\""), "Shop");
        assert_eq!(unquote("Shop"), "shop");
        assert_eq!(unquote("public.\"a\"\"b\""), "a\"b");
    }
}
