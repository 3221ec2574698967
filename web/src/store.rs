//! The page's state as signals, shared through context, and the actions that change it.
//! Every action delegates its logic to [`crate::model`]; this only moves values in and out.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use lockstep_core::review::link;
use lockstep_core::{Analysis, Settings, SourceFile};

use crate::browser;
use crate::model::files::{self, Incoming};
use crate::model::{self, Notes, Opening};

/// Time after the last edit before the files are analysed again.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(120);
/// Time after the last change before the address bar's link is brought up to date.
const SYNC_DELAY: Duration = Duration::from_millis(600);
/// Reviews larger than this are not mirrored into the address bar on every change (encoding
/// would cost more than it is worth); "Copy review link" still works.
const SYNC_MAX_BYTES: usize = 512 * 1024;

/// Which page is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    /// The review.
    Review,
    /// A rule's documentation.
    Rule(String),
}

/// The tabs of the results side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tab {
    /// Findings and migrations.
    Analysis,
    /// The plan, the choices, approval.
    Plan,
    /// The Migration Report.
    Report,
}

/// The left pane: the editor, or the read-only source with its marks and line comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pane {
    /// The text area.
    Edit,
    /// Numbered lines, findings marked.
    Source,
}

/// A message above the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Notice {
    /// Whether something was refused or went wrong.
    pub(crate) error: bool,
    /// The message.
    pub(crate) text: String,
}

/// Every signal of the page. `Copy`, so components take it from context by value.
#[derive(Clone, Copy)]
pub(crate) struct Store {
    /// The files, in the order the user arranged them.
    pub(crate) files: RwSignal<Vec<SourceFile>>,
    /// The analysis settings.
    pub(crate) settings: RwSignal<Settings>,
    /// Comments, acknowledgements, plan choices.
    pub(crate) notes: RwSignal<Notes>,
    /// The latest analysis (of the files as they were [`DEBOUNCE`] after the last edit).
    pub(crate) analysis: RwSignal<Arc<Analysis>>,
    /// Index of the file in the left pane.
    pub(crate) selected: RwSignal<usize>,
    /// Editor or source view.
    pub(crate) pane: RwSignal<Pane>,
    /// The line a finding click jumped to: `(path, line)`.
    pub(crate) focus: RwSignal<Option<(String, u32)>>,
    /// Messages about files added or refused.
    pub(crate) notices: RwSignal<Vec<Notice>>,
    /// Why the link the page was opened with could not be read.
    pub(crate) link_problem: RwSignal<Option<String>>,
    /// Review or rule page.
    pub(crate) page: RwSignal<Page>,
    /// The reviewer's name, put on comments and acknowledgements.
    pub(crate) reviewer: RwSignal<String>,
    /// The link last made by "Copy review link", and whether the clipboard took it.
    pub(crate) shared: RwSignal<Option<(String, bool)>>,
    /// The tab of the results side.
    pub(crate) tab: RwSignal<Tab>,
    /// The finding whose acknowledge form the Plan tab asked to open (by fingerprint).
    pub(crate) ack_request: RwSignal<Option<String>>,
    /// Whether anything changed since the page opened (the address bar follows only then).
    dirty: RwSignal<bool>,
    /// The fragment this page last wrote, so its own writes are not read back as new links.
    written: StoredValue<String>,
    pending_analysis: StoredValue<Option<TimeoutHandle>>,
    pending_sync: StoredValue<Option<TimeoutHandle>>,
}

impl Store {
    /// The state the page opens with, from the address's fragment.
    pub(crate) fn open() -> Self {
        let (files, settings, notes, problem, page) = match model::opening(&browser::hash()) {
            Opening::Example => (
                model::example_files(),
                Settings::default(),
                Notes::default(),
                None,
                Page::Review,
            ),
            Opening::Link(review) => {
                let (files, settings, notes) = model::from_review(*review);
                (files, settings, notes, None, Page::Review)
            }
            Opening::BadLink(error) => (
                Vec::new(),
                Settings::default(),
                Notes::default(),
                Some(error.to_string()),
                Page::Review,
            ),
            Opening::Rule(id) => (
                model::example_files(),
                Settings::default(),
                Notes::default(),
                None,
                Page::Rule(id),
            ),
        };
        let analysis = Arc::new(analyze(&files, &settings));
        let store = Self {
            files: RwSignal::new(files),
            settings: RwSignal::new(settings),
            notes: RwSignal::new(notes),
            analysis: RwSignal::new(analysis),
            selected: RwSignal::new(0),
            pane: RwSignal::new(Pane::Edit),
            focus: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            link_problem: RwSignal::new(problem),
            page: RwSignal::new(page),
            reviewer: RwSignal::new(String::new()),
            shared: RwSignal::new(None),
            tab: RwSignal::new(Tab::Analysis),
            ack_request: RwSignal::new(None),
            dirty: RwSignal::new(false),
            written: StoredValue::new(browser::hash().trim_start_matches('#').to_owned()),
            pending_analysis: StoredValue::new(None),
            pending_sync: StoredValue::new(None),
        };
        store.watch();
        store
    }

    /// Re-analysis after edits (debounced), and the address bar kept as the review's link.
    fn watch(self) {
        Effect::new(move |first: Option<()>| {
            let files = self.files.get();
            let settings = self.settings.get();
            if first.is_none() {
                return;
            }
            self.dirty.set(true);
            if let Some(handle) = self.pending_analysis.get_value() {
                handle.clear();
            }
            let handle = set_timeout_with_handle(
                move || self.analysis.set(Arc::new(analyze(&files, &settings))),
                DEBOUNCE,
            );
            self.pending_analysis.set_value(handle.ok());
        });
        Effect::new(move |first: Option<()>| {
            self.notes.track();
            if first.is_some() {
                self.dirty.set(true);
            }
        });
        Effect::new(move |_| {
            if !self.dirty.get() {
                return;
            }
            self.files.track();
            self.settings.track();
            self.notes.track();
            if let Some(handle) = self.pending_sync.get_value() {
                handle.clear();
            }
            let handle = set_timeout_with_handle(move || self.sync_address(), SYNC_DELAY);
            self.pending_sync.set_value(handle.ok());
        });
        // Record when the first analysis is on screen (page load to first analysis).
        Effect::new(move |_| {
            self.analysis.track();
            browser::mark("analysed-at", &format!("{:.1}", browser::now()));
        });
        let marked_first = StoredValue::new(false);
        Effect::new(move |_| {
            if !marked_first.get_value() {
                marked_first.set_value(true);
                browser::mark("first-analysis-ms", &format!("{:.1}", browser::now()));
            }
        });
        let listener = window_event_listener(leptos::ev::hashchange, move |_| self.follow_hash());
        // The page lives as long as the listener; keep it for the page's lifetime.
        std::mem::forget(listener);
    }

    /// Writes the review's link into the address bar, so a reload or bookmark keeps it.
    fn sync_address(self) {
        let size: usize = self
            .files
            .with_untracked(|f| f.iter().map(|f| f.text.len()).sum());
        let fragment = if size > SYNC_MAX_BYTES {
            String::new()
        } else {
            self.review_link().unwrap_or_default()
        };
        browser::replace_fragment(&fragment);
        self.written.set_value(fragment);
    }

    /// A link pasted into the address bar of this tab: open it as if loaded.
    fn follow_hash(self) {
        let hash = browser::hash();
        let fragment = hash.trim_start_matches('#');
        if fragment == self.written.get_value() {
            return;
        }
        self.written.set_value(fragment.to_owned());
        match model::opening(&hash) {
            Opening::Example => {}
            Opening::Rule(id) => self.page.set(Page::Rule(id)),
            Opening::Link(review) => {
                let (files, settings, notes) = model::from_review(*review);
                self.replace(files, settings, notes, None);
            }
            Opening::BadLink(error) => {
                self.replace(
                    Vec::new(),
                    Settings::default(),
                    Notes::default(),
                    Some(error.to_string()),
                );
            }
        }
    }

    fn replace(
        self,
        files: Vec<SourceFile>,
        settings: Settings,
        notes: Notes,
        problem: Option<String>,
    ) {
        self.files.set(files);
        self.settings.set(settings);
        self.notes.set(notes);
        self.selected.set(0);
        self.focus.set(None);
        self.link_problem.set(problem);
        self.page.set(Page::Review);
    }

    /// The review as a link fragment.
    pub(crate) fn review_link(self) -> Result<String, link::EncodeError> {
        let review = self.files.with_untracked(|files| {
            self.settings.with_untracked(|settings| {
                self.notes
                    .with_untracked(|notes| model::to_review(files, settings, notes))
            })
        });
        link::encode(&review)
    }

    /// Adds files the browser read, and says what was added, refused or passed over.
    pub(crate) fn add_files(self, incoming: Vec<Incoming>, from_folder: bool) {
        let mut outcome = files::Outcome::default();
        self.files
            .update(|all| outcome = files::add(all, incoming, from_folder));
        let mut notices: Vec<Notice> = outcome
            .refused
            .into_iter()
            .map(|text| Notice { error: true, text })
            .collect();
        if !outcome.skipped.is_empty() {
            notices.push(Notice {
                error: false,
                text: format!(
                    "Passed over {} file(s) of the folder that are not migrations (like `{}`).",
                    outcome.skipped.len(),
                    outcome.skipped.first().cloned().unwrap_or_default()
                ),
            });
        }
        if let Some(last) = outcome.added.last() {
            if let Some(index) = self
                .files
                .with_untracked(|f| f.iter().position(|f| &f.path == last))
            {
                self.selected.set(index);
            }
            self.link_problem.set(None);
        }
        self.notices.set(notices);
    }

    /// Opens the acknowledge form of the finding `fingerprint` in the Analysis tab.
    pub(crate) fn request_ack(self, fingerprint: &str) {
        self.tab.set(Tab::Analysis);
        self.ack_request.set(Some(fingerprint.to_owned()));
    }

    /// Shows the file `path` in the source view at `line`.
    pub(crate) fn jump(self, path: &str, line: u32) {
        if let Some(index) = self
            .files
            .with_untracked(|f| f.iter().position(|f| f.path == path))
        {
            self.selected.set(index);
        }
        self.pane.set(Pane::Source);
        self.page.set(Page::Review);
        self.tab.set(Tab::Analysis);
        self.focus.set(Some((path.to_owned(), line)));
    }
}

fn analyze(files: &[SourceFile], settings: &Settings) -> Analysis {
    let started = browser::now();
    let analysis = lockstep_core::analyze(files, settings);
    browser::mark("analysis-ms", &format!("{:.1}", browser::now() - started));
    analysis
}
