//! Times review links (`lockstep_core::review::link`): how long the link is and how long it
//! takes to encode and decode, for a few reviews. Built natively and for `wasm32-wasip1` (run by
//! `scripts/wasi-run.mjs`), like `analyze_bench`: the browser encodes and decodes links in wasm.
//!
//! Usage: `review_link_bench RUNS ROOT LABEL=PATH[,PATH…]…`: each review holds the `.sql` files
//! and the `.py` files of `migrations` directories under ROOT/PATH (read recursively), with
//! paths relative to ROOT so the link is the same wherever ROOT is. Prints one JSON line per
//! review: files, bytes of text, characters of the link fragment, median microseconds to encode
//! and to decode.

use std::path::{Path, PathBuf};
use std::time::Instant;

use lockstep_core::review::{Review, ReviewFile, link};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: review_link_bench RUNS ROOT LABEL=PATH[,PATH…]…";
    let runs: usize = args.next().and_then(|r| r.parse().ok()).ok_or(usage)?;
    let root = PathBuf::from(args.next().ok_or(usage)?);
    for spec in args {
        let (label, paths) = spec.split_once('=').ok_or(usage)?;
        let mut review = Review::default();
        for path in paths.split(',') {
            collect(&root, Path::new(path), &mut review.files)?;
        }
        review.files.sort_by(|a, b| a.path.cmp(&b.path));
        let fragment = link::encode(&review).map_err(|e| format!("{label}: {e}"))?;
        let decoded = link::decode(&fragment).map_err(|e| format!("{label}: {e}"))?;
        if decoded != review {
            return Err(format!(
                "{label}: the decoded review differs from the encoded one"
            ));
        }
        let encode = median_us(runs, || {
            link::encode(&review).map(drop).map_err(|e| e.to_string())
        })?;
        let decode = median_us(runs, || {
            link::decode(&fragment).map(drop).map_err(|e| e.to_string())
        })?;
        let bytes: usize = review.files.iter().map(|f| f.text.len()).sum();
        // A benchmark's output, one JSON line per review, for bench/run to read.
        #[allow(clippy::print_stdout)]
        {
            println!(
                "{{\"label\":\"{label}\",\"files\":{},\"bytes\":{bytes},\"chars\":{},\
                 \"encode_us\":{encode:.1},\"decode_us\":{decode:.1}}}",
                review.files.len(),
                fragment.chars().count()
            );
        }
    }
    Ok(())
}

fn median_us(runs: usize, mut work: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    Ok(times.get(times.len() / 2).copied().unwrap_or_default())
}

fn collect(root: &Path, relative: &Path, files: &mut Vec<ReviewFile>) -> Result<(), String> {
    let path = root.join(relative);
    let error = |e: std::io::Error| format!("{}: {e}", path.display());
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)
            .map_err(error)?
            .filter_map(|entry| entry.ok().map(|entry| entry.file_name().into()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(root, &relative.join(entry), files)?;
        }
    } else if is_migration(relative) {
        let text = std::fs::read_to_string(&path).map_err(error)?;
        files.push(ReviewFile {
            path: relative.display().to_string(),
            text,
        });
    }
    Ok(())
}

/// A `.sql` file, or a `.py` file in a `migrations` directory other than `__init__.py`: what
/// `lockstep review` and the reviewer's folder upload keep.
fn is_migration(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("sql") => true,
        Some("py") => {
            path.file_name().is_some_and(|name| name != "__init__.py")
                && path
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|dir| dir == "migrations")
        }
        _ => false,
    }
}
