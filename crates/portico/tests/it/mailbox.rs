//! A real SMTP server for the tests: Python's aiosmtpd, run as a child process on a free local
//! port, storing every message it accepts in a Maildir that tests read back.

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

pub struct SmtpServer {
    pub port: u16,
    child: Child,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

/// One message as the server received it (headers and body; quoted-printable soft breaks undone).
pub struct Received {
    pub raw: String,
}

impl Received {
    /// The invite code the message carries (`XYZ-234-ABC`), if any.
    pub fn invite_code(&self) -> Option<String> {
        self.raw
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .find(|w| is_invite_code(w))
            .map(str::to_owned)
    }

    /// The first address in the message that starts with `prefix` (up to a space, quote or
    /// angle bracket).
    pub fn link_starting(&self, prefix: &str) -> Option<String> {
        let at = self.raw.find(prefix)?;
        let rest = &self.raw[at..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.raw
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }
}

/// Shaped like an invite code: `XYZ-234-ABC`.
pub(crate) fn is_invite_code(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() == 3
        && parts.iter().all(|p| p.len() == 3)
        && parts[0].chars().all(|c| c.is_ascii_uppercase())
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && parts[2].chars().all(|c| c.is_ascii_uppercase())
}

fn aiosmtpd_available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl SmtpServer {
    /// Starts the server; `None` (with a visible note) where aiosmtpd is not installed, except in CI.
    pub fn start() -> Option<SmtpServer> {
        static NOTE: Once = Once::new();
        if !aiosmtpd_available() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "CI=true but Python's aiosmtpd is missing: .ci/run must install it (pip install aiosmtpd)"
                );
            }
            NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: SMTP tests SKIPPED (pip install aiosmtpd to run them)"
                );
            });
            return None;
        }
        let port = free_port();
        let dir = tempfile::tempdir().expect("temporary folder");
        // The handler makes the Maildir itself, and only when the folder does not exist yet.
        let maildir = dir.path().join("mail");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let server = SmtpServer {
            port,
            child,
            maildir,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// The settings that point the service at this server.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PORTICO_EMAIL_TRANSPORT", "smtp".into()),
            ("PORTICO_SMTP_HOST", "127.0.0.1".into()),
            ("PORTICO_SMTP_PORT", self.port.to_string()),
            ("PORTICO_SMTP_TLS", "none".into()),
            (
                "PORTICO_EMAIL_FROM",
                "Lakeside Clinic <portal@lakeside.example>".into(),
            ),
        ]
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .map(|raw| Received {
                raw: raw
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "="),
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived (or the time runs out), then answers them all.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n || started.elapsed() > limit {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
