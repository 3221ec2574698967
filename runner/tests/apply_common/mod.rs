//! Shared by the runner's database tests (`apply*`, `postgres`): throwaway databases (prefixed
//! `runner_`), plans built by hand, and the real `lockstep` binary.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::path::PathBuf;
use std::process::{Command, Output};

use lockstep_core::plan::{
    Backfill, Check, MigrationRef, Phase, PhaseName, Plan, Step, StepKind, TransactionMode,
};
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

pub(crate) const SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// A database that exists for one test.
pub(crate) struct TestDb {
    pub(crate) name: String,
    pub(crate) runtime: tokio::runtime::Runtime,
}

impl TestDb {
    pub(crate) fn create(label: &str) -> Self {
        let name = format!("runner_{label}_{}", std::process::id());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut admin = PgConnection::connect(&format!("{SERVER}/postgres"))
                .await
                .unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
        });
        Self { name, runtime }
    }

    pub(crate) fn url(&self) -> String {
        format!("{SERVER}/{}", self.name)
    }

    pub(crate) fn connect(&self) -> PgConnection {
        self.runtime
            .block_on(PgConnection::connect(&self.url()))
            .unwrap()
    }

    pub(crate) fn execute(&self, sql: &str) {
        self.runtime.block_on(async {
            let mut connection = PgConnection::connect(&self.url()).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
        });
    }

    /// One text value (NULL as "NULL").
    pub(crate) fn text(&self, sql: &str) -> String {
        self.runtime.block_on(async {
            let mut connection = PgConnection::connect(&self.url()).await.unwrap();
            let value: Option<String> = sqlx::query_scalar(sql)
                .fetch_one(&mut connection)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            value.unwrap_or_else(|| "NULL".to_owned())
        })
    }

    pub(crate) fn int(&self, sql: &str) -> i64 {
        self.text(&format!("SELECT ({sql})::text")).parse().unwrap()
    }

    /// Schema, indexes (with validity), constraints (with validation), the data of the given
    /// tables and the `django_migrations` rows: what "the same result" means.
    pub(crate) fn fingerprint(&self, tables: &[&str]) -> String {
        let mut parts = vec![
            self.text(
                "SELECT string_agg(format('%s.%s %s %s %s', table_name, column_name, data_type, \
                 is_nullable, column_default), E'\\n' ORDER BY table_name, column_name) \
                 FROM information_schema.columns WHERE table_schema = 'public'",
            ),
            self.text(
                "SELECT string_agg(format('%s %s valid=%s', c.relname, pg_get_indexdef(c.oid), \
                 x.indisvalid), E'\\n' ORDER BY c.relname) FROM pg_index x \
                 JOIN pg_class c ON c.oid = x.indexrelid \
                 WHERE c.relnamespace = 'public'::regnamespace",
            ),
            self.text(
                "SELECT string_agg(format('%s %s validated=%s', conname, \
                 pg_get_constraintdef(oid), convalidated), E'\\n' ORDER BY conname) \
                 FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            ),
            if self.text("SELECT to_regclass('django_migrations')::text") == "NULL" {
                "none".to_owned()
            } else {
                self.text(
                    "SELECT string_agg(app || '.' || name, ',' ORDER BY app, name) \
                     FROM django_migrations",
                )
            },
        ];
        for table in tables {
            parts.push(self.text(&format!(
                "SELECT count(*) || ' rows, md5 ' || md5(string_agg(t::text, ',' ORDER BY t::text)) \
                 FROM {table} t"
            )));
        }
        parts.join("\n--\n")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.runtime.block_on(async {
            if let Ok(mut admin) = PgConnection::connect(&format!("{SERVER}/postgres")).await {
                let _ = sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .execute(&mut admin)
                .await;
            }
        });
    }
}

/// A step with the defaults the tests need.
pub(crate) fn step(id: &str, migration: (&str, &str), kind: StepKind, sql: &[&str]) -> Step {
    Step {
        id: id.to_owned(),
        migration: MigrationRef {
            app: migration.0.to_owned(),
            name: migration.1.to_owned(),
        },
        operation_index: None,
        kind,
        sql: sql.iter().map(|s| (*s).to_owned()).collect(),
        reverse_sql: None,
        transaction: TransactionMode::Transaction,
        lock_timeout_ms: 2_000,
        statement_timeout_ms: 0,
        max_attempts: 3,
        backfill: None,
        expect: Vec::new(),
    }
}

pub(crate) fn autocommit(mut step: Step) -> Step {
    step.transaction = TransactionMode::Autocommit;
    step
}

pub(crate) fn reverse(mut step: Step, sql: &[&str]) -> Step {
    step.reverse_sql = Some(sql.iter().map(|s| (*s).to_owned()).collect());
    step
}

pub(crate) fn expect(mut step: Step, checks: Vec<Check>) -> Step {
    step.expect = checks;
    step
}

pub(crate) fn backfill(
    id: &str,
    migration: (&str, &str),
    table: &str,
    set: &str,
    filter: &str,
    batch_size: u32,
) -> Step {
    let mut step = step(id, migration, StepKind::Backfill, &[]);
    step.backfill = Some(Backfill {
        table: table.to_owned(),
        key: "id".to_owned(),
        set: set.to_owned(),
        r#where: filter.to_owned(),
        batch_size,
    });
    step.reverse_sql = Some(Vec::new());
    step
}

pub(crate) fn plan(pre: Vec<Step>, post: Vec<Step>) -> Plan {
    let mut phases = vec![Phase {
        name: PhaseName::PreDeploy,
        steps: pre,
    }];
    if !post.is_empty() {
        phases.push(Phase {
            name: PhaseName::PostDeploy,
            steps: post,
        });
    }
    Plan {
        format: lockstep_core::plan::FORMAT.to_owned(),
        lockstep_version: "0.1.0".to_owned(),
        settings: lockstep_core::Settings::default(),
        sources: Vec::new(),
        phases,
    }
}

/// Writes the plan to a file named for the test; returns the path and the digest.
pub(crate) fn write_plan(label: &str, plan: &Plan) -> (PathBuf, String) {
    let path = std::env::temp_dir().join(format!("runner_{label}_{}.json", std::process::id()));
    std::fs::write(&path, plan.canonical_json()).unwrap();
    (path, plan.digest())
}

pub(crate) fn lockstep() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lockstep"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("LOCKSTEP_FAULT");
    command
}

/// `lockstep apply PLAN --approve DIGEST --database-url URL` plus `extra`.
pub(crate) fn apply(db: &TestDb, plan: &(PathBuf, String), extra: &[&str]) -> Output {
    run(db, "apply", plan, extra, &[])
}

pub(crate) fn run(
    db: &TestDb,
    command: &str,
    plan: &(PathBuf, String),
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = lockstep();
    cmd.arg(command)
        .arg(&plan.0)
        .args(["--approve", &plan.1, "--database-url", &db.url()])
        .args(extra);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().unwrap()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts the exit code, showing stderr when it differs.
pub(crate) fn assert_code(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr:\n{}\nstdout:\n{}",
        stderr(output),
        stdout(output)
    );
}

/// A stand-in for `python manage.py` in tests without Django: `migrate APP NAME` runs
/// `<dir>/APP.NAME.sql` (if any) and records the row, in one transaction, through psql; when
/// NAME is applied, it unapplies the app's later migrations instead (`APP.LATER.reverse.sql`).
pub(crate) fn fake_django(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("runner_django_{label}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("manage.sh");
    std::fs::write(
        &script,
        r#"#!/bin/sh
set -eu
[ "$1" = migrate ] || { echo "unexpected: $*" >&2; exit 2; }
app="$2"; name="$3"; here="$(dirname "$0")"
applied="$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM django_migrations WHERE app = '$app' AND name = '$name'" 2>/dev/null || echo 0)"
if [ "$applied" = 1 ]; then
  # Unapply what comes after NAME, last first, as `migrate APP NAME` does.
  for later in $(psql "$DATABASE_URL" -Atc "SELECT name FROM django_migrations WHERE app = '$app' AND name > '$name' ORDER BY name DESC"); do
    if [ -f "$here/$app.$later.reverse.sql" ]; then rbody="$(cat "$here/$app.$later.reverse.sql")"; else rbody=""; fi
    psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q <<SQL
BEGIN;
$rbody
DELETE FROM django_migrations WHERE app = '$app' AND name = '$later';
COMMIT;
SQL
    echo "  Unapplying $app.$later... OK"
  done
  exit 0
fi
if [ -f "$here/$app.$name.sql" ]; then body="$(cat "$here/$app.$name.sql")"; else body=""; fi
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q <<SQL
BEGIN;
CREATE TABLE IF NOT EXISTS django_migrations ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL);
$body
INSERT INTO django_migrations (app, name, applied) VALUES ('$app', '$name', now());
COMMIT;
SQL
echo "  Applying $app.$name... OK"
"#,
    )
    .unwrap();
    dir
}
