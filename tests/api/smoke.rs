use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_contribution_moves_money_into_savings, |app| async move {
    let g = app.create_group("Bayanihan").await;
    app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&g, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    let r = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
    let v = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
    assert_eq!(v.body["ok"], json!(true));
});

// The web app is served by the service itself: its page at `/`, and every file the service
// worker keeps for offline use, each with its type, compressed when the phone accepts it, and
// answered 304 when the phone already has this version.
both_backends!(
    the_web_app_is_served_with_every_file_it_keeps_offline,
    |app| async move {
        let page = app.anonymous.get(app.url("/")).send().await.expect("GET /");
        assert_eq!(page.status(), StatusCode::OK);
        let header = |r: &reqwest::Response, name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert!(header(&page, "content-type").starts_with("text/html"));
        assert!(header(&page, "content-security-policy").contains("default-src 'self'"));
        let etag = header(&page, "etag");
        let html = page.text().await.expect("the page");
        assert!(html.contains("<meta name=\"viewport\""), "{html}");
        assert!(html.contains("src=\"/app/app.js\""), "{html}");

        let worker = app
            .anonymous
            .get(app.url("/sw.js"))
            .send()
            .await
            .expect("GET /sw.js");
        assert_eq!(worker.status(), StatusCode::OK);
        assert!(header(&worker, "content-type").starts_with("text/javascript"));
        let script = worker.text().await.expect("the worker");
        assert!(!script.contains("__FILES__") && !script.contains("__VERSION__"));
        let list = script
            .lines()
            .find_map(|l| l.strip_prefix("const FILES = "))
            .expect("the list of files")
            .trim_end_matches(';');
        let files: Vec<String> = serde_json::from_str(list).expect("a JSON list");
        for wanted in [
            "/",
            "/app/app.js",
            "/app/app.css",
            "/app/locales/en.ftl",
            "/app/locales/ne.ftl",
        ] {
            assert!(
                files.iter().any(|f| f == wanted),
                "{wanted} not kept: {files:?}"
            );
        }
        for file in &files {
            let reply = app
                .anonymous
                .get(app.url(file))
                .header("Accept-Encoding", "gzip")
                .send()
                .await
                .expect("a file");
            assert_eq!(reply.status(), StatusCode::OK, "{file}");
            let kind = header(&reply, "content-type");
            let expected = match file.rsplit('.').next() {
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("ftl") => "text/plain",
                Some("svg") => "image/svg+xml",
                Some("webmanifest") => "application/manifest+json",
                _ => "text/html",
            };
            assert!(kind.starts_with(expected), "{file}: {kind}");
            if reply.bytes().await.expect("its bytes").len() > 1024 {
                let again = app
                    .anonymous
                    .get(app.url(file))
                    .header("Accept-Encoding", "gzip")
                    .send()
                    .await
                    .expect("a file");
                assert_eq!(header(&again, "content-encoding"), "gzip", "{file}");
            }
        }
        let unchanged = app
            .anonymous
            .get(app.url("/"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("GET / again");
        assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
        let missing = app
            .anonymous
            .get(app.url("/app/../Cargo.toml"))
            .send()
            .await
            .expect("a path outside the app");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
);
