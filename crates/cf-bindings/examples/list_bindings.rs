//! Lists the service bindings of a prefix and the services of its account.
//!
//! ```text
//! CLOUDFLARE_API_TOKEN=... cargo run -p cf-bindings --example list_bindings -- <account_id> <prefix_id>
//! ```
//! Set `CLOUDFLARE_BASE_URL` to talk to the local emulator instead of Cloudflare.

use std::process::ExitCode;

use cf_bindings::Client;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(account), Some(prefix)) = (args.next(), args.next()) else {
        eprintln!("usage: list_bindings <account_id> <prefix_id>");
        return ExitCode::from(2);
    };
    match run(&account, &prefix).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(account: &str, prefix: &str) -> Result<(), cf_bindings::Error> {
    let client = Client::from_env()?;
    let account = client.account(account);

    let services = account.services().list().await?;
    println!("services:");
    for service in services.iter() {
        println!("  {}  {}", service.id, service.name);
    }

    let bindings = account.prefix(prefix).bindings().list().await?;
    println!("bindings:");
    for binding in bindings.iter() {
        println!(
            "  {}  {:<20} {:<14} {}",
            binding.id, binding.cidr, binding.service_name, binding.state
        );
    }
    Ok(())
}
