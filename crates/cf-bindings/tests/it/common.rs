//! What the wrapper's tests share: the test server's ids and envelopes
//! (`cf_bindings_test_server::fixtures`), and clients of the server.

use std::time::Duration;

use cf_bindings::{Bindings, Client, RetryPolicy};
pub use cf_bindings_test_server::fixtures::*;
use cf_bindings_test_server::{Reply, TestServer};

/// Retries that take milliseconds, not seconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(2))
        .with_max_delay(Duration::from_millis(10))
        .with_max_retry_after(Duration::from_millis(20))
}

/// A client of `base_url` with [`TOKEN`] and `policy`.
pub fn client_with(base_url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_token(TOKEN)
        .retry_policy(policy)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

/// A test server that answers its first requests with `replies`, in order.
pub async fn serving(replies: impl IntoIterator<Item = Reply>) -> TestServer {
    let server = TestServer::start().await;
    for reply in replies {
        server.push(reply);
    }
    server
}

/// A client of `server` with [`fast_retry`] whose every request times out after
/// 150 ms (on the paused clock of the retry tests, at once).
pub fn impatient_client(server: &TestServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .timeout(Duration::from_millis(150))
        .build()
        .expect("client builds")
}

/// A client of the test server with [`fast_retry`].
pub fn client(server: &TestServer) -> Client {
    client_with(&server.base_url(), fast_retry())
}

/// The bindings of the test prefix ([`ACCOUNT`], [`PREFIX`]) through `client`.
pub fn bindings(client: &Client) -> Bindings {
    client.account(ACCOUNT).prefix(PREFIX).bindings()
}
