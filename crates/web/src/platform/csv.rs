//! CSV files for spreadsheets (the audit log, an intake form's answers): RFC 4180 lines ending in
//! CR LF, every cell quoted, a byte-order mark first so spreadsheets read the file as UTF-8
//! (names with accents included), and any cell a spreadsheet would run as a formula made text.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The byte-order mark a file starts with.
pub const BOM: &str = "\u{feff}";

/// A whole file: the header line, then one line per row.
pub fn table<'a>(header: &'a [String], rows: &'a [Vec<String>]) -> String {
    let mut out = String::from(BOM);
    line(&mut out, header.iter().map(String::as_str));
    for row in rows {
        line(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// A CSV file as a download named `file_name` (plain ASCII), never cached.
pub fn download(file_name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Adds one line of cells.
pub fn line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    let cells: Vec<String> = cells.map(cell).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// One cell, quoted, with a formula's first character made harmless.
fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::{cell, table};

    #[test]
    fn a_cell_that_a_spreadsheet_would_run_is_made_text() {
        assert_eq!(cell("=HYPERLINK(A1) Lopez"), "\"'=HYPERLINK(A1) Lopez\"");
        assert_eq!(cell("+1 555"), "\"'+1 555\"");
        assert_eq!(cell("@SUM(1)"), "\"'@SUM(1)\"");
        assert_eq!(cell("-2"), "\"'-2\"");
        assert_eq!(cell("Maria \"Mia\" Lopez"), "\"Maria \"\"Mia\"\" Lopez\"");
        assert_eq!(cell(""), "\"\"");
    }

    #[test]
    fn a_table_is_a_header_and_its_rows_in_crlf_lines() {
        let header = vec!["Patient".to_owned(), "Smoker".to_owned()];
        let rows = vec![vec!["José Núñez".to_owned(), "No".to_owned()]];
        assert_eq!(
            table(&header, &rows),
            "\u{feff}\"Patient\",\"Smoker\"\r\n\"José Núñez\",\"No\"\r\n"
        );
    }
}
