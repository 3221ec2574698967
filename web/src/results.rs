//! What the analysis says: the summary bar, the findings (with comments and
//! acknowledgements), and per migration each operation with its SQL, locks and findings.

use leptos::prelude::*;
use lockstep_core::Finding;
use lockstep_core::analysis::{FileAnalysis, OperationAnalysis, SqlStatus, StatementAnalysis};
use lockstep_core::review::{Comment, CommentTarget};

use crate::model::summary::{self, duration_words, flag_words, millis_words};
use crate::store::Page;

/// Counts by severity, approval status, tables touched, the longest write-blocking window.
#[component]
pub(crate) fn SummaryBar() -> impl IntoView {
    let store = crate::store();
    let summary = Memo::new(move |_| {
        store.analysis.with(|a| {
            store
                .notes
                .with(|n| summary::summarize(a, &n.acknowledgements))
        })
    });
    view! {
        <div class="summary" data-testid="summary" role="status" aria-label="Summary">
            <span class="badge error" data-testid="count-error">{move || summary.with(|s| s.errors)} " errors"</span>
            <span class="badge warning" data-testid="count-warning">{move || summary.with(|s| s.warnings)} " warnings"</span>
            <span class="badge info" data-testid="count-info">{move || summary.with(|s| s.infos)} " info"</span>
            <span data-testid="approval" class="approval">
                {move || summary.with(|s| match (s.blocking, s.acknowledged) {
                    (0, 0) => "Nothing blocks approval.".to_owned(),
                    (0, n) => format!("Nothing blocks approval ({n} acknowledged)."),
                    (b, n) => format!("{b} error(s) block approval until fixed or acknowledged ({n} acknowledged)."),
                })}
            </span>
            <span data-testid="tables">
                {move || summary.with(|s| match s.tables.len() {
                    0 => "No tables touched.".to_owned(),
                    n => format!("Tables touched ({n}): {}", s.tables.join(", ")),
                })}
            </span>
            <span data-testid="longest-block">
                {move || summary.with(|s| match &s.longest_write_block {
                    None => "No statement blocks writes to an existing table.".to_owned(),
                    Some(b) => format!(
                        "Longest write block: {} ({}) in {}, {} statement(s), {}.",
                        b.relation, b.mode, b.migration, b.statements, b.how_long()
                    ),
                })}
            </span>
            <span class="muted" data-testid="statements">{move || summary.with(|s| s.statements)} " statements analysed"</span>
        </div>
    }
}

/// Every finding: severity, rule (linking to its page), where, why, the safe alternative,
/// and what reviewers said about it.
#[component]
pub(crate) fn Findings() -> impl IntoView {
    let store = crate::store();
    // Like operations, a huge review's findings show the first thousand until asked: a hundred
    // thousand cards would freeze the page, while real projects stay well under it.
    let show_all = RwSignal::new(false);
    let count = move || store.analysis.with(|a| a.findings.len());
    let more = move || !show_all.get() && count() > FINDINGS_SHOWN;
    let findings = move || {
        let limit = if show_all.get() {
            usize::MAX
        } else {
            FINDINGS_SHOWN
        };
        store
            .analysis
            .with(|a| a.findings.iter().take(limit).cloned().collect::<Vec<_>>())
    };
    view! {
        <h2>"Findings"</h2>
        <Show when=move || store.analysis.with(|a| a.findings.is_empty())>
            <p class="muted" data-testid="no-findings">"No findings."</p>
        </Show>
        <ol class="findings" data-testid="findings">
            <For each=findings key=|f| (f.fingerprint.clone(), f.span, f.message.clone()) let(finding)>
                <FindingCard finding=finding/>
            </For>
        </ol>
        <Show when=more>
            <button type="button" data-testid="show-all-findings" on:click=move |_| show_all.set(true)>
                {move || format!("Show all {} findings", count())}
            </button>
        </Show>
    }
}

/// A link to a rule's page; opens it in place, keeping the review.
pub(crate) fn rule_link(rule: &'static str) -> impl IntoView {
    let store = crate::store();
    view! {
        <a
            class="rule"
            data-testid="rule-link"
            href=format!("#{}{rule}", crate::model::RULE_PREFIX)
            on:click=move |event| {
                event.prevent_default();
                store.page.set(Page::Rule(rule.to_owned()));
            }
        >
            {rule}
        </a>
    }
}

#[component]
fn FindingCard(finding: Finding) -> impl IntoView {
    let store = crate::store();
    let severity = finding.severity.to_string();
    let fingerprint = finding.fingerprint.clone();
    let target = CommentTarget::Finding {
        fingerprint: fingerprint.clone(),
    };
    let acknowledgement = {
        let fingerprint = fingerprint.clone();
        move || {
            store
                .notes
                .with(|n| n.acknowledgements.get(&fingerprint).cloned())
        }
    };
    let comments = {
        let target = target.clone();
        move || store.notes.with(|n| n.on(&target))
    };
    let (path, line) = (finding.path.clone(), finding.line);
    let form = RwSignal::new(None::<Form>);
    // The Plan tab links here to acknowledge a kept error: open the form and bring it in view.
    let form_id = format!("ack-{fingerprint}");
    {
        let fingerprint = fingerprint.clone();
        let form_id = form_id.clone();
        Effect::new(move |_| {
            if store
                .ack_request
                .with(|r| r.as_deref() == Some(fingerprint.as_str()))
            {
                store.ack_request.set(None);
                form.set(Some(Form::Acknowledge));
                let form_id = form_id.clone();
                request_animation_frame(move || crate::browser::reveal(&form_id));
            }
        });
    }
    view! {
        <li
            class=format!("finding {severity}")
            class:acknowledged={
                let a = acknowledgement.clone();
                move || a().is_some()
            }
            data-testid="finding"
            data-rule=finding.rule
            data-fingerprint=fingerprint.clone()
        >
            <div class="finding-head">
                <span class=format!("badge {severity}")>{severity.clone()}</span>
                {rule_link(finding.rule)}
                <button
                    type="button"
                    class="location"
                    data-testid="finding-location"
                    title="Show this line in the source"
                    on:click=move |_| store.jump(&path, line)
                >
                    {format!("{}:{}:{}", finding.path, finding.line, finding.column)}
                </button>
            </div>
            <p class="why">{rich_text(&finding.message)}</p>
            {finding.statement.clone().map(|sql| view! { <pre class="sql"><code>{sql}</code></pre> })}
            <p class="label">"Safe alternative"</p>
            <pre class="alternative"><code>{finding.safe_alternative.clone()}</code></pre>
            {
                let acknowledgement = acknowledgement.clone();
                let fingerprint = fingerprint.clone();
                move || acknowledgement().map(|ack| {
                    let fingerprint = fingerprint.clone();
                    view! {
                        <p class="ack" data-testid="acknowledgement">
                            <strong>"Acknowledged"</strong>
                            {if ack.by.is_empty() { String::new() } else { format!(" by {}", ack.by) }}
                            ": " {ack.reason}
                            " "
                            <button type="button" data-testid="withdraw" on:click=move |_| {
                                store.notes.update(|n| { n.acknowledgements.remove(&fingerprint); });
                            }>"Withdraw"</button>
                        </p>
                    }
                })
            }
            <ul class="comments">
                {move || comments().into_iter().map(|c| view! { <li data-testid="comment">{comment_view(c)}</li> }).collect_view()}
            </ul>
            <div class="finding-actions">
                <button type="button" data-testid="comment-button" on:click=move |_| form.set(Some(Form::Comment))>"Comment"</button>
                <Show when={
                    let a = acknowledgement.clone();
                    move || a().is_none()
                }>
                    <button type="button" data-testid="ack-button" on:click=move |_| form.set(Some(Form::Acknowledge))>"Acknowledge…"</button>
                </Show>
            </div>
            {move || form.get().map(|kind| view! { <NoteForm kind=kind target=target.clone() form=form field_id=form_id.clone()/> })}
        </li>
    }
}

/// Which form a finding shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Comment,
    Acknowledge,
}

#[component]
fn NoteForm(
    kind: Form,
    target: CommentTarget,
    form: RwSignal<Option<Form>>,
    field_id: String,
) -> impl IntoView {
    let store = crate::store();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let (label, button) = match kind {
        Form::Comment => ("Comment", "Add comment"),
        Form::Acknowledge => ("Why is this acceptable here?", "Acknowledge"),
    };
    // Ids must be unique in the page: the acknowledge field is named by its finding.
    let id = match kind {
        Form::Acknowledge => field_id,
        Form::Comment => format!("note-{}", store.notes.with_untracked(|n| n.comments.len())),
    };
    let save = move |_| {
        let author = store.reviewer.get_untracked();
        let value = text.get_untracked();
        let result = match (&target, kind) {
            (target, Form::Comment) => {
                let mut added = false;
                store
                    .notes
                    .update(|n| added = n.comment(target.clone(), &author, &value));
                if added {
                    Ok(())
                } else {
                    Err("Write something first.".to_owned())
                }
            }
            (CommentTarget::Finding { fingerprint }, Form::Acknowledge) => {
                let mut result = Ok(());
                store
                    .notes
                    .update(|n| result = n.acknowledge(fingerprint, &author, &value));
                result
            }
            (CommentTarget::Line { .. }, Form::Acknowledge) => Ok(()),
        };
        match result {
            Ok(()) => form.set(None),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <div class="note-form">
            <label for=id.clone()>{label}</label>
            <textarea id=id data-testid="note-text" prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))></textarea>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <button type="button" data-testid="note-save" on:click=save>{button}</button>
            <button type="button" on:click=move |_| form.set(None)>"Cancel"</button>
        </div>
    }
}

/// Text with `` `code` `` spans shown as code (finding messages use them); still only text.
pub(crate) fn rich_text(text: &str) -> impl IntoView + use<> {
    crate::model::markdown::inlines(text)
        .into_iter()
        .map(|inline| match inline {
            crate::model::markdown::Inline::Text(text) => view! { <span>{text}</span> }.into_any(),
            crate::model::markdown::Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        })
        .collect_view()
}

/// A comment as text: who, then what.
pub(crate) fn comment_view(comment: Comment) -> impl IntoView {
    let who = if comment.author.is_empty() {
        "Comment".to_owned()
    } else {
        comment.author
    };
    view! { <span class="comment"><strong>{who}</strong> ": " {comment.text}</span> }
}

/// Operations shown per migration before "Show all".
const OPERATIONS_SHOWN: usize = 200;

/// Findings shown before "Show all" (all of them in any real project).
const FINDINGS_SHOWN: usize = 1000;

/// Per migration, in the order Django applies them: each operation as written, with its line,
/// its SQL, the locks of each statement, and its findings.
#[component]
pub(crate) fn Migrations() -> impl IntoView {
    let store = crate::store();
    view! {
        <h2>"Migrations, in the order they apply"</h2>
        {move || {
            let analysis = store.analysis.get();
            analysis
                .files
                .iter()
                .map(|file| migration_view(file, &analysis.findings))
                .collect_view()
        }}
    }
}

fn migration_view(file: &FileAnalysis, findings: &[Finding]) -> impl IntoView + use<> {
    let store = crate::store();
    let key = format!("{}.{}", file.app_label, file.name);
    let heading = format!("{key} — {}", file.path);
    let atomic = if file.atomic {
        "runs in one transaction"
    } else {
        "no surrounding transaction"
    };
    let text = store.files.with_untracked(|files| {
        files
            .iter()
            .find(|f| f.path == file.path)
            .map(|f| f.text.clone())
            .unwrap_or_default()
    });
    let inline: Vec<Finding> = summary::file_findings(findings, file)
        .into_iter()
        .cloned()
        .collect();
    let by_operation = summary::findings_by_operation(findings, file);
    let operations: Vec<_> = file
        .operations
        .iter()
        .map(|op| {
            let written = (op.kind != "SQL")
                .then(|| {
                    text.get(op.span.start as usize..op.span.end as usize)
                        .map(str::to_owned)
                })
                .flatten();
            let op_findings: Vec<Finding> = by_operation
                .get(&op.index)
                .into_iter()
                .flatten()
                .map(|f| (*f).clone())
                .collect();
            (op.clone(), written, op_findings, file.path.clone())
        })
        .collect();
    let count = operations.len();
    let show_all = RwSignal::new(count <= OPERATIONS_SHOWN);
    let shown = move || {
        let limit = if show_all.get() {
            usize::MAX
        } else {
            OPERATIONS_SHOWN
        };
        operations
            .iter()
            .take(limit)
            .cloned()
            .map(|(op, written, f, path)| operation_view(op, written, f, path))
            .collect_view()
    };
    view! {
        <section class="migration" data-testid="migration" data-migration=key.clone()>
            <h3>{heading} <span class="muted">{format!(" ({atomic}; {count} operation(s))")}</span></h3>
            {inline.into_iter().map(|f| view! {
                <div class=format!("inline-finding {}", f.severity) data-testid="inline-finding" role="note">
                    <span class=format!("badge {}", f.severity)>{f.severity.to_string()}</span>
                    " " {rule_link(f.rule)} " "
                    <span class="location">{format!("{}:{}:{}", f.path, f.line, f.column)}</span>
                    " " {f.message.clone()}
                </div>
            }).collect_view()}
            <ol class="operations">{shown}</ol>
            <Show when=move || !show_all.get()>
                <button type="button" data-testid="show-all" on:click=move |_| show_all.set(true)>
                    {format!("Show all {count} operations")}
                </button>
            </Show>
        </section>
    }
}

fn operation_view(
    operation: OperationAnalysis,
    written: Option<String>,
    findings: Vec<Finding>,
    path: String,
) -> impl IntoView {
    let store = crate::store();
    let note = match operation.sql {
        SqlStatus::Reproduced => None,
        SqlStatus::NotSql => Some("Python code: runs through Django, not analysable as SQL."),
        SqlStatus::NotReproduced => Some("SQL not reproduced yet: see the finding."),
    };
    let line = operation.line;
    view! {
        <li class="operation" data-testid="operation" data-kind=operation.kind.clone()>
            <div class="op-head">
                <strong>{operation.kind.clone()}</strong>
                " "
                <button type="button" class="line-link" data-testid="operation-line" on:click=move |_| store.jump(&path, line)>
                    {format!("line {line}")}
                </button>
            </div>
            <div>{operation.description.clone()}</div>
            {written.map(|w| view! { <pre class="written"><code>{w}</code></pre> })}
            {note.map(|note| view! { <p class="muted">{note}</p> })}
            {operation.statements.into_iter().map(statement_view).collect_view()}
            {(!findings.is_empty()).then(|| view! {
                <ul class="op-findings">
                    {findings.into_iter().map(|f| view! {
                        <li data-testid="operation-finding">
                            <span class=format!("badge {}", f.severity)>{f.severity.to_string()}</span>
                            " " {rule_link(f.rule)} " " {f.message}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

fn statement_view(statement: StatementAnalysis) -> impl IntoView {
    let locks = statement.locks;
    let mut facts = Vec::new();
    if let Some(duration) = locks.duration {
        facts.push(format!("Held: {}.", duration_words(duration)));
    }
    if let Some(estimate) = locks.estimate {
        facts.push(format!(
            "Estimated with the table statistics: about {} ({} rows).",
            millis_words(estimate.millis),
            estimate.rows
        ));
    }
    if statement.deferred {
        facts.push("Deferred by Django to the end of the migration.".to_owned());
    }
    if !statement.transaction {
        facts.push("Runs outside a transaction: its locks end with it.".to_owned());
    }
    facts.extend(locks.notes.iter().cloned());
    facts.extend(locks.unknown.iter().map(|u| format!("Not classified: {u}")));
    let rows = locks.locks;
    view! {
        <div class="statement" data-testid="statement">
            <pre class="sql"><code>{statement.statement.sql}</code></pre>
            {(!rows.is_empty()).then(|| view! {
                <table class="locks" data-testid="locks">
                    <caption>"Locks"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Relation"</th>
                            <th scope="col">"Lock"</th>
                            <th scope="col">"Blocks reads"</th>
                            <th scope="col">"Blocks writes"</th>
                            <th scope="col">"Rewrites"</th>
                            <th scope="col">"Scans"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|l| view! {
                            <tr data-testid="lock-row" data-relation=l.relation.clone() data-mode=l.mode.pg_name()>
                                <td>{format!("{}{}", l.relation, if l.created { " (created here)" } else { "" })}</td>
                                <td>{l.mode.pg_name()}</td>
                                <td class:bad=l.blocks_reads>{if l.blocks_reads { "yes" } else { "no" }}</td>
                                <td class:bad=l.blocks_writes>{if l.blocks_writes { "yes" } else { "no" }}</td>
                                <td>{flag_words(l.rewrites)}</td>
                                <td>{flag_words(l.scans)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <ul class="lock-facts" data-testid="lock-facts">
                {facts.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
            </ul>
        </div>
    }
}
