//! A rule's page, generated from the rule's own documentation (its doc comment).

use leptos::prelude::*;
use lockstep_core::rules::registry;

use crate::model::markdown::{self, Block, Inline};
use crate::store::Page;

/// The rule named by the page, or the list of rules when the id is unknown.
#[component]
pub(crate) fn RulePage() -> impl IntoView {
    let store = crate::store();
    let id = move || match store.page.get() {
        Page::Rule(id) => id,
        Page::Review => String::new(),
    };
    let back = move |_| {
        if browser_hash_is_rule() {
            crate::browser::replace_fragment("");
        }
        store.page.set(Page::Review);
    };
    view! {
        <header class="top">
            <h1>"Lockstep rules"</h1>
            <button type="button" data-testid="back" on:click=back>"← Back to the review"</button>
        </header>
        <main class="rule-page" data-testid="rule-page">
            {move || match registry::rule(&id()) {
                Some(rule) => view! {
                    <article data-testid="rule-doc" data-rule=rule.id>
                        <h2><code>{rule.id}</code> " " <span class=format!("badge {}", rule.severity)>{rule.severity.to_string()}</span></h2>
                        {markdown::blocks(rule.docs).into_iter().map(block_view).collect_view()}
                    </article>
                }.into_any(),
                None => view! {
                    <article>
                        <h2>{format!("No rule named `{}`", id())}</h2>
                    </article>
                }.into_any(),
            }}
            <nav aria-label="All rules">
                <h2>"All rules"</h2>
                <ul>
                    {registry::rules().into_iter().map(|r| view! {
                        <li>{crate::results::rule_link(r.id)} " — " {r.severity.to_string()}</li>
                    }).collect_view()}
                </ul>
            </nav>
        </main>
    }
}

fn browser_hash_is_rule() -> bool {
    crate::browser::hash().starts_with(&format!("#{}", crate::model::RULE_PREFIX))
}

fn block_view(block: Block) -> AnyView {
    match block {
        Block::Heading(_, text) => view! { <h3>{text}</h3> }.into_any(),
        Block::Paragraph(inlines) => view! { <p>{inlines_view(inlines)}</p> }.into_any(),
        Block::List(items) => view! {
            <ul>{items.into_iter().map(|i| view! { <li>{inlines_view(i)}</li> }).collect_view()}</ul>
        }
        .into_any(),
        Block::Code(language, code) => view! { <pre class="alternative" data-language=language><code>{code}</code></pre> }.into_any(),
    }
}

fn inlines_view(inlines: Vec<Inline>) -> impl IntoView {
    inlines
        .into_iter()
        .map(|inline| match inline {
            Inline::Text(text) => view! { <span>{text}</span> }.into_any(),
            Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        })
        .collect_view()
}
