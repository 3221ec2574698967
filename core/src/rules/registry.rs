//! Every rule, sorted by id. A rule file that is not listed here is caught by a test.

use super::{Ctx, Rule, add_index_non_concurrent, diagnostics};

/// A rule's check over one analysed file.
pub(crate) type CheckFn = fn(&mut Ctx<'_>);

/// Rules that check statements, sorted by id.
pub(crate) static CHECKS: &[(&Rule, CheckFn)] = &[(
    &add_index_non_concurrent::ADD_INDEX_NON_CONCURRENT,
    add_index_non_concurrent::check,
)];

/// Every rule of the catalog, sorted by id: the checks and the rules parse diagnostics map to.
pub fn rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = CHECKS.iter().map(|(rule, _)| *rule).collect();
    rules.extend(diagnostics::RULES);
    rules.sort_by_key(|rule| rule.id);
    rules
}

/// The rule with `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    rules().into_iter().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_and_kebab_case() {
        let ids: Vec<_> = rules().iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let check_ids: Vec<_> = CHECKS.iter().map(|(r, _)| r.id).collect();
        let mut sorted_checks = check_ids.clone();
        sorted_checks.sort_unstable();
        assert_eq!(check_ids, sorted_checks, "keep CHECKS sorted by id");
        for id in ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn every_rule_file_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let registered: Vec<String> = CHECKS.iter().map(|(r, _)| r.id.replace('-', "_")).collect();
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            if ["mod", "registry", "diagnostics", "test_utils"].contains(&stem) {
                continue;
            }
            assert!(
                registered.iter().any(|r| r == stem),
                "rules/{name} is not in registry::CHECKS"
            );
        }
    }

    #[test]
    fn docs_have_the_required_sections() {
        for rule in rules() {
            for heading in [
                "## What it flags",
                "## Why it hurts",
                "## Safe alternative",
                "## When it is fine",
            ] {
                assert!(rule.docs.contains(heading), "{} lacks `{heading}`", rule.id);
            }
        }
    }
}
