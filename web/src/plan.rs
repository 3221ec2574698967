//! The Plan tab (phases, steps, the choice per rewritable finding, Approve) and the Migration
//! Report, both built by the core from the review's files, choices and acknowledgements.

use leptos::prelude::*;
use lockstep_core::Finding;
use lockstep_core::plan::{Choice, Step, StepKind, TransactionMode};
use lockstep_core::report::{CheckStatus, Report};

use crate::model::plan::{self as model, PlanView};
use crate::model::report as report_model;
use crate::store::{Store, Tab};

/// The tabs of the results side.
#[component]
pub(crate) fn Tabs() -> impl IntoView {
    let store = crate::store();
    let tab = move |which: Tab, label: &'static str, testid: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                data-testid=testid
                aria-selected=move || if store.tab.get() == which { "true" } else { "false" }
                aria-pressed=move || if store.tab.get() == which { "true" } else { "false" }
                on:click=move |_| store.tab.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Views">
            {tab(Tab::Analysis, "Analysis", "tab-analysis")}
            {tab(Tab::Plan, "Plan", "tab-plan")}
            {tab(Tab::Report, "Report", "tab-report")}
        </div>
    }
}

/// The plan of the review, recomputed when the files, analysis or notes change.
fn plan_memo(store: &Store) -> Memo<PlanView> {
    let store = *store;
    Memo::new(move |_| {
        store.analysis.with(|analysis| {
            store.files.with(|files| {
                store
                    .notes
                    .with(|notes| model::plan_view(analysis, files, notes))
            })
        })
    })
}

/// A `data:` URL holding exactly `text` (UTF-8), for a download link.
fn data_url(mime: &str, text: &str) -> String {
    format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    )
}

/// The plan, the choices, and approval.
#[component]
pub(crate) fn PlanTab() -> impl IntoView {
    let store = crate::store();
    let view_ = plan_memo(&store);
    let choices = move || {
        store.analysis.with(|a| {
            a.findings
                .iter()
                .filter(|f| model::has_rewrite(f))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="plan" data-testid="plan" aria-label="Plan">
            <h2>"Plan"</h2>
            <p class="muted">
                "What " <code>"lockstep apply"</code>
                " runs for these files and choices, built by the same code as "
                <code>"lockstep plan"</code> "."
            </p>
            <h3>"Choices"</h3>
            <Show
                when=move || !choices().is_empty()
                fallback=|| view! { <p class="muted" data-testid="no-choices">"No finding has a safe rewrite to choose."</p> }
            >
                <ul class="choices">
                    <For each=choices key=|f| f.fingerprint.clone() let(finding)>
                        <ChoiceRow finding=finding/>
                    </For>
                </ul>
            </Show>
            <Approve view_=view_/>
            <h3>"Steps"</h3>
            <p class="muted" data-testid="plan-digest">"Digest of the plan as it stands: " <code>{move || view_.with(|v| v.digest.clone())}</code></p>
            {move || view_.with(|v| {
                if v.plan.phases.is_empty() {
                    return view! { <p class="muted" data-testid="no-steps">"Nothing to apply."</p> }.into_any();
                }
                v.plan.phases.iter().map(|phase| {
                    let name = phase.name.as_str();
                    view! {
                        <section class="phase" data-testid="phase" data-phase=name>
                            <h4>{name} <span class="muted">{format!(" ({} step(s))", phase.steps.len())}</span></h4>
                            <ol class="steps">{phase.steps.iter().map(step_view).collect_view()}</ol>
                        </section>
                    }
                }).collect_view().into_any()
            })}
        </section>
    }
}

/// Approve: blocked (saying why) while an error finding is kept or unfixed without an
/// acknowledgement; once approved, the digest, the plan's download and the apply command.
#[component]
fn Approve(view_: Memo<PlanView>) -> impl IntoView {
    let store = crate::store();
    // Approval pins a digest: it is withdrawn as soon as the plan changes.
    let approved = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let digest = view_.with(|v| v.digest.clone());
        if approved.with_untracked(|a| a.as_ref().is_some_and(|a| *a != digest)) {
            approved.set(None);
        }
    });
    view! {
            <h3>"Approve"</h3>
            {move || {
                let blockers = view_.with(|v| v.blockers.clone());
                (!blockers.is_empty()).then(|| view! {
                    <div class="blockers" role="note" data-testid="approve-blocked">
                        <p>"Approval waits for these error findings:"</p>
                        <ul>
                            {blockers.into_iter().map(|b| {
                                let fingerprint = b.fingerprint.clone();
                                view! {
                                    <li data-testid="blocker" data-fingerprint=b.fingerprint.clone()>
                                        <code>{b.rule}</code> " at " <code>{b.location}</code> ": " {b.why} " "
                                        <button type="button" data-testid="blocker-ack" on:click=move |_| store.request_ack(&fingerprint)>
                                            "Acknowledge…"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                })
            }}
            <button
                type="button"
                class="primary"
                data-testid="approve"
                disabled=move || !view_.with(PlanView::approvable)
                on:click=move |_| {
                    if view_.with_untracked(PlanView::approvable) {
                        approved.set(Some(view_.with_untracked(|v| v.digest.clone())));
                    }
                }
            >
                "Approve"
            </button>
            {move || approved.get().map(|digest| {
                let json = view_.with(|v| v.json.clone());
                view! {
                    <div class="approved" role="status" data-testid="approved">
                        <p>"Approved plan digest:"</p>
                        <pre><code data-testid="digest">{digest.clone()}</code></pre>
                        <a
                            class="button"
                            data-testid="download-plan"
                            download=model::PLAN_FILE
                            href=data_url("application/json", &json)
                        >
                            "Download " {model::PLAN_FILE}
                        </a>
                        <p>"Then apply it, with " <code>"DATABASE_URL"</code> " set (or " <code>"--database-url"</code> "):"</p>
                        <pre><code data-testid="apply-command">{model::apply_command(&digest)}</code></pre>
                    </div>
                }
            })}
    }
}

#[component]
fn ChoiceRow(finding: Finding) -> impl IntoView {
    let store = crate::store();
    let fingerprint = finding.fingerprint.clone();
    let current = {
        let fingerprint = fingerprint.clone();
        move || {
            store
                .notes
                .with(|n| model::choice_of(&n.choices, &fingerprint))
        }
    };
    let acknowledged = {
        let fingerprint = fingerprint.clone();
        let from_source = finding.acknowledged.is_some();
        move || {
            from_source
                || store
                    .notes
                    .with(|n| n.acknowledgements.contains_key(&fingerprint))
        }
    };
    let error = finding.severity == lockstep_core::Severity::Error;
    let needs_ack = {
        let current = current.clone();
        move || error && current() == Choice::Keep && !acknowledged()
    };
    let severity = finding.severity.to_string();
    let name = format!("choice-{fingerprint}");
    let radio = move |choice: Choice, label: &'static str, testid: &'static str| {
        let fingerprint = fingerprint.clone();
        let current = current.clone();
        view! {
            <label>
                <input
                    type="radio"
                    name=name.clone()
                    data-testid=testid
                    prop:checked=move || current() == choice
                    on:change=move |_| store.notes.update(|n| model::choose(&mut n.choices, &fingerprint, choice))
                />
                {label}
            </label>
        }
    };
    let ack_fingerprint = finding.fingerprint.clone();
    view! {
        <li class="choice" data-testid="choice" data-rule=finding.rule data-fingerprint=finding.fingerprint.clone()>
            <div>
                <span class=format!("badge {severity}")>{severity.clone()}</span> " "
                <code>{finding.rule}</code> " at "
                <code>{format!("{}:{}:{}", finding.path, finding.line, finding.column)}</code>
            </div>
            {finding.statement.clone().map(|sql| view! { <pre class="sql"><code>{sql}</code></pre> })}
            <fieldset class="choice-options">
                <legend>"In the plan"</legend>
                {radio(Choice::Safe, "Safe rewrite", "choice-safe")}
                {radio(Choice::Keep, "Keep as written", "choice-keep")}
            </fieldset>
            <Show when=needs_ack.clone()>
                <p class="form-error" data-testid="choice-needs-ack">
                    "Kept as written, this error needs an acknowledgement before approval. "
                    <button type="button" data-testid="choice-ack" on:click={
                        let fingerprint = ack_fingerprint.clone();
                        move |_| store.request_ack(&fingerprint)
                    }>"Acknowledge…"</button>
                </p>
            </Show>
        </li>
    }
}

fn step_view(step: &Step) -> impl IntoView + use<> {
    let kind = match step.kind {
        StepKind::Ddl => "ddl",
        StepKind::Backfill => "backfill",
        StepKind::Django => "django",
        StepKind::Record => "record",
        StepKind::Verify => "verify",
    };
    let transaction = match step.transaction {
        TransactionMode::Transaction => "one transaction",
        TransactionMode::Autocommit => "autocommit (statement by statement)",
    };
    let statement_timeout = if step.statement_timeout_ms == 0 {
        "none".to_owned()
    } else {
        format!("{} ms", step.statement_timeout_ms)
    };
    let reverse = match &step.reverse_sql {
        None => view! { <p class="muted" data-testid="step-reverse">"Reverse: cannot be undone."</p> }.into_any(),
        Some(r) if r.is_empty() => view! { <p class="muted" data-testid="step-reverse">"Reverse: nothing of its own to undo."</p> }.into_any(),
        Some(r) => view! {
            <div data-testid="step-reverse">
                <p class="label">"Reverse"</p>
                <pre class="sql"><code>{r.join("\n")}</code></pre>
            </div>
        }.into_any(),
    };
    let backfill = step.backfill.as_ref().map(|b| {
        view! {
            <p data-testid="step-backfill">
                {format!(
                    "Backfill of {} keyed on {}: SET {} WHERE {}, {} rows per batch to start.",
                    b.table, b.key, b.set, b.r#where, b.batch_size
                )}
            </p>
        }
    });
    view! {
        <li class="step" data-testid="step" data-step=step.id.clone() data-kind=kind>
            <div class="step-head">
                <code data-testid="step-id">{step.id.clone()}</code> " "
                <span class="badge info">{kind}</span>
            </div>
            <dl class="step-facts">
                <dt>"Transaction"</dt><dd data-testid="step-transaction">{transaction}</dd>
                <dt>"Lock timeout"</dt><dd data-testid="step-lock-timeout">{format!("{} ms", step.lock_timeout_ms)}</dd>
                <dt>"Statement timeout"</dt><dd data-testid="step-statement-timeout">{statement_timeout}</dd>
                <dt>"Attempts"</dt><dd>{step.max_attempts}</dd>
            </dl>
            {(!step.sql.is_empty()).then(|| view! { <pre class="sql" data-testid="step-sql"><code>{step.sql.join("\n")}</code></pre> })}
            {backfill}
            {reverse}
        </li>
    }
}

/// The Migration Report of the review, with its Markdown download.
#[component]
pub(crate) fn ReportView() -> impl IntoView {
    let store = crate::store();
    let view_ = plan_memo(&store);
    let report = Memo::new(move |_| {
        store.analysis.with(|analysis| {
            store.files.with(|files| {
                store.notes.with(|notes| {
                    view_.with(|v| report_model::build(analysis, &v.plan, files, notes))
                })
            })
        })
    });
    view! {
        <section class="report" data-testid="report" aria-label="Migration Report">
            <div class="report-head">
                <h2>"Migration Report"</h2>
                <a
                    class="button"
                    data-testid="download-report"
                    download="migration-report.md"
                    href=move || report.with(|r| data_url("text/markdown", &r.to_markdown()))
                >
                    "Download Markdown"
                </a>
            </div>
            {move || report.with(report_body)}
        </section>
    }
}

fn report_body(report: &Report) -> impl IntoView + use<> {
    let state = &report.current_state;
    let pending = if state.pending.is_empty() {
        "none".to_owned()
    } else {
        state.pending.join(", ")
    };
    view! {
        <h3>"Current State"</h3>
        <ul data-testid="report-state">
            <li>{format!("Pending migrations: {} ({pending})", state.pending.len())}</li>
            <li>{state.applied.map_or_else(
                || "Applied migrations: unknown (no database consulted)".to_owned(),
                |n| format!("Applied migrations: {n}"),
            )}</li>
            <li>"Plan: " <code>{state.plan_digest.clone()}</code>
                {format!(" — {} step(s) before the deploy, {} after", state.pre_deploy_steps, state.post_deploy_steps)}</li>
        </ul>
        <h3>"Changes Made"</h3>
        {report.changes.iter().map(|m| view! {
            <section class="report-migration" data-testid="report-migration">
                <h4><code>{m.migration.clone()}</code> " (" <code>{m.path.clone()}</code> ")"</h4>
                {m.handed_to_django.then(|| view! { <p>"Applied by Django's own migrate (code or SQL Lockstep does not reproduce)."</p> })}
                <table class="locks">
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"Operation"</th>
                        <th scope="col">"Tables"</th><th scope="col">"Strategy"</th>
                    </tr></thead>
                    <tbody>
                        {m.operations.iter().map(|o| view! {
                            <tr data-testid="report-operation">
                                <td>{o.index}</td>
                                <td>{o.description.clone()}</td>
                                <td>{o.tables.join(", ")}</td>
                                <td>{o.strategy.as_str()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }).collect_view()}
        <h3>"Verification"</h3>
        {report.verification.is_empty().then(|| view! { <p class="muted">"Nothing to verify."</p> })}
        <ul class="verification" data-testid="report-verification">
            {report.verification.iter().map(|item| {
                let status = match &item.status {
                    CheckStatus::Unverified => "unverified".to_owned(),
                    CheckStatus::Passed => "passed".to_owned(),
                    CheckStatus::Failed { detail } => format!("failed: {detail}"),
                };
                view! {
                    <li>
                        {format!("[{status}] {} ", report_model::describe(&item.check))}
                        <code>{item.step.clone()}</code>
                    </li>
                }
            }).collect_view()}
        </ul>
        <h3>"Findings"</h3>
        {report.findings.is_empty().then(|| view! { <p class="muted">"None."</p> })}
        <ul data-testid="report-findings">
            {report.findings.iter().map(|f| {
                let ack = f.acknowledged.as_ref().map_or_else(
                    || "not acknowledged".to_owned(),
                    |a| format!("acknowledged by {}: {}", a.by, a.reason),
                );
                view! {
                    <li>
                        <span class=format!("badge {}", f.severity)>{f.severity.to_string()}</span> " "
                        <code>{f.rule.clone()}</code> " at " <code>{f.location.clone()}</code>
                        {format!(": {} — {ack}", f.message)}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
