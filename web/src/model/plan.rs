//! The Plan tab: the plan `lockstep plan` would write for the review's files and choices, the
//! choice offered per finding, and what stands between the review and approval.
//!
//! The plan comes from `lockstep_core::plan::build`, the code the runner runs, so the digest
//! shown here is the digest `lockstep plan --choices` prints for the same files and choices.

use lockstep_core::plan::{Choice, Choices, Plan};
use lockstep_core::{Analysis, Finding, Severity, SourceFile};

use super::Notes;

/// Whether the plan offers a safe rewrite for `finding` (core's list, so the choices offered
/// are exactly the rewrites the plan makes).
pub fn has_rewrite(finding: &Finding) -> bool {
    lockstep_core::plan::rewrites(finding.rule)
}

/// The choice in effect for `fingerprint` (unlisted findings get the safe rewrite).
pub fn choice_of(choices: &Choices, fingerprint: &str) -> Choice {
    choices.get(fingerprint).copied().unwrap_or(Choice::Safe)
}

/// Records a choice; the default ([`Choice::Safe`]) is stored as no entry, so a review whose
/// choices are all defaults has the same link as one where nothing was chosen.
pub fn choose(choices: &mut Choices, fingerprint: &str, choice: Choice) {
    match choice {
        Choice::Safe => {
            choices.remove(fingerprint);
        }
        Choice::Keep => {
            choices.insert(fingerprint.to_owned(), Choice::Keep);
        }
    }
}

/// One error finding that blocks approval, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// The finding's fingerprint (the acknowledge control is found by it).
    pub fingerprint: String,
    /// Its rule.
    pub rule: &'static str,
    /// `path:line:column`.
    pub location: String,
    /// Why it blocks: kept as written, or no rewrite exists.
    pub why: &'static str,
}

/// The plan for the review, with what the page shows about it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanView {
    /// The plan.
    pub plan: Plan,
    /// Its canonical JSON: the exact bytes the download holds and the digest covers.
    pub json: String,
    /// `sha256:<hex>` of [`PlanView::json`].
    pub digest: String,
    /// Error findings neither fixed by a rewrite nor acknowledged.
    pub blockers: Vec<Blocker>,
}

impl PlanView {
    /// Whether the plan can be approved.
    pub fn approvable(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// Builds the plan of `files` (as analysed in `analysis`) with the review's choices.
pub fn plan_view(analysis: &Analysis, files: &[SourceFile], notes: &Notes) -> PlanView {
    let plan = lockstep_core::plan::build(analysis, files, &notes.choices);
    let json = plan.canonical_json();
    let digest = lockstep_core::plan::canonical::digest(json.as_bytes());
    let blockers = analysis
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| {
            !notes.acknowledgements.contains_key(&f.fingerprint) && f.acknowledged.is_none()
        })
        .filter_map(|f| {
            let why = if !has_rewrite(f) {
                "no safe rewrite exists: fix it in the migration or acknowledge it"
            } else if choice_of(&notes.choices, &f.fingerprint) == Choice::Keep {
                "kept as written: acknowledge it or choose the safe rewrite"
            } else {
                return None;
            };
            Some(Blocker {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule,
                location: format!("{}:{}:{}", f.path, f.line, f.column),
                why,
            })
        })
        .collect();
    PlanView {
        plan,
        json,
        digest,
        blockers,
    }
}

/// The command that applies the approved plan, as the page shows it.
pub fn apply_command(digest: &str) -> String {
    format!("lockstep apply {PLAN_FILE} --approve {digest}")
}

/// The name the plan's download is saved under (and the command names).
pub const PLAN_FILE: &str = "plan.json";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example_files;
    use lockstep_core::Settings;

    fn index_finding(analysis: &Analysis) -> Finding {
        analysis
            .findings
            .iter()
            .find(|f| f.rule == "add-index-non-concurrent")
            .cloned()
            .unwrap()
    }

    #[test]
    fn keeping_a_rewrite_changes_the_sql_and_the_digest() {
        let files = example_files();
        let analysis = lockstep_core::analyze(&files, &Settings::default());
        let finding = index_finding(&analysis);
        let mut notes = Notes::default();
        let safe = plan_view(&analysis, &files, &notes);
        assert!(
            safe.json
                .contains(r#"CREATE INDEX CONCURRENTLY \"shop_order_created_idx\""#)
        );
        assert_eq!(safe.digest, safe.plan.digest());
        choose(&mut notes.choices, &finding.fingerprint, Choice::Keep);
        let kept = plan_view(&analysis, &files, &notes);
        assert!(
            kept.json
                .contains(r#"CREATE INDEX \"shop_order_created_idx\""#)
        );
        assert_ne!(kept.digest, safe.digest);
        choose(&mut notes.choices, &finding.fingerprint, Choice::Safe);
        assert!(notes.choices.is_empty());
        assert_eq!(plan_view(&analysis, &files, &notes).digest, safe.digest);
    }

    #[test]
    fn a_kept_error_blocks_until_acknowledged() {
        let files = example_files();
        let analysis = lockstep_core::analyze(&files, &Settings::default());
        let finding = index_finding(&analysis);
        let mut notes = Notes::default();
        let blocked_by_others: Vec<_> = plan_view(&analysis, &files, &notes)
            .blockers
            .into_iter()
            .map(|b| b.fingerprint)
            .collect();
        assert!(!blocked_by_others.contains(&finding.fingerprint));
        choose(&mut notes.choices, &finding.fingerprint, Choice::Keep);
        let view = plan_view(&analysis, &files, &notes);
        let blocker = view
            .blockers
            .iter()
            .find(|b| b.fingerprint == finding.fingerprint)
            .unwrap();
        assert!(blocker.why.contains("kept as written"));
        assert!(!view.approvable());
        notes
            .acknowledge(&finding.fingerprint, "ana", "tiny table")
            .unwrap();
        let view = plan_view(&analysis, &files, &notes);
        assert!(
            view.blockers
                .iter()
                .all(|b| b.fingerprint != finding.fingerprint)
        );
    }

    #[test]
    fn the_command_names_the_download_and_the_digest() {
        assert_eq!(
            apply_command("sha256:ab"),
            "lockstep apply plan.json --approve sha256:ab"
        );
    }
}
