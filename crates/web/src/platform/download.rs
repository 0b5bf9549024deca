//! A stored file sent to the browser as a download: a signed consent form, a thread's attachment.
//! Always `attachment` (never shown inside our origin, where a crafted PDF could run script), the
//! type we read from its content with `nosniff`, and never kept by a cache: these files are
//! health data.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `file_name` must be plain ASCII without quotes (the callers' download names are).
pub fn file(bytes: Vec<u8>, media_type: &'static str, file_name: &str) -> Response {
    let mut res = bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let disposition =
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}
