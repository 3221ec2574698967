//! The left pane: the selected file in the editor (path, app label, migration name, text), or
//! as numbered lines with the findings' lines marked and comments on lines.

use leptos::prelude::*;
use lockstep_core::SourceFile;
use lockstep_core::review::CommentTarget;
use lockstep_core::source::migration_key;

use crate::browser;
use crate::model::{self, files};
use crate::store::Pane;

/// Editor or source view of the selected file, with the switch between them.
#[component]
pub(crate) fn LeftPane() -> impl IntoView {
    let store = crate::store();
    let has_file = move || store.files.with(|f| store.selected.get() < f.len());
    view! {
        <Show when=has_file>
            <div class="pane-switch" role="group" aria-label="Show the file as">
                <button
                    type="button"
                    data-testid="pane-edit"
                    aria-pressed=move || (store.pane.get() == Pane::Edit).to_string()
                    on:click=move |_| store.pane.set(Pane::Edit)
                >
                    "Edit"
                </button>
                <button
                    type="button"
                    data-testid="pane-source"
                    aria-pressed=move || (store.pane.get() == Pane::Source).to_string()
                    on:click=move |_| store.pane.set(Pane::Source)
                >
                    "Source view"
                </button>
            </div>
            <Show when=move || store.pane.get() == Pane::Edit fallback=|| view! { <SourceView/> }>
                <Editor/>
            </Show>
        </Show>
    }
}

fn current(store: &crate::store::Store) -> Option<SourceFile> {
    store.files.with(|f| f.get(store.selected.get()).cloned())
}

/// The path (which names app and migration) and the text of the selected file.
#[component]
fn Editor() -> impl IntoView {
    let store = crate::store();
    let path = move || current(&store).map(|f| f.path).unwrap_or_default();
    let text = move || {
        store.files.with(|f| {
            f.get(store.selected.get())
                .map(|f| f.text.clone())
                .unwrap_or_default()
        })
    };
    let rename = move |new: String| {
        let index = store.selected.get_untracked();
        store.files.update(|f| {
            if let Some(file) = f.get_mut(index) {
                file.path = new;
            }
        });
    };
    let key = move || migration_key(&path());
    view! {
        <div class="editor">
            <label for="path">"Path (names the app and migration)"</label>
            <input
                id="path"
                data-testid="path"
                spellcheck="false"
                prop:value=path
                on:change=move |event| rename(event_target_value(&event))
            />
            <div class="key-fields">
                <label>
                    "App label"
                    <input
                        data-testid="app-label"
                        spellcheck="false"
                        prop:value=move || key().0
                        on:change=move |event| rename(files::with_app_label(&path(), &event_target_value(&event)))
                    />
                </label>
                <label>
                    "Migration name"
                    <input
                        data-testid="migration-name"
                        spellcheck="false"
                        prop:value=move || key().1
                        on:change=move |event| rename(files::with_migration_name(&path(), &event_target_value(&event)))
                    />
                </label>
            </div>
            <label for="source">"Migration source — paste a Django migration or SQL"</label>
            <textarea
                id="source"
                data-testid="source"
                spellcheck="false"
                wrap="off"
                prop:value=text
                on:input=move |event| {
                    let index = store.selected.get_untracked();
                    let text = event_target_value(&event);
                    store.files.update(|f| {
                        if let Some(file) = f.get_mut(index) {
                            *file = SourceFile::from_text(file.path.clone(), text);
                        }
                    });
                }
            ></textarea>
        </div>
    }
}

/// Numbered lines of the selected file; lines with findings marked, the jumped-to line
/// highlighted; a line's number opens a comment on it.
#[component]
fn SourceView() -> impl IntoView {
    let store = crate::store();
    let commenting = RwSignal::new(None::<u32>);
    let draft = RwSignal::new(String::new());
    // Scroll to the line a finding click asked for, once it is rendered.
    Effect::new(move |_| {
        if let Some((_, line)) = store.focus.get() {
            request_animation_frame(move || browser::reveal(&format!("src-line-{line}")));
        }
    });
    let lines = move || {
        let Some(file) = current(&store) else {
            return Vec::new();
        };
        let marks = store
            .analysis
            .with(|a| model::marked_lines(&a.findings, &file.path));
        let focus = store
            .focus
            .get()
            .filter(|(p, _)| *p == file.path)
            .map(|(_, l)| l);
        let all: Vec<&str> = file.text.split('\n').collect();
        let (first, last) = model::line_window(all.len(), focus);
        all.iter()
            .enumerate()
            .skip(first - 1)
            .take(last + 1 - first)
            .map(|(i, text)| {
                let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
                (
                    file.path.clone(),
                    number,
                    (*text).to_owned(),
                    marks.get(&number).map(ToString::to_string),
                    focus == Some(number),
                )
            })
            .collect::<Vec<_>>()
    };
    let total = move || current(&store).map_or(0, |f| f.text.split('\n').count());
    view! {
        <div class="source-view" data-testid="source-view" aria-label="Source with findings marked">
            <p class="muted">
                {move || current(&store).map(|f| f.path).unwrap_or_default()}
                " — select a line number to comment on that line."
                {move || (total() > model::SOURCE_WINDOW).then(|| format!(" Showing {} of {} lines around the focus.", model::SOURCE_WINDOW, total()))}
            </p>
            <ol class="lines">
                {move || {
                    lines()
                        .into_iter()
                        .map(|(path, number, text, mark, focused)| {
                            let target = CommentTarget::Line { path: path.clone(), line: number };
                            let comments = store.notes.with(|n| n.on(&target));
                            view! {
                                <li
                                    class=line_class(mark.as_deref(), focused)
                                    id=format!("src-line-{number}")
                                    tabindex="-1"
                                    data-line=number
                                    data-testid="source-line"
                                >
                                    <button
                                        type="button"
                                        class="ln"
                                        aria-label=format!("Comment on line {number}")
                                        on:click=move |_| {
                                            draft.set(String::new());
                                            commenting.set(Some(number));
                                        }
                                    >
                                        {number}
                                    </button>
                                    <code>{text}</code>
                                </li>
                                {comments
                                    .into_iter()
                                    .map(|c| view! { <li class="line-comment" data-testid="line-comment">{crate::results::comment_view(c)}</li> })
                                    .collect_view()}
                                <Show when=move || commenting.get() == Some(number)>
                                    <li class="line-comment-form">
                                        <LineCommentForm path=path.clone() line=number commenting=commenting draft=draft/>
                                    </li>
                                </Show>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </div>
    }
}

#[component]
fn LineCommentForm(
    path: String,
    line: u32,
    commenting: RwSignal<Option<u32>>,
    draft: RwSignal<String>,
) -> impl IntoView {
    let store = crate::store();
    let id = format!("line-comment-{line}");
    let save = move |_| {
        let target = CommentTarget::Line {
            path: path.clone(),
            line,
        };
        let author = store.reviewer.get_untracked();
        let text = draft.get_untracked();
        let mut added = false;
        store
            .notes
            .update(|n| added = n.comment(target, &author, &text));
        if added {
            commenting.set(None);
        }
    };
    view! {
        <label for=id.clone()>{format!("Comment on line {line}")}</label>
        <textarea id=id data-testid="line-comment-text" prop:value=move || draft.get() on:input=move |e| draft.set(event_target_value(&e))></textarea>
        <button type="button" data-testid="line-comment-save" on:click=save>"Add comment"</button>
        <button type="button" on:click=move |_| commenting.set(None)>"Cancel"</button>
    }
}

fn line_class(mark: Option<&str>, focused: bool) -> String {
    let mut class = String::from("line");
    if let Some(severity) = mark {
        class.push_str(" marked ");
        class.push_str(severity);
    }
    if focused {
        class.push_str(" focused");
    }
    class
}
