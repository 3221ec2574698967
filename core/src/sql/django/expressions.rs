//! Django expressions → SQL, as the PostgreSQL compiler renders them in DDL.
//!
//! In: the Python values a migration carries for `Q` conditions and index expressions
//! (`Q(("price__gte", 0))`, `Lower("name")`, `OrderBy(F("created"), descending=True)`) and
//! the model they belong to. Out: the SQL Django writes into `CREATE INDEX … WHERE …`,
//! `CHECK (…)` and index column lists: `Query(model, alias_cols=False)` (bare `"column"`),
//! `WhereNode.as_sql` parentheses, and parameters inlined with `quote_value`.
//! Invariant: an expression, lookup, transform or value type not modelled here is
//! [`Unsupported`], never approximated.

use crate::parse::django::Field;
use crate::parse::python::{Call, Value, ValueKind};
use crate::sql::names::quote;
use crate::state::ModelState;

use super::columns::column_name;
use super::editor::{Sql, Unsupported};

/// A compiled expression: its SQL and what Django knows of its output.
struct Expr {
    sql: String,
    /// A plain column reference (Django's `Col`): never parenthesised.
    is_col: bool,
    /// The class of its output field (`CharField`), when known.
    output: Option<String>,
    /// Whether it may be NULL (`Query.is_nullable` of its field).
    nullable: bool,
}

/// Django's lookups by name (the PostgreSQL `operators`, plus `in`, `range`, `isnull`).
const LOOKUPS: &[&str] = &[
    "exact",
    "iexact",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "range",
    "isnull",
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "regex",
    "iregex",
];

/// Fields whose values are text.
const TEXT_FIELDS: &[&str] = &[
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
];

/// Fields whose values are Python `int`s.
const INTEGER_FIELDS: &[&str] = &[
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
];

/// The single-function `Func` subclasses whose PostgreSQL SQL is `NAME(args)`.
const FUNCTIONS: &[(&str, &str)] = &[
    ("django.db.models.functions.text.Lower", "LOWER"),
    ("django.db.models.functions.text.Upper", "UPPER"),
    ("django.db.models.functions.text.Length", "LENGTH"),
    ("django.db.models.functions.text.Trim", "TRIM"),
    ("django.db.models.functions.text.LTrim", "LTRIM"),
    ("django.db.models.functions.text.RTrim", "RTRIM"),
    ("django.db.models.functions.text.MD5", "MD5"),
    ("django.db.models.functions.math.Abs", "ABS"),
    ("django.db.models.functions.math.Ceil", "CEILING"),
    ("django.db.models.functions.math.Floor", "FLOOR"),
];

/// The dotted paths under which Django exposes class `name` of `module`
/// (`django.db.models.F` and `django.db.models.expressions.F`).
fn is_class(callee: &str, module: &str, name: &str) -> bool {
    callee
        .strip_suffix(name)
        .and_then(|m| m.strip_suffix('.'))
        .is_some_and(|m| m == "django.db.models" || m == module)
}

/// The `NAME` of a modelled function call, under either of its paths.
fn function_name(callee: &str) -> Option<&'static str> {
    FUNCTIONS.iter().find_map(|(path, name)| {
        let (module, class) = path.rsplit_once('.')?;
        let short = module.rsplit_once('.').map_or(module, |(m, _)| m);
        (callee == *path || is_class(callee, short, class) || is_class(callee, module, class))
            .then_some(*name)
    })
}

/// Resolves a field name (or `pk`, or a foreign key's `<name>_id`) of `model` to its field
/// and column, as `Options.get_field` does.
pub(super) fn field<'m>(model: &'m ModelState, name: &str, at: &Value) -> Sql<(&'m Field, String)> {
    let found = if name == "pk" {
        model.primary_key()
    } else {
        model
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| {
                model
                    .fields
                    .iter()
                    .find(|(n, f)| f.is_foreign_key() && column_name(n, f) == name)
            })
            .map(|(n, f)| (n.as_str(), f))
    };
    match found {
        Some((_, f)) if f.is_many_to_many() => Err(Unsupported::at(
            format!("a reference to the many-to-many field `{name}`"),
            at.span,
        )),
        Some((n, f)) => Ok((f, column_name(n, f))),
        None => Err(Unsupported::at(
            format!(
                "a reference to `{name}`, which is not a field of `{}`",
                model.name
            ),
            at.span,
        )),
    }
}

/// Compiles expressions of one model.
pub(super) struct Compiler<'m> {
    /// The model whose fields names resolve against.
    pub(super) model: &'m ModelState,
}

impl Compiler<'_> {
    /// A column reference `F(name)`.
    fn column(&self, name: &str, at: &Value) -> Sql<Expr> {
        if name.contains("__") {
            return Err(Unsupported::at(
                format!("the transform or join in `{name}`"),
                at.span,
            ));
        }
        let (field, column) = field(self.model, name, at)?;
        Ok(Expr {
            sql: quote(&column),
            is_col: true,
            output: Some(field.class.clone()),
            nullable: field.null,
        })
    }

    /// An expression argument: a string is `F(string)`, as `Func` and `Index` treat it.
    fn expression(&self, value: &Value) -> Sql<Expr> {
        if let Some(name) = value.as_str() {
            return self.column(name, value);
        }
        let call = value
            .as_call()
            .ok_or_else(|| Unsupported::at("this expression", value.span))?;
        if is_class(&call.callee, "django.db.models.expressions", "F") {
            let name = only_arg(call, value)?
                .as_str()
                .ok_or_else(|| Unsupported::at("a non-literal `F()`", value.span))?;
            return self.column(name, value);
        }
        if is_class(&call.callee, "django.db.models.expressions", "Value") {
            return value_expression(call, value);
        }
        if let Some(function) = function_name(&call.callee) {
            if !call.kwargs.is_empty() || call.args.is_empty() {
                return Err(Unsupported::at(
                    format!("`{}` with these arguments", call.class_name()),
                    value.span,
                ));
            }
            let args = call
                .args
                .iter()
                .map(|a| self.expression(a).map(|e| e.sql))
                .collect::<Sql<Vec<_>>>()?;
            return Ok(Expr {
                sql: format!("{function}({})", args.join(", ")),
                is_col: false,
                output: None,
                nullable: true,
            });
        }
        Err(Unsupported::at(
            format!("the expression `{}`", call.callee),
            value.span,
        ))
    }

    /// `IndexExpression`: a topmost `OrderBy` becomes the suffix; the root is parenthesised
    /// unless it is a column.
    pub(super) fn index_expression(&self, value: &Value) -> Sql<String> {
        let (root, suffix) = match value.as_call() {
            Some(call) if is_class(&call.callee, "django.db.models.expressions", "OrderBy") => {
                (only_arg(call, value)?, order_by_suffix(call, value)?)
            }
            _ => (value, String::new()),
        };
        if root
            .as_call()
            .is_some_and(|c| is_class(&c.callee, "django.db.models.expressions", "OrderBy"))
        {
            return Err(Unsupported::at("a nested `OrderBy`", value.span));
        }
        let expr = self.expression(root)?;
        let sql = if expr.is_col {
            expr.sql
        } else {
            format!("({})", expr.sql)
        };
        Ok(format!("{sql}{suffix}"))
    }

    /// `query.build_where(q)` rendered by `WhereNode.as_sql`, parameters inlined.
    pub(super) fn condition(&self, q: &Value) -> Sql<String> {
        let call = q
            .as_call()
            .filter(|c| is_q(c))
            .ok_or_else(|| Unsupported::at("a condition that is not a `Q`", q.span))?;
        render(&self.add_q(call, q, false)?, q)
    }

    /// `Query._add_q`: the `WhereNode` of one `Q`.
    fn add_q(&self, q: &Call, at: &Value, negated_above: bool) -> Sql<Node> {
        let mut connector = "AND";
        let mut negated = false;
        let mut lookups: Vec<(&str, &Value)> = Vec::new();
        for (key, value) in &q.kwargs {
            match key.as_str() {
                "_connector" => match value.as_str() {
                    Some("AND") => connector = "AND",
                    Some("OR") => connector = "OR",
                    _ => return Err(Unsupported::at("this `Q` connector", value.span)),
                },
                "_negated" => {
                    negated = value
                        .as_bool()
                        .ok_or_else(|| Unsupported::at("a non-literal `_negated`", value.span))?;
                }
                _ => lookups.push((key, value)),
            }
        }
        // `Q(*args, **kwargs)` keeps `sorted(kwargs.items())` after the positional children.
        lookups.sort_by(|a, b| a.0.cmp(b.0));
        let current_negated = negated_above ^ negated;
        let mut children = Vec::new();
        for child in &q.args {
            let node = match (&child.kind, child.as_call()) {
                (_, Some(call)) if is_q(call) => self.add_q(call, child, current_negated)?,
                (ValueKind::Tuple(items) | ValueKind::List(items), _) => match items.as_slice() {
                    [key, value] => {
                        let key = key
                            .as_str()
                            .ok_or_else(|| Unsupported::at("a non-literal lookup", key.span))?;
                        self.build_filter(key, value, current_negated)?
                    }
                    _ => return Err(Unsupported::at("this `Q` child", child.span)),
                },
                _ => return Err(Unsupported::at("this `Q` child", child.span)),
            };
            add(&mut children, connector, node);
        }
        for (key, value) in lookups {
            let node = self.build_filter(key, value, current_negated)?;
            add(&mut children, connector, node);
        }
        if children.is_empty() {
            return Err(Unsupported::at("an empty `Q`", at.span));
        }
        Ok(Node::Branch {
            connector,
            negated,
            children,
        })
    }

    /// `Query.build_filter` for `(key, value)`: the lookup, plus the `IS NOT NULL` Django
    /// adds under a negation for nullable columns.
    fn build_filter(&self, key: &str, value: &Value, current_negated: bool) -> Sql<Node> {
        let mut parts = key.split("__");
        let name = parts.next().unwrap_or(key);
        let (field, column) = field(self.model, name, value)?;
        let mut lhs = Expr {
            sql: quote(&column),
            is_col: true,
            output: Some(field.class.clone()),
            nullable: field.null,
        };
        let mut rest: Vec<&str> = parts.collect();
        if field.is_foreign_key() && !rest.is_empty() && rest != ["isnull"] {
            return Err(Unsupported::at(
                format!("the lookup `{key}` across a relation"),
                value.span,
            ));
        }
        let last = rest.pop();
        for transform in &rest {
            lhs = transformed(&lhs, transform, value)?;
        }
        let lookup = match last {
            None => "exact",
            Some(name) if is_lookup(lhs.output.as_deref(), name) => name,
            Some(name) => {
                lhs = transformed(&lhs, name, value)?;
                "exact"
            }
        };
        let rhs_expression = value.as_call().is_some_and(|c| !is_q(c));
        // `build_lookup`: `exact=None` is `isnull=True`.
        let (lookup, value_is_none) = match (&value.kind, lookup) {
            (ValueKind::None, "exact" | "iexact") => ("isnull", true),
            (ValueKind::None, _) => {
                return Err(Unsupported::at("`None` as a lookup value", value.span));
            }
            _ => (lookup, false),
        };
        let (sql, rhs_col) = if value_is_none {
            (format!("{} IS NULL", lhs.sql), None)
        } else if rhs_expression {
            let rhs = self.expression(value)?;
            let sql = if value
                .as_call()
                .is_some_and(|c| is_class(&c.callee, "django.db.models.expressions", "Value"))
                || rhs.sql.starts_with('(')
            {
                rhs.sql.clone()
            } else {
                format!("({})", rhs.sql)
            };
            let operator = match lookup {
                "exact" => "=",
                "gt" => ">",
                "gte" => ">=",
                "lt" => "<",
                "lte" => "<=",
                _ => {
                    return Err(Unsupported::at(
                        format!("`{lookup}` against an expression"),
                        value.span,
                    ));
                }
            };
            (
                format!("{} {operator} {sql}", lhs.sql),
                rhs.is_col.then_some(rhs),
            )
        } else {
            (lookup_sql(&lhs, lookup, value)?, None)
        };
        let mut children = vec![Node::Leaf(sql)];
        // Only comparisons, not `isnull`, get the extra `IS NOT NULL` under a negation.
        if current_negated && lookup != "isnull" {
            if field.null {
                children.push(Node::Leaf(format!("{} IS NOT NULL", quote(&column))));
            }
            if let Some(rhs) = rhs_col.filter(|r| r.nullable) {
                children.push(Node::Leaf(format!("{} IS NOT NULL", rhs.sql)));
            }
        }
        Ok(Node::Branch {
            connector: "AND",
            negated: false,
            children,
        })
    }
}

/// The only positional argument of `call` (`F("x")`, `OrderBy(expr)`).
fn only_arg<'c>(call: &'c Call, at: &Value) -> Sql<&'c Value> {
    match call.args.as_slice() {
        [arg] => Ok(arg),
        _ => Err(Unsupported::at(
            format!("`{}` with these arguments", call.class_name()),
            at.span,
        )),
    }
}

/// `OrderBy.as_sql`'s ` ASC`/` DESC` and PostgreSQL's `NULLS FIRST`/`NULLS LAST`.
fn order_by_suffix(call: &Call, at: &Value) -> Sql<String> {
    let mut descending = false;
    let mut nulls = "";
    for (key, value) in &call.kwargs {
        let flag = value
            .as_bool()
            .ok_or_else(|| Unsupported::at(format!("a non-literal `{key}`"), value.span))?;
        match key.as_str() {
            "descending" => descending = flag,
            "nulls_last" if flag => nulls = " NULLS LAST",
            "nulls_first" if flag && nulls.is_empty() => nulls = " NULLS FIRST",
            "nulls_last" | "nulls_first" => {}
            _ => return Err(Unsupported::at(format!("`OrderBy({key}=)`"), at.span)),
        }
    }
    Ok(format!(
        " {}{nulls}",
        if descending { "DESC" } else { "ASC" }
    ))
}

/// `Value(v)`: its inferred output field prepares nothing for these literals.
fn value_expression(call: &Call, at: &Value) -> Sql<Expr> {
    if call.kwargs.iter().any(|(k, _)| k != "output_field") || call.kwarg("output_field").is_some()
    {
        return Err(Unsupported::at("`Value(output_field=)`", at.span));
    }
    let value = only_arg(call, at)?;
    let sql = match &value.kind {
        ValueKind::Str(s) => quote_str(s, value)?,
        ValueKind::Int(i) => quote_int(*i),
        ValueKind::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        ValueKind::None => "NULL".to_owned(),
        _ => return Err(Unsupported::at("this `Value()`", value.span)),
    };
    Ok(Expr {
        sql,
        is_col: false,
        output: None,
        nullable: true,
    })
}

/// Whether `name` is a lookup (rather than a transform) of a field of class `output`.
fn is_lookup(output: Option<&str>, name: &str) -> bool {
    if output.is_some_and(is_range) {
        return name == "isnull";
    }
    LOOKUPS.contains(&name)
}

/// Whether `class` is one of `django.contrib.postgres`' range fields.
fn is_range(class: &str) -> bool {
    class.ends_with("RangeField")
}

/// The base field of a range field, for `startswith`/`endswith`.
fn range_base(class: &str) -> Option<&'static str> {
    match class {
        "IntegerRangeField" => Some("IntegerField"),
        "BigIntegerRangeField" => Some("BigIntegerField"),
        "DecimalRangeField" => Some("DecimalField"),
        "DateRangeField" => Some("DateField"),
        "DateTimeRangeField" => Some("DateTimeField"),
        _ => None,
    }
}

/// A transform applied to `lhs`: the range fields' `startswith` / `endswith`.
fn transformed(lhs: &Expr, name: &str, at: &Value) -> Sql<Expr> {
    let base = lhs.output.as_deref().and_then(range_base);
    let function = match name {
        "startswith" => "lower",
        "endswith" => "upper",
        _ => None.ok_or_else(|| Unsupported::at(format!("the transform `{name}`"), at.span))?,
    };
    let base = base.ok_or_else(|| Unsupported::at(format!("the transform `{name}`"), at.span))?;
    Ok(Expr {
        sql: format!("{function}({})", lhs.sql),
        is_col: false,
        output: Some(base.to_owned()),
        nullable: true,
    })
}

/// `BuiltinLookup.as_sql` with a literal right-hand side, prepared by the left side's field.
fn lookup_sql(lhs: &Expr, lookup: &str, value: &Value) -> Sql<String> {
    let class = lhs.output.as_deref().unwrap_or("");
    let text = TEXT_FIELDS.contains(&class);
    match lookup {
        "isnull" => match value.as_bool() {
            Some(true) => Ok(format!("{} IS NULL", lhs.sql)),
            Some(false) => Ok(format!("{} IS NOT NULL", lhs.sql)),
            None => Err(Unsupported::at("a non-boolean `isnull`", value.span)),
        },
        // `Exact.as_sql`: a boolean column against `True`/`False` is the column itself.
        "exact" if class == "BooleanField" && value.as_bool().is_some() => {
            Ok(if value.as_bool() == Some(true) {
                lhs.sql.clone()
            } else {
                format!("NOT {}", lhs.sql)
            })
        }
        "exact" | "gt" | "gte" | "lt" | "lte" => {
            let operator = match lookup {
                "exact" => "=",
                "gt" => ">",
                "gte" => ">=",
                "lt" => "<",
                _ => "<=",
            };
            Ok(format!(
                "{} {operator} {}",
                lhs.sql,
                prepared(class, value)?
            ))
        }
        "in" => {
            let items = value
                .as_sequence()
                .ok_or_else(|| Unsupported::at("a non-literal `in`", value.span))?;
            let mut sqls: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                if matches!(item.kind, ValueKind::None) {
                    continue;
                }
                let sql = prepared(class, item)?;
                if !sqls.contains(&sql) {
                    sqls.push(sql);
                }
            }
            if sqls.is_empty() {
                return Err(Unsupported::at("an empty `in`", value.span));
            }
            Ok(format!("{} IN ({})", lhs.sql, sqls.join(", ")))
        }
        "range" => match value.as_sequence() {
            Some([low, high]) => Ok(format!(
                "{} BETWEEN {} AND {}",
                lhs.sql,
                prepared(class, low)?,
                prepared(class, high)?
            )),
            _ => Err(Unsupported::at("a non-literal `range`", value.span)),
        },
        "iexact" | "contains" | "icontains" | "startswith" | "istartswith" | "endswith"
        | "iendswith" | "regex" | "iregex"
            if text =>
        {
            let s = value
                .as_str()
                .ok_or_else(|| Unsupported::at(format!("a non-string `{lookup}`"), value.span))?;
            let insensitive =
                matches!(lookup, "iexact" | "icontains" | "istartswith" | "iendswith");
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let (param, operator) = match lookup {
                "iexact" => (s.to_owned(), "="),
                "contains" | "icontains" => (format!("%{escaped}%"), "LIKE"),
                "startswith" | "istartswith" => (format!("{escaped}%"), "LIKE"),
                "endswith" | "iendswith" => (format!("%{escaped}"), "LIKE"),
                "regex" => (s.to_owned(), "~"),
                _ => (s.to_owned(), "~*"),
            };
            let quoted = quote_str(&param, value)?;
            Ok(if insensitive {
                format!("UPPER({}::text) {operator} UPPER({quoted})", lhs.sql)
            } else {
                format!("{}::text {operator} {quoted}", lhs.sql)
            })
        }
        _ => Err(Unsupported::at(
            format!("the lookup `{lookup}` on a `{class}`"),
            value.span,
        )),
    }
}

/// `field.get_db_prep_value(value)` quoted by `quote_value`, for the field classes and
/// literals whose preparation is plain.
fn prepared(class: &str, value: &Value) -> Sql<String> {
    let unsupported =
        || Unsupported::at(format!("this value compared with a `{class}`"), value.span);
    match &value.kind {
        ValueKind::Str(s) if TEXT_FIELDS.contains(&class) => quote_str(s, value),
        ValueKind::Int(i) if INTEGER_FIELDS.contains(&class) || class == "DecimalField" => {
            Ok(quote_int(*i))
        }
        ValueKind::Int(i) if class == "FloatField" => Ok(format!("{}.0", quote_int(*i))),
        ValueKind::Float(f) if class == "FloatField" && (1e-4..1e16).contains(&f.abs()) => {
            let repr = format!("{:?}", f.abs());
            Ok(if *f < 0.0 { format!(" -{repr}") } else { repr })
        }
        ValueKind::Str(s) if class == "DecimalField" && is_decimal(s) => {
            Ok(match s.strip_prefix('-') {
                Some(_) => format!(" {s}"),
                None => s.clone(),
            })
        }
        ValueKind::Bool(b) if class == "BooleanField" => {
            Ok(if *b { "true" } else { "false" }.to_owned())
        }
        ValueKind::Str(s) if class == "DateField" && is_iso_date(s) => Ok(format!("'{s}'::date")),
        ValueKind::Str(s) if class == "UUIDField" => uuid_hex(s)
            .map(|hex| format!("'{hex}'::uuid"))
            .ok_or_else(unsupported),
        _ => Err(unsupported()),
    }
}

/// psycopg's integer literal: negative numbers get a leading space (so `- -1` never reads
/// as a comment).
fn quote_int(i: i64) -> String {
    if i < 0 {
        format!(" {i}")
    } else {
        i.to_string()
    }
}

/// psycopg's string literal: `'…'`, or ` E'…'` when it holds a backslash.
fn quote_str(s: &str, at: &Value) -> Sql<String> {
    if s.contains('\0') {
        return Err(Unsupported::at("a string with a NUL character", at.span));
    }
    let doubled = s.replace('\'', "''");
    Ok(if s.contains('\\') {
        format!(" E'{}'", doubled.replace('\\', "\\\\"))
    } else {
        format!("'{doubled}'")
    })
}

/// `[-]digits[.digits]`, which `Decimal(s)` keeps as written.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
}

/// `YYYY-MM-DD` exactly, a real date, as `DateField.to_python` parses it and
/// `date.isoformat` prints it back.
fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u8>())
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1
        && (1..=days).contains(&day)
        && [y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// `uuid.UUID(s).hex` for the canonical dashed or plain forms.
fn uuid_hex(s: &str) -> Option<String> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    let dashed = s.len() == 36
        && s.char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'));
    (hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) && (dashed || s.len() == 32))
        .then(|| hex.to_lowercase())
}

/// Whether `call` is `Q(…)`.
fn is_q(call: &Call) -> bool {
    is_class(&call.callee, "django.db.models.query_utils", "Q")
}

/// A `WhereNode`: a rendered lookup, or a connector over children.
enum Node {
    Leaf(String),
    Branch {
        connector: &'static str,
        negated: bool,
        children: Vec<Node>,
    },
}

/// `tree.Node.add(data, connector)` on a node whose connector is `connector`: a child node
/// that is not negated and has the same connector (or one child) is squashed into it.
fn add(children: &mut Vec<Node>, connector: &str, data: Node) {
    match data {
        Node::Branch {
            connector: c,
            negated: false,
            children: inner,
        } if c == connector || inner.len() == 1 => children.extend(inner),
        other => children.push(other),
    }
}

/// `WhereNode.as_sql`: children joined by the connector, `NOT (…)` when negated, else in
/// parentheses when there are several.
fn render(node: &Node, at: &Value) -> Sql<String> {
    match node {
        Node::Leaf(sql) => Ok(sql.clone()),
        Node::Branch {
            connector,
            negated,
            children,
        } => {
            if children.is_empty() {
                return Err(Unsupported::at("an empty `Q`", at.span));
            }
            let parts = children
                .iter()
                .map(|c| render(c, at))
                .collect::<Sql<Vec<_>>>()?;
            let sql = parts.join(&format!(" {connector} "));
            Ok(if *negated {
                format!("NOT ({sql})")
            } else if parts.len() > 1 {
                format!("({sql})")
            } else {
                sql
            })
        }
    }
}

/// Django's `str()` of an expression as `describe()` prints it (`Lower(F(name))`,
/// `OrderBy(F(created), descending=True)`); `None` for shapes not modelled.
pub(super) fn repr(value: &Value) -> Option<String> {
    if let Some(name) = value.as_str() {
        return Some(format!("F({name})"));
    }
    let call = value.as_call()?;
    if is_class(&call.callee, "django.db.models.expressions", "F") {
        return Some(format!("F({})", call.args.first()?.as_str()?));
    }
    if is_class(&call.callee, "django.db.models.expressions", "OrderBy") {
        let descending = call
            .kwarg("descending")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let inner = repr(call.args.first()?)?;
        return Some(format!(
            "OrderBy({inner}, descending={})",
            if descending { "True" } else { "False" }
        ));
    }
    if is_class(&call.callee, "django.db.models.expressions", "Value") {
        let inner = call.args.first()?;
        return Some(format!(
            "Value({})",
            match &inner.kind {
                ValueKind::Str(s) if !s.contains(['\'', '\\']) => format!("'{s}'"),
                ValueKind::Int(i) => i.to_string(),
                ValueKind::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
                ValueKind::None => "None".to_owned(),
                _ => return None,
            }
        ));
    }
    function_name(&call.callee)?;
    if !call.kwargs.is_empty() {
        return None;
    }
    let args = call.args.iter().map(repr).collect::<Option<Vec<_>>>()?;
    Some(format!("{}({})", call.class_name(), args.join(", ")))
}
