//! `[server]`: where the service listens, the address people use, the data folder, the client
//! address header and the request time-outs. `--listen` and `--data-dir` win over everything.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::sources::{Raw, Sources, invalid};
use super::{ConfigError, Overrides};

/// The data folder when nothing names one (relative to where the service starts).
pub(super) const DEFAULT_DATA_DIR: &str = "portico-data";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ServerSection {
    listen: Option<String>,
    public_url: Option<String>,
    data_dir: Option<String>,
    client_ip_header: Option<String>,
    header_timeout_seconds: Option<i64>,
    body_timeout_seconds: Option<i64>,
}

/// The `[server]` settings, checked.
pub(super) struct Server {
    pub(super) listen: SocketAddr,
    pub(super) public_url: Option<String>,
    pub(super) data_dir: PathBuf,
    pub(super) client_ip_header: Option<String>,
    pub(super) header_timeout: Duration,
    pub(super) body_timeout: Duration,
}

pub(super) fn server(
    src: &Sources<'_>,
    overrides: &Overrides,
    file: ServerSection,
) -> Result<Server, ConfigError> {
    let listen = match overrides.listen.clone() {
        Some(v) => Some(Raw {
            value: v,
            origin: "the --listen option".into(),
        }),
        None => src.pick("PORTICO_LISTEN", file.listen, "server.listen"),
    };
    let listen = match listen {
        Some(raw) => raw.value.trim().parse::<SocketAddr>().map_err(|_| {
            invalid(
                "server.listen",
                &raw,
                format!("`{}` is not an address like 127.0.0.1:8080", raw.value),
            )
        })?,
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
    };

    let public_url = match src.pick("PORTICO_PUBLIC_URL", file.public_url, "server.public_url") {
        Some(raw) => Some(public_url(&raw)?),
        None => None,
    };

    let data_dir = match overrides.data_dir.clone() {
        Some(dir) => dir,
        None => src
            .pick("PORTICO_DATA_DIR", file.data_dir, "server.data_dir")
            .map_or_else(
                || PathBuf::from(DEFAULT_DATA_DIR),
                |raw| PathBuf::from(raw.value),
            ),
    };

    let client_ip_header = match src.pick(
        "PORTICO_CLIENT_IP_HEADER",
        file.client_ip_header,
        "server.client_ip_header",
    ) {
        Some(raw) => Some(header_name(&raw)?),
        None => None,
    };

    let header_timeout = src
        .number(
            "PORTICO_HEADER_TIMEOUT_SECONDS",
            file.header_timeout_seconds,
            "server.header_timeout_seconds",
            1,
            300,
        )?
        .unwrap_or(10);
    let body_timeout = src
        .number(
            "PORTICO_BODY_TIMEOUT_SECONDS",
            file.body_timeout_seconds,
            "server.body_timeout_seconds",
            1,
            600,
        )?
        .unwrap_or(30);

    Ok(Server {
        listen,
        public_url,
        data_dir,
        client_ip_header,
        header_timeout: Duration::from_secs(header_timeout as u64),
        body_timeout: Duration::from_secs(body_timeout as u64),
    })
}

/// An `http(s)://` address with a host, without its trailing slash (links are appended to it).
fn public_url(raw: &Raw) -> Result<String, ConfigError> {
    let url = raw.value.trim().trim_end_matches('/').to_owned();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    if rest.is_none_or(|host| host.is_empty() || host.contains(char::is_whitespace)) {
        return Err(invalid(
            "server.public_url",
            raw,
            "use an address starting with https:// or http://",
        ));
    }
    Ok(url)
}

/// A header name, lower-cased as HTTP/2 and axum carry them.
fn header_name(raw: &Raw) -> Result<String, ConfigError> {
    let name = raw.value.trim().to_ascii_lowercase();
    if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() || name.is_empty() {
        return Err(invalid(
            "server.client_ip_header",
            raw,
            "not a valid header name",
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use crate::config::assert_refused_naming;
    use std::collections::HashMap;

    use super::super::tests::load;
    use super::super::{Config, Overrides};

    #[test]
    fn a_bad_listen_address_names_the_variable() {
        assert_refused_naming(
            load(&[("PORTICO_LISTEN", "localhost")]),
            &["server.listen", "PORTICO_LISTEN"],
        );
    }

    #[test]
    fn the_listen_option_wins_over_the_environment() {
        let overrides = Overrides {
            listen: Some("127.0.0.1:7000".into()),
            ..Overrides::default()
        };
        let env = HashMap::from([("PORTICO_LISTEN".to_owned(), "127.0.0.1:7001".to_owned())]);
        let config = Config::from_sources(&overrides, &env).unwrap();
        assert_eq!(config.listen.port(), 7000);
    }

    #[test]
    fn the_public_url_loses_its_trailing_slash_and_needs_a_scheme() {
        let config = load(&[("PORTICO_PUBLIC_URL", "https://portal.example.org/")]).unwrap();
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://portal.example.org")
        );
        assert_eq!(load(&[]).unwrap().public_url, None);

        assert_refused_naming(
            load(&[("PORTICO_PUBLIC_URL", "portal.example.org")]),
            &["server.public_url", "https:// or http://"],
        );
    }

    #[test]
    fn the_client_ip_header_is_lower_cased_and_must_be_a_header_name() {
        let config = load(&[("PORTICO_CLIENT_IP_HEADER", "X-Forwarded-For")]).unwrap();
        assert_eq!(config.client_ip_header.as_deref(), Some("x-forwarded-for"));
        assert_eq!(load(&[]).unwrap().client_ip_header, None);

        assert_refused_naming(
            load(&[("PORTICO_CLIENT_IP_HEADER", "client ip")]),
            &["server.client_ip_header", "not a valid header name"],
        );
    }

    #[test]
    fn request_time_outs_default_to_10_and_30_seconds_within_their_ranges() {
        let config = load(&[]).unwrap();
        assert_eq!(config.header_timeout.as_secs(), 10);
        assert_eq!(config.body_timeout.as_secs(), 30);

        let config = load(&[
            ("PORTICO_HEADER_TIMEOUT_SECONDS", "2"),
            ("PORTICO_BODY_TIMEOUT_SECONDS", "600"),
        ])
        .unwrap();
        assert_eq!(config.header_timeout.as_secs(), 2);
        assert_eq!(config.body_timeout.as_secs(), 600);

        assert_refused_naming(
            load(&[("PORTICO_HEADER_TIMEOUT_SECONDS", "301")]),
            &["server.header_timeout_seconds", "1 to 300"],
        );
        assert_refused_naming(
            load(&[("PORTICO_BODY_TIMEOUT_SECONDS", "0")]),
            &["server.body_timeout_seconds", "1 to 600"],
        );
    }
}
