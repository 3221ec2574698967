//! The review as plain Rust: the files under review and the one being edited. Kept free of
//! DOM types so it is tested natively.

use lockstep_core::SourceFile;

/// The state of a review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// The files, in the order given.
    pub files: Vec<SourceFile>,
    /// Index of the file shown in the editor.
    pub selected: usize,
}

impl Review {
    /// The example review the reviewer opens with.
    pub fn example() -> Self {
        let files = lockstep_core::examples::REVIEW
            .iter()
            .map(|(path, text)| SourceFile::from_text(*path, *text))
            .collect();
        Self { files, selected: 0 }
    }

    /// The file in the editor, if any.
    pub fn current(&self) -> Option<&SourceFile> {
        self.files.get(self.selected)
    }

    /// Replaces the text of the file in the editor (what the user typed or pasted).
    pub fn edit(&mut self, text: String) {
        match self.files.get_mut(self.selected) {
            Some(file) => *file = SourceFile::from_text(file.path.clone(), text),
            None => self.add(SourceFile::from_text("app/migrations/0001_pasted.py", text)),
        }
    }

    /// Renames the file in the editor (the path names the app and migration).
    pub fn rename(&mut self, path: String) {
        if let Some(file) = self.files.get_mut(self.selected) {
            file.path = path;
        }
    }

    /// Adds a file and selects it.
    pub fn add(&mut self, file: SourceFile) {
        self.files.push(file);
        self.selected = self.files.len() - 1;
    }

    /// Removes the file at `index`, keeping a sensible selection.
    pub fn remove(&mut self, index: usize) {
        if index < self.files.len() {
            self.files.remove(index);
            self.selected = self.selected.min(self.files.len().saturating_sub(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_with_no_files_creates_one() {
        let mut review = Review {
            files: Vec::new(),
            selected: 0,
        };
        review.edit("x".into());
        assert_eq!(review.files.len(), 1);
        assert_eq!(review.current().unwrap().text, "x");
    }

    #[test]
    fn removing_keeps_the_selection_in_range() {
        let mut review = Review::example();
        review.selected = review.files.len() - 1;
        review.remove(review.selected);
        assert!(review.current().is_some());
        review.remove(99);
        review.remove(0);
        assert!(review.current().is_none());
        assert_eq!(review.selected, 0);
    }

    #[test]
    fn the_example_has_the_finding_the_readme_promises() {
        let review = Review::example();
        let analysis = lockstep_core::analyze(&review.files, &lockstep_core::Settings::default());
        assert!(
            analysis
                .findings
                .iter()
                .any(|f| f.rule == "add-index-non-concurrent")
        );
    }
}
