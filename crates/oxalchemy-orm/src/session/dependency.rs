//! Foreign-key dependency order for a flush: tables (parents before the
//! tables that reference them) and rows of a self-referential table (a row
//! before the rows that point at it).

use super::identity_map::KeyPart;
use super::model_info::ModelInfo;
use oxalchemy_core::{Table, Value};
use std::collections::HashMap;

fn references(child: &Table, parent: &Table) -> bool {
    child.foreign_keys().iter().any(|fk| {
        fk.target_table() == parent.name()
            && (fk.target_schema().is_none() || fk.target_schema() == parent.schema())
    })
}

/// Sort the distinct tables of `infos` so each comes after the tables it
/// references, and after the tables of `extra` (child, parent) pairs (the
/// relationships a flush copies keys along) (depth first, stable: ties keep
/// first-seen order). A cycle is broken where it is first entered;
/// self-references are handled per row.
pub(crate) fn sort_tables(infos: &[ModelInfo], extra: &[(ModelInfo, ModelInfo)]) -> Vec<ModelInfo> {
    let mut distinct: Vec<ModelInfo> = Vec::new();
    for i in infos {
        if !distinct.iter().any(|d| d.same_table(i)) {
            distinct.push(*i);
        }
    }
    let n = distinct.len();
    let deps: Vec<Vec<usize>> = (0..n)
        .map(|c| {
            (0..n)
                .filter(|&p| {
                    p != c
                        && (references(distinct[c].table, distinct[p].table)
                            || extra.iter().any(|(child, parent)| {
                                child.same_table(&distinct[c]) && parent.same_table(&distinct[p])
                            }))
                })
                .collect()
        })
        .collect();
    let mut state = vec![0u8; n];
    let mut out = Vec::with_capacity(n);
    fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for &d in &deps[i] {
            visit(d, deps, state, out);
        }
        state[i] = 2;
        out.push(i);
    }
    for i in 0..n {
        visit(i, &deps, &mut state, &mut out);
    }
    out.into_iter().map(|i| distinct[i]).collect()
}

/// For a self-referential table: the (referencing positions, referenced
/// positions) of each foreign key from the table to itself, in mapper order.
pub(crate) fn self_references(info: ModelInfo) -> Vec<(Vec<usize>, Vec<usize>)> {
    let t = info.table;
    t.foreign_keys()
        .iter()
        .filter(|fk| {
            fk.target_table() == t.name()
                && (fk.target_schema().is_none() || fk.target_schema() == t.schema())
        })
        .filter_map(|fk| {
            let from: Option<Vec<usize>> = fk
                .columns()
                .iter()
                .map(|c| info.mapper.column_position(c))
                .collect();
            let to: Option<Vec<usize>> = fk
                .target_columns()
                .iter()
                .map(|c| info.mapper.column_position(c))
                .collect();
            Some((from?, to?))
        })
        .collect()
}

/// Per self-reference, the rows by the values of their referenced columns
/// (rows in order), so finding the row a foreign key points at is a lookup.
fn referenced_index(
    refs: &[(Vec<usize>, Vec<usize>)],
    rows: &[&[Value]],
    project: impl Fn(&[Value], &[usize]) -> Option<Vec<KeyPart>>,
) -> Vec<HashMap<Vec<KeyPart>, Vec<usize>>> {
    refs.iter()
        .map(|(_, to)| {
            let mut by_key: HashMap<Vec<KeyPart>, Vec<usize>> = HashMap::new();
            for (p, row) in rows.iter().enumerate() {
                if let Some(k) = project(row, to) {
                    by_key.entry(k).or_default().push(p);
                }
            }
            by_key
        })
        .collect()
}

/// Order rows of a self-referential table so that a row comes after the row
/// its foreign key points at (when both are in `rows`). Returns indexes into
/// `rows`; rows without such a dependency keep their order.
pub(crate) fn sort_rows(refs: &[(Vec<usize>, Vec<usize>)], rows: &[&[Value]]) -> Vec<usize> {
    let n = rows.len();
    if refs.is_empty() || n < 2 {
        return (0..n).collect();
    }
    let project = |row: &[Value], cols: &[usize]| -> Option<Vec<KeyPart>> {
        let parts: Vec<KeyPart> = cols
            .iter()
            .map(|&c| KeyPart::of(row.get(c).unwrap_or(&Value::Null)))
            .collect();
        (!parts.contains(&KeyPart::Null)).then_some(parts)
    };
    let targets = referenced_index(refs, rows, project);
    let deps: Vec<Vec<usize>> = (0..n)
        .map(|c| {
            let mut d = Vec::new();
            for ((from, _), by_key) in refs.iter().zip(&targets) {
                let Some(target) = project(rows[c], from) else {
                    continue;
                };
                d.extend(
                    by_key
                        .get(&target)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|&p| p != c),
                );
            }
            d
        })
        .collect();
    let mut state = vec![0u8; n];
    let mut out = Vec::with_capacity(n);
    fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for &d in &deps[i] {
            visit(d, deps, state, out);
        }
        state[i] = 2;
        out.push(i);
    }
    for i in 0..n {
        visit(i, &deps, &mut state, &mut out);
    }
    out
}

/// Order new rows of one table for INSERT: as [`sort_rows`], also after
/// the rows whose generated keys they take (`links[i]`: indexes of the rows
/// row `i` copies a key from). Returns (index, level) in insert order; a row
/// is one level above the rows it copies a key from, so the rows of one
/// level can share a statement (a tree inserts level by level).
pub(crate) fn sort_rows_leveled(
    refs: &[(Vec<usize>, Vec<usize>)],
    rows: &[&[Value]],
    links: &[Vec<usize>],
) -> Vec<(usize, usize)> {
    let n = rows.len();
    let project = |row: &[Value], cols: &[usize]| -> Option<Vec<KeyPart>> {
        let parts: Vec<KeyPart> = cols
            .iter()
            .map(|&c| KeyPart::of(row.get(c).unwrap_or(&Value::Null)))
            .collect();
        (!parts.contains(&KeyPart::Null)).then_some(parts)
    };
    let targets = referenced_index(refs, rows, project);
    // (dependency, copies a generated key from it)
    let deps: Vec<Vec<(usize, bool)>> = (0..n)
        .map(|c| {
            let mut d: Vec<(usize, bool)> = links
                .get(c)
                .map(|l| l.iter().map(|&p| (p, true)).collect())
                .unwrap_or_default();
            for ((from, _), by_key) in refs.iter().zip(&targets) {
                let Some(target) = project(rows[c], from) else {
                    continue;
                };
                d.extend(
                    by_key
                        .get(&target)
                        .into_iter()
                        .flatten()
                        .filter(|&&p| p != c)
                        .map(|&p| (p, false)),
                );
            }
            d
        })
        .collect();
    let mut state = vec![0u8; n];
    let mut level = vec![0usize; n];
    let mut out = Vec::with_capacity(n);
    fn visit(
        i: usize,
        deps: &[Vec<(usize, bool)>],
        state: &mut [u8],
        level: &mut [usize],
        out: &mut Vec<usize>,
    ) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for &(d, _) in &deps[i] {
            visit(d, deps, state, level, out);
        }
        state[i] = 2;
        level[i] = deps[i]
            .iter()
            .filter(|(d, _)| state[*d] == 2)
            .map(|&(d, generated)| level[d] + usize::from(generated))
            .max()
            .unwrap_or(0);
        out.push(i);
    }
    for i in 0..n {
        visit(i, &deps, &mut state, &mut level, &mut out);
    }
    let mut leveled: Vec<(usize, usize)> = out.into_iter().map(|i| (i, level[i])).collect();
    leveled.sort_by_key(|&(_, l)| l);
    leveled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_before_children_in_a_tree() {
        // columns: id, parent_id
        let refs = vec![(vec![1], vec![0])];
        let a = [Value::Int(3), Value::Int(2)];
        let b = [Value::Int(2), Value::Int(1)];
        let c = [Value::Int(1), Value::Null];
        let rows: Vec<&[Value]> = vec![&a, &b, &c];
        assert_eq!(sort_rows(&refs, &rows), vec![2, 1, 0]);
    }

    #[test]
    fn rows_that_copy_generated_keys_go_level_by_level() {
        // Three new rows without keys: 1 and 2 take the key of 0, 3 that of 1.
        let z = [Value::Int(0), Value::Null];
        let rows: Vec<&[Value]> = vec![&z, &z, &z, &z];
        let links = vec![vec![], vec![0], vec![0], vec![1]];
        assert_eq!(
            sort_rows_leveled(&[(vec![1], vec![0])], &rows, &links),
            vec![(0, 0), (1, 1), (2, 1), (3, 2)]
        );
    }
}
