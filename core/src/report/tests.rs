use super::*;
use crate::plan::Choices;
use crate::source::Settings;

fn example() -> (Analysis, Plan, Vec<SourceFile>) {
    let sources: Vec<SourceFile> = crate::examples::REVIEW
        .iter()
        .map(|(p, t)| SourceFile::from_text(*p, *t))
        .collect();
    let analysis = crate::analyze(&sources, &Settings::default());
    let plan = crate::plan::build(&analysis, &sources, &Choices::new());
    (analysis, plan, sources)
}

#[test]
fn example_review_without_a_database() {
    let (analysis, plan, sources) = example();
    let report = build(&analysis, &plan, &sources, &Acknowledgements::new(), None);
    assert_eq!(report.current_state.applied, None);
    assert!(
        report
            .verification
            .iter()
            .all(|v| v.status == CheckStatus::Unverified)
    );
    insta::assert_snapshot!(report.to_markdown());
    insta::assert_snapshot!(
        "example_review_json",
        serde_json::to_string_pretty(&report).unwrap()
    );
}

#[test]
fn verification_results_tick_the_checks_and_count_what_is_applied() {
    let (analysis, plan, sources) = example();
    let index_step = plan
        .steps()
        .find(|(_, s)| s.id == "shop.0002_order_created/1.0")
        .map(|(_, s)| s.id.clone())
        .unwrap();
    let verification = Verification {
        applied: Some(
            [
                "shop.0001_initial".to_owned(),
                "shop.0002_order_created".to_owned(),
            ]
            .into(),
        ),
        results: [
            (index_step, vec![CheckStatus::Passed]),
            (
                "shop.0002_order_created/0.0".to_owned(),
                vec![CheckStatus::Failed {
                    detail: "column `created` | is NOT NULL".to_owned(),
                }],
            ),
        ]
        .into(),
    };
    let mut acks = Acknowledgements::new();
    for finding in &analysis.findings {
        acks.insert(
            finding.fingerprint.clone(),
            Acknowledgement {
                by: "ana".to_owned(),
                reason: "small table <for now>".to_owned(),
            },
        );
    }
    let report = build(&analysis, &plan, &sources, &acks, Some(&verification));
    assert_eq!(report.current_state.applied, Some(2));
    assert_eq!(report.current_state.pending, vec!["db.0003_order_status"]);
    let markdown = report.to_markdown();
    assert!(markdown.contains("- [x] index `shop_order_created_idx` exists and is valid"));
    // User text cannot break the table or the list.
    assert!(
        markdown.contains("**failed:** column `created` \\| is NOT NULL"),
        "{markdown}"
    );
    insta::assert_snapshot!(markdown);
}

#[test]
fn source_comments_acknowledge_findings() {
    let text =
        "-- lockstep: ack add-index-non-concurrent -- built at night\nCREATE INDEX i ON t (id);\n";
    let sources = vec![
        SourceFile::from_text("db/0001_t.sql", "CREATE TABLE t (id int);"),
        SourceFile::from_text("db/0002_i.sql", text),
    ];
    let analysis = crate::analyze(&sources, &Settings::default());
    let plan = crate::plan::build(&analysis, &sources, &Choices::new());
    let report = build(&analysis, &plan, &sources, &Acknowledgements::new(), None);
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "add-index-non-concurrent")
        .unwrap();
    assert_eq!(
        finding.acknowledged,
        Some(Acknowledgement {
            by: "source comment".to_owned(),
            reason: "built at night".to_owned()
        })
    );
    let strategies: Vec<Strategy> = report
        .changes
        .iter()
        .flat_map(|m| m.operations.iter().map(|o| o.strategy))
        .collect();
    assert_eq!(strategies, vec![Strategy::Direct, Strategy::Concurrent]);
}
