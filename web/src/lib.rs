//! Lockstep's reviewer: paste or upload migrations and see their operations, SQL and findings.
//!
//! Components are thin; the review state lives in [`model`] and every bit of analysis comes
//! from `lockstep_core::analyze`, the same code the `lockstep` binary runs. User content is
//! always rendered as text.

pub mod model;

use leptos::prelude::*;
use lockstep_core::analysis::{FileAnalysis, OperationAnalysis, SqlStatus};
use lockstep_core::source::MAX_FILE_BYTES;
use lockstep_core::{Analysis, Finding, Settings, Severity, SourceFile};

use crate::model::Review;

/// The whole reviewer.
#[component]
pub fn App() -> impl IntoView {
    let review = RwSignal::new(Review::example());
    let analysis =
        Memo::new(move |_| review.with(|r| lockstep_core::analyze(&r.files, &Settings::default())));
    view! {
        <header class="top">
            <h1>"Lockstep"</h1>
            <p class="tagline">"Review PostgreSQL migrations before they lock production."</p>
        </header>
        <main class="layout">
            <section class="input" aria-label="Migration files">
                <FileTabs review=review/>
                <Editor review=review/>
            </section>
            <section class="results" aria-label="Analysis">
                <Summary analysis=analysis/>
                <Findings analysis=analysis/>
                <Operations analysis=analysis/>
            </section>
        </main>
    }
}

/// The files under review, a button for a new pasted file, and the upload control.
#[component]
fn FileTabs(review: RwSignal<Review>) -> impl IntoView {
    let on_upload = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        let Some(list) = input.files() else { return };
        for index in 0..list.length() {
            let Some(file) = list.get(index) else {
                continue;
            };
            leptos::task::spawn_local(async move {
                let source = read_file(&file).await;
                review.update(|r| r.add(source));
            });
        }
        // Let the same file be chosen again.
        input.set_value("");
    };
    let tabs = move || {
        review.with(|r| {
            r.files
                .iter()
                .enumerate()
                .map(|(i, f)| (i, f.path.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <nav class="files" aria-label="Files">
            <For each=tabs key=|tab| tab.clone() let((index, path))>
                <span class="file-tab" class:selected=move || review.with(|r| r.selected == index)>
                    <button class="tab-name" data-testid="file-tab" on:click=move |_| review.update(|r| r.selected = index)>
                        {path.clone()}
                    </button>
                    <button
                        class="tab-remove"
                        aria-label=format!("Remove {path}")
                        on:click=move |_| review.update(|r| r.remove(index))
                    >
                        "×"
                    </button>
                </span>
            </For>
            <button
                data-testid="new-file"
                on:click=move |_| review.update(|r| r.add(SourceFile::from_text("app/migrations/0001_pasted.py", "")))
            >
                "+ New file"
            </button>
            <label class="upload">
                "Upload…"
                <input type="file" multiple accept=".py,.sql" data-testid="upload" on:change=on_upload/>
            </label>
        </nav>
    }
}

/// Reads an uploaded file as bytes; files over the limit are refused without reading them.
async fn read_file(file: &web_sys::File) -> SourceFile {
    let name = file.name();
    // `size` is a non-negative integer in an f64; compare in f64 to avoid a lossy cast.
    #[allow(clippy::cast_precision_loss, reason = "the limit is far below 2^52")]
    let limit = MAX_FILE_BYTES as f64;
    if file.size() > limit {
        let bytes = format!("{:.0}", file.size()).parse().unwrap_or(u64::MAX);
        return SourceFile::too_large(name, bytes);
    }
    match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
        Ok(buffer) => SourceFile::from_bytes(name, js_sys::Uint8Array::new(&buffer).to_vec()),
        // The browser could not read it: keep the file, empty, so the user sees it listed.
        Err(_) => SourceFile::from_bytes(name, Vec::new()),
    }
}

/// The path (which names app and migration) and the source of the selected file.
#[component]
fn Editor(review: RwSignal<Review>) -> impl IntoView {
    let path = move || review.with(|r| r.current().map(|f| f.path.clone()).unwrap_or_default());
    let text = move || review.with(|r| r.current().map(|f| f.text.clone()).unwrap_or_default());
    view! {
        <div class="editor">
            <label for="path">"Path (names the app and migration)"</label>
            <input
                id="path"
                data-testid="path"
                prop:value=path
                on:change=move |event| review.update(|r| r.rename(event_target_value(&event)))
            />
            <label for="source">"Migration source — paste a Django migration or SQL"</label>
            <textarea
                id="source"
                data-testid="source"
                spellcheck="false"
                wrap="off"
                prop:value=text
                on:input=move |event| review.update(|r| r.edit(event_target_value(&event)))
            ></textarea>
        </div>
    }
}

/// Counts by severity and the tables touched.
#[component]
fn Summary(analysis: Memo<Analysis>) -> impl IntoView {
    let count = move |severity| {
        analysis.with(|a| a.findings.iter().filter(|f| f.severity == severity).count())
    };
    let statements = move || {
        analysis.with(|a| {
            a.files
                .iter()
                .flat_map(|f| &f.operations)
                .map(|o| o.statements.len())
                .sum::<usize>()
        })
    };
    view! {
        <div class="summary" data-testid="summary" role="status">
            <span class="badge error">{move || count(Severity::Error)} " errors"</span>
            <span class="badge warning">{move || count(Severity::Warning)} " warnings"</span>
            <span class="badge info">{move || count(Severity::Info)} " info"</span>
            <span class="muted">{statements} " statements analysed"</span>
        </div>
    }
}

/// Every finding: severity, rule, why, where, and the safe alternative.
#[component]
fn Findings(analysis: Memo<Analysis>) -> impl IntoView {
    let findings = move || analysis.with(|a| a.findings.clone());
    view! {
        <h2>"Findings"</h2>
        <Show when=move || analysis.with(|a| a.findings.is_empty())>
            <p class="muted" data-testid="no-findings">"No findings."</p>
        </Show>
        <ol class="findings">
            <For each=findings key=|f| (f.fingerprint.clone(), f.span) let(finding)>
                <FindingView finding=finding/>
            </For>
        </ol>
    }
}

#[component]
fn FindingView(finding: Finding) -> impl IntoView {
    let severity = finding.severity.to_string();
    view! {
        <li class=format!("finding {severity}") data-testid="finding" data-rule=finding.rule>
            <div class="finding-head">
                <span class=format!("badge {severity}")>{severity.clone()}</span>
                <code class="rule">{finding.rule}</code>
                <span class="location">{format!("{}:{}:{}", finding.path, finding.line, finding.column)}</span>
            </div>
            <p class="why">{finding.message}</p>
            {finding.statement.map(|sql| view! { <pre class="sql">{sql}</pre> })}
            <p class="label">"Safe alternative"</p>
            <pre class="alternative">{finding.safe_alternative}</pre>
        </li>
    }
}

/// Per file and operation: what it does and the SQL it runs.
#[component]
fn Operations(analysis: Memo<Analysis>) -> impl IntoView {
    view! {
        <h2>"Operations"</h2>
        {move || analysis.with(|a| a.files.iter().map(file_view).collect_view())}
    }
}

fn file_view(file: &FileAnalysis) -> impl IntoView + use<> {
    let heading = format!("{}.{} — {}", file.app_label, file.name, file.path);
    let atomic = if file.atomic {
        "runs in one transaction"
    } else {
        "no surrounding transaction"
    };
    view! {
        <section class="migration" data-testid="migration">
            <h3>{heading} <span class="muted">{format!(" ({atomic})")}</span></h3>
            <ol class="operations">{file.operations.iter().map(operation_view).collect_view()}</ol>
        </section>
    }
}

fn operation_view(operation: &OperationAnalysis) -> impl IntoView + use<> {
    let note = match operation.sql {
        SqlStatus::Reproduced => None,
        SqlStatus::NotSql => Some("Python code: runs through Django, not analysable as SQL"),
        SqlStatus::NotReproduced => Some("SQL not reproduced yet: see the finding"),
    };
    let sql = operation
        .statements
        .iter()
        .map(|s| s.statement.sql.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    view! {
        <li class="operation" data-testid="operation" data-kind=operation.kind.clone()>
            <div>
                <strong>{operation.kind.clone()}</strong>
                <span class="muted">{format!(" line {}", operation.line)}</span>
            </div>
            <div>{operation.description.clone()}</div>
            {note.map(|note| view! { <p class="muted">{note}</p> })}
            {(!sql.is_empty()).then(|| view! { <pre class="sql">{sql}</pre> })}
        </li>
    }
}
