//! `lockstep review`: the files and settings as a review link for the web reviewer.
//!
//! The review lives in the link's fragment (after `#`), which browsers never send to a
//! server: opening it in `lockstep serve`'s reviewer, or any copy of the static files,
//! restores the files and settings with nothing uploaded.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use lockstep_core::review::{Review, ReviewFile, link};

use crate::cli::ReviewArgs;
use crate::{config, exit, files};

/// Where `lockstep serve` listens by default.
pub(crate) const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/";

pub(crate) fn run(args: &ReviewArgs) -> anyhow::Result<u8> {
    if args.base_url.contains('#') {
        bail!(
            "`--base-url {}` already has a fragment (`#…`); the review goes there",
            args.base_url
        );
    }
    let config = config::load(&args.config)?;
    let paths = if args.paths.is_empty() {
        if config.paths.is_empty() {
            bail!(
                "no files to review: name files or directories, or list them as `paths` in \
                 lockstep.toml"
            );
        }
        &config.paths
    } else {
        &args.paths
    };
    let sources = files::read(paths)?;
    if sources.is_empty() {
        bail!("no migration files found (directories are read for `migrations/*.py` and `*.sql`)");
    }
    let cwd = std::env::current_dir().context("while finding the current directory")?;
    let mut stderr = std::io::stderr().lock();
    let mut review = Review {
        settings: config.settings,
        ..Review::default()
    };
    for source in sources {
        if let Some(problem) = &source.problem {
            writeln!(
                stderr,
                "warning: `{}`: {problem}; the link holds only its readable part",
                source.path
            )?;
        }
        review.files.push(ReviewFile {
            path: shared_path(&source.path, &cwd),
            text: source.text,
        });
    }
    let fragment = link::encode(&review)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}#{fragment}", args.base_url)?;
    Ok(exit::OK)
}

/// The path as others should see it: relative to the current directory when it is inside
/// it (a link must not carry someone's home directory), without a leading `./`.
fn shared_path(path: &str, cwd: &Path) -> String {
    let relative = Path::new(path)
        .strip_prefix(cwd)
        .map_or_else(|_| path.to_owned(), |p| p.display().to_string());
    relative
        .strip_prefix("./")
        .map_or(relative.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_current_directory_are_made_relative() {
        let cwd = Path::new("/home/ana/project");
        assert_eq!(
            shared_path("/home/ana/project/shop/migrations/0001_initial.py", cwd),
            "shop/migrations/0001_initial.py"
        );
        assert_eq!(shared_path("./db/0003.sql", cwd), "db/0003.sql");
        assert_eq!(shared_path("../other/0001.sql", cwd), "../other/0001.sql");
    }
}
