//! The migration graph: the order Django's `migrate` applies the supplied migrations in.
//!
//! In: every parsed Django migration with its `dependencies`, `run_before` and `replaces`.
//! Out: the plan (Django's `MigrationExecutor.migration_plan` over all leaf nodes, on a
//! database where none of them is applied), the migrations a squash replaces, and diagnostics
//! for duplicates, cycles, conflicts and dependencies on migrations that were not supplied.
//! Invariant: every input appears exactly once, in the plan, as replaced, or reported as a
//! duplicate, whatever the graph's defects; a defect is a diagnostic, never a panic.

use std::collections::{BTreeMap, BTreeSet};

use crate::parse::django::{Migration, MigrationRef};
use crate::parse::{Diagnostic, DiagnosticKind};

/// `(app_label, name)`: Django's node key; tuples sort as Django sorts them.
type Key = (String, String);

/// What the graph says about the supplied migrations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Indices into the input, in the order Django applies them.
    pub order: Vec<usize>,
    /// Inputs a supplied squashed migration replaces: Django does not run them.
    pub replaced: Vec<(usize, usize)>,
    /// Problems, each at a location in one of the inputs: `(input index, diagnostic)`.
    pub diagnostics: Vec<(usize, Diagnostic)>,
    /// Each planned input's parents (input indices), cycles cut.
    pub parents: BTreeMap<usize, Vec<usize>>,
}

impl Plan {
    /// Input `target` and every migration it depends on, directly or not, in plan order:
    /// what Django replays to build the state `sqlmigrate` shows `target` against
    /// (`project_state((app, name), at_end=False)`, plus `target`).
    pub fn ancestry(&self, target: usize) -> Vec<usize> {
        let mut seen = BTreeSet::from([target]);
        let mut stack = vec![target];
        while let Some(node) = stack.pop() {
            for &parent in self.parents.get(&node).into_iter().flatten() {
                if seen.insert(parent) {
                    stack.push(parent);
                }
            }
        }
        self.order
            .iter()
            .copied()
            .filter(|i| seen.contains(i))
            .collect()
    }
}

/// Orders `migrations` as Django's `migrate` would apply them.
pub fn plan(migrations: &[&Migration]) -> Plan {
    let mut result = Plan::default();
    // Nodes, first occurrence of a key wins.
    let mut nodes: BTreeMap<Key, usize> = BTreeMap::new();
    for (i, migration) in migrations.iter().enumerate() {
        let key = key_of(migration);
        if let Some(&first) = nodes.get(&key) {
            result.diagnostics.push((
                i,
                Diagnostic {
                    kind: DiagnosticKind::DuplicateMigration {
                        migration: format!("{}.{}", key.0, key.1),
                        first: migrations
                            .get(first)
                            .map_or_else(String::new, |m| format!("{}.{}", m.app_label, m.name)),
                    },
                    span: migration.span,
                },
            ));
        } else {
            nodes.insert(key, i);
        }
    }
    // Squashes: when supplied, the replaced nodes go and dependencies on them point at the
    // squash (Django's `remove_replaced_nodes`, as on a database where none is applied).
    let mut replaced_by: BTreeMap<Key, Key> = BTreeMap::new();
    for (key, &i) in &nodes {
        let Some(migration) = migrations.get(i) else {
            continue;
        };
        for target in &migration.replaces {
            let target = ref_key(target);
            if nodes.contains_key(&target) && !replaced_by.contains_key(key) {
                replaced_by.insert(target, key.clone());
            }
        }
    }
    for (old, new) in &replaced_by {
        if let (Some(&old_i), Some(&new_i)) = (nodes.get(old), nodes.get(new)) {
            result.replaced.push((old_i, new_i));
        }
    }
    for old in replaced_by.keys() {
        nodes.remove(old);
    }
    let mut graph = Graph::build(migrations, &nodes, &replaced_by, &mut result.diagnostics);
    result.order = graph.plan(&nodes, migrations, &mut result.diagnostics);
    result.parents = nodes
        .iter()
        .map(|(key, &i)| {
            let parents = graph.parents.get(key).into_iter().flatten();
            (i, parents.filter_map(|p| nodes.get(p).copied()).collect())
        })
        .collect();
    result
}

/// Parent and child edges between the nodes.
struct Graph {
    parents: BTreeMap<Key, BTreeSet<Key>>,
    children: BTreeMap<Key, BTreeSet<Key>>,
}

impl Graph {
    fn build(
        migrations: &[&Migration],
        nodes: &BTreeMap<Key, usize>,
        replaced_by: &BTreeMap<Key, Key>,
        diagnostics: &mut Vec<(usize, Diagnostic)>,
    ) -> Self {
        let mut graph = Graph {
            parents: nodes.keys().map(|k| (k.clone(), BTreeSet::new())).collect(),
            children: nodes.keys().map(|k| (k.clone(), BTreeSet::new())).collect(),
        };
        // Internal dependencies first: `__first__`/`__latest__` need the app's own graph.
        for internal in [true, false] {
            for (key, &i) in nodes {
                let Some(migration) = migrations.get(i) else {
                    continue;
                };
                for dependency in &migration.dependencies {
                    if (dependency.app_label == key.0) != internal {
                        continue;
                    }
                    match graph.resolve(dependency, nodes, replaced_by) {
                        Some(parent) => graph.add_edge(&parent, key),
                        // Reviewing only the newest migrations is the common case; only a
                        // gap in the supplied history of an app is worth a word.
                        None if !is_gap(dependency, nodes) => {}
                        None => diagnostics.push((
                            i,
                            Diagnostic {
                                kind: DiagnosticKind::MissingDependency {
                                    migration: format!(
                                        "{}.{}",
                                        dependency.app_label, dependency.name
                                    ),
                                },
                                span: dependency.span,
                            },
                        )),
                    }
                }
            }
        }
        // `run_before`: the named migration depends on this one.
        for (key, &i) in nodes {
            let Some(migration) = migrations.get(i) else {
                continue;
            };
            for later in &migration.run_before {
                if let Some(child) = graph.resolve(later, nodes, replaced_by) {
                    graph.add_edge(key, &child);
                }
            }
        }
        graph
    }

    fn add_edge(&mut self, parent: &Key, child: &Key) {
        if parent == child {
            return;
        }
        if let Some(children) = self.children.get_mut(parent) {
            children.insert(child.clone());
        }
        if let Some(parents) = self.parents.get_mut(child) {
            parents.insert(parent.clone());
        }
    }

    /// The node a dependency names: `__first__` is the app's first root, `__latest__` its
    /// first leaf, a replaced migration its squash.
    fn resolve(
        &self,
        dependency: &MigrationRef,
        nodes: &BTreeMap<Key, usize>,
        replaced_by: &BTreeMap<Key, Key>,
    ) -> Option<Key> {
        let app = &dependency.app_label;
        let in_app = || nodes.keys().filter(move |k| &k.0 == app);
        match dependency.name.as_str() {
            "__first__" => in_app()
                .find(|k| {
                    self.parents
                        .get(*k)
                        .is_none_or(|ps| ps.iter().all(|p| &p.0 != app))
                })
                .cloned(),
            "__latest__" => in_app().find(|k| self.is_leaf(k)).cloned(),
            _ => {
                let key = ref_key(dependency);
                let key = replaced_by.get(&key).cloned().unwrap_or(key);
                nodes.contains_key(&key).then_some(key)
            }
        }
    }

    /// Django's leaf node: no child in its own app.
    fn is_leaf(&self, key: &Key) -> bool {
        self.children
            .get(key)
            .is_none_or(|cs| cs.iter().all(|c| c.0 != key.0))
    }

    /// `migration_plan(leaf_nodes())`: each leaf's `forwards_plan` (an iterative DFS over
    /// sorted parents), concatenated without repeats. Cycles are reported and cut first, as
    /// Django would refuse to load them at all.
    fn plan(
        &mut self,
        nodes: &BTreeMap<Key, usize>,
        migrations: &[&Migration],
        diagnostics: &mut Vec<(usize, Diagnostic)>,
    ) -> Vec<usize> {
        self.cut_cycles(nodes, migrations, diagnostics);
        let leaves: Vec<Key> = nodes.keys().filter(|k| self.is_leaf(k)).cloned().collect();
        let mut conflicts: BTreeMap<&str, Vec<&Key>> = BTreeMap::new();
        for leaf in &leaves {
            conflicts.entry(leaf.0.as_str()).or_default().push(leaf);
        }
        for leaves in conflicts.values().filter(|l| l.len() > 1) {
            for leaf in leaves {
                if let (Some(&i), Some(migration)) = (
                    nodes.get(*leaf),
                    nodes.get(*leaf).and_then(|&i| migrations.get(i)),
                ) {
                    diagnostics.push((
                        i,
                        Diagnostic {
                            kind: DiagnosticKind::MigrationConflict {
                                app: leaf.0.clone(),
                                leaves: leaves
                                    .iter()
                                    .map(|l| l.1.clone())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            },
                            span: migration.span,
                        },
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        let mut order = Vec::with_capacity(nodes.len());
        for leaf in leaves {
            let mut stack = vec![(leaf, false)];
            while let Some((node, processed)) = stack.pop() {
                if seen.contains(&node) {
                    continue;
                }
                if processed {
                    if let Some(&i) = nodes.get(&node) {
                        order.push(i);
                    }
                    seen.insert(node);
                } else {
                    let parents = self.parents.get(&node).cloned().unwrap_or_default();
                    stack.push((node, true));
                    stack.extend(parents.into_iter().map(|p| (p, false)));
                }
            }
        }
        order
    }

    /// Finds cycles (depth-first, colouring nodes), reports each once, and removes the edge
    /// that closes it so the plan can still be computed.
    fn cut_cycles(
        &mut self,
        nodes: &BTreeMap<Key, usize>,
        migrations: &[&Migration],
        diagnostics: &mut Vec<(usize, Diagnostic)>,
    ) {
        #[derive(Clone, Copy, PartialEq)]
        enum Colour {
            Grey,
            Black,
        }
        let mut colour: BTreeMap<Key, Colour> = BTreeMap::new();
        let mut cut = Vec::new();
        for start in nodes.keys() {
            if colour.contains_key(start) {
                continue;
            }
            // (node, index of the next parent to visit); `path` mirrors the stack.
            let mut stack: Vec<(Key, usize)> = vec![(start.clone(), 0)];
            colour.insert(start.clone(), Colour::Grey);
            while let Some((node, next)) = stack.pop() {
                let parent = self
                    .parents
                    .get(&node)
                    .and_then(|ps| ps.iter().nth(next))
                    .cloned();
                let Some(parent) = parent else {
                    colour.insert(node, Colour::Black);
                    continue;
                };
                stack.push((node.clone(), next + 1));
                match colour.get(&parent) {
                    Some(Colour::Grey) => {
                        let cycle_start = stack.iter().position(|(k, _)| *k == parent);
                        let cycle: Vec<String> = stack
                            .iter()
                            .skip(cycle_start.unwrap_or(0))
                            .map(|(k, _)| format!("{}.{}", k.0, k.1))
                            .collect();
                        cut.push((parent.clone(), node.clone(), cycle));
                    }
                    Some(Colour::Black) => {}
                    None => {
                        colour.insert(parent.clone(), Colour::Grey);
                        stack.push((parent, 0));
                    }
                }
            }
        }
        for (parent, child, cycle) in cut {
            if let Some(parents) = self.parents.get_mut(&child) {
                parents.remove(&parent);
            }
            if let Some(children) = self.children.get_mut(&parent) {
                children.remove(&child);
            }
            if let Some((i, migration)) = nodes
                .get(&child)
                .and_then(|&i| migrations.get(i).map(|m| (i, m)))
            {
                diagnostics.push((
                    i,
                    Diagnostic {
                        kind: DiagnosticKind::MigrationCycle {
                            cycle: cycle.join(" → "),
                        },
                        span: migration
                            .dependencies
                            .iter()
                            .find(|d| ref_key(d) == parent)
                            .map_or(migration.span, |d| d.span),
                    },
                ));
            }
        }
    }
}

/// Whether a missing dependency lies inside the supplied history of its app: some supplied
/// migration of the app comes before it.
fn is_gap(dependency: &MigrationRef, nodes: &BTreeMap<Key, usize>) -> bool {
    nodes
        .keys()
        .any(|(app, name)| *app == dependency.app_label && *name < dependency.name)
}

fn key_of(migration: &Migration) -> Key {
    (migration.app_label.clone(), migration.name.clone())
}

fn ref_key(reference: &MigrationRef) -> Key {
    (reference.app_label.clone(), reference.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::django;
    use crate::span::FileId;

    fn migration(app: &str, name: &str, body: &str) -> Migration {
        let text = format!(
            "from django.db import migrations\n\nclass Migration(migrations.Migration):\n{body}\n    operations = []\n"
        );
        django::parse(FileId(0), app, name, &text).value.unwrap()
    }

    fn keys(migrations: &[&Migration], plan: &Plan) -> Vec<String> {
        plan.order
            .iter()
            .map(|&i| format!("{}.{}", migrations[i].app_label, migrations[i].name))
            .collect()
    }

    #[test]
    fn orders_by_dependencies_whatever_the_input_order() {
        let b2 = migration(
            "b",
            "0002",
            "    dependencies = [('b', '0001'), ('a', '0001')]",
        );
        let a1 = migration("a", "0001", "");
        let b1 = migration("b", "0001", "    dependencies = [('a', '__first__')]");
        let migrations = [&b2, &a1, &b1];
        let plan = plan(&migrations);
        assert_eq!(keys(&migrations, &plan), ["a.0001", "b.0001", "b.0002"]);
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    }

    #[test]
    fn run_before_makes_the_named_migration_depend_on_this_one() {
        let a1 = migration("a", "0001", "    run_before = [('b', '0001')]");
        let b1 = migration("b", "0001", "");
        let migrations = [&b1, &a1];
        assert_eq!(keys(&migrations, &plan(&migrations)), ["a.0001", "b.0001"]);
    }

    #[test]
    fn a_squash_replaces_its_migrations_and_takes_their_dependants() {
        let one = migration("a", "0001", "");
        let two = migration("a", "0002", "    dependencies = [('a', '0001')]");
        let squash = migration(
            "a",
            "0001_squashed_0002",
            "    replaces = [('a', '0001'), ('a', '0002')]",
        );
        let three = migration("a", "0003", "    dependencies = [('a', '0002')]");
        let migrations = [&one, &two, &squash, &three];
        let plan = plan(&migrations);
        assert_eq!(keys(&migrations, &plan), ["a.0001_squashed_0002", "a.0003"]);
        assert_eq!(plan.replaced, [(0, 2), (1, 2)]);
    }

    fn messages(plan: &Plan) -> Vec<String> {
        plan.diagnostics
            .iter()
            .map(|(_, d)| d.kind.to_string())
            .collect()
    }

    #[test]
    fn defects_are_diagnostics_and_every_input_still_appears() {
        let one = migration(
            "a",
            "0001",
            "    dependencies = [('a', '0002'), ('z', '0009')]",
        );
        let two = migration("a", "0002", "    dependencies = [('a', '0001')]");
        let dup = migration("a", "0002", "");
        let leaf = migration("a", "0003", "    dependencies = [('a', '0001')]");
        let migrations = [&one, &two, &dup, &leaf];
        let plan = plan(&migrations);
        let kinds = messages(&plan);
        assert!(kinds.iter().any(|k| k.contains("cycle")), "{kinds:?}");
        assert!(kinds.iter().any(|k| k.contains("twice")), "{kinds:?}");
        // `z` has no supplied migrations: depending on it is the normal case, not a gap.
        assert!(!kinds.iter().any(|k| k.contains("z.0009")), "{kinds:?}");
        // The duplicate is reported, not planned; the rest is planned once each.
        let mut order = plan.order.clone();
        order.sort_unstable();
        assert_eq!(order, [0, 1, 3]);
    }

    #[test]
    fn two_leaves_in_an_app_conflict_and_a_gap_is_reported() {
        let one = migration("a", "0001", "");
        let left = migration("a", "0002_left", "    dependencies = [('a', '0001')]");
        let right = migration("a", "0002_right", "    dependencies = [('a', '0001')]");
        let after_gap = migration("a", "0004", "    dependencies = [('a', '0003')]");
        let migrations = [&one, &left, &right, &after_gap];
        let plan = plan(&migrations);
        let kinds = messages(&plan);
        assert!(
            kinds
                .iter()
                .any(|k| k.contains("conflict") && k.contains("0002_left")),
            "{kinds:?}"
        );
        assert!(kinds.iter().any(|k| k.contains("a.0003")), "{kinds:?}");
        assert_eq!(plan.order.len(), 4);
    }
}
