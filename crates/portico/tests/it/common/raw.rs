//! Requests written byte by byte on a raw connection, for what an HTTP client library will not
//! send: a declared length with no body, headers cut off half-way.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use super::TestApp;

/// Sends `request` on a fresh connection and reads until the server closes it. The deadline only
/// keeps a broken server from hanging the test run; nothing is asserted about time.
pub async fn raw_exchange(app: &TestApp, request: Vec<u8>) -> String {
    let addr = app.url.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("read time-out");
        stream.write_all(&request).expect("send");
        let mut out = Vec::new();
        let mut buf = [0_u8; 4096];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("the server neither answered nor closed the connection: {e}"),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .expect("raw exchange")
}
