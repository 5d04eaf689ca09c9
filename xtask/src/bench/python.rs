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

/// Client CPU per call with the official SDK: the same sequence as `bench-cpu`
/// (one-binding lists, 1,000-binding lists, gets, creates), measured with the
/// process CPU clock; the creates are deleted after each run, untimed. Also the
/// sequential rate of the 1,000-binding list.
pub const CPU: &str = r#"
import ipaddress, json, os, sys, time
from cloudflare import Cloudflare

base_url, account, small, binding, large, large_cidr = sys.argv[1:7]
runs, calls, large_calls = (int(x) for x in sys.argv[7:10])
CDN = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b"
client = Cloudflare(api_token=os.environ["CLOUDFLARE_API_TOKEN"], base_url=base_url, max_retries=0)
bindings = client.addressing.prefixes.service_bindings
network = ipaddress.IPv6Network(large_cidr)
next_subnet = [30000]

def subnet():
    n = next_subnet[0]
    next_subnet[0] += 1
    return str(ipaddress.IPv6Network((int(network.network_address) + (n << 64), 64)))

created = []
ops = [
    ("list_1", calls, lambda: len(bindings.list(small, account_id=account).result)),
    ("list_1000", large_calls, lambda: len(bindings.list(large, account_id=account).result)),
    ("get", calls, lambda: bindings.get(binding, account_id=account, prefix_id=small).cidr),
    ("create", calls, lambda: created.append(
        bindings.create(large, account_id=account, cidr=subnet(), service_id=CDN).id)),
]
cpu = {name: [] for name, _, _ in ops}
rate = []
for run in range(runs + 1):
    for name, n, call in ops:
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        for _ in range(n):
            call()
        cpu_used, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
        if run > 0:  # run 0 warms up
            cpu[name].append(cpu_used * 1e6 / n)
            if name == "list_1000":
                rate.append(n / wall)
    while created:
        bindings.delete(created.pop(), account_id=account, prefix_id=large)
for name, values in cpu.items():
    print(json.dumps({"name": f"cpu.python.{name}", "unit": "µs CPU/call", "values": values}))
print(json.dumps({"name": "large_list.python.sequential", "unit": "req/s", "values": rate}))
"#;
