//! The translator of `#[hybrid]` method bodies: a Rust expression in, the Rust
//! code that builds its SQL expression out (calls of
//! `::oxalchemy::__private::hybrid::*`, typed as the Rust construct is), or a
//! compile error at the first construct outside the translated subset.

use crate::naming::{const_name, ident_text};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::{BTreeMap, BTreeSet};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, Pat, Stmt, UnOp};

/// The hint every refusal ends with.
pub(crate) const EXPR_HINT: &str = "give the SQL side by hand with #[hybrid(expr = path::to_fn)], \
     a `fn() -> Expr<T>` (with the method's arguments, if any)";

/// What a body may name besides its model's fields.
pub(crate) struct Scope {
    /// The other hybrids of the impl: name -> number of arguments.
    pub(crate) hybrids: BTreeMap<String, usize>,
    /// The method's arguments.
    pub(crate) params: BTreeSet<String>,
}

fn refuse(node: &dyn quote::ToTokens, why: &str) -> syn::Error {
    let shown = node.to_token_stream().to_string();
    syn::Error::new_spanned(
        node,
        format!("#[hybrid] cannot translate `{shown}` to SQL: {why}; {EXPR_HINT}"),
    )
}

fn hy(span: Span) -> TokenStream {
    quote_spanned!(span=> ::oxalchemy::__private::hybrid)
}

impl Scope {
    /// Translate a method body (a block whose value is the result).
    pub(crate) fn block(&self, block: &syn::Block) -> syn::Result<TokenStream> {
        match block.stmts.as_slice() {
            [Stmt::Expr(expr, None)] => self.expr(expr),
            [] => Err(refuse(block, "an empty body has no value")),
            _ => Err(refuse(
                block,
                "only a body that is one expression is translated (no `let`, no statements)",
            )),
        }
    }

    /// Translate one expression.
    pub(crate) fn expr(&self, expr: &Expr) -> syn::Result<TokenStream> {
        let span = expr.span();
        let hy = hy(span);
        Ok(match expr {
            Expr::Paren(e) => self.expr(&e.expr)?,
            Expr::Group(e) => self.expr(&e.expr)?,
            Expr::Reference(e) => self.expr(&e.expr)?,
            Expr::Block(b) if b.label.is_none() => self.block(&b.block)?,
            Expr::Lit(lit) => literal(lit)?,
            Expr::Field(f) => {
                if !is_self(&f.base) {
                    return Err(refuse(expr, "only fields of `self` are columns"));
                }
                let syn::Member::Named(name) = &f.member else {
                    return Err(refuse(expr, "a tuple field is not a column"));
                };
                let column = format_ident!("{}", const_name(&ident_text(name)), span = name.span());
                quote_spanned!(span=> #hy::field(Self::#column))
            }
            Expr::Path(p) => {
                let Some(ident) = p.path.get_ident() else {
                    return Err(refuse(
                        expr,
                        "only the method's arguments and `None` are names the SQL side knows",
                    ));
                };
                let name = ident.to_string();
                if self.params.contains(&name) {
                    quote_spanned!(span=> #hy::param(::core::clone::Clone::clone(&#ident)))
                } else if name == "None" {
                    quote_spanned!(span=> #hy::none())
                } else {
                    return Err(refuse(
                        expr,
                        "only the method's arguments and `None` are names the SQL side knows",
                    ));
                }
            }
            Expr::Unary(u) => {
                let operand = self.expr(&u.expr)?;
                match u.op {
                    UnOp::Neg(_) => quote_spanned!(span=> #hy::neg(#operand)),
                    UnOp::Not(_) => quote_spanned!(span=> #hy::not(#operand)),
                    UnOp::Deref(_) => operand,
                    _ => return Err(refuse(expr, "this unary operator is not translated")),
                }
            }
            Expr::Binary(b) => {
                let (l, r) = (self.expr(&b.left)?, self.expr(&b.right)?);
                let f = match b.op {
                    BinOp::Add(_) => "add",
                    BinOp::Sub(_) => "sub",
                    BinOp::Mul(_) => "mul",
                    BinOp::Div(_) => "div",
                    BinOp::Rem(_) => "rem",
                    BinOp::And(_) => "and",
                    BinOp::Or(_) => "or",
                    BinOp::Eq(_) => "eq",
                    BinOp::Ne(_) => "ne",
                    BinOp::Lt(_) => "lt",
                    BinOp::Le(_) => "le",
                    BinOp::Gt(_) => "gt",
                    BinOp::Ge(_) => "ge",
                    _ => {
                        return Err(refuse(
                            expr,
                            "bit operators, shifts and assignments are not translated",
                        ));
                    }
                };
                // Type errors (ordering `Option`s ..) point at the operator.
                let op = b.op.span();
                let f = format_ident!("{f}", span = op);
                quote_spanned!(op=> ::oxalchemy::__private::hybrid::#f(#l, #r))
            }
            Expr::If(i) => self.if_else(i)?,
            Expr::Match(m) => self.matching(m)?,
            Expr::Cast(c) => {
                let operand = self.expr(&c.expr)?;
                let ty = &c.ty;
                // Type errors (a float cast to an integer) point at `as`.
                let op = c.as_token.span;
                quote_spanned!(op=> ::oxalchemy::__private::hybrid::cast::<_, #ty>(#operand))
            }
            Expr::MethodCall(m) => self.method_call(m)?,
            Expr::Call(c) => self.call(c)?,
            Expr::Macro(m) if m.mac.path.is_ident("format") => self.format(&m.mac)?,
            Expr::Let(_) => {
                return Err(refuse(
                    expr,
                    "`if let` and `let` patterns are not translated",
                ));
            }
            _ => {
                return Err(refuse(
                    expr,
                    "this kind of expression is not in the translated subset",
                ));
            }
        })
    }

    fn if_else(&self, i: &syn::ExprIf) -> syn::Result<TokenStream> {
        let span = i.span();
        let hy = hy(span);
        let Some((_, else_branch)) = &i.else_branch else {
            return Err(refuse(i, "an `if` without `else` has no value"));
        };
        let cond = self.expr(&i.cond)?;
        let then = self.block(&i.then_branch)?;
        let otherwise = self.expr(else_branch)?;
        Ok(quote_spanned!(span=> #hy::if_else(#cond, #then, #otherwise)))
    }

    fn matching(&self, m: &syn::ExprMatch) -> syn::Result<TokenStream> {
        let span = m.span();
        let hy = hy(span);
        let scrutinee = self.expr(&m.expr)?;
        let Some((last, arms)) = m.arms.split_last() else {
            return Err(refuse(m, "a `match` without arms has no value"));
        };
        let mut whens = Vec::new();
        for arm in arms {
            let mut conds = Vec::new();
            self.pattern(&arm.pat, &mut conds)?;
            let body = self.expr(&arm.body)?;
            let cond = conds
                .into_iter()
                .map(|lit| quote_spanned!(span=> #hy::eq(::core::clone::Clone::clone(&__hybrid_scrutinee), #lit)))
                .reduce(|a, b| quote_spanned!(span=> #hy::or(#a, #b)))
                .expect("a pattern gives at least one literal");
            whens.push(quote_spanned!(span=> (#cond, #body)));
        }
        // Rust's exhaustiveness check guarantees that a row no earlier arm
        // matched matches the last one: it is the ELSE.
        if let Pat::Guard(g) = &last.pat {
            return Err(refuse(g, "match guards are not translated"));
        }
        let mut ignored = Vec::new();
        if !matches!(last.pat, Pat::Wild(_)) {
            self.pattern(&last.pat, &mut ignored)?;
        }
        let otherwise = self.expr(&last.body)?;
        Ok(quote_spanned!(span=> {
            let __hybrid_scrutinee = #scrutinee;
            #hy::case_of(::std::vec![#(#whens),*], #otherwise)
        }))
    }

    /// The literals a pattern matches (`1 | 2`), as SQL expressions.
    fn pattern(&self, pat: &Pat, out: &mut Vec<TokenStream>) -> syn::Result<()> {
        match pat {
            Pat::Lit(lit) => {
                out.push(literal(lit)?);
                Ok(())
            }
            Pat::Or(or) => or.cases.iter().try_for_each(|p| self.pattern(p, out)),
            Pat::Paren(p) => self.pattern(&p.pat, out),
            Pat::Path(p) if p.path.is_ident("None") => {
                out.push(quote_spanned!(p.span()=> ::oxalchemy::__private::hybrid::none()));
                Ok(())
            }
            Pat::Verbatim(tokens) => match syn::parse2::<Expr>(tokens.clone()) {
                Ok(Expr::Unary(u))
                    if matches!(u.op, UnOp::Neg(_)) && matches!(*u.expr, Expr::Lit(_)) =>
                {
                    out.push(self.expr(&Expr::Unary(u))?);
                    Ok(())
                }
                _ => Err(refuse(
                    pat,
                    "only literal patterns, `|` and a last `_` are translated",
                )),
            },
            Pat::Guard(g) => Err(refuse(g, "match guards are not translated")),
            Pat::Wild(_) => Err(refuse(
                pat,
                "`_` matches everything: it must be the last arm",
            )),
            _ => Err(refuse(
                pat,
                "only literal patterns, `|` and a last `_` are translated",
            )),
        }
    }

    fn method_call(&self, m: &syn::ExprMethodCall) -> syn::Result<TokenStream> {
        let span = m.span();
        let hy = hy(span);
        let name = m.method.to_string();
        if is_self(&m.receiver) {
            return self.hybrid_call(m, &name);
        }
        // `s.chars().count()`: the length in characters.
        if name == "count"
            && m.args.is_empty()
            && let Expr::MethodCall(inner) = &*m.receiver
            && inner.method == "chars"
            && inner.args.is_empty()
        {
            let s = self.expr(&inner.receiver)?;
            return Ok(quote_spanned!(span=> #hy::char_count(#s)));
        }
        let receiver = self.expr(&m.receiver)?;
        let args = m
            .args
            .iter()
            .map(|a| self.expr(a))
            .collect::<syn::Result<Vec<_>>>();
        let unary = |f: &str| -> syn::Result<TokenStream> {
            if !m.args.is_empty() {
                return Err(refuse(m, &format!("`{name}` takes no arguments here")));
            }
            let f = format_ident!("{f}", span = span);
            Ok(quote_spanned!(span=> #hy::#f(#receiver)))
        };
        match name.as_str() {
            "clone" | "to_owned" | "as_str" | "as_deref" | "borrow" if m.args.is_empty() => {
                Ok(receiver)
            }
            "to_string" => unary("display"),
            "len" => unary("byte_len"),
            "is_empty" => unary("is_empty"),
            "to_ascii_lowercase" => unary("to_ascii_lowercase"),
            "to_ascii_uppercase" => unary("to_ascii_uppercase"),
            "abs" => unary("abs"),
            "is_some" => unary("is_some"),
            "is_none" => unary("is_none"),
            "unwrap_or_default" => unary("unwrap_or_default"),
            "to_lowercase" | "to_uppercase" => Err(refuse(
                m,
                "Rust maps the case of all of Unicode (and `ß` to `SS`), SQL's lower()/upper() \
                 do not agree with it on every backend (SQLite's map ASCII only); use \
                 `to_ascii_lowercase()` / `to_ascii_uppercase()`, translated exactly",
            )),
            "trim" => Err(refuse(
                m,
                "Rust's `trim` removes all Unicode white space, SQL's TRIM removes spaces; use \
                 `trim_matches(' ')`, translated exactly",
            )),
            "trim_matches" => match m.args.first() {
                Some(Expr::Lit(syn::ExprLit {
                    lit: Lit::Char(c), ..
                })) if m.args.len() == 1 && c.value() == ' ' => {
                    Ok(quote_spanned!(span=> #hy::trim_spaces(#receiver)))
                }
                _ => Err(refuse(
                    m,
                    "only `trim_matches(' ')` (SQL's TRIM) is translated",
                )),
            },
            "unwrap_or" | "min" | "max" => {
                let args = args?;
                let [arg] = args.as_slice() else {
                    return Err(refuse(m, &format!("`{name}` takes one argument")));
                };
                let f = format_ident!("{name}", span = span);
                Ok(quote_spanned!(span=> #hy::#f(#receiver, #arg)))
            }
            _ => Err(refuse(
                m,
                &format!("the method `{name}` is not in the translated subset"),
            )),
        }
    }

    /// `self.other_hybrid(..)`: the other hybrid's SQL side.
    fn hybrid_call(&self, m: &syn::ExprMethodCall, name: &str) -> syn::Result<TokenStream> {
        let span = m.span();
        let Some(&arity) = self.hybrids.get(name) else {
            return Err(refuse(
                m,
                &format!("`{name}` is not a #[hybrid] method of this impl block"),
            ));
        };
        if arity != m.args.len() {
            return Err(refuse(m, &format!("`{name}` takes {arity} argument(s)")));
        }
        let constant = format_ident!("{}", const_name(name), span = m.method.span());
        if arity == 0 {
            return Ok(
                quote_spanned!(span=> ::oxalchemy::__private::hybrid::call(Self::#constant)),
            );
        }
        let mut args = Vec::new();
        for arg in &m.args {
            match arg {
                Expr::Lit(_) => args.push(quote!(#arg)),
                Expr::Path(p)
                    if p.path
                        .get_ident()
                        .is_some_and(|i| self.params.contains(&i.to_string())) =>
                {
                    args.push(quote_spanned!(arg.span()=> ::core::clone::Clone::clone(&#arg)))
                }
                _ => {
                    return Err(refuse(
                        arg,
                        "a hybrid method called from a hybrid takes literals or the caller's arguments",
                    ));
                }
            }
        }
        Ok(quote_spanned!(span=> (Self::#constant)(#(#args),*)))
    }

    fn call(&self, c: &syn::ExprCall) -> syn::Result<TokenStream> {
        let span = c.span();
        let hy = hy(span);
        let Expr::Path(p) = &*c.func else {
            return Err(refuse(
                c,
                "only `Some(..)`, `min(..)`, `max(..)` and `String::from(..)` calls are translated",
            ));
        };
        let segments: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let last = segments.last().map(String::as_str).unwrap_or_default();
        let args = c
            .args
            .iter()
            .map(|a| self.expr(a))
            .collect::<syn::Result<Vec<_>>>()?;
        match (segments.as_slice(), last, args.as_slice()) {
            ([one], "Some", [a]) if one == "Some" => Ok(quote_spanned!(span=> #hy::some(#a))),
            (_, "min" | "max", [a, b])
                if segments.len() == 1 || segments.iter().any(|s| s == "cmp") =>
            {
                let f = format_ident!("{last}", span = span);
                Ok(quote_spanned!(span=> #hy::#f(#a, #b)))
            }
            ([ty, from], _, [a]) if ty == "String" && from == "from" => Ok(a.clone()),
            _ => Err(refuse(
                c,
                "only `Some(..)`, `min(..)`, `max(..)` and `String::from(..)` calls are translated",
            )),
        }
    }

    /// `format!("..", args)`: the pieces concatenated.
    fn format(&self, mac: &syn::Macro) -> syn::Result<TokenStream> {
        let span = mac.span();
        let hy = hy(span);
        let parsed = mac.parse_body_with(
            syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
        )?;
        let mut items = parsed.iter();
        let Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(template),
            ..
        })) = items.next()
        else {
            return Err(refuse(mac, "`format!` needs a string literal first"));
        };
        let args: Vec<&Expr> = items.collect();
        if let Some(named) = args.iter().find(|a| matches!(a, Expr::Assign(_))) {
            return Err(refuse(
                *named,
                "named `format!` arguments are not translated",
            ));
        }
        let mut pieces = Vec::new();
        let mut next_positional = 0usize;
        let mut used = vec![false; args.len()];
        for piece in parse_template(&template.value()).map_err(|why| refuse(template, &why))? {
            match piece {
                Piece::Text(text) => pieces.push(quote_spanned!(span=> #hy::text(#text))),
                Piece::Arg(arg) => {
                    let translated = match arg {
                        ArgRef::Next | ArgRef::Index(_) => {
                            let index = match arg {
                                ArgRef::Index(i) => i,
                                _ => {
                                    next_positional += 1;
                                    next_positional - 1
                                }
                            };
                            let Some(expr) = args.get(index) else {
                                return Err(refuse(template, "a `{}` has no argument"));
                            };
                            used[index] = true;
                            self.expr(expr)?
                        }
                        ArgRef::Name(name) => {
                            if !self.params.contains(&name) {
                                return Err(refuse(
                                    template,
                                    &format!("`{{{name}}}` names no argument of the method"),
                                ));
                            }
                            let ident = format_ident!("{name}", span = template.span());
                            self.expr(&syn::parse_quote!(#ident))?
                        }
                    };
                    pieces.push(quote_spanned!(span=> #hy::display(#translated)));
                }
            }
        }
        if let Some(unused) = used.iter().position(|u| !u) {
            return Err(refuse(
                args[unused],
                "this `format!` argument is never used",
            ));
        }
        Ok(quote_spanned!(span=> #hy::concat(::std::vec![#(#pieces),*])))
    }
}

fn literal(lit: &syn::ExprLit) -> syn::Result<TokenStream> {
    let span = lit.span();
    let hy = hy(span);
    match &lit.lit {
        Lit::Str(s) => Ok(quote_spanned!(span=> #hy::text(#s))),
        Lit::Int(_) | Lit::Float(_) | Lit::Bool(_) => Ok(quote_spanned!(span=> #hy::lit(#lit))),
        _ => Err(refuse(
            lit,
            "only string, integer, float and bool literals are translated",
        )),
    }
}

fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident("self"))
}

/// One piece of a `format!` template.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Arg(ArgRef),
}

/// Which argument a `{..}` names.
#[derive(Debug, PartialEq, Clone)]
enum ArgRef {
    Next,
    Index(usize),
    Name(String),
}

/// Split a `format!` template; any format spec (`{:>5}`, `{:?}`) is refused:
/// only plain `Display` is reproduced in SQL.
fn parse_template(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inner.push(c),
                        None => return Err("an unclosed `{` in the template".into()),
                    }
                }
                if inner.contains(':') {
                    return Err(format!(
                        "the format spec `{{{inner}}}` is not translated (only plain `{{}}` Display is)"
                    ));
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                let arg = if inner.is_empty() {
                    ArgRef::Next
                } else if let Ok(i) = inner.parse() {
                    ArgRef::Index(i)
                } else {
                    ArgRef::Name(inner)
                };
                pieces.push(Piece::Arg(arg));
            }
            '}' => return Err("an unmatched `}` in the template".into()),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn scope() -> Scope {
        Scope {
            hybrids: [
                ("full_name".to_owned(), 0),
                ("earns_more_than".to_owned(), 1),
            ]
            .into_iter()
            .collect(),
            params: ["amount".to_owned()].into_iter().collect(),
        }
    }

    fn translate(expr: Expr) -> String {
        scope().expr(&expr).unwrap().to_string()
    }

    fn refused(expr: Expr) -> String {
        scope().expr(&expr).unwrap_err().to_string()
    }

    #[test]
    fn fields_literals_and_operators() {
        let t = translate(parse_quote!(self.salary / 12 + amount));
        assert!(t.contains("hybrid :: add (:: oxalchemy :: __private :: hybrid :: div (:: oxalchemy :: __private :: hybrid :: field (Self :: SALARY) , :: oxalchemy :: __private :: hybrid :: lit (12))"), "{t}");
        assert!(
            t.contains("param (:: core :: clone :: Clone :: clone (& amount))"),
            "{t}"
        );
        let t = translate(parse_quote!(!(self.a == "x") && self.b.is_some()));
        assert!(
            t.contains("hybrid :: not (")
                && t.contains("hybrid :: eq (")
                && t.contains("text (\"x\")")
                && t.contains("is_some"),
            "{t}"
        );
    }

    #[test]
    fn format_if_match_and_calls() {
        let t = translate(parse_quote!(format!(
            "{} {{x}} {}",
            self.first_name, self.age
        )));
        assert!(
            t.contains("concat (:: std :: vec ! [") && t.contains("text (\" {x} \")"),
            "{t}"
        );
        assert_eq!(t.matches("display").count(), 2, "{t}");
        let t = translate(parse_quote!(if self.a > 1 {
            "big"
        } else if self.a < -1 {
            "small"
        } else {
            "zero"
        }));
        assert_eq!(t.matches("if_else").count(), 2, "{t}");
        let t = translate(parse_quote!(match self.kind {
            1 | 2 => "low",
            -3 => "neg",
            _ => "other",
        }));
        assert!(t.contains("case_of") && t.contains("hybrid :: or ("), "{t}");
        let t = translate(parse_quote!(self.full_name().len() as i64));
        assert!(
            t.contains("call (Self :: FULL_NAME)") && t.contains("cast :: < _ , i64 >"),
            "{t}"
        );
        let t = translate(parse_quote!(self.earns_more_than(amount)));
        assert!(
            t.contains("(Self :: EARNS_MORE_THAN) (:: core :: clone :: Clone :: clone (& amount))"),
            "{t}"
        );
        let t = translate(parse_quote!(
            std::cmp::max(self.a, 0).min(self.b.unwrap_or(3))
        ));
        assert!(
            t.contains("hybrid :: min (")
                && t.contains("hybrid :: max (")
                && t.contains("unwrap_or"),
            "{t}"
        );
        let t = translate(parse_quote!(self.name.chars().count()));
        assert!(t.contains("char_count"), "{t}");
    }

    #[test]
    fn refusals_name_the_construct_and_the_way_out() {
        for (expr, why) in [
            (parse_quote!(self.name.to_lowercase()), "to_ascii_lowercase"),
            (parse_quote!(self.name.trim()), "trim_matches(' ')"),
            (parse_quote!(self.a << 2), "bit operators"),
            (
                parse_quote!(if self.a > 1 {
                    1
                }),
                "without `else`",
            ),
            (parse_quote!(self.name.split(' ')), "the method `split`"),
            (parse_quote!(format!("{:>5}", self.a)), "format spec"),
            (
                parse_quote!(match self.a {
                    x if x > 1 => 1,
                    _ => 0,
                }),
                "guards",
            ),
            (parse_quote!(self.other_method()), "not a #[hybrid] method"),
            (parse_quote!(CONSTANT), "names the SQL side knows"),
            (parse_quote!(|x: i64| x), "translated subset"),
        ] {
            let message = refused(expr);
            assert!(message.contains(why), "`{why}` not in: {message}");
            assert!(
                message.contains("#[hybrid(expr = path::to_fn)]"),
                "{message}"
            );
        }
    }

    #[test]
    fn templates() {
        assert_eq!(
            parse_template("a{}b{1}{name}").unwrap(),
            [
                Piece::Text("a".into()),
                Piece::Arg(ArgRef::Next),
                Piece::Text("b".into()),
                Piece::Arg(ArgRef::Index(1)),
                Piece::Arg(ArgRef::Name("name".into())),
            ]
        );
        assert!(parse_template("{").is_err());
        assert!(parse_template("}").is_err());
        assert!(parse_template("{:?}").is_err());
    }
}
