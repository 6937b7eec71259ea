//! Checks the PostgreSQL test harness itself: each test gets a database of its own.

use crate::support;

use sqlx::{Connection, PgConnection};

#[tokio::test]
async fn postgres_test_databases_are_fresh_and_isolated() {
    let Some(first_url) = support::postgres::fresh_database().await else {
        return;
    };
    let second_url = support::postgres::fresh_database()
        .await
        .expect("the PostgreSQL test server went away between two databases");
    assert_ne!(first_url, second_url);

    let mut first = PgConnection::connect(&first_url).await.unwrap();
    let mut second = PgConnection::connect(&second_url).await.unwrap();

    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut first)
        .await
        .unwrap();
    assert!(version >= 130_000, "PostgreSQL {version} is older than 13");

    let user_tables = "SELECT count(*) FROM pg_catalog.pg_tables \
                       WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";
    for conn in [&mut first, &mut second] {
        let count: i64 = sqlx::query_scalar(user_tables)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(count, 0, "a fresh database already has tables");
    }

    sqlx::raw_sql(
        "CREATE TABLE harness_probe (id integer PRIMARY KEY); INSERT INTO harness_probe VALUES (1)",
    )
    .execute(&mut first)
    .await
    .unwrap();

    let probe_exists = "SELECT to_regclass('public.harness_probe') IS NOT NULL";
    let in_first: bool = sqlx::query_scalar(probe_exists)
        .fetch_one(&mut first)
        .await
        .unwrap();
    let in_second: bool = sqlx::query_scalar(probe_exists)
        .fetch_one(&mut second)
        .await
        .unwrap();
    assert!(in_first, "the table was not created in the first database");
    assert!(
        !in_second,
        "a table of the first database shows in the second"
    );

    first.close().await.unwrap();
    second.close().await.unwrap();
}
