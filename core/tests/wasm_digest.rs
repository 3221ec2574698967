//! The plan's digest is the same in WebAssembly and natively.
//!
//! This test runs twice with the same expectation: natively in `cargo test`, and compiled to
//! wasm32 and executed by Node's WASI (`scripts/test`: `cargo test -p lockstep-core --target
//! wasm32-wasip1 --test wasm_digest`, runner `scripts/wasi-run.mjs`). Both compare the example
//! review's plan digest with the one the native unit test pins in its snapshot, so a value
//! the two builds computed differently fails one of them.

use lockstep_core::plan::{Choices, Plan};
use lockstep_core::{Settings, SourceFile};

/// The digest the native snapshot test pins (`plan::build::tests::example_review_plan`).
const PINNED: &str = include_str!(
    "../src/plan/build/snapshots/lockstep_core__plan__build__tests__example_review_digest.snap"
);

fn example_plan() -> Plan {
    let sources: Vec<SourceFile> = lockstep_core::examples::REVIEW
        .iter()
        .map(|(path, text)| SourceFile::from_text(*path, *text))
        .collect();
    let analysis = lockstep_core::analyze(&sources, &Settings::default());
    lockstep_core::plan::build(&analysis, &sources, &Choices::new())
}

#[test]
fn the_example_plan_digest_is_the_pinned_one() {
    let pinned = PINNED
        .lines()
        .rev()
        .find(|line| line.starts_with("sha256:"))
        .expect("the snapshot holds a digest");
    let plan = example_plan();
    assert_eq!(plan.digest(), pinned, "target {}", std::env::consts::ARCH);
    // The canonical bytes read back to the same plan and digest on this target too.
    let read = Plan::from_json(&plan.canonical_json()).unwrap();
    assert_eq!(read.digest(), pinned);
    println!("{} digest {}", std::env::consts::ARCH, plan.digest());
}
