//! Lockstep's reviewer: paste, drop or upload migrations; see per migration its operations,
//! SQL, locks and findings; comment, acknowledge, and share the whole review as a link.
//!
//! Components are thin: the state is in [`store`] (signals) and [`model`] (plain Rust, tested
//! natively), and every bit of analysis comes from `lockstep_core::analyze`, the same code the
//! `lockstep` binary runs. **User content is always rendered as text** (no `inner_html`).

mod browser;
pub mod model;
mod store;
// leptos's `#[component]` expands to `pub` items even for crate-private components.
#[allow(unreachable_pub)]
mod input;
#[allow(unreachable_pub)]
mod plan;
#[allow(unreachable_pub)]
mod results;
#[allow(unreachable_pub)]
mod rule;
#[allow(unreachable_pub)]
mod settings;
#[allow(unreachable_pub)]
mod share;
#[allow(unreachable_pub)]
mod source;

use leptos::prelude::*;

use crate::store::{Page, Store, Tab};

/// The whole reviewer.
#[component]
pub fn App() -> impl IntoView {
    let store = Store::open();
    provide_context(store);
    input::guard_window_drops();
    view! {
        <Show
            when=move || store.page.with(|p| *p == Page::Review)
            fallback=move || view! { <rule::RulePage/> }
        >
            <header class="top">
                <h1>"Lockstep"</h1>
                <p class="tagline">"Review PostgreSQL migrations before they lock production."</p>
                <share::ShareBar/>
            </header>
            <share::LinkProblem/>
            <results::SummaryBar/>
            <main class="layout">
                <section class="input" aria-label="Migration files">
                    <input::Files/>
                    <source::LeftPane/>
                    <settings::SettingsPanel/>
                </section>
                <section class="results" aria-label="Results">
                    <plan::Tabs/>
                    {move || match store.tab.get() {
                        Tab::Analysis => view! { <results::Findings/> <results::Migrations/> }.into_any(),
                        Tab::Plan => view! { <plan::PlanTab/> }.into_any(),
                        Tab::Report => view! { <plan::ReportView/> }.into_any(),
                    }}
                </section>
            </main>
        </Show>
    }
}

/// The page's store, from context.
pub(crate) fn store() -> Store {
    expect_context::<Store>()
}
