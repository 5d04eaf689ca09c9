//! The Python programs of `cargo xtask bench`, using Cloudflare's official SDK.

/// Request overhead with the official SDK: sequential, then 64-way concurrent with
/// `AsyncCloudflare`. Prints the same JSON lines as the Rust programs.
pub const REQUESTS: &str = r#"
import asyncio, json, os, sys, time
from cloudflare import Cloudflare, AsyncCloudflare

base_url, account, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
runs, n, total, concurrency = (int(x) for x in sys.argv[4:8])
token = os.environ["CLOUDFLARE_API_TOKEN"]

client = Cloudflare(api_token=token, base_url=base_url, max_retries=0)
def call():
    page = client.addressing.prefixes.service_bindings.list(prefix, account_id=account)
    return len(page.result)

def sequential(count):
    start = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - start)

async def concurrent(aclient, count):
    remaining = [count]
    async def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            page = await aclient.addressing.prefixes.service_bindings.list(prefix, account_id=account)
            len(page.result)
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)

async def concurrent_runs():
    aclient = AsyncCloudflare(api_token=token, base_url=base_url, max_retries=0)
    await concurrent(aclient, concurrency)  # warm up
    out = []
    for _ in range(runs):
        out.append(await concurrent(aclient, total))
    return out

sequential(20)  # warm up
seq = [sequential(n) for _ in range(runs)]
conc = asyncio.run(concurrent_runs())
print(json.dumps({"name": "requests.python.sequential", "unit": "req/s", "values": seq}))
print(json.dumps({"name": "requests.python.concurrent", "unit": "req/s", "values": conc}))
"#;

/// One `list bindings` call with the official SDK, as a one-shot script would.
pub const ONE_SHOT: &str = r#"
import os, sys
from cloudflare import Cloudflare

client = Cloudflare(api_token=os.environ["CLOUDFLARE_API_TOKEN"], base_url=sys.argv[1])
for binding in client.addressing.prefixes.service_bindings.list(sys.argv[3], account_id=sys.argv[2]):
    print(binding.cidr, binding.service_name, binding.provisioning.state if binding.provisioning else "")
"#;
