//! The files under review: adding (pasted, uploaded, dropped), refusing, renaming, ordering.

use lockstep_core::SourceFile;
use lockstep_core::source::{SourceKind, migration_key};

/// A file the browser handed over, before it joins the review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    /// Its path: the file name, or its path inside a dropped folder.
    pub path: String,
    /// The file, read (or refused for its size) by the browser.
    pub file: SourceFile,
}

/// What happened to a batch of incoming files, for the notices area.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files added or replaced, by path.
    pub added: Vec<String>,
    /// Files refused, each with the message naming it.
    pub refused: Vec<String>,
    /// Files of a dropped folder passed over because they are not migrations.
    pub skipped: Vec<String>,
}

/// Whether `name` is read by Lockstep, or the message that refuses it.
pub fn accept(name: &str) -> Result<SourceKind, String> {
    SourceKind::of_path(name).ok_or_else(|| {
        format!(
            "Refused `{name}`: Lockstep reads Django migrations (.py) and SQL files (.sql) only."
        )
    })
}

/// Whether a file found inside a dropped folder is a migration, as `lockstep check` reads
/// folders: `*.sql` anywhere, `*.py` inside `migrations/` except `__init__.py`.
pub fn is_migration_in_folder(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.contains(&"__pycache__") {
        return false;
    }
    match SourceKind::of_path(path) {
        Some(SourceKind::Sql) => true,
        Some(SourceKind::Django) => {
            parts.len() >= 2
                && parts.get(parts.len() - 2) == Some(&"migrations")
                && parts.last() != Some(&"__init__.py")
        }
        None => false,
    }
}

/// Adds `incoming` to `files`: a file with the same path is replaced (a re-upload updates it).
/// Single files of another kind are refused by name; files of a dropped folder that are not
/// migrations are passed over. Folders dropped as `migrations/` get their app label from
/// their own dependencies (see [`infer_app_labels`]).
pub fn add(files: &mut Vec<SourceFile>, incoming: Vec<Incoming>, from_folder: bool) -> Outcome {
    let mut outcome = Outcome::default();
    let mut accepted = Vec::new();
    for item in incoming {
        let path = item.path.trim_start_matches('/').to_owned();
        if from_folder && path.contains('/') {
            if !is_migration_in_folder(&path) {
                outcome.skipped.push(path);
                continue;
            }
        } else if let Err(message) = accept(&path) {
            outcome.refused.push(message);
            continue;
        }
        accepted.push(SourceFile { path, ..item.file });
    }
    if from_folder {
        // Directories list their files in no particular order; `lockstep check` sorts them.
        accepted.sort_by(|a, b| a.path.cmp(&b.path));
    }
    infer_app_labels(&mut accepted);
    for file in accepted {
        outcome.added.push(file.path.clone());
        match files.iter_mut().find(|f| f.path == file.path) {
            Some(existing) => *existing = file,
            None => files.push(file),
        }
    }
    outcome
}

/// Files at `migrations/NAME.py` (a dropped `migrations` folder lost its app's name) take
/// the app label their own dependencies give them. Each migration `makemigrations` writes
/// after the first depends on the one before it in the same app, `("shop", "0001_initial")`;
/// dependencies on other apps name them only now and then. So every `("LABEL", "NAME")`
/// with `NAME` one of the folder's migrations is a vote for `LABEL`, and the most votes win.
pub fn infer_app_labels(files: &mut [SourceFile]) {
    let orphans: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.path.starts_with("migrations/") && f.path.matches('/').count() == 1)
        .map(|(i, _)| i)
        .collect();
    let stems: Vec<String> = orphans
        .iter()
        .filter_map(|&i| files.get(i))
        .map(|f| migration_key(&f.path).1)
        .collect();
    let mut votes: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for file in orphans.iter().filter_map(|&i| files.get(i)) {
        for stem in &stems {
            for label in labels_before(&file.text, stem) {
                *votes.entry(label).or_default() += 1;
            }
        }
    }
    // Most votes; among equals, the first label in order, so the result is stable.
    let Some(label) = votes
        .into_iter()
        .fold(None::<(String, usize)>, |best, (label, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((label, n)),
        })
        .map(|(label, _)| label)
    else {
        return;
    };
    for i in orphans {
        if let Some(file) = files.get_mut(i) {
            file.path = format!("{label}/{}", file.path);
        }
    }
}

/// The quoted strings just before `"stem"` in tuples: `("shop", "0001_initial")` → `shop`.
fn labels_before(text: &str, stem: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for quote in ['"', '\''] {
        let needle = format!("{quote}{stem}{quote}");
        let mut from = 0;
        while let Some(found) = text.get(from..).and_then(|t| t.find(&needle)) {
            let at = from + found;
            from = at + needle.len();
            let Some(before) = text.get(..at) else {
                continue;
            };
            let before = before.trim_end();
            let Some(before) = before.strip_suffix(',') else {
                continue;
            };
            let before = before.trim_end();
            let Some(q) = before.chars().last().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(inner) = before.get(..before.len() - 1) else {
                continue;
            };
            let Some(start) = inner.rfind(q) else {
                continue;
            };
            let Some(label) = inner.get(start + 1..) else {
                continue;
            };
            let valid =
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let opens_tuple = inner
                .get(..start)
                .is_some_and(|t| t.trim_end().ends_with('('));
            if valid && opens_tuple {
                labels.push(label.to_owned());
            }
        }
    }
    labels
}

/// The path with its app label replaced: `…/migrations/NAME.py` becomes
/// `LABEL/migrations/NAME.py`, `DIR/NAME.sql` becomes `LABEL/NAME.sql`.
pub fn with_app_label(path: &str, label: &str) -> String {
    let (_, name) = migration_key(path);
    let extension = extension(path);
    match SourceKind::of_path(path) {
        Some(SourceKind::Sql) => format!("{label}/{name}.{extension}"),
        _ => format!("{label}/migrations/{name}.{extension}"),
    }
}

/// The path with its migration name replaced, keeping its folder and extension.
pub fn with_migration_name(path: &str, name: &str) -> String {
    let extension = extension(path);
    match path.rfind('/') {
        Some(slash) => format!(
            "{}/{name}.{extension}",
            path.get(..slash).unwrap_or_default()
        ),
        None => format!("{name}.{extension}"),
    }
}

fn extension(path: &str) -> &str {
    path.rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.contains('/'))
        .unwrap_or("py")
}

/// Moves the file at `index` by `delta` places (−1 up, +1 down); returns its new index.
pub fn move_file(files: &mut [SourceFile], index: usize, up: bool) -> usize {
    let target = if up {
        index.checked_sub(1)
    } else {
        Some(index + 1).filter(|&t| t < files.len())
    };
    match target {
        Some(target) if index < files.len() => {
            files.swap(index, target);
            target
        }
        _ => index,
    }
}

/// A path for a new pasted file that no other file has.
pub fn fresh_path(files: &[SourceFile]) -> String {
    // One of the first `len + 1` names is free.
    (1..=files.len() + 1)
        .map(|n| format!("app/migrations/{n:04}_pasted.py"))
        .find(|p| files.iter().all(|f| &f.path != p))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(path: &str, text: &str) -> Incoming {
        Incoming {
            path: path.into(),
            file: SourceFile::from_text(path, text),
        }
    }

    #[test]
    fn other_extensions_are_refused_by_name() {
        let mut files = Vec::new();
        let outcome = add(
            &mut files,
            vec![
                incoming("notes.txt", "x"),
                incoming("0001.sql", "SELECT 1;"),
            ],
            false,
        );
        assert_eq!(outcome.added, ["0001.sql"]);
        assert_eq!(outcome.refused.len(), 1);
        assert!(outcome.refused[0].contains("`notes.txt`"));
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn a_dropped_folder_keeps_its_migrations_only() {
        let mut files = Vec::new();
        let outcome = add(
            &mut files,
            vec![
                incoming("/shop/migrations/0001_initial.py", ""),
                incoming("/shop/migrations/__init__.py", ""),
                incoming(
                    "/shop/migrations/__pycache__/0001_initial.cpython-312.pyc",
                    "",
                ),
                incoming("/shop/models.py", ""),
                incoming("/shop/README.md", ""),
                incoming("/shop/sql/0002.sql", ""),
            ],
            true,
        );
        assert_eq!(
            outcome.added,
            ["shop/migrations/0001_initial.py", "shop/sql/0002.sql"]
        );
        assert_eq!(outcome.skipped.len(), 4);
        assert!(outcome.refused.is_empty());
    }

    #[test]
    fn a_dropped_migrations_folder_takes_its_app_label_from_its_dependencies() {
        let mut files = Vec::new();
        add(
            &mut files,
            vec![
                incoming(
                    "/migrations/0001_initial.py",
                    "dependencies = [(\"catalog\", \"0001_initial\")]",
                ),
                incoming(
                    "/migrations/0002_more.py",
                    "dependencies = [\n    ('auth', '0012_x'),\n    ( 'shop' , '0001_initial' ),\n]",
                ),
                incoming(
                    "/migrations/0003_last.py",
                    "dependencies = [('shop', '0002_more')]",
                ),
            ],
            true,
        );
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "shop/migrations/0001_initial.py",
                "shop/migrations/0002_more.py",
                "shop/migrations/0003_last.py"
            ]
        );
    }

    #[test]
    fn a_re_upload_replaces_the_file() {
        let mut files = vec![SourceFile::from_text("a.sql", "old")];
        add(&mut files, vec![incoming("a.sql", "new")], false);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].text, "new");
    }

    #[test]
    fn app_label_and_name_rewrite_the_path() {
        assert_eq!(
            with_app_label("x/migrations/0002_a.py", "shop"),
            "shop/migrations/0002_a.py"
        );
        assert_eq!(
            with_app_label("0002_a.py", "shop"),
            "shop/migrations/0002_a.py"
        );
        assert_eq!(with_app_label("db/0003.sql", "ops"), "ops/0003.sql");
        assert_eq!(
            with_migration_name("shop/migrations/0002_a.py", "0002_b"),
            "shop/migrations/0002_b.py"
        );
        assert_eq!(with_migration_name("0003.sql", "0004"), "0004.sql");
    }

    #[test]
    fn moving_stays_in_range() {
        let mut files = vec![
            SourceFile::from_text("a.sql", ""),
            SourceFile::from_text("b.sql", ""),
        ];
        assert_eq!(move_file(&mut files, 0, true), 0);
        assert_eq!(move_file(&mut files, 0, false), 1);
        assert_eq!(files[1].path, "a.sql");
        assert_eq!(move_file(&mut files, 1, false), 1);
        assert_eq!(move_file(&mut files, 5, true), 5);
    }

    #[test]
    fn fresh_paths_do_not_collide() {
        let files = vec![SourceFile::from_text("app/migrations/0001_pasted.py", "")];
        assert_eq!(fresh_path(&files), "app/migrations/0002_pasted.py");
    }
}
