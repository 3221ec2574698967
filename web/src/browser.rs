//! The few browser APIs the reviewer needs, wrapped so components stay thin: reading files
//! (uploaded or dropped, folders included), the URL fragment, the clipboard, the clock.

use js_sys::{Array, Promise, Uint8Array};
use lockstep_core::SourceFile;
use lockstep_core::source::MAX_FILE_BYTES;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use crate::model::files::Incoming;

/// Reads `file` as the path `path`; files over the limit are refused without reading them.
pub(crate) async fn read_file(file: &File, path: String) -> Incoming {
    // `size` is a non-negative integer in an f64; compare in f64 to avoid a lossy cast.
    #[allow(clippy::cast_precision_loss, reason = "the limit is far below 2^52")]
    let limit = MAX_FILE_BYTES as f64;
    let source = if file.size() > limit {
        let bytes = format!("{:.0}", file.size()).parse().unwrap_or(u64::MAX);
        SourceFile::too_large(path.clone(), bytes)
    } else {
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => SourceFile::from_bytes(path.clone(), Uint8Array::new(&buffer).to_vec()),
            // The browser could not read it: keep the file, empty, so the user sees it listed.
            Err(_) => SourceFile::from_bytes(path.clone(), Vec::new()),
        }
    };
    Incoming { path, file: source }
}

/// Every file under a dropped entry (a file, or a folder read recursively), with its path
/// inside the drop (`/shop/migrations/0001_initial.py`).
pub(crate) async fn read_entry(entry: FileSystemEntry, out: &mut Vec<(String, File)>) {
    // Folders nest; an explicit stack keeps this a plain loop in async code.
    let mut stack = vec![entry];
    while let Some(entry) = stack.pop() {
        if entry.is_file() {
            let entry: FileSystemFileEntry = entry.unchecked_into();
            let promise = Promise::new(&mut |resolve, reject| {
                entry.file_with_callback_and_callback(&resolve, &reject);
            });
            if let Ok(file) = JsFuture::from(promise).await {
                out.push((entry.full_path(), file.unchecked_into()));
            }
        } else if entry.is_directory() {
            let directory: FileSystemDirectoryEntry = entry.unchecked_into();
            let reader = directory.create_reader();
            // `readEntries` hands out a batch per call until it returns an empty one.
            loop {
                let promise = Promise::new(&mut |resolve, reject| {
                    let _ = reader.read_entries_with_callback_and_callback(&resolve, &reject);
                });
                let Ok(batch) = JsFuture::from(promise).await else {
                    break;
                };
                let batch: Array = batch.unchecked_into();
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter().map(JsCast::unchecked_into));
            }
        }
    }
}

/// The page's `location.hash` (with its `#`), or empty.
pub(crate) fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page's address without its fragment.
pub(crate) fn base_url() -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let location = window.location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    format!("{origin}{path}{search}")
}

/// Replaces the address's fragment without a new history entry or a `hashchange`.
pub(crate) fn replace_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let url = if fragment.is_empty() {
        base_url()
    } else {
        format!("{}#{fragment}", base_url())
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Copies `text` to the clipboard; `Err` when the browser refuses (no permission, no focus).
pub(crate) async fn copy(text: &str) -> Result<(), ()> {
    let window = web_sys::window().ok_or(())?;
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| ())
}

/// Milliseconds since the page started loading.
pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Scrolls the element with `id` into the middle of the view and focuses it.
pub(crate) fn reveal(id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(element) = document.get_element_by_id(id) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        element.scroll_into_view_with_scroll_into_view_options(&options);
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}

/// Sets `data-NAME` on `<body>`, for the tests and the bench to read timings.
pub(crate) fn mark(name: &str, value: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute(&format!("data-{name}"), value);
    }
}
