//! A rule's documentation (the Markdown of its doc comment) as blocks the page renders as text.
//!
//! Only what rule docs use: `##` headings, paragraphs with `` `code` `` spans, `-` lists and
//! fenced code. Nothing is ever handed to the browser as HTML.

/// A run of text in a paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// A `` `code` `` span.
    Code(String),
}

/// One block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading (`##` is level 2).
    Heading(u8, String),
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A bulleted list, one paragraph per item.
    List(Vec<Vec<Inline>>),
    /// Fenced code with its language (may be empty).
    Code(String, String),
}

/// The blocks of `markdown`. Doc comments keep the space after `///`, so one leading space
/// is dropped from every line.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut code: Option<(String, Vec<&str>)> = None;
    for raw in markdown.lines() {
        let line = raw.strip_prefix(' ').unwrap_or(raw);
        if let Some((language, lines)) = &mut code {
            if line.trim_start().starts_with("```") {
                out.push(Block::Code(std::mem::take(language), lines.join("\n")));
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if let Some(item) = trimmed.strip_prefix("- ") {
            flush(&mut out, &mut paragraph);
            list.push(item.to_owned());
            continue;
        }
        if !list.is_empty() {
            let ends_list =
                trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("```");
            if !ends_list {
                // A wrapped list item.
                if let Some(last) = list.last_mut() {
                    last.push(' ');
                    last.push_str(trimmed);
                }
                continue;
            }
            out.push(Block::List(list.drain(..).map(|i| inlines(&i)).collect()));
        }
        if trimmed.is_empty() {
            flush(&mut out, &mut paragraph);
        } else if let Some(fence) = trimmed.strip_prefix("```") {
            flush(&mut out, &mut paragraph);
            code = Some((fence.trim().to_owned(), Vec::new()));
        } else if trimmed.starts_with('#') {
            flush(&mut out, &mut paragraph);
            let level = trimmed.chars().take_while(|c| *c == '#').count();
            let text = trimmed.trim_start_matches('#').trim().to_owned();
            out.push(Block::Heading(u8::try_from(level).unwrap_or(6), text));
        } else {
            paragraph.push(trimmed);
        }
    }
    flush(&mut out, &mut paragraph);
    if !list.is_empty() {
        out.push(Block::List(list.iter().map(|i| inlines(i)).collect()));
    }
    if let Some((language, lines)) = code {
        // An unclosed fence: still shown, as code.
        out.push(Block::Code(language, lines.join("\n")));
    }
    out
}

fn flush(out: &mut Vec<Block>, paragraph: &mut Vec<&str>) {
    if !paragraph.is_empty() {
        out.push(Block::Paragraph(inlines(&paragraph.join(" "))));
        paragraph.clear();
    }
}

/// Text with `` `code` `` spans; an unpaired backtick stays text.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('`') else { break };
        if open > 0 {
            out.push(Inline::Text(
                rest.get(..open).unwrap_or_default().to_owned(),
            ));
        }
        out.push(Inline::Code(
            after.get(..close).unwrap_or_default().to_owned(),
        ));
        rest = after.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_docs_become_headings_paragraphs_and_code() {
        let docs = " ## What it flags\n `CREATE INDEX` without\n `CONCURRENTLY`.\n\n ## Safe alternative\n Django:\n ```python\n class Migration:\n     atomic = False\n ```\n - one\n - two `x`\n";
        assert_eq!(
            blocks(docs),
            [
                Block::Heading(2, "What it flags".into()),
                Block::Paragraph(vec![
                    Inline::Code("CREATE INDEX".into()),
                    Inline::Text(" without ".into()),
                    Inline::Code("CONCURRENTLY".into()),
                    Inline::Text(".".into()),
                ]),
                Block::Heading(2, "Safe alternative".into()),
                Block::Paragraph(vec![Inline::Text("Django:".into())]),
                Block::Code(
                    "python".into(),
                    "class Migration:\n    atomic = False".into()
                ),
                Block::List(vec![
                    vec![Inline::Text("one".into())],
                    vec![Inline::Text("two ".into()), Inline::Code("x".into())],
                ]),
            ]
        );
    }

    #[test]
    fn every_rule_of_the_catalog_renders_with_its_sections() {
        for rule in lockstep_core::rules::registry::rules() {
            let headings: Vec<String> = blocks(rule.docs)
                .into_iter()
                .filter_map(|b| match b {
                    Block::Heading(_, text) => Some(text),
                    _ => None,
                })
                .collect();
            assert!(headings.contains(&"Why it hurts".to_owned()), "{}", rule.id);
        }
    }

    #[test]
    fn an_unpaired_backtick_stays_text() {
        assert_eq!(inlines("a ` b"), [Inline::Text("a ` b".into())]);
    }
}
