//! The rows every contender reads and writes (diesel's benchmark schema:
//! users / posts / comments), and the values the insert operations write.

/// A row of bench_users.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
}

/// A row of bench_posts.
#[derive(Clone, Debug, PartialEq)]
pub struct PostRow {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub body: Option<String>,
}

/// A row of bench_comments.
#[derive(Clone, Debug, PartialEq)]
pub struct CommentRow {
    pub id: i64,
    pub post_id: i64,
    pub text: String,
}

/// A user with its posts, each with its comments: the association result.
pub type UserTree = Vec<(UserRow, Vec<(PostRow, Vec<CommentRow>)>)>;

pub fn user_name(id: usize) -> String {
    format!("User {id}")
}

pub fn hair_color(id: usize) -> Option<String> {
    Some(
        if id.is_multiple_of(2) {
            "black"
        } else {
            "brown"
        }
        .to_string(),
    )
}

/// The value the insert operations write as `name` for their i-th row.
pub fn new_name(i: usize) -> String {
    format!("New user {i}")
}

/// ... and as `hair_color` (every third row NULL).
pub fn new_hair(i: usize) -> Option<String> {
    if i.is_multiple_of(3) {
        None
    } else {
        Some("green".to_string())
    }
}

/// Rows written by one insert operation: (name, hair_color).
pub fn new_rows(n: usize) -> Vec<(String, Option<String>)> {
    (0..n).map(|i| (new_name(i), new_hair(i))).collect()
}

/// Check a result and keep the optimizer from discarding it.
pub fn consume<T>(rows: Vec<T>, expected: usize, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        rows.len() == expected,
        "{what}: expected {expected} rows, got {}",
        rows.len()
    );
    std::hint::black_box(rows);
    Ok(())
}

/// Count the objects of an association tree (users + posts + comments).
pub fn tree_size(tree: &UserTree) -> usize {
    tree.iter()
        .map(|(_, posts)| 1 + posts.iter().map(|(_, c)| 1 + c.len()).sum::<usize>())
        .sum()
}

/// Group children under parents by key, keeping the parents' order.
pub fn group_by_key<P, C>(
    parents: Vec<P>,
    children: Vec<C>,
    parent_key: impl Fn(&P) -> i64,
    child_key: impl Fn(&C) -> i64,
) -> Vec<(P, Vec<C>)> {
    let mut index = std::collections::HashMap::with_capacity(parents.len());
    for (i, p) in parents.iter().enumerate() {
        index.insert(parent_key(p), i);
    }
    let mut grouped: Vec<Vec<C>> = parents.iter().map(|_| Vec::new()).collect();
    for c in children {
        if let Some(&i) = index.get(&child_key(&c)) {
            grouped[i].push(c);
        }
    }
    parents.into_iter().zip(grouped).collect()
}

/// Build the association tree from flat users, posts and comments.
pub fn build_tree(users: Vec<UserRow>, posts: Vec<PostRow>, comments: Vec<CommentRow>) -> UserTree {
    let posts = group_by_key(posts, comments, |p| p.id, |c| c.post_id);
    group_by_key(users, posts, |u| u.id, |(p, _)| p.user_id)
}
