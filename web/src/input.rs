//! Getting files in: the drop zone, the upload buttons, the files list (select, reorder,
//! remove) and the notices about what was refused.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockstep_core::SourceFile;
use lockstep_core::source::migration_key;
use web_sys::{DragEvent, FileList, HtmlInputElement};

use crate::browser;
use crate::model::files;
use crate::store::Pane;

/// The files under review and the ways to add more.
#[component]
pub(crate) fn Files() -> impl IntoView {
    let store = crate::store();
    let dragging = RwSignal::new(false);
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        let Some(transfer) = event.data_transfer() else {
            return;
        };
        // Entries must be taken now: the transfer is emptied once the handler returns.
        let items = transfer.items();
        let entries: Vec<_> = (0..items.length())
            .filter_map(|i| items.get(i))
            .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
            .collect();
        if entries.is_empty() {
            if let Some(list) = transfer.files() {
                read_list(&list, false);
            }
            return;
        }
        let from_folder = entries.iter().any(web_sys::FileSystemEntry::is_directory);
        spawn_local(async move {
            let mut found = Vec::new();
            for entry in entries {
                browser::read_entry(entry, &mut found).await;
            }
            let mut incoming = Vec::with_capacity(found.len());
            for (path, file) in found {
                incoming.push(browser::read_file(&file, path).await);
            }
            store.add_files(incoming, from_folder);
        });
    };
    let on_upload = move |event: leptos::ev::Event, folder: bool| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(list) = input.files() {
            read_list(&list, folder);
        }
        // Let the same file be chosen again.
        input.set_value("");
    };
    let new_file = move |_| {
        store.files.update(|f| {
            let path = files::fresh_path(f);
            f.push(SourceFile::from_text(path, ""));
        });
        store
            .selected
            .set(store.files.with_untracked(|f| f.len().saturating_sub(1)));
        store.pane.set(Pane::Edit);
    };
    // `webkitdirectory` is not in leptos's attribute list; set it on the element.
    let folder_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            input.set_webkitdirectory(true);
        }
    });
    view! {
        <div
            class="dropzone"
            class:dragging=move || dragging.get()
            data-testid="dropzone"
            on:dragover=move |event: DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <p class="drop-hint">"Drop .py or .sql files, or a whole migrations folder, here."</p>
            <div class="file-actions">
                <button type="button" data-testid="new-file" on:click=new_file>"+ New file"</button>
                <label class="upload button">
                    "Upload files…"
                    <input
                        type="file"
                        multiple
                        accept=".py,.sql"
                        data-testid="upload"
                        on:change=move |e| on_upload(e, false)
                    />
                </label>
                <label class="upload button">
                    "Upload folder…"
                    <input
                        type="file"
                        node_ref=folder_input
                        data-testid="upload-folder"
                        on:change=move |e| on_upload(e, true)
                    />
                </label>
            </div>
            <Notices/>
            <FileList/>
        </div>
    }
}

/// Reads an upload's (or a plain drop's) files; a folder upload gives each its path inside.
fn read_list(list: &FileList, folder: bool) {
    let store = crate::store();
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    spawn_local(async move {
        let mut incoming = Vec::with_capacity(files.len());
        for file in files {
            let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                .ok()
                .and_then(|v| v.as_string())
                .filter(|p| !p.is_empty());
            let path = relative.unwrap_or_else(|| file.name());
            incoming.push(browser::read_file(&file, path).await);
        }
        store.add_files(incoming, folder);
    });
}

/// What was refused or passed over in the last batch.
#[component]
fn Notices() -> impl IntoView {
    let store = crate::store();
    view! {
        <Show when=move || store.notices.with(|n| !n.is_empty())>
            <div class="notices" role="alert" data-testid="notices">
                <ul>
                    {move || {
                        store
                            .notices
                            .get()
                            .into_iter()
                            .map(|n| view! { <li class:error=n.error>{n.text}</li> })
                            .collect_view()
                    }}
                </ul>
                <button type="button" on:click=move |_| store.notices.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
    }
}

/// One row per file: select it, its app and migration, move it, remove it.
#[component]
fn FileList() -> impl IntoView {
    let store = crate::store();
    let rows = move || {
        store.files.with(|files| {
            files
                .iter()
                .enumerate()
                .map(|(i, f)| (i, f.path.clone(), files.len()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ol class="file-list" aria-label="Files">
            <For each=rows key=|row| row.clone() let((index, path, count))>
                <FileRow index=index path=path count=count/>
            </For>
        </ol>
        <Show when=move || store.files.with(Vec::is_empty)>
            <p class="muted" data-testid="no-files">"No files yet: paste one with “+ New file”, drop or upload some."</p>
        </Show>
    }
}

#[component]
fn FileRow(index: usize, path: String, count: usize) -> impl IntoView {
    let store = crate::store();
    let (app, name) = migration_key(&path);
    let selected = move || store.selected.get() == index;
    let select = move |_| {
        store.selected.set(index);
        store.focus.set(None);
    };
    let shift = move |up: bool| {
        let mut moved = index;
        store
            .files
            .update(|f| moved = files::move_file(f, index, up));
        if store.selected.get_untracked() == index {
            store.selected.set(moved);
        }
    };
    let remove = move |_| {
        store.files.update(|f| {
            if index < f.len() {
                f.remove(index);
            }
        });
        let len = store.files.with_untracked(Vec::len);
        store
            .selected
            .update(|s| *s = (*s).min(len.saturating_sub(1)));
    };
    view! {
        <li class="file-row" class:selected=selected data-testid="file-row" data-path=path.clone()>
            <button type="button" class="file-name" aria-pressed=move || selected().to_string() on:click=select>
                <span class="path">{path.clone()}</span>
                <span class="muted app-name">{format!("app {app} · migration {name}")}</span>
            </button>
            <span class="row-actions">
                <button
                    type="button"
                    aria-label=format!("Move {path} up")
                    data-testid="move-up"
                    disabled=index == 0
                    on:click=move |_| shift(true)
                >
                    "↑"
                </button>
                <button
                    type="button"
                    aria-label=format!("Move {path} down")
                    data-testid="move-down"
                    disabled={index + 1 >= count}
                    on:click=move |_| shift(false)
                >
                    "↓"
                </button>
                <button type="button" aria-label=format!("Remove {path}") data-testid="remove" on:click=remove>
                    "×"
                </button>
            </span>
        </li>
    }
}

/// A drag of files over the page outside the drop zone would open them in the tab, losing the
/// review; keep the browser from doing that.
pub(crate) fn guard_window_drops() {
    let stop = |event: DragEvent| event.prevent_default();
    std::mem::forget(window_event_listener(leptos::ev::dragover, stop));
    std::mem::forget(window_event_listener(leptos::ev::drop, stop));
}
