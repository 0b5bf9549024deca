//! The configuration's rules, pinned.
use super::*;

fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let dir = std::env::temp_dir().join("portico-config-test-none");
    Config::from_sources(
        &Overrides {
            data_dir: Some(dir),
            ..Overrides::default()
        },
        &env,
    )
}

#[test]
fn no_configuration_means_sqlite_in_the_data_folder_on_port_8080() {
    let config = load(&[]).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert!(matches!(config.database, Database::Sqlite(ref p) if p.ends_with("portico.db")));
    assert_eq!(config.secret, Secret::DataDirFile);
}

#[test]
fn a_bad_listen_address_names_the_variable() {
    let e = load(&[("PORTICO_LISTEN", "localhost")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("server.listen") && e.contains("PORTICO_LISTEN"),
        "{e}"
    );
}

#[test]
fn a_short_secret_key_is_refused_without_echoing_it() {
    let e = load(&[("PORTICO_SECRET_KEY", "abcd")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("security.secret_key") && !e.contains("abcd"),
        "{e}"
    );
}

#[test]
fn database_urls_other_than_postgres_or_sqlite_are_refused_without_echoing_them() {
    let e = load(&[("DATABASE_URL", "mysql://u:hunter2@db/x")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("database.url") && !e.contains("hunter2"), "{e}");
}

#[test]
fn out_of_range_numbers_say_the_range() {
    let e = load(&[("PORTICO_SESSION_IDLE_MINUTES", "0")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("security.session_idle_minutes") && e.contains("1 to 1440"),
        "{e}"
    );
}

#[test]
fn unknown_keys_in_the_file_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.toml");
    std::fs::write(&path, "[database]\nulr = \"postgres://x\"\n").unwrap();
    let overrides = Overrides {
        config_file: Some(path),
        ..Overrides::default()
    };
    let e = Config::from_sources(&overrides, &HashMap::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("ulr"), "{e}");
}

#[test]
fn the_environment_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.toml");
    std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:9000\"\n").unwrap();
    let overrides = Overrides {
        config_file: Some(path),
        ..Overrides::default()
    };
    let env = HashMap::from([("PORTICO_LISTEN".to_owned(), "127.0.0.1:9001".to_owned())]);
    assert_eq!(
        Config::from_sources(&overrides, &env)
            .unwrap()
            .listen
            .port(),
        9001
    );
}
