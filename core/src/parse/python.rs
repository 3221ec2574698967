//! Python source → a small tree of statically known values.
//!
//! In: the text of a `.py` file. Out: the module-level imports and the class bodies as
//! [`Value`]s, each with its [`Span`]. Names are resolved through the file's own imports, so
//! `models.CharField`, `django.db.models.CharField` and an aliased `m.CharField` all become
//! the path `django.db.models.CharField`. Invariant: anything that is not a literal, a
//! container, a call or a dotted name becomes [`ValueKind::Unknown`]; evaluation never runs
//! code and never fails.

use std::collections::BTreeMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_python_parser::{LexicalErrorType, ParseErrorType};
use ruff_text_size::Ranged;

use crate::span::{FileId, Span};

/// CPython refuses more than 200 nested brackets ("too many nested parentheses"); so do we,
/// before the recursive-descent parser could exhaust the (small, in wasm) stack.
pub const MAX_NESTING: usize = 200;

/// Beyond this depth the evaluator stops and answers `Unknown`.
const MAX_VALUE_DEPTH: usize = 64;

/// A statically known Python value and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// Where the expression is written.
    pub span: Span,
}

/// The shapes of value the evaluator understands.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A string literal (implicit concatenation joined).
    Str(String),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// `True` / `False`.
    Bool(bool),
    /// `None`.
    None,
    /// `[…]`.
    List(Vec<Value>),
    /// `(…)`.
    Tuple(Vec<Value>),
    /// `{k: v}` with every key present (no `**spread`).
    Dict(Vec<(Value, Value)>),
    /// A call of a dotted name, e.g. `migrations.AddField(…)`.
    Call(Box<Call>),
    /// A dotted name resolved through the imports, e.g. `django.db.models.deletion.CASCADE`.
    Ref(String),
    /// Anything else: a lambda, an operator expression, an f-string, a name never imported.
    Unknown,
}

/// A call with its callee resolved to a dotted path.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The resolved callee, e.g. `django.db.migrations.AddIndex`.
    pub callee: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments in source order.
    pub kwargs: Vec<(String, Value)>,
}

impl Call {
    /// The last component of the callee (`AddIndex`).
    pub fn class_name(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }

    /// Keyword argument `name`.
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Keyword argument `name`, or else positional argument `position`, as Django's
    /// `__init__` signatures accept both.
    pub fn arg(&self, position: usize, name: &str) -> Option<&Value> {
        self.kwarg(name).or_else(|| self.args.get(position))
    }
}

impl Value {
    /// The string, if this is a string literal.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is `True`/`False`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is an integer literal.
    pub fn as_int(&self) -> Option<i64> {
        match self.kind {
            ValueKind::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The elements, if this is a list or a tuple.
    pub fn as_sequence(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(items) | ValueKind::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The call, if this is one.
    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            ValueKind::Call(call) => Some(call),
            _ => None,
        }
    }

    /// The source text of this value.
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        source
            .get(self.span.start as usize..self.span.end as usize)
            .unwrap_or("")
    }
}

/// A module reduced to what migration files use: resolved imports and class bodies.
#[derive(Debug, Default)]
pub struct Module {
    /// Classes at module level, in source order.
    pub classes: Vec<Class>,
}

/// A module-level class.
#[derive(Debug)]
pub struct Class {
    /// Its name.
    pub name: String,
    /// Base classes as resolved paths (`django.db.migrations.Migration`).
    pub bases: Vec<Value>,
    /// `name = value` assignments in the class body, in source order.
    pub attributes: Vec<(String, Value)>,
    /// The `class …:` statement.
    pub span: Span,
}

impl Class {
    /// The value assigned to `name` (the last assignment wins, as in Python).
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// A syntax error with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The parser's message.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// The parser's message, in Lockstep's words where the parser's would mislead.
fn message(error: &ParseErrorType) -> String {
    match error {
        // Lockstep carries no Unicode name table (patches/unicode_names2 says why), so every
        // `\N{NAME}` escape lands here, valid or not.
        ParseErrorType::Lexical(LexicalErrorType::UnicodeError) => {
            "a `\\N{NAME}` escape: Lockstep does not read Unicode character names; write the \
             character itself or a `\\u` escape, as `makemigrations` does"
                .to_owned()
        }
        other => other.to_string(),
    }
}

/// Parses `text` and evaluates its module-level imports and class bodies.
pub fn parse_module(file: FileId, text: &str) -> Result<Module, SyntaxError> {
    if let Some(offset) = nesting_overflow(text) {
        return Err(SyntaxError {
            message: format!("too many nested parentheses (more than {MAX_NESTING})"),
            span: Span::new(file, offset, offset.saturating_add(1)),
        });
    }
    let parsed = ruff_python_parser::parse_module(text).map_err(|error| SyntaxError {
        message: message(&error.error),
        span: span(file, error.location),
    })?;
    let mut evaluator = Evaluator {
        file,
        imports: BTreeMap::new(),
    };
    let mut module = Module::default();
    for stmt in parsed.suite() {
        match stmt {
            Stmt::Import(import) => evaluator.import(import),
            Stmt::ImportFrom(import) => evaluator.import_from(import),
            Stmt::ClassDef(class) => module.classes.push(evaluator.class(class)),
            _ => {}
        }
    }
    Ok(module)
}

fn span(file: FileId, range: ruff_text_size::TextRange) -> Span {
    Span::new(file, range.start().to_u32(), range.end().to_u32())
}

/// The offset of the first bracket nested deeper than [`MAX_NESTING`], skipping strings and
/// comments well enough for a guard (the parser reports real errors afterwards).
fn nesting_overflow(text: &str) -> Option<u32> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                let triple = bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b);
                let quote_len = if triple { 3 } else { 1 };
                i += quote_len;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b
                        && (!triple
                            || (bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b)))
                    {
                        i += quote_len - 1;
                        break;
                    }
                    if c == b'\n' && !triple {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return u32::try_from(i).ok();
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

struct Evaluator {
    file: FileId,
    /// Local name → the dotted path it stands for.
    imports: BTreeMap<String, String>,
}

impl Evaluator {
    fn import(&mut self, import: &ast::StmtImport) {
        for alias in &import.names {
            let path = alias.name.id.as_str();
            if let Some(asname) = &alias.asname {
                // `import django.db.models as m` binds `m` to the full path.
                self.imports.insert(asname.id.to_string(), path.to_owned());
            } else {
                // `import django.db.models` binds only `django`.
                let head = path.split('.').next().unwrap_or(path);
                self.imports.insert(head.to_owned(), head.to_owned());
            }
        }
    }

    fn import_from(&mut self, import: &ast::StmtImportFrom) {
        let Some(module) = &import.module else { return };
        for alias in &import.names {
            let name = alias.name.id.as_str();
            let local = alias.asname.as_ref().map_or(name, |a| a.id.as_str());
            self.imports
                .insert(local.to_owned(), format!("{}.{name}", module.id));
        }
    }

    fn class(&self, class: &ast::StmtClassDef) -> Class {
        let bases = class
            .arguments
            .as_ref()
            .map(|args| args.args.iter().map(|base| self.value(base, 0)).collect())
            .unwrap_or_default();
        let mut attributes = Vec::new();
        for stmt in &class.body {
            let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
                Stmt::Assign(assign) => (assign.targets.iter().collect(), &assign.value),
                Stmt::AnnAssign(assign) => match &assign.value {
                    Some(value) => (vec![&*assign.target], value),
                    None => continue,
                },
                _ => continue,
            };
            for target in targets {
                if let Expr::Name(name) = target {
                    attributes.push((name.id.to_string(), self.value(value, 0)));
                }
            }
        }
        Class {
            name: class.name.id.to_string(),
            bases,
            attributes,
            span: span(self.file, class.range()),
        }
    }

    fn value(&self, expr: &Expr, depth: usize) -> Value {
        let kind = if depth > MAX_VALUE_DEPTH {
            ValueKind::Unknown
        } else {
            self.kind(expr, depth + 1)
        };
        Value {
            kind,
            span: span(self.file, expr.range()),
        }
    }

    fn kind(&self, expr: &Expr, depth: usize) -> ValueKind {
        match expr {
            Expr::StringLiteral(s) => ValueKind::Str(s.value.to_str().to_owned()),
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_i64().map_or(ValueKind::Unknown, ValueKind::Int),
                ast::Number::Float(f) => ValueKind::Float(*f),
                ast::Number::Complex { .. } => ValueKind::Unknown,
            },
            Expr::UnaryOp(op) if op.op == ast::UnaryOp::USub => {
                match self.kind(&op.operand, depth + 1) {
                    ValueKind::Int(i) => i.checked_neg().map_or(ValueKind::Unknown, ValueKind::Int),
                    ValueKind::Float(f) => ValueKind::Float(-f),
                    _ => ValueKind::Unknown,
                }
            }
            Expr::BooleanLiteral(b) => ValueKind::Bool(b.value),
            Expr::NoneLiteral(_) => ValueKind::None,
            Expr::List(list) => ValueKind::List(self.values(&list.elts, depth)),
            Expr::Tuple(tuple) => ValueKind::Tuple(self.values(&tuple.elts, depth)),
            // A set display `{a, b}` is `set([a, b])` (how `unique_together` is written).
            Expr::Set(set) => ValueKind::Call(Box::new(Call {
                callee: "set".to_owned(),
                args: vec![Value {
                    kind: ValueKind::List(self.values(&set.elts, depth)),
                    span: span(self.file, set.range()),
                }],
                kwargs: Vec::new(),
            })),
            Expr::Dict(dict) => {
                let mut items = Vec::with_capacity(dict.items.len());
                for item in &dict.items {
                    let Some(key) = &item.key else {
                        return ValueKind::Unknown;
                    };
                    items.push((self.value(key, depth), self.value(&item.value, depth)));
                }
                ValueKind::Dict(items)
            }
            Expr::Name(_) | Expr::Attribute(_) => {
                self.path(expr).map_or(ValueKind::Unknown, ValueKind::Ref)
            }
            // `Enum['MEMBER']`, as makemigrations writes enum members
            // (`Deferrable['DEFERRED']`): the same member as `Enum.MEMBER`.
            Expr::Subscript(subscript) => match (
                self.path(&subscript.value),
                subscript.slice.as_string_literal_expr(),
            ) {
                (Some(path), Some(member)) => {
                    ValueKind::Ref(format!("{path}.{}", member.value.to_str()))
                }
                _ => ValueKind::Unknown,
            },
            Expr::Call(call) => {
                let Some(callee) = self.path(&call.func) else {
                    return ValueKind::Unknown;
                };
                let mut kwargs = Vec::with_capacity(call.arguments.keywords.len());
                for keyword in &call.arguments.keywords {
                    // `**kwargs` cannot be known statically: the whole call is unknown.
                    let Some(arg) = &keyword.arg else {
                        return ValueKind::Unknown;
                    };
                    kwargs.push((arg.id.to_string(), self.value(&keyword.value, depth)));
                }
                if call.arguments.args.iter().any(Expr::is_starred_expr) {
                    return ValueKind::Unknown;
                }
                ValueKind::Call(Box::new(Call {
                    callee,
                    args: self.values(&call.arguments.args, depth),
                    kwargs,
                }))
            }
            _ => ValueKind::Unknown,
        }
    }

    fn values(&self, exprs: &[Expr], depth: usize) -> Vec<Value> {
        exprs.iter().map(|e| self.value(e, depth)).collect()
    }

    /// `a.b.c` with `a` resolved through the imports; names that were never imported stay
    /// as written (builtins, or names defined in the file).
    fn path(&self, expr: &Expr) -> Option<String> {
        let mut parts = Vec::new();
        let mut current = expr;
        loop {
            match current {
                Expr::Attribute(attribute) => {
                    parts.push(attribute.attr.id.as_str());
                    current = &attribute.value;
                }
                Expr::Name(name) => {
                    let head = name.id.as_str();
                    let head = self.imports.get(head).map_or(head, String::as_str);
                    parts.push(head);
                    break;
                }
                _ => return None,
            }
            if parts.len() > MAX_VALUE_DEPTH {
                return None;
            }
        }
        parts.reverse();
        Some(parts.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: FileId = FileId(0);

    #[test]
    fn imports_resolve_aliases_and_dotted_names() {
        let module = parse_module(
            FILE,
            "import django.db.models.deletion\nfrom django.db import migrations as m, models\n\
             class Migration(m.Migration):\n    ops = [models.CharField(max_length=-5), \
             django.db.models.deletion.CASCADE, helper()]\n",
        )
        .unwrap();
        let class = &module.classes[0];
        assert_eq!(
            class.bases[0].kind,
            ValueKind::Ref("django.db.migrations.Migration".into())
        );
        let ops = class.attribute("ops").unwrap().as_sequence().unwrap();
        let call = ops[0].as_call().unwrap();
        assert_eq!(call.callee, "django.db.models.CharField");
        assert_eq!(call.kwarg("max_length").and_then(Value::as_int), Some(-5));
        assert_eq!(
            ops[1].kind,
            ValueKind::Ref("django.db.models.deletion.CASCADE".into())
        );
        assert_eq!(ops[2].as_call().unwrap().callee, "helper");
    }

    #[test]
    fn unknowable_values_are_unknown_with_their_span() {
        let text = "class M:\n    x = f'{y}' + 1\n    z = g(**kw)\n";
        let module = parse_module(FILE, text).unwrap();
        let x = module.classes[0].attribute("x").unwrap();
        assert_eq!(x.kind, ValueKind::Unknown);
        assert_eq!(x.text(text), "f'{y}' + 1");
        assert_eq!(
            module.classes[0].attribute("z").unwrap().kind,
            ValueKind::Unknown
        );
    }

    #[test]
    fn deep_nesting_is_an_error_at_the_bracket_not_a_stack_overflow() {
        let text = format!("x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let error = parse_module(FILE, &text).unwrap_err();
        assert!(error.message.contains("nested"), "{}", error.message);
        assert_eq!(error.span.start, 4 + 200);
        // Brackets inside strings and comments do not count.
        let text = format!("# {}\nx = '{}'\n", "(".repeat(300), "[".repeat(300));
        assert!(parse_module(FILE, &text).is_ok());
    }

    #[test]
    fn unicode_name_escapes_are_an_error_at_the_name() {
        let text = "x = 'ok'\ny = '20 \\N{DEGREE SIGN}C'\n";
        let error = parse_module(FILE, text).unwrap_err();
        assert!(
            error.message.contains("write the character itself"),
            "{}",
            error.message
        );
        let at = text.find("DEGREE").unwrap();
        assert_eq!(error.span.start as usize, at, "{error:?}");
        // The characters themselves and `\u` escapes read as usual.
        assert!(parse_module(FILE, "y = '20 °C \\u00b0'\n").is_ok());
    }

    #[test]
    fn syntax_errors_carry_their_position() {
        let error = parse_module(FILE, "class Migration(:\n").unwrap_err();
        assert!(error.span.start <= 17, "{error:?}");
    }
}
