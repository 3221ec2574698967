//! The settings panel: PostgreSQL and Django versions, the lock timeout, table statistics.

use leptos::prelude::*;
use lockstep_core::source::{DjangoVersion, PG_VERSIONS};

use crate::model;

/// Settings that change the SQL, the locks or the estimates; every change re-analyses.
#[component]
pub(crate) fn SettingsPanel() -> impl IntoView {
    let store = crate::store();
    let stats_text = RwSignal::new(
        store
            .settings
            .with_untracked(|s| model::stats_text(&s.table_stats)),
    );
    let stats_error = RwSignal::new(None::<String>);
    let table = RwSignal::new(String::new());
    let rows = RwSignal::new(String::new());
    let apply_stats = move |text: String| {
        stats_text.set(text.clone());
        match model::parse_stats(&text) {
            Ok(stats) => {
                stats_error.set(None);
                store.settings.update(|s| s.table_stats = stats);
            }
            Err(message) => stats_error.set(Some(message)),
        }
    };
    let add_rows = move |_| {
        let mut stats = store.settings.with_untracked(|s| s.table_stats.clone());
        match model::set_rows(&mut stats, &table.get_untracked(), &rows.get_untracked()) {
            Ok(()) => {
                stats_text.set(model::stats_text(&stats));
                stats_error.set(None);
                store.settings.update(|s| s.table_stats = stats);
                table.set(String::new());
                rows.set(String::new());
            }
            Err(message) => stats_error.set(Some(message)),
        }
    };
    view! {
        <details class="settings" data-testid="settings" open>
            <summary>"Settings"</summary>
            <div class="settings-grid">
                <label>
                    "PostgreSQL version"
                    <select
                        data-testid="pg-version"
                        on:change=move |e| {
                            if let Ok(v) = event_target_value(&e).parse() {
                                store.settings.update(|s| s.pg_version = v);
                            }
                        }
                    >
                        {PG_VERSIONS.map(|v| view! {
                            <option value=v.to_string() selected=move || store.settings.with(|s| s.pg_version == v)>{v}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "Django version"
                    <select
                        data-testid="django-version"
                        on:change=move |e| {
                            let version = if event_target_value(&e) == "4.2" { DjangoVersion::V4_2 } else { DjangoVersion::V5_2 };
                            store.settings.update(|s| s.django_version = version);
                        }
                    >
                        <option value="5.2" selected=move || store.settings.with(|s| s.django_version == DjangoVersion::V5_2)>"5.2"</option>
                        <option value="4.2" selected=move || store.settings.with(|s| s.django_version == DjangoVersion::V4_2)>"4.2"</option>
                    </select>
                </label>
                <label>
                    "Default lock timeout (ms)"
                    <input
                        type="number"
                        min="1"
                        data-testid="lock-timeout"
                        prop:value=move || store.settings.with(|s| s.lock_timeout_ms.to_string())
                        on:change=move |e| {
                            if let Ok(ms) = event_target_value(&e).parse::<u32>() && ms > 0 {
                                store.settings.update(|s| s.lock_timeout_ms = ms);
                            }
                        }
                    />
                </label>
            </div>
            <label for="stats">"Table statistics — paste what `lockstep stats` prints"</label>
            <textarea
                id="stats"
                data-testid="stats"
                spellcheck="false"
                placeholder="{\"shop_order\": {\"rows\": 1200000, \"bytes\": 268435456}}"
                prop:value=move || stats_text.get()
                on:change=move |e| apply_stats(event_target_value(&e))
            ></textarea>
            <div class="rows-form" role="group" aria-label="Rows of one table">
                <label>"Table" <input data-testid="stats-table" prop:value=move || table.get() on:input=move |e| table.set(event_target_value(&e))/></label>
                <label>"Rows" <input data-testid="stats-rows" inputmode="numeric" prop:value=move || rows.get() on:input=move |e| rows.set(event_target_value(&e))/></label>
                <button type="button" data-testid="stats-add" on:click=add_rows>"Set rows"</button>
            </div>
            {move || stats_error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="stats-error">{e}</p> })}
        </details>
    }
}
