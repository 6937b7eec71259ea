//! Administration done on the database itself (`msai-ledger admin ...`), for an operator who
//! has the database but no administrator who can sign in.

use crate::auth::password;
use crate::config::{DatabaseOptions, ResetPasswordOptions};
use crate::store::StoreOptions;

/// Sets the password of `options.username`: ends that user's tokens and sessions and lifts
/// the locks of failed sign-ins against the name. `password` is the new password. Returns
/// what was done, for the operator.
pub async fn reset_password(
    options: &ResetPasswordOptions,
    password: &str,
) -> anyhow::Result<String> {
    password::check_policy(password).map_err(|e| anyhow::anyhow!("the new password {e}"))?;
    let store = crate::store::connect_with(&options.database_url, StoreOptions::default()).await?;
    let outcome = async {
        let (user, _) = store
            .find_login(&options.username)
            .await?
            .ok_or_else(|| anyhow::anyhow!("there is no user named {:?}", options.username))?;
        let hash = password::off_thread({
            let password = password.to_string();
            move || password::hash(&password)
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))?
        .map_err(|e| anyhow::anyhow!(e))?;
        store.set_password(user.id, &hash).await?;
        store.lift_sign_in_locks(&options.username).await?;
        let mut done = format!(
            "the password of user {} is set; their tokens and sessions have ended",
            options.username
        );
        if user.disabled {
            done.push_str(" (the user is disabled and still cannot sign in)");
        }
        Ok(done)
    }
    .await;
    store.close().await;
    outcome
}

/// Makes a new signing key, kept in the database, the current one; the keys before it stay
/// published. Returns what was done, for the operator.
pub async fn rotate_signing_key(options: &DatabaseOptions) -> anyhow::Result<String> {
    let store = crate::store::connect_with(&options.database_url, StoreOptions::default()).await?;
    let outcome = async {
        let signer = crate::signing::Signer::generate();
        let key = signer.stored(chrono::Utc::now(), true)?;
        let before = store.published_keys().await?;
        store.adopt_signing_key(&key).await?;
        let kept = before.len();
        Ok(format!(
            "signing key {} is current; {kept} earlier key(s) stay published; restart the service's processes to sign with it",
            signer.key_id()
        ))
    }
    .await;
    store.close().await;
    outcome
}
