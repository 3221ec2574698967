//! Reading the files a command is given: explicit files as they are, directories recursively.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use lockstep_core::SourceFile;
use lockstep_core::source::{MAX_FILE_BYTES, SourceKind};

/// Reads every path: a file is taken as given; a directory contributes its `*.sql` files and the
/// `*.py` files inside `migrations/` folders (except `__init__.py`), sorted by path.
pub(crate) fn read(paths: &[PathBuf]) -> anyhow::Result<Vec<SourceFile>> {
    let mut found = Vec::new();
    for path in paths {
        let metadata =
            std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if metadata.is_dir() {
            let mut inside = Vec::new();
            walk(path, &mut inside)
                .with_context(|| format!("while reading the directory `{}`", path.display()))?;
            inside.sort();
            found.extend(inside);
        } else {
            found.push(path.clone());
        }
    }
    found
        .iter()
        .map(|path| {
            let display = path.display().to_string();
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            // Don't read a huge file into memory only to refuse it.
            if size > MAX_FILE_BYTES as u64 {
                return Ok(SourceFile::too_large(display, size));
            }
            let bytes = std::fs::read(path).with_context(|| format!("cannot read `{display}`"))?;
            Ok(SourceFile::from_bytes(display, bytes))
        })
        .collect()
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, found)?;
            continue;
        }
        let name = path.to_string_lossy();
        let in_migrations = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|p| p == "migrations");
        let wanted = match SourceKind::of_path(&name) {
            Some(SourceKind::Sql) => true,
            Some(SourceKind::Django) => in_migrations && !name.ends_with("__init__.py"),
            None => false,
        };
        if wanted {
            found.push(path);
        }
    }
    Ok(())
}
