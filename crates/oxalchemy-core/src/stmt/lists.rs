//! Traits for "one expression or a tuple of them": select lists, ORDER BY, GROUP BY.

use crate::expr::{Case, Column, Expr, ExprLike, Node};

/// One item of a select list: a column, an expression, or (in the ORM) an entity.
pub trait SelectItem {
    /// The Rust type one row of this item decodes into.
    type Type;
    /// Append this item's result columns.
    fn push_nodes(self, out: &mut Vec<Node>);

    /// Add this item to a SELECT being built: its result columns, and
    /// whatever else it needs there (an ORM entity of an inheritance
    /// hierarchy adds the joins to its subclass tables and the
    /// discriminator criterion). The default adds the columns only.
    fn push_into(self, core: &mut super::select::SelectCore)
    where
        Self: Sized,
    {
        self.push_nodes(&mut core.columns);
    }
}

impl<M, T> SelectItem for Column<M, T> {
    type Type = T;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.node());
    }
}

impl<M, T> SelectItem for &Column<M, T> {
    type Type = T;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.node());
    }
}

impl<T> SelectItem for Expr<T> {
    type Type = T;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.into_node());
    }
}

impl<T> SelectItem for &Expr<T> {
    type Type = T;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.node().clone());
    }
}

impl SelectItem for Case {
    type Type = crate::expr::AnyType;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.into_node());
    }
}

/// The argument of `select(..)` and `returning(..)`: one item or a tuple of items.
pub trait SelectList {
    /// What one row decodes into (`T` for one item, a tuple for a tuple).
    type Row;
    /// The result-column nodes.
    fn into_nodes(self) -> Vec<Node>;

    /// The clauses of a SELECT of these items (`select(..)`): the result
    /// columns, and the joins and criteria an item brings (see
    /// [`SelectItem::push_into`]).
    fn into_core(self) -> super::select::SelectCore
    where
        Self: Sized,
    {
        super::select::SelectCore {
            columns: self.into_nodes(),
            ..Default::default()
        }
    }
}

impl<S: SelectItem> SelectList for S {
    type Row = S::Type;
    fn into_nodes(self) -> Vec<Node> {
        let mut out = Vec::with_capacity(1);
        self.push_nodes(&mut out);
        out
    }
    fn into_core(self) -> super::select::SelectCore {
        let mut core = super::select::SelectCore::default();
        self.push_into(&mut core);
        core
    }
}

impl<S: SelectItem> SelectList for Vec<S> {
    type Row = crate::Row;
    fn into_nodes(self) -> Vec<Node> {
        let mut out = Vec::with_capacity(self.len());
        for s in self {
            s.push_nodes(&mut out);
        }
        out
    }
}

macro_rules! tuple_select_list {
    ($($name:ident),+) => {
        impl<$($name: SelectItem),+> SelectList for ($($name,)+) {
            type Row = ($($name::Type,)+);
            #[allow(non_snake_case)]
            fn into_nodes(self) -> Vec<Node> {
                let ($($name,)+) = self;
                let mut out = Vec::new();
                $($name.push_nodes(&mut out);)+
                out
            }
            #[allow(non_snake_case)]
            fn into_core(self) -> super::select::SelectCore {
                let ($($name,)+) = self;
                let mut core = super::select::SelectCore::default();
                $($name.push_into(&mut core);)+
                core
            }
        }
    };
}

tuple_select_list!(A);
tuple_select_list!(A, B);
tuple_select_list!(A, B, C);
tuple_select_list!(A, B, C, D);
tuple_select_list!(A, B, C, D, E);
tuple_select_list!(A, B, C, D, E, F);
tuple_select_list!(A, B, C, D, E, F, G);
tuple_select_list!(A, B, C, D, E, F, G, H);
tuple_select_list!(A, B, C, D, E, F, G, H, I);
tuple_select_list!(A, B, C, D, E, F, G, H, I, J);
tuple_select_list!(A, B, C, D, E, F, G, H, I, J, K);
tuple_select_list!(A, B, C, D, E, F, G, H, I, J, K, L);

/// One expression or a tuple of them (ORDER BY, GROUP BY, PARTITION BY).
pub trait ExprList {
    /// The expression nodes.
    fn into_nodes(self) -> Vec<Node>;
}

impl<E: ExprLike> ExprList for E {
    fn into_nodes(self) -> Vec<Node> {
        vec![self.into_node()]
    }
}

/// A name: a label or column of the select list in ORDER BY / GROUP BY
/// (SQLAlchemy's `order_by("name")`, see [`label_ref`](crate::expr::label_ref)),
/// a bare column name elsewhere (an upsert's conflict target).
impl ExprList for &str {
    fn into_nodes(self) -> Vec<Node> {
        vec![Node::LabelRef(std::borrow::Cow::Owned(self.to_owned()))]
    }
}

impl<E: ExprLike> ExprList for Vec<E> {
    fn into_nodes(self) -> Vec<Node> {
        self.into_iter().map(ExprLike::into_node).collect()
    }
}

macro_rules! tuple_expr_list {
    ($($name:ident),+) => {
        impl<$($name: ExprLike),+> ExprList for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_nodes(self) -> Vec<Node> {
                let ($($name,)+) = self;
                vec![$($name.into_node()),+]
            }
        }
    };
}

tuple_expr_list!(A);
tuple_expr_list!(A, B);
tuple_expr_list!(A, B, C);
tuple_expr_list!(A, B, C, D);
tuple_expr_list!(A, B, C, D, E);
tuple_expr_list!(A, B, C, D, E, F);
tuple_expr_list!(A, B, C, D, E, F, G);
tuple_expr_list!(A, B, C, D, E, F, G, H);
