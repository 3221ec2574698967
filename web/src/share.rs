//! Sharing: the reviewer's name, "Copy review link", and the message for a link that could
//! not be opened.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;

/// The name put on comments and acknowledgements, and the button that copies the link.
#[component]
pub(crate) fn ShareBar() -> impl IntoView {
    let store = crate::store();
    let error = RwSignal::new(None::<String>);
    let copy = move |_| match store.review_link() {
        Ok(fragment) => {
            let url = format!("{}#{fragment}", browser::base_url());
            error.set(None);
            spawn_local(async move {
                let copied = browser::copy(&url).await.is_ok();
                store.shared.set(Some((url, copied)));
            });
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    view! {
        <div class="share">
            <label>
                "Your name"
                <input
                    data-testid="reviewer"
                    autocomplete="name"
                    prop:value=move || store.reviewer.get()
                    on:input=move |e| store.reviewer.set(event_target_value(&e))
                />
            </label>
            <button type="button" class="primary" data-testid="copy-link" on:click=copy>"Copy review link"</button>
        </div>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || store.shared.get().map(|(url, copied)| {
            let length = url.len();
            view! {
                <div class="shared" role="status" data-testid="shared">
                    <label>
                        {if copied { format!("Copied: the whole review is in this link ({length} characters).") }
                         else { format!("Copy this link ({length} characters); the browser did not allow copying:") }}
                        <input readonly data-testid="shared-link" prop:value=url/>
                    </label>
                </div>
            }
        })}
    }
}

/// Why the link the page was opened with shows an empty review.
#[component]
pub(crate) fn LinkProblem() -> impl IntoView {
    let store = crate::store();
    move || {
        store.link_problem.get().map(|problem| {
            view! {
                <div class="link-problem" role="alert" data-testid="link-problem">
                    <strong>"This review link cannot be opened. "</strong>
                    {problem}
                    " The review below is empty; ask for the link again, or add files."
                </div>
            }
        })
    }
}
