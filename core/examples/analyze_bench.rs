//! Times `lockstep_core::analyze` over migration files: the same program built natively and for
//! WebAssembly (`wasm32-wasip1`, run by `scripts/wasi-run.mjs` under node's WASI), so `bench/run`
//! compares the two on the same input in the same run.
//!
//! Usage: `analyze_bench RUNS PATH…` (directories are read recursively for `.py` and `.sql`).
//! Prints one JSON line: files, statements, and the median and minimum milliseconds per run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use lockstep_core::{Settings, SourceFile, analyze};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let runs: usize = args
        .next()
        .and_then(|runs| runs.parse().ok())
        .ok_or("usage: analyze_bench RUNS PATH…")?;
    let mut files = Vec::new();
    for path in args {
        collect(Path::new(&path), &mut files)?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let settings = Settings::default();
    let mut times = Vec::with_capacity(runs);
    let mut statements = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let analysis = analyze(&files, &settings);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        statements = analysis
            .files
            .iter()
            .flat_map(|file| &file.operations)
            .map(|op| op.statements.len())
            .sum::<usize>();
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let min = times.first().copied().unwrap_or_default();
    // A benchmark's one line of output, for bench/run to read.
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{{\"files\":{},\"statements\":{statements},\"median_ms\":{median:.3},\"min_ms\":{min:.3}}}",
            files.len()
        );
    }
    Ok(())
}

fn collect(path: &Path, files: &mut Vec<SourceFile>) -> Result<(), String> {
    let error = |e: std::io::Error| format!("{}: {e}", path.display());
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(error)?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(&entry, files)?;
        }
    } else if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "sql")
    ) && path.file_name().is_some_and(|name| name != "__init__.py")
    {
        let bytes = std::fs::read(path).map_err(error)?;
        files.push(SourceFile::from_bytes(path.display().to_string(), bytes));
    }
    Ok(())
}
