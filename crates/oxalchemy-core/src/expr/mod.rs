//! The expression language: columns, operators, functions, CASE, CAST, windows.
//!
//! Expressions are an untyped AST ([`Node`]) wrapped in typed handles
//! ([`Column<M, T>`], [`Expr<T>`]) so a typed model column only accepts operands
//! of its kind while Core code (`users.c("x")`) accepts anything.

mod case;
mod column;
mod extract;
mod literal;
mod node;
mod operand;
mod operators;
mod source;
mod typed;
mod window;

pub mod func;

pub use case::{Case, case};
pub use column::{AnyTable, AnyType, Column};
pub use extract::{DatePart, IntoDatePart, extract};
pub use literal::{false_, label_ref, literal, literal_column, null, true_, tuple_};
pub use node::{BinOp, Node, NullsOrder, StringOp, UnaryOp};
pub use operand::{InOperand, Operand};
pub use operators::{ExprLike, exists, not_};
pub use source::{Alias, Source, SourceKey};
pub use typed::Expr;
pub use window::{Window, WindowFrame};
