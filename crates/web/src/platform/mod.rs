//! The web layer's own plumbing, which every feature's pages and API handlers use and which never
//! uses a feature: the error mapping (`error`) and the bodies of error responses
//! (`error_bodies`); cookies (`cookies`), CSRF tokens (`csrf`) and the staff and patient sessions
//! (`sessions`); the browser's device cookie (`browser`); what a failed form post leaves for the
//! page it redirects to (`flash`); the staff page frame (`chrome`), the practice's clock for the
//! times it shows (`local_time`) and contact points masked in lists (`masked`); request bodies
//! (`body`) and field lengths (`limits`) at the edge; facts about the request (`request`); health
//! checks and metrics (`health`).

pub mod body;
pub mod browser;
pub mod choices;
pub mod chrome;
pub mod cookies;
pub mod csrf;
pub mod csv;
pub mod download;
pub mod error;
pub mod error_bodies;
pub mod flash;
pub mod health;
pub mod limits;
pub mod local_time;
pub mod masked;
pub mod request;
pub mod return_to;
pub mod sessions;
