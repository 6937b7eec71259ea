mod support;

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
