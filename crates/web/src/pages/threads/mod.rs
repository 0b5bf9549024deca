//! Secure threads (`portico_core::threads`) in the browser: the staff member's inbox and
//! conversations (`staff`), and the patient's (`portal`). The pages call the same core functions
//! as the API, so who may read what is decided in one place.

mod forms;
mod portal;
mod staff;

use axum::Router;
use axum::response::Response;
use portico_core::threads::ReplyInput;
use portico_core::threads::attachments::AttachmentDownload;

use crate::AppState;
use crate::platform::csrf::UploadFields;
use crate::platform::download;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(staff::routes())
        .merge(portal::routes())
        .merge(forms::routes())
}

/// A reply form's fields (it is an upload: a file may come with the words).
fn reply_input(fields: &UploadFields) -> ReplyInput {
    ReplyInput {
        body: fields.text("body").unwrap_or_default(),
        attachment: fields.file("attachment"),
    }
}

fn file_response(file: AttachmentDownload) -> Response {
    download::file(file.bytes, file.kind.media_type(), &file.download_name)
}
