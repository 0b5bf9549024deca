//! Cookie names (issue #15): behind HTTPS every cookie takes the `__Host-` prefix (secure origin
//! only, `Path=/`, no `Domain`), so a sibling subdomain or a plain-HTTP page cannot plant or
//! overwrite a session or CSRF cookie. Over plain HTTP the names stay as they were.

use reqwest::StatusCode;

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, csrf_token, location, on_both};

on_both!(over_plain_http_the_cookie_names_are_unprefixed_and_sign_in_works);

mod behind_tls {
    use super::*;

    on_both!(
        settings: &[("PORTICO_PUBLIC_URL", "https://portal.example.org")];
        behind_https_every_cookie_is_a_host_cookie,
    );

    /// The `Set-Cookie` headers of a response.
    fn set_cookies(res: &reqwest::Response) -> Vec<String> {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// `name=value` of the cookie called `name`.
    fn pair(cookies: &[String], name: &str) -> String {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {cookies:?}"))
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    /// A browser behind a TLS-terminating proxy: cookies are sent by hand, as the proxy passes
    /// them on (a cookie jar would not send `Secure` cookies over the test's plain HTTP).
    async fn behind_https_every_cookie_is_a_host_cookie(app: &TestApp) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let setup_path = app
            .setup_link
            .as_deref()
            .unwrap()
            .trim_start_matches("https://portal.example.org")
            .to_owned();
        let mut seen: Vec<String> = Vec::new();

        let page = client
            .get(format!("{}{setup_path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let cookies = set_cookies(&page);
        let anon = pair(&cookies, "__Host-portico_csrf");
        seen.extend(cookies);
        let csrf = csrf_token(&page.text().await.unwrap());
        let res = client
            .post(format!("{}{setup_path}", app.url))
            .header("cookie", &anon)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("practice_name", "Lakeside Clinic"),
                ("display_name", "Ada Admin"),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "set-up succeeds");
        let cookies = set_cookies(&res);
        let session = pair(&cookies, "__Host-portico_session");
        seen.extend(cookies);
        let staff = client
            .get(format!("{}/staff", app.url))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(staff.status(), StatusCode::OK, "the prefixed session works");
        let csrf = csrf_token(&staff.text().await.unwrap());
        let out = client
            .post(format!("{}/staff/sign-out", app.url))
            .header("cookie", &session)
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&out), "/staff/sign-in?signed_out=1");
        seen.extend(set_cookies(&out));

        // The patient side: the forgot-password pages set the recovery cookie.
        let forgot = client
            .get(format!("{}/portal/forgot", app.url))
            .send()
            .await
            .unwrap();
        let cookies = set_cookies(&forgot);
        let anon = pair(&cookies, "__Host-portico_csrf");
        seen.extend(cookies);
        let csrf = csrf_token(&forgot.text().await.unwrap());
        let res = client
            .post(format!("{}/portal/forgot", app.url))
            .header("cookie", &anon)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("name", "nobody@example.org"),
                ("channel", "email"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cookies = set_cookies(&res);
        pair(&cookies, "__Host-portico_recovery");
        seen.extend(cookies);

        assert!(seen.len() >= 5, "{seen:?}");
        for cookie in &seen {
            assert!(cookie.starts_with("__Host-"), "{cookie}");
            assert!(cookie.contains("; Secure"), "{cookie}");
            assert!(cookie.contains("; Path=/"), "{cookie}");
            assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
        }
    }
}

async fn over_plain_http_the_cookie_names_are_unprefixed_and_sign_in_works(app: &TestApp) {
    app.set_up_practice("Lakeside Clinic").await;
    let (browser, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("portico_session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(browser.get("/staff").await.status(), StatusCode::OK);
}
