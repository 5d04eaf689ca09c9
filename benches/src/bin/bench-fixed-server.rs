//! The smallest server worth comparing the emulator with: axum answering every GET
//! with one fixed body, the emulator's own answer to the same request, fetched once
//! at start. wrk against both tells what the emulator's own logic costs.
//!
//! ```text
//! bench-fixed-server --from URL --token TOKEN
//! ```
//! Prints its base URL on the first line of standard output, then serves until
//! killed.
#![forbid(unsafe_code)]

use axum::{Router, body::Bytes, http::header, routing::get};
use cf_bindings_benches::{Args, BoxError};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let from = args.string("from")?;
    let token = args.string("token")?;
    let body: Bytes = reqwest::Client::new()
        .get(&from)
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
