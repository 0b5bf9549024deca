//! The configuration's rules that span sections, pinned: where the file is found, what wins over
//! what, what no configuration at all means. Each section's own tests sit in its file.
use super::*;
use crate::config::assert_refused_naming;

/// The configuration from these environment variables alone (no file, a data folder that has none).
pub(super) fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
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
fn out_of_range_numbers_say_the_range() {
    assert_refused_naming(
        load(&[("PORTICO_SESSION_IDLE_MINUTES", "0")]),
        &["security.session_idle_minutes", "1 to 1440"],
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

#[test]
fn the_data_folders_portico_toml_is_read_when_no_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("portico.toml"), "[log]\nlevel = \"warn\"\n").unwrap();
    let overrides = Overrides {
        data_dir: Some(dir.path().to_owned()),
        ..Overrides::default()
    };
    let config = Config::from_sources(&overrides, &HashMap::new()).unwrap();
    assert_eq!(config.log_level, "warn");

    // PORTICO_CONFIG names another file, and only that one is read.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[log]\nlevel = \"error\"\n").unwrap();
    let env = HashMap::from([("PORTICO_CONFIG".to_owned(), other.display().to_string())]);
    let config = Config::from_sources(&overrides, &env).unwrap();
    assert_eq!(config.log_level, "error");
}

#[test]
fn a_named_file_that_cannot_be_read_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let overrides = Overrides {
        config_file: Some(dir.path().join("missing.toml")),
        ..Overrides::default()
    };
    let e = Config::from_sources(&overrides, &HashMap::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("cannot read the configuration file") && e.contains("missing.toml"),
        "{e}"
    );
}

#[test]
fn a_file_value_names_its_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.toml");
    std::fs::write(&path, "[delivery]\nlease_seconds = 0\n").unwrap();
    let overrides = Overrides {
        config_file: Some(path.clone()),
        ..Overrides::default()
    };
    let e = Config::from_sources(&overrides, &HashMap::new())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "invalid setting `delivery.lease_seconds` (from `delivery.lease_seconds` in {}): 0 is out of range; use 1 to 3600",
            path.display()
        )
    );
}
