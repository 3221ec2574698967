//! `lockstep review` driven as a user would: the printed link decodes to the files given.

use std::path::PathBuf;
use std::process::{Command, Output};

use lockstep_core::review::link;

fn lockstep(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/review")
}

#[test]
fn the_printed_link_decodes_to_the_files_and_settings() {
    let output = lockstep(&examples(), &["review", "shop", "db/0003_order_status.sql"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let url = stdout.trim_end();
    assert!(url.starts_with("http://127.0.0.1:8080/#v1."), "{url}");
    let review = link::decode(url).unwrap();
    let files: Vec<(String, String)> = review
        .files
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    let on_disk = |path: &str| std::fs::read_to_string(examples().join(path)).unwrap();
    assert_eq!(
        files,
        [
            (
                "shop/migrations/0002_order_created.py".to_owned(),
                on_disk("shop/migrations/0002_order_created.py")
            ),
            (
                "db/0003_order_status.sql".to_owned(),
                on_disk("db/0003_order_status.sql")
            ),
        ]
    );
    assert_eq!(review.settings, lockstep_core::Settings::default());
    assert!(review.comments.is_empty() && review.acknowledgements.is_empty());
}

#[test]
fn the_config_and_base_url_are_carried() {
    let dir = std::env::temp_dir().join(format!("lockstep-review-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("db")).unwrap();
    std::fs::write(
        dir.join("lockstep.toml"),
        "pg_version = 13\nlock_timeout_ms = 5000\npaths = [\"db\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("db/0001_x.sql"), "CREATE INDEX i ON t (c);\n").unwrap();
    let output = lockstep(
        &dir,
        &[
            "review",
            "--base-url",
            "https://review.example.com/lockstep/",
        ],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.starts_with("https://review.example.com/lockstep/#v1."),
        "{stdout}"
    );
    let review = link::decode(&stdout).unwrap();
    assert_eq!(review.settings.pg_version, 13);
    assert_eq!(review.settings.lock_timeout_ms, 5000);
    assert_eq!(review.files.len(), 1);
    assert_eq!(review.files[0].path, "db/0001_x.sql");
    assert_eq!(review.files[0].text, "CREATE INDEX i ON t (c);\n");
}

#[test]
fn a_base_url_with_a_fragment_or_no_files_is_an_input_error() {
    let output = lockstep(&examples(), &["review", "db", "--base-url", "http://x/#y"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("already has a fragment")
    );
    let output = lockstep(&examples().join("shop"), &["review", "."]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "shop/migrations holds a migration"
    );
    let empty = std::env::temp_dir().join(format!("lockstep-review-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let output = lockstep(&empty, &["review", "."]);
    std::fs::remove_dir_all(&empty).unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("no migration files found")
    );
}
