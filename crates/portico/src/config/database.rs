//! `[database]`: which database (PostgreSQL, or SQLite in the data folder by default) and how many
//! connections each node keeps. A URL is never echoed in an error: it may hold a password.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;
use super::sources::{Raw, Sources, invalid};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// The embedded default: a file in the data folder.
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DatabaseSection {
    url: Option<String>,
    max_connections: Option<i64>,
}

/// `database` and `max_connections`, checked; the SQLite default lives in `data_dir`.
pub(super) fn database(
    src: &Sources<'_>,
    file: DatabaseSection,
    data_dir: &Path,
) -> Result<(Database, u32), ConfigError> {
    let url = src
        .pick("DATABASE_URL", None, "database.url")
        .or_else(|| src.pick("PORTICO_DATABASE_URL", file.url, "database.url"));
    let database = match url {
        Some(raw) => parse_url(&raw)?,
        None => Database::Sqlite(data_dir.join("portico.db")),
    };
    let max_connections = src
        .number(
            "PORTICO_DATABASE_MAX_CONNECTIONS",
            file.max_connections,
            "database.max_connections",
            1,
            1000,
        )?
        .unwrap_or(10) as u32;
    Ok((database, max_connections))
}

fn parse_url(raw: &Raw) -> Result<Database, ConfigError> {
    let url = raw.value.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Database::Postgres(url.to_owned()));
    }
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(invalid(
                "database.url",
                raw,
                "a sqlite: URL needs a file path, e.g. sqlite:///var/lib/portico/portico.db",
            ));
        }
        return Ok(Database::Sqlite(PathBuf::from(path)));
    }
    // Never echo the URL: it may hold a password.
    Err(invalid(
        "database.url",
        raw,
        "use a postgres://… or sqlite:… URL",
    ))
}

#[cfg(test)]
mod tests {
    use crate::config::assert_refused_naming;
    use std::path::PathBuf;

    use super::super::tests::load;
    use super::Database;

    #[test]
    fn database_urls_other_than_postgres_or_sqlite_are_refused_without_echoing_them() {
        let e = load(&[("DATABASE_URL", "mysql://u:hunter2@db/x")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("database.url") && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn database_url_wins_over_portico_database_url() {
        let config = load(&[
            ("DATABASE_URL", "postgres://db.internal/portico"),
            ("PORTICO_DATABASE_URL", "sqlite:/tmp/other.db"),
        ])
        .unwrap();
        assert_eq!(
            config.database,
            Database::Postgres("postgres://db.internal/portico".into())
        );

        let config = load(&[(
            "PORTICO_DATABASE_URL",
            "sqlite:///var/lib/portico/p.db?mode=rwc",
        )])
        .unwrap();
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/var/lib/portico/p.db"))
        );
    }

    #[test]
    fn a_sqlite_url_without_a_path_is_refused() {
        assert_refused_naming(
            load(&[("DATABASE_URL", "sqlite:")]),
            &["database.url", "needs a file path"],
        );
    }

    #[test]
    fn the_pool_holds_10_connections_unless_set_from_1_to_1000() {
        assert_eq!(load(&[]).unwrap().max_connections, 10);
        let config = load(&[("PORTICO_DATABASE_MAX_CONNECTIONS", "40")]).unwrap();
        assert_eq!(config.max_connections, 40);

        assert_refused_naming(
            load(&[("PORTICO_DATABASE_MAX_CONNECTIONS", "1001")]),
            &["database.max_connections", "1 to 1000"],
        );
    }
}
