//! `portico`: parse the command line, load and check the configuration, set up logging, run.

use std::process::ExitCode;

use clap::Parser;
use portico::cli::{self, Cli};
use portico::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.overrides()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("portico: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portico: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("portico: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard error (standard output carries what scripts read). Lines carry ids and
/// route templates, never names, birth dates, codes or passwords.
fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::new(format!(
        "{level},sqlx=warn,tower_http=warn,portico={level}",
        level = config.log_level
    ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}
