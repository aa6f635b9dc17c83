//! The command line of the `oxalchemy-codegen` binary.

/// What to generate, from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The database URL (`--url`), as `create_engine` takes it.
    pub url: String,
    /// Only these tables (`--tables a,b`); empty for every table.
    pub tables: Vec<String>,
    /// The schema to reflect (`--schema`, PostgreSQL); `None` for the default one.
    pub schema: Option<String>,
}

/// The usage text printed by `--help` and after a command-line error.
pub const USAGE: &str = "\
usage: oxalchemy-codegen --url <database-url> [--tables a,b,..] [--schema <name>] > models.rs

Reflects the database and prints #[derive(Model)] structs for its tables on stdout.

  --url <url>        the database: sqlite:///path.db, postgresql://user@host/db, mysql://user@host/db
  --tables <a,b,..>  only these tables (comma-separated; repeatable)
  --schema <name>    reflect this schema instead of the default one (PostgreSQL)
  -h, --help         this text";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Generate models.
    Generate(Args),
    /// Print the usage text.
    Help,
}

/// Parse the arguments after the program name: `--url x`, `--url=x`, and the same for
/// `--tables` and `--schema`. Errors say what was wrong; the caller prints [`USAGE`] too.
///
/// ```
/// use oxalchemy_codegen::cli::{parse, Command};
/// let Command::Generate(args) = parse(["--url", "sqlite://", "--tables=a,b"]).unwrap() else {
///     panic!()
/// };
/// assert_eq!(args.tables, ["a", "b"]);
/// assert!(parse(["--tables", "a"]).unwrap_err().contains("--url"));
/// ```
pub fn parse<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut url = None;
    let mut tables = Vec::new();
    let mut schema = None;
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if !matches!(flag.as_str(), "--url" | "--tables" | "--schema") {
            return Err(format!(
                "unknown argument {arg:?}: the options are --url, --tables and --schema"
            ));
        }
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .filter(|v| !v.starts_with("--"))
                .ok_or_else(|| format!("{flag} needs a value"))?,
        };
        if value.trim().is_empty() {
            return Err(format!("{flag} needs a non-empty value"));
        }
        match flag.as_str() {
            "--url" if url.is_some() => return Err("--url is given twice".to_owned()),
            "--url" => url = Some(value),
            "--schema" if schema.is_some() => return Err("--schema is given twice".to_owned()),
            "--schema" => schema = Some(value),
            _ => {
                for t in value.split(',') {
                    let t = t.trim();
                    if t.is_empty() {
                        return Err(format!("--tables {value:?} has an empty table name"));
                    }
                    tables.push(t.to_owned());
                }
            }
        }
    }
    let url = url.ok_or("--url is required: the database to generate models for")?;
    Ok(Command::Generate(Args {
        url,
        tables,
        schema,
    }))
}

/// The database named in the generated file's header: the URL's scheme, host and
/// database, never its user or password (`postgresql://127.0.0.1:5432/app`).
pub fn describe_source(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let rest = rest.split('?').next().unwrap_or("");
    let rest = match rest.rsplit_once('@') {
        Some((_, host)) => host,
        None => rest,
    };
    if scheme == "sqlite" {
        // The file name only: a path is the machine's, not the schema's.
        let file = rest.rsplit('/').next().unwrap_or("");
        return if file.is_empty() {
            "sqlite (in memory)".to_owned()
        } else {
            format!("sqlite {file}")
        };
    }
    format!("{scheme}://{rest}")
}

/// Connect to `args.url`, reflect what `args` select, and return the generated code.
///
/// `--tables` reflects those tables (and, for their foreign keys, the tables they reach,
/// as SQLAlchemy does) but generates only the named ones. A database without tables is an
/// `ArgumentError` rather than an empty file.
pub async fn run(args: &Args) -> oxalchemy::Result<String> {
    let engine = oxalchemy::create_engine(&args.url)?;
    let result = reflect(&engine, args).await;
    engine.dispose().await;
    let metadata = result?;
    let tables: Vec<oxalchemy::Table> = metadata
        .tables()
        .into_iter()
        .filter(|t| args.tables.is_empty() || args.tables.iter().any(|n| n == t.name()))
        .collect();
    let source = describe_source(&args.url);
    if tables.is_empty() {
        let place = match &args.schema {
            Some(s) => format!("schema {s:?} of {source}"),
            None => source,
        };
        return Err(oxalchemy::Error::argument(format!(
            "found no tables in {place}: check the URL (and --schema)"
        )));
    }
    Ok(crate::generate(&tables, &source))
}

async fn reflect(
    engine: &oxalchemy::Engine,
    args: &Args,
) -> oxalchemy::Result<oxalchemy::MetaData> {
    let metadata = oxalchemy::MetaData::new();
    let mut options = oxalchemy::reflection::ReflectOptions::new();
    if let Some(schema) = &args.schema {
        options = options.schema(schema);
    }
    if !args.tables.is_empty() {
        options = options.only(args.tables.iter().cloned());
    }
    metadata.reflect_with(engine, options).await?;
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(args: &[&str]) -> Args {
        match parse(args.iter().copied()) {
            Ok(Command::Generate(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_option() {
        let a = generate(&[
            "--url",
            "postgresql://u@h/db",
            "--tables",
            "a, b",
            "--tables=c",
            "--schema=s",
        ]);
        assert_eq!(a.url, "postgresql://u@h/db");
        assert_eq!(a.tables, ["a", "b", "c"]);
        assert_eq!(a.schema.as_deref(), Some("s"));
        assert_eq!(generate(&["--url=sqlite://"]).tables, Vec::<String>::new());
        assert_eq!(parse(["--help"]), Ok(Command::Help));
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        let err = |args: &[&str]| parse(args.iter().copied()).unwrap_err();
        assert!(err(&[]).contains("--url is required"));
        assert!(err(&["--url"]).contains("--url needs a value"));
        assert!(err(&["--url", "--schema", "x"]).contains("--url needs a value"));
        assert!(err(&["--url", "a", "--url", "b"]).contains("twice"));
        assert!(err(&["--url", "a", "--tabels", "b"]).contains("unknown argument"));
        assert!(err(&["--url", "a", "--tables", "a,,b"]).contains("empty table name"));
        assert!(err(&["--url", "a", "extra"]).contains("unknown argument \"extra\""));
    }

    #[test]
    fn sources_hide_credentials() {
        assert_eq!(
            describe_source("postgresql://postgres:secret@127.0.0.1:5432/app?sslmode=require"),
            "postgresql://127.0.0.1:5432/app"
        );
        assert_eq!(describe_source("sqlite:////tmp/x/app.db"), "sqlite app.db");
        assert_eq!(describe_source("sqlite://"), "sqlite (in memory)");
        assert_eq!(describe_source("nonsense"), "");
    }
}
