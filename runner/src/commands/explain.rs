//! `lockstep explain RULE`: a rule's documentation, as written in its `declare_rule!`.

use std::io::Write as _;

use anyhow::bail;
use lockstep_core::rules::registry;

use crate::cli::ExplainArgs;
use crate::exit;

pub(crate) fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let Some(rule) = registry::rule(&args.rule) else {
        let ids: Vec<&str> = registry::rules().iter().map(|r| r.id).collect();
        bail!(
            "no rule `{}`{}\nthe rules are: {}",
            args.rule,
            suggestion(&args.rule),
            ids.join(", ")
        );
    };
    let text = format!(
        "# {} ({})\n\n{}\n",
        rule.id,
        rule.severity,
        rule.docs.trim_end()
    );
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(exit::OK)
}

/// `; did you mean `a` or `b`?` for the catalog ids close to `id`, or nothing.
pub(crate) fn suggestion(id: &str) -> String {
    let close = close_ids(id);
    if close.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = close.iter().map(|id| format!("`{id}`")).collect();
    format!("; did you mean {}?", quoted.join(" or "))
}

/// Catalog ids that `id` is probably a misspelling or a part of, closest first.
fn close_ids(id: &str) -> Vec<&'static str> {
    let wanted = id.to_ascii_lowercase().replace('_', "-");
    let mut scored: Vec<(u32, &'static str)> = registry::rules()
        .iter()
        .filter_map(|rule| {
            let similarity = strsim::normalized_damerau_levenshtein(&wanted, rule.id);
            let contains = wanted.len() >= 3 && rule.id.contains(&wanted);
            // Scores as whole per-mille so they sort without floats.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "similarity is in 0..=1"
            )]
            let score = (similarity * 1000.0) as u32;
            (contains || similarity >= 0.6).then_some((score, rule.id))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}
