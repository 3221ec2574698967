//! What a `RunPython` operation's code does, read from the migration's own source.
//!
//! In: the migration file's text and one `RunPython(...)` call's span. Out: [`RunPython`]:
//! the function it names, and when that function (or lambda) is written in the same file,
//! what its body shows: rows written, loops, `OFFSET`-style paging, `time.sleep`, models
//! imported instead of taken from `apps.get_model`. Invariant: only what the text shows is
//! reported; a function defined elsewhere is `body: None`, never guessed at. Nothing here
//! runs code.

use std::collections::{BTreeMap, BTreeSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::{FileAnalysis, OperationAnalysis};
use crate::span::{FileId, Span};

/// One `RunPython` call.
#[derive(Debug, Default)]
pub(crate) struct RunPython {
    /// The `code` argument as written (`backfill_codes`).
    pub(crate) code: String,
    /// `atomic=` as written: `None` when absent (then the migration's `atomic` decides).
    pub(crate) atomic: Option<bool>,
    /// What the code's body shows, when it is in this file.
    pub(crate) body: Option<Body>,
}

/// What a function's body shows.
#[derive(Debug, Default)]
pub(crate) struct Body {
    /// Calls that change existing rows: `.update(`, `.bulk_update(`, `.delete(`, `.save()`
    /// inside a loop, raw `UPDATE`/`DELETE`.
    pub(crate) writes: Vec<String>,
    /// A `for` or `while` loop.
    pub(crate) loops: bool,
    /// `OFFSET` paging inside a loop: `qs[offset:offset + n]`, a `Paginator`, SQL `OFFSET`.
    pub(crate) offset_paging: Vec<(String, Span)>,
    /// `time.sleep(…)` / `sleep(…)`.
    pub(crate) sleeps: bool,
    /// Models imported directly (`from shop.models import Order`, `get_user_model()`) and
    /// used in the body, with where they are used.
    pub(crate) model_imports: Vec<(String, Span)>,
    /// `apps.get_model("app", "Model")` arguments, in order.
    pub(crate) models: Vec<(String, String)>,
}

/// Every `RunPython` operation of `file` (a Django migration whose text is `text`) with
/// what its call shows. The module is parsed once, and only when there is a `RunPython`.
pub(crate) fn read_all<'f>(
    file: &'f FileAnalysis,
    text: &str,
) -> Vec<(&'f OperationAnalysis, RunPython)> {
    let operations: Vec<&OperationAnalysis> = file
        .operations
        .iter()
        .filter(|op| op.kind == "RunPython")
        .collect();
    if operations.is_empty() {
        return Vec::new();
    }
    let Ok(parsed) = ruff_python_parser::parse_module(text) else {
        return Vec::new();
    };
    let suite = parsed.suite();
    let calls = calls_by_range(suite);
    let imports = ModelImports::of(suite);
    operations
        .into_iter()
        .filter_map(|op| {
            let call = calls.get(&(op.span.start, op.span.end))?;
            Some((op, read_call(call, suite, &imports, text, op.span.file)?))
        })
        .collect()
}

/// The `RunPython` call at `span` of the migration `text`.
#[cfg(test)]
pub(crate) fn read(text: &str, span: Span) -> Option<RunPython> {
    let parsed = ruff_python_parser::parse_module(text).ok()?;
    let suite = parsed.suite();
    let calls = calls_by_range(suite);
    let call = calls.get(&(span.start, span.end))?;
    read_call(call, suite, &ModelImports::of(suite), text, span.file)
}

fn read_call(
    call: &ast::ExprCall,
    suite: &[Stmt],
    imports: &ModelImports,
    text: &str,
    file: FileId,
) -> Option<RunPython> {
    let keyword = |name: &str| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
            .map(|k| &k.value)
    };
    let code = keyword("code").or_else(|| call.arguments.args.first())?;
    let atomic = keyword("atomic").and_then(|v| match v {
        Expr::BooleanLiteral(b) => Some(b.value),
        _ => None,
    });
    let code_text = text
        .get(code.range().start().to_usize()..code.range().end().to_usize())
        .unwrap_or("")
        .to_owned();
    let body = match code {
        // `RunPython(migrations.RunPython.noop, …)`: Django's do-nothing function.
        Expr::Attribute(attribute)
            if attribute.attr.as_str() == "noop" && code_text.ends_with("RunPython.noop") =>
        {
            Some(Body::default())
        }
        Expr::Lambda(lambda) => Some(Body::of_expr(&lambda.body, file, imports, text)),
        Expr::Name(name) => find_function(suite, name.id.as_str())
            .map(|f| Body::of_stmts(&f.body, file, imports, text)),
        // `Migration.forwards` and friends: a method of a class in this file.
        Expr::Attribute(attribute) => {
            find_method(suite, attribute).map(|f| Body::of_stmts(&f.body, file, imports, text))
        }
        _ => None,
    };
    Some(RunPython {
        code: code_text,
        atomic,
        body,
    })
}

/// Every call expression of the module by its byte range (one walk, for many lookups).
fn calls_by_range(suite: &[Stmt]) -> BTreeMap<(u32, u32), &ast::ExprCall> {
    struct Collector<'a> {
        calls: BTreeMap<(u32, u32), &'a ast::ExprCall>,
    }
    impl<'a> Visitor<'a> for Collector<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                let range = expr.range();
                self.calls
                    .entry((range.start().to_u32(), range.end().to_u32()))
                    .or_insert(call);
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut collector = Collector {
        calls: BTreeMap::new(),
    };
    collector.visit_body(suite);
    collector.calls
}

/// The module-level function `name`.
fn find_function<'a>(suite: &'a [Stmt], name: &str) -> Option<&'a ast::StmtFunctionDef> {
    suite.iter().find_map(|stmt| match stmt {
        Stmt::FunctionDef(f) if f.name.as_str() == name => Some(f),
        _ => None,
    })
}

/// `Class.method` for a class defined at module level.
fn find_method<'a>(
    suite: &'a [Stmt],
    attribute: &ast::ExprAttribute,
) -> Option<&'a ast::StmtFunctionDef> {
    let Expr::Name(class) = attribute.value.as_ref() else {
        return None;
    };
    suite.iter().find_map(|stmt| match stmt {
        Stmt::ClassDef(c) if c.name.as_str() == class.id.as_str() => {
            find_function(&c.body, attribute.attr.as_str())
        }
        _ => None,
    })
}

/// Names bound at module level to models imported directly.
#[derive(Default)]
struct ModelImports {
    names: BTreeSet<String>,
}

impl ModelImports {
    fn of(suite: &[Stmt]) -> Self {
        let mut imports = Self::default();
        for stmt in suite {
            imports.add(stmt);
        }
        imports
    }

    /// Records what `stmt` binds when it imports from a `models` module.
    fn add(&mut self, stmt: &Stmt) -> Option<String> {
        match stmt {
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map_or("", |m| m.as_str());
                if !is_models_module(module) {
                    return None;
                }
                let mut first = None;
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    first.get_or_insert_with(|| bound.clone());
                    self.names.insert(bound);
                }
                first.map(|bound| format!("from {module} import {bound}"))
            }
            Stmt::Import(import) => {
                let mut first = None;
                for alias in &import.names {
                    if !is_models_module(alias.name.as_str()) {
                        continue;
                    }
                    // `import shop.models` binds `shop`; `… as m` binds `m`.
                    let bound = match &alias.asname {
                        Some(name) => name.to_string(),
                        None => alias
                            .name
                            .as_str()
                            .split('.')
                            .next()
                            .unwrap_or("")
                            .to_owned(),
                    };
                    first.get_or_insert_with(|| format!("import {}", alias.name.as_str()));
                    self.names.insert(bound);
                }
                first
            }
            _ => None,
        }
    }
}

/// `shop.models`, `.models`, `models` (relative): a project's models; not `django.db.models`.
fn is_models_module(module: &str) -> bool {
    let is_models = module == "models" || module.ends_with(".models");
    is_models && !module.starts_with("django.db")
}

/// Walks a body, collecting [`Body`] facts.
struct Walker<'a> {
    file: FileId,
    text: &'a str,
    imports: &'a ModelImports,
    /// Model names imported inside the body itself.
    local_imports: ModelImports,
    loop_depth: usize,
    /// A `Paginator(...)` call.
    paginator: Option<(String, Span)>,
    /// Names the body assigns (`Order = apps.get_model(...)` shadows an import).
    assigned: BTreeSet<String>,
    body: Body,
}

impl Walker<'_> {
    fn span(&self, range: ruff_text_size::TextRange) -> Span {
        Span::new(self.file, range.start().to_u32(), range.end().to_u32())
    }

    fn source(&self, range: ruff_text_size::TextRange) -> &str {
        self.text
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("")
    }

    fn call(&mut self, call: &ast::ExprCall) {
        let method = match call.func.as_ref() {
            Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
            Expr::Name(name) => Some(name.id.as_str()),
            _ => None,
        };
        let text = first_line(self.source(call.range()));
        match method {
            Some("update" | "bulk_update" | "delete" | "update_or_create") => {
                // `dict.update({...})` has one positional argument and no keywords; a
                // queryset's `update` takes keywords.
                let dict_update = method == Some("update")
                    && call.arguments.keywords.is_empty()
                    && !call.arguments.args.is_empty();
                if !dict_update {
                    self.body.writes.push(text);
                }
            }
            Some("save") if self.loop_depth > 0 => self.body.writes.push(text),
            Some("sleep") => self.body.sleeps = true,
            // A `Paginator` is built once and paged in a loop: `OFFSET` paging if the body loops.
            Some("Paginator") => {
                self.paginator = Some((text, self.span(call.range())));
            }
            Some("get_user_model") => {
                self.body
                    .model_imports
                    .push(("get_user_model()".to_owned(), self.span(call.range())));
            }
            Some("get_model") => {
                let literal = |i: usize| match call.arguments.args.get(i) {
                    Some(Expr::StringLiteral(s)) => Some(s.value.to_str().to_owned()),
                    _ => None,
                };
                match (literal(0), literal(1)) {
                    (Some(app), Some(model)) => self.body.models.push((app, model)),
                    // `apps.get_model("shop.Order")`.
                    (Some(dotted), None) => {
                        if let Some((app, model)) = dotted.split_once('.') {
                            self.body.models.push((app.to_owned(), model.to_owned()));
                        }
                    }
                    _ => {}
                }
            }
            Some("execute" | "raw") => {
                if let Some(Expr::StringLiteral(sql)) = call.arguments.args.first() {
                    let words = super::words::Words::new(sql.value.to_str());
                    if words.starts("UPDATE") || words.starts("DELETE") {
                        self.body.writes.push(text.clone());
                    }
                    if self.loop_depth > 0 && words.contains("OFFSET") {
                        self.body
                            .offset_paging
                            .push((text, self.span(call.range())));
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::For(_) | Stmt::While(_) => {
                self.body.loops = true;
                self.loop_depth += 1;
                visitor::walk_stmt(self, stmt);
                self.loop_depth -= 1;
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                if let Some(import) = self.local_imports.add(stmt) {
                    let span = self.span(stmt.range());
                    self.body.model_imports.push((import, span));
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::Subscript(subscript) if self.loop_depth > 0 => {
                if let Expr::Slice(slice) = subscript.slice.as_ref() {
                    let moving = slice
                        .lower
                        .as_deref()
                        .is_some_and(|lower| !matches!(lower, Expr::NumberLiteral(_)));
                    if moving {
                        let text = first_line(self.source(subscript.range()));
                        let span = self.span(subscript.range());
                        self.body.offset_paging.push((text, span));
                    }
                }
            }
            Expr::Name(name) if name.ctx == ast::ExprContext::Store => {
                self.assigned.insert(name.id.to_string());
            }
            Expr::Name(name)
                if self.imports.names.contains(name.id.as_str())
                    && !self.assigned.contains(name.id.as_str()) =>
            {
                let span = self.span(name.range());
                let used = name.id.to_string();
                if !self.body.model_imports.iter().any(|(n, _)| *n == used) {
                    self.body.model_imports.push((used, span));
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

impl Body {
    fn walker<'a>(file: FileId, imports: &'a ModelImports, text: &'a str) -> Walker<'a> {
        Walker {
            file,
            text,
            imports,
            local_imports: ModelImports::default(),
            loop_depth: 0,
            paginator: None,
            assigned: BTreeSet::new(),
            body: Self::default(),
        }
    }

    fn of_stmts(stmts: &[Stmt], file: FileId, imports: &ModelImports, text: &str) -> Self {
        let mut walker = Self::walker(file, imports, text);
        walker.visit_body(stmts);
        if let Some(paginator) = walker.paginator.take().filter(|_| walker.body.loops) {
            walker.body.offset_paging.push(paginator);
        }
        walker.body
    }

    fn of_expr(expr: &Expr, file: FileId, imports: &ModelImports, text: &str) -> Self {
        let mut walker = Self::walker(file, imports, text);
        walker.visit_expr(expr);
        walker.body
    }

    /// The model the code works on, for rewritten examples: the first `apps.get_model`.
    pub(crate) fn model(&self) -> Option<&(String, String)> {
        self.models.first()
    }
}

/// The first line of `text`, trimmed, for messages.
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use FileId;

    const MIGRATION: &str = r#"import time
from django.db import migrations, models
from shop.models import Order

def backfill(apps, schema_editor):
    Item = apps.get_model("shop", "Item")
    offset = 0
    while True:
        batch = Item.objects.all()[offset:offset + 500]
        for item in batch:
            item.code = item.name
            item.save()
        offset += 500
        time.sleep(0.1)

def seed(apps, schema_editor):
    Order.objects.create(number=1)

class Migration(migrations.Migration):
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(code=seed, atomic=False),
        migrations.RunPython(elsewhere.func),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
"#;

    fn call(n: usize) -> Span {
        let start = MIGRATION
            .match_indices("migrations.RunPython(")
            .nth(n)
            .unwrap()
            .0;
        let end = start + MIGRATION[start..].find("),\n").unwrap() + 1;
        Span::new(
            FileId(0),
            u32::try_from(start).unwrap(),
            u32::try_from(end).unwrap(),
        )
    }

    #[test]
    fn reads_the_named_function() {
        let run = read(MIGRATION, call(0)).unwrap();
        assert_eq!(run.code, "backfill");
        assert_eq!(run.atomic, None);
        let body = run.body.unwrap();
        assert_eq!(body.writes, ["item.save()"]);
        assert!(body.loops && body.sleeps);
        assert_eq!(body.offset_paging.len(), 1);
        assert_eq!(
            body.offset_paging[0].0,
            "Item.objects.all()[offset:offset + 500]"
        );
        assert!(body.model_imports.is_empty());
        assert_eq!(body.model(), Some(&("shop".into(), "Item".into())));
    }

    #[test]
    fn sees_direct_model_imports_and_atomic() {
        let run = read(MIGRATION, call(1)).unwrap();
        assert_eq!(run.atomic, Some(false));
        let body = run.body.unwrap();
        assert_eq!(body.model_imports.len(), 1);
        assert_eq!(body.model_imports[0].0, "Order");
        assert!(body.writes.is_empty());
    }

    #[test]
    fn code_from_elsewhere_has_no_body_and_noop_an_empty_one() {
        let run = read(MIGRATION, call(2)).unwrap();
        assert_eq!(run.code, "elsewhere.func");
        assert!(run.body.is_none());
        let noop = read(MIGRATION, call(3)).unwrap().body.unwrap();
        assert!(noop.writes.is_empty() && !noop.loops);
    }
}
