//! One body, one answer: every hybrid of `Sample` is computed by the database
//! (`SELECT id, <hybrid>`) and by the Rust method on the loaded object, for
//! 1 000 generated rows (negatives, zeros, NULLs, empty and non-ASCII text,
//! trailing spaces, mixed case), on every backend. Any difference fails the
//! test and prints the first rows that differ.

mod common;

use oxalchemy::prelude::*;
use std::fmt::Debug;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "sample")]
struct Sample {
    #[mapped_column(primary_key)]
    id: i64,
    a: i64,
    /// Never zero (a divisor).
    b: i64,
    small: i32,
    #[mapped_column(length = 40)]
    s: String,
    #[mapped_column(length = 40)]
    t: String,
    o: Option<i64>,
    p: Option<i64>,
    #[mapped_column(length = 40)]
    os: Option<String>,
}

#[hybrids]
impl Sample {
    #[hybrid]
    fn quotient(&self) -> i64 {
        self.a / 7
    }
    #[hybrid]
    fn remainder(&self) -> i64 {
        self.a % 7
    }
    #[hybrid]
    fn column_division(&self) -> i64 {
        self.a / self.b + self.a % self.b
    }
    #[hybrid]
    fn arithmetic(&self) -> i64 {
        (self.a * 3 - self.b) + 5 - -self.a.abs()
    }
    #[hybrid]
    fn clamped(&self) -> i64 {
        self.a.max(-50) - self.b.min(3) + std::cmp::min(self.a, self.b) - std::cmp::max(self.b, 0)
    }
    #[hybrid]
    fn widened(&self) -> i64 {
        self.small as i64 * 1_000_000_007 / 3
    }
    #[hybrid]
    fn quarter(&self) -> f64 {
        self.a as f64 / 4.0 + 0.5
    }
    #[hybrid]
    fn byte_length(&self) -> i64 {
        self.s.len() as i64
    }
    #[hybrid]
    fn char_length(&self) -> i64 {
        self.s.chars().count() as i64
    }
    #[hybrid]
    fn lower(&self) -> String {
        self.s.to_ascii_lowercase()
    }
    #[hybrid]
    fn upper(&self) -> String {
        self.t.to_ascii_uppercase()
    }
    #[hybrid]
    fn trimmed(&self) -> String {
        self.s.trim_matches(' ').to_string()
    }
    #[hybrid]
    fn label(&self) -> String {
        format!("{}:{}#{} [{}]", self.s, self.a, self.t, self.small)
    }
    #[hybrid]
    fn joined(&self) -> String {
        self.s.clone() + "-" + &self.t + &self.b.to_string()
    }
    #[hybrid]
    fn same_text(&self) -> bool {
        self.s == self.t
    }
    #[hybrid]
    fn different_text(&self) -> bool {
        self.s != self.t
    }
    #[hybrid]
    fn text_before(&self) -> bool {
        self.s < self.t
    }
    #[hybrid]
    fn text_at_most(&self) -> bool {
        self.s.as_str() <= "abc"
    }
    #[hybrid]
    fn shouted_match(&self) -> bool {
        self.s.to_ascii_uppercase() == self.t
    }
    #[hybrid]
    fn is_blank(&self) -> bool {
        self.s.is_empty() || self.trimmed().is_empty()
    }
    #[hybrid]
    fn option_is_three(&self) -> bool {
        self.o == Some(3)
    }
    #[hybrid]
    fn options_equal(&self) -> bool {
        self.o == self.p
    }
    #[hybrid]
    fn options_differ(&self) -> bool {
        self.o != self.p
    }
    #[hybrid]
    fn option_missing(&self) -> bool {
        self.o.is_none() || !(self.p.is_some() && self.a > 0)
    }
    #[hybrid]
    fn option_or(&self) -> i64 {
        self.o.unwrap_or(-1) + self.a
    }
    #[hybrid]
    fn option_text(&self) -> String {
        self.os.clone().unwrap_or_default()
    }
    #[hybrid]
    fn option_passthrough(&self) -> Option<String> {
        self.os.clone()
    }
    #[hybrid]
    fn option_text_is_s(&self) -> bool {
        self.os == Some(self.s.clone())
    }
    #[hybrid]
    fn sign_class(&self) -> String {
        match self.a % 3 {
            0 => "zero".to_owned(),
            1 | -1 => "one".to_owned(),
            _ => "two".to_owned(),
        }
    }
    #[hybrid]
    fn text_class(&self) -> i64 {
        match self.s.as_str() {
            "" => 0,
            "abc" | "ABC" => 1,
            "straße" => 2,
            _ => 3,
        }
    }
    #[hybrid]
    fn bucket(&self) -> String {
        if self.a < -100 {
            "very negative".to_owned()
        } else if self.a < 0 {
            format!("negative {}", self.a)
        } else if self.a == 0 {
            String::from("zero")
        } else {
            "positive".to_owned()
        }
    }
    #[hybrid]
    fn above(&self, n: i64) -> bool {
        self.a > n
    }
    #[hybrid]
    fn above_ten(&self) -> bool {
        self.above(10) && !self.above(500)
    }
    #[hybrid]
    fn tagged(&self, tag: &str) -> String {
        format!("{tag}/{}", self.s)
    }
}

/// A deterministic generator (a 64-bit LCG): no new crates, same rows every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }
}

const TEXTS: &[&str] = &[
    "",
    " ",
    "a",
    "A",
    "abc",
    "abc ",
    " abc",
    "ABC",
    "aBc",
    "abd",
    "Ünïcödé",
    "ünïcödé",
    "straße",
    "STRASSE",
    "ǅemal",
    "日本語",
    "émile",
    "Émile",
    "Zoë ",
    "x_y%z",
    "İstanbul",
    "ıi",
    "  two  ",
    "\u{a0}nbsp",
    "tab\tx",
    "z",
    "Z",
    "ab",
    "ａｂｃ",
];

fn rows() -> Vec<Sample> {
    let mut rng = Rng(14);
    (1..=1000)
        .map(|id| {
            let option = |rng: &mut Rng| match rng.range(0, 2) {
                0 => None,
                _ => Some(rng.range(-5, 5)),
            };
            let s = rng.pick(TEXTS);
            // Often equal to `s` (or its upper case), so comparisons hit both ways.
            let t = match rng.range(0, 3) {
                0 => s.to_owned(),
                1 => s.to_ascii_uppercase(),
                _ => rng.pick(TEXTS).to_owned(),
            };
            let a = match rng.range(0, 5) {
                0 => 0,
                1 => rng.range(-10, 10),
                _ => rng.range(-1000, 1000),
            };
            let mut b = rng.range(-20, 20);
            if b == 0 {
                b = 1;
            }
            Sample {
                id,
                a,
                b,
                small: rng.range(-100_000, 100_000) as i32,
                s: s.to_owned(),
                t,
                o: option(&mut rng),
                p: option(&mut rng),
                os: match rng.range(0, 2) {
                    0 => None,
                    1 => Some(s.to_owned()),
                    _ => Some(rng.pick(TEXTS).to_owned()),
                },
            }
        })
        .collect()
}

/// Compare one hybrid's SQL side with its Rust side on every row; record the differences.
async fn compare<T, S>(
    session: &mut Session,
    objects: &[Sample],
    name: &str,
    sql: S,
    rust: impl Fn(&Sample) -> T,
    failures: &mut Vec<String>,
) -> oxalchemy::Result<()>
where
    T: PartialEq + Debug + oxalchemy::orm::ResultShape + Send + 'static,
    S: oxalchemy::core::stmt::SelectItem<Type = T>,
{
    let rows: Vec<(i64, T)> = session
        .scalars(select((Sample::ID, sql)).order_by(Sample::ID))
        .all()
        .await?;
    assert_eq!(rows.len(), objects.len(), "{name}: one row per object");
    let mut differences = 0;
    for ((id, from_sql), object) in rows.into_iter().zip(objects) {
        assert_eq!(id, object.id);
        let from_rust = rust(object);
        if from_sql != from_rust {
            differences += 1;
            if differences <= 3 {
                failures.push(format!(
                    "{name}: SQL {from_sql:?} <> Rust {from_rust:?} for {object:?}"
                ));
            }
        }
    }
    if differences > 3 {
        failures.push(format!("{name}: {differences} differences in all"));
    }
    Ok(())
}

backend_tests! {
    async fn every_hybrid_agrees_with_its_method_on_every_row(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut session = Session::new(&db.engine);
        session.add_all(rows());
        session.commit().await?;
        let objects: Vec<Sample> = session
            .scalars(select(Sample).order_by(Sample::ID))
            .all()
            .await?;
        assert_eq!(objects.len(), 1000);
        assert_eq!(objects, rows(), "the rows round-trip unchanged");
        let mut failures = Vec::new();
        let mut checked = 0;
        macro_rules! check {
            ($($name:literal: $sql:expr => $rust:expr,)*) => {$(
                compare(&mut session, &objects, $name, $sql, $rust, &mut failures).await?;
                checked += 1;
            )*};
        }
        check! {
            "quotient": Sample::QUOTIENT => Sample::quotient,
            "remainder": Sample::REMAINDER => Sample::remainder,
            "column_division": Sample::COLUMN_DIVISION => Sample::column_division,
            "arithmetic": Sample::ARITHMETIC => Sample::arithmetic,
            "clamped": Sample::CLAMPED => Sample::clamped,
            "widened": Sample::WIDENED => Sample::widened,
            "quarter": Sample::QUARTER => Sample::quarter,
            "byte_length": Sample::BYTE_LENGTH => Sample::byte_length,
            "char_length": Sample::CHAR_LENGTH => Sample::char_length,
            "lower": Sample::LOWER => Sample::lower,
            "upper": Sample::UPPER => Sample::upper,
            "trimmed": Sample::TRIMMED => Sample::trimmed,
            "label": Sample::LABEL => Sample::label,
            "joined": Sample::JOINED => Sample::joined,
            "same_text": Sample::SAME_TEXT => Sample::same_text,
            "different_text": Sample::DIFFERENT_TEXT => Sample::different_text,
            "text_before": Sample::TEXT_BEFORE => Sample::text_before,
            "text_at_most": Sample::TEXT_AT_MOST => Sample::text_at_most,
            "shouted_match": Sample::SHOUTED_MATCH => Sample::shouted_match,
            "is_blank": Sample::IS_BLANK => Sample::is_blank,
            "option_is_three": Sample::OPTION_IS_THREE => Sample::option_is_three,
            "options_equal": Sample::OPTIONS_EQUAL => Sample::options_equal,
            "options_differ": Sample::OPTIONS_DIFFER => Sample::options_differ,
            "option_missing": Sample::OPTION_MISSING => Sample::option_missing,
            "option_or": Sample::OPTION_OR => Sample::option_or,
            "option_text": Sample::OPTION_TEXT => Sample::option_text,
            "option_passthrough": Sample::OPTION_PASSTHROUGH => Sample::option_passthrough,
            "option_text_is_s": Sample::OPTION_TEXT_IS_S => Sample::option_text_is_s,
            "sign_class": Sample::SIGN_CLASS => Sample::sign_class,
            "text_class": Sample::TEXT_CLASS => Sample::text_class,
            "bucket": Sample::BUCKET => Sample::bucket,
            "above_ten": Sample::ABOVE_TEN => Sample::above_ten,
            "above(-3)": Sample::ABOVE(-3) => |s: &Sample| s.above(-3),
            "tagged(\"é\")": Sample::TAGGED("é") => |s: &Sample| s.tagged("é"),
        }
        assert_eq!(checked, 34);
        assert!(
            failures.is_empty(),
            "{} on {}: {} difference(s) between SQL and Rust:\n{}",
            db.backend.name(),
            checked,
            failures.len(),
            failures.join("\n")
        );
        println!("{}: {checked} hybrids x {} rows, no difference", db.backend.name(), objects.len());
        Ok(())
    }
}
