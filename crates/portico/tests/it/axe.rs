//! Accessibility checks in the real-browser tests: axe-core, injected into the page the browser
//! shows, must find no `serious` or `critical` violation of WCAG 2.0–2.2 A/AA or of axe's best
//! practices. Lesser findings are printed as notes; they never fail a test.
//!
//! axe-core comes from npm, pinned in `.ci/axe/package.json` and installed by `.ci/run`
//! (`npm ci --prefix .ci/axe`), which exports `PORTICO_AXE_JS`. Without `axe.min.js` the check is
//! skipped with a note, except when `CI=true`, where it fails.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Once;

use serde::Deserialize;
use thirtyfour::prelude::*;

/// axe's rule tags to run: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
const TAGS: [&str; 6] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
];
/// How much of an offending element's HTML a failure message quotes.
const HTML_SNIPPET_CHARS: usize = 200;

/// Runs axe-core on the page `driver` is showing and panics, naming `page`, on any violation of
/// impact `serious` or `critical`. Returns `Ok` without checking when axe-core is not installed
/// (outside CI).
pub async fn assert_accessible(driver: &WebDriver, page: &str) -> WebDriverResult<()> {
    let Some(axe_js) = axe_source() else {
        return Ok(());
    };
    // WebDriver scripts run through the DevTools protocol, outside the page's
    // `Content-Security-Policy: default-src 'self'`, so the injection is not blocked.
    driver.execute(axe_js, Vec::new()).await?;
    let report: AxeReport = driver
        .execute_async(RUN_AXE, vec![serde_json::json!(TAGS)])
        .await?
        .convert()?;
    if let Some(error) = report.error {
        panic!("axe-core could not check the {page} page: {error}");
    }

    let (failures, notes): (Vec<_>, Vec<_>) = report
        .violations
        .iter()
        .partition(|v| matches!(v.impact.as_deref(), Some("serious" | "critical")));
    for note in &notes {
        // Straight to the stream: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "NOTE: axe-core on the {page} page ({}): {}",
            report.url,
            describe(note)
        );
    }
    if !failures.is_empty() {
        let listed: Vec<String> = failures.iter().map(|v| describe(v)).collect();
        panic!(
            "axe-core found {} serious or critical accessibility violation(s) on the {page} page ({}):\n\n{}",
            failures.len(),
            report.url,
            listed.join("\n\n")
        );
    }
    // Captured by the harness (shown with `--nocapture`): on every run it would only be noise.
    eprintln!(
        "axe-core: {page} page: {} rules passed, no serious or critical violations ({} minor/moderate, {} to review by hand)",
        report.passes,
        notes.len(),
        report.incomplete
    );
    Ok(())
}

/// Runs axe on the whole document and hands back only what a failure message needs, so the
/// answer stays small. The last argument is WebDriver's callback for an asynchronous script.
const RUN_AXE: &str = r#"
const tags = arguments[0];
const done = arguments[arguments.length - 1];
if (typeof window.axe === 'undefined') {
  done({ error: 'axe is not defined after injecting axe.min.js' });
  return;
}
window.axe
  .run(document, { runOnly: { type: 'tag', values: tags } })
  .then((r) => done({
    url: r.url,
    passes: r.passes.length,
    incomplete: r.incomplete.length,
    violations: r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })),
    })),
  }))
  .catch((e) => done({ error: String((e && e.stack) || e) }));
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct AxeReport {
    error: Option<String>,
    url: String,
    passes: usize,
    incomplete: usize,
    violations: Vec<Violation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    help_url: String,
    nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
struct Node {
    /// One selector per frame or shadow root on the way to the element; a string for the plain
    /// case, a list of selectors for a shadow DOM hop.
    target: Vec<serde_json::Value>,
    html: String,
}

/// `[serious] color-contrast: Elements must meet minimum color contrast ratio thresholds`, its
/// help link, then each offending element's selector and HTML.
fn describe(v: &Violation) -> String {
    let mut out = format!(
        "[{}] {}: {} ({})",
        v.impact.as_deref().unwrap_or("unknown impact"),
        v.id,
        v.help,
        v.help_url
    );
    for node in &v.nodes {
        let target: Vec<String> = node
            .target
            .iter()
            .map(|t| match t {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        out.push_str(&format!(
            "\n  - {}\n    {}",
            target.join(" >>> "),
            truncate(&node.html, HTML_SNIPPET_CHARS)
        ));
    }
    out
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The text of `axe.min.js`: `PORTICO_AXE_JS`, else the copy `.ci/run` installs in the workspace.
/// `None` (with a note, once) when it is missing; a panic instead when `CI=true`.
fn axe_source() -> Option<String> {
    let path = match std::env::var_os("PORTICO_AXE_JS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../.ci/axe/node_modules/axe-core/axe.min.js"),
    };
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "CI=true but axe-core is missing ({}: {e}): .ci/run must run `npm ci --prefix .ci/axe` and export PORTICO_AXE_JS",
                    path.display()
                );
            }
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: accessibility checks SKIPPED ({} not readable: {e}; install with `npm ci --prefix .ci/axe`)",
                    path.display()
                );
            });
            None
        }
    }
}

#[test]
fn snippets_are_cut_on_a_character_boundary() {
    assert_eq!(truncate("<p>short</p>", 200), "<p>short</p>");
    assert_eq!(truncate("<p>é–ü</p>", 5), "<p>é–…");
}
