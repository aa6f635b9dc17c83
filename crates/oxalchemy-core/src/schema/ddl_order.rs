//! Foreign-key dependency order for CREATE (parents first) and DROP (children first).

use super::table::Table;

/// Sort tables so each comes after the tables it references. Self-references
/// are ignored; a cycle is broken at the table defined first.
pub(crate) fn sort_by_dependency(tables: &[Table]) -> Vec<Table> {
    let key = |t: &Table| t.fullname();
    let names: Vec<String> = tables.iter().map(key).collect();
    let deps: Vec<Vec<usize>> = tables
        .iter()
        .map(|t| {
            t.foreign_keys()
                .iter()
                .filter_map(|fk| {
                    let target = match (fk.target_schema(), t.schema()) {
                        (Some(s), _) => format!("{s}.{}", fk.target_table()),
                        (None, Some(s))
                            if names.contains(&format!("{s}.{}", fk.target_table())) =>
                        {
                            format!("{s}.{}", fk.target_table())
                        }
                        _ => fk.target_table().to_owned(),
                    };
                    names.iter().position(|n| *n == target)
                })
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = visiting, 2 = done
    let mut state = vec![0u8; tables.len()];
    let mut out = Vec::with_capacity(tables.len());
    fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for &d in &deps[i] {
            if d != i && state[d] == 0 {
                visit(d, deps, state, out);
            }
        }
        state[i] = 2;
        out.push(i);
    }
    for i in 0..tables.len() {
        visit(i, &deps, &mut state, &mut out);
    }
    out.into_iter().map(|i| tables[i].clone()).collect()
}
