"""Cloudflare's official Python SDK against the cf-bindings emulator.

Runs the five Service Bindings operations, List Prefixes and Prefix Details,
the typed error classes (400, 404, 401, 403) and email + key authentication
against the emulator at CF_INTEROP_BASE_URL (started with its default seed and
credentials). Exits 1 with a message naming the first mismatch.
"""

import datetime
import os
import sys

import cloudflare
from cloudflare import Cloudflare, Omit

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
PREFIX_V4 = "2af39739cc4e3b5910c918468bb89828"  # 203.0.113.0/24
PREFIX_V6 = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b"  # 2001:db8:1000::/48
# The demo seed's prefixes: id -> (cidr, description).
PREFIXES = {
    PREFIX_V4: ("203.0.113.0/24", "Demo IPv4 prefix"),
    PREFIX_V6: ("2001:db8:1000::/48", "Demo IPv6 prefix"),
}
BASE_BINDING = "0429b49b6a5155297b78e75a44b09e14"
MAGIC_TRANSIT = "2db684ee7ca04e159946fd05b99e1bcd"
CDN = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b"
SPECTRUM = "c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d"
UNKNOWN_BINDING = "ffffffffffffffffffffffffffffffff"
UNKNOWN_ACCOUNT = "ffffffffffffffffffffffffffffffff"
UNKNOWN_PREFIX = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"


class Mismatch(Exception):
    """The emulator answered differently from what the SDK expects."""


def check(condition, what):
    if not condition:
        raise Mismatch(what)


def client(**auth):
    # No retries and a short timeout: a mismatch fails at once.
    return Cloudflare(base_url=BASE_URL, max_retries=0, timeout=10.0, **auth)


def expect_error(name, error_class, status, call):
    try:
        call()
    except error_class as err:
        check(err.status_code == status, f"{name}: HTTP {err.status_code}, expected {status}")
        print(f"ok   {name}: {error_class.__name__} (HTTP {status})")
        return
    except cloudflare.APIStatusError as err:
        raise Mismatch(
            f"{name}: SDK raised {type(err).__name__} (HTTP {err.status_code}), "
            f"expected {error_class.__name__} (HTTP {status})"
        ) from err
    raise Mismatch(f"{name}: the call succeeded, expected {error_class.__name__} (HTTP {status})")


def check_prefix(name, prefix):
    """A demo prefix as the SDK parsed it: its id, CIDR and description, and its
    timestamps read as aware datetimes."""
    check(prefix.id in PREFIXES, f"{name}: unexpected prefix id {prefix.id!r}")
    cidr, description = PREFIXES[prefix.id]
    check(prefix.cidr == cidr, f"{name}: {prefix.id} has cidr {prefix.cidr!r}, expected {cidr!r}")
    check(prefix.description == description,
          f"{name}: {prefix.id} has description {prefix.description!r}, expected {description!r}")
    check(prefix.account_id == ACCOUNT, f"{name}: {prefix.id} has account_id {prefix.account_id!r}")
    check(prefix.approved == "V", f"{name}: {prefix.id} has approved {prefix.approved!r}")
    check(isinstance(prefix.asn, int), f"{name}: {prefix.id} has asn {prefix.asn!r}")
    for field in ("created_at", "modified_at"):
        value = getattr(prefix, field)
        check(isinstance(value, datetime.datetime) and value.utcoffset() == datetime.timedelta(0),
              f"{name}: {prefix.id} {field} is {value!r}, expected a UTC datetime")
    check(prefix.modified_at >= prefix.created_at, f"{name}: {prefix.id} modified before created")
    check(prefix.advertised is None and prefix.advertised_modified_at is None,
          f"{name}: {prefix.id} is advertised although on-demand is off")
    for field in ("on_demand_enabled", "on_demand_locked", "delegate_loa_creation"):
        check(isinstance(getattr(prefix, field), bool), f"{name}: {prefix.id} {field} is not a bool")
    for field in ("irr_validation_state", "ownership_validation_state", "rpki_validation_state",
                  "ownership_validation_token"):
        check(isinstance(getattr(prefix, field), str), f"{name}: {prefix.id} {field} is not a string")
    # Nothing the SDK's model does not know.
    extra = getattr(prefix, "model_extra", None) or {}
    check(not extra, f"{name}: {prefix.id} has fields the SDK does not know: {sorted(extra)}")


def prefixes(cf):
    listed = list(cf.addressing.prefixes.list(account_id=ACCOUNT))
    check(sorted(p.id for p in listed) == sorted(PREFIXES),
          f"prefixes.list: {[p.id for p in listed]}, expected {sorted(PREFIXES)}")
    for prefix in listed:
        check_prefix("prefixes.list", prefix)
    print(f"ok   prefixes.list: {len(listed)} prefixes "
          f"({', '.join(f'{p.cidr} created {p.created_at.isoformat()}' for p in listed)})")

    for prefix_id in PREFIXES:
        got = cf.addressing.prefixes.get(prefix_id, account_id=ACCOUNT)
        check(got is not None, f"prefixes.get {prefix_id}: no result")
        check_prefix("prefixes.get", got)
        same = next(p for p in listed if p.id == prefix_id)
        check(got == same, f"prefixes.get {prefix_id}: {got!r} differs from the listed {same!r}")
    print(f"ok   prefixes.get: {len(PREFIXES)} prefixes, each as listed")


def operations(cf):
    services = {s.id: s.name for s in cf.addressing.services.list(account_id=ACCOUNT)}
    for sid in (MAGIC_TRANSIT, CDN, SPECTRUM):
        check(sid in services, f"services.list: seed service {sid} missing from {services}")
    print(f"ok   services.list: {len(services)} services")

    raw = cf.addressing.prefixes.service_bindings.with_raw_response.create(
        PREFIX_V4, account_id=ACCOUNT, cidr="203.0.113.128/25", service_id=CDN
    )
    check(raw.status_code == 201, f"service_bindings.create: HTTP {raw.status_code}, expected 201")
    created = raw.parse()
    check(bool(created.id), "service_bindings.create: no id in the result")
    check(created.cidr == "203.0.113.128/25", f"service_bindings.create: cidr {created.cidr!r}")
    check(created.service_id == CDN, f"service_bindings.create: service_id {created.service_id!r}")
    check(created.service_name == "CDN", f"service_bindings.create: service_name {created.service_name!r}")
    check(created.provisioning is not None and created.provisioning.state in ("provisioning", "active"),
          f"service_bindings.create: provisioning {created.provisioning!r}")
    print(f"ok   service_bindings.create: {created.id} (HTTP 201)")

    listed = [b.id for b in cf.addressing.prefixes.service_bindings.list(PREFIX_V4, account_id=ACCOUNT)]
    check(created.id in listed and BASE_BINDING in listed,
          f"service_bindings.list: {listed} lacks {created.id} or {BASE_BINDING}")
    print(f"ok   service_bindings.list: {len(listed)} bindings")

    got = cf.addressing.prefixes.service_bindings.get(created.id, account_id=ACCOUNT, prefix_id=PREFIX_V4)
    check(got is not None and got.id == created.id and got.cidr == created.cidr and got.service_id == CDN,
          f"service_bindings.get: {got!r} differs from the created binding")
    print("ok   service_bindings.get")

    deleted = cf.addressing.prefixes.service_bindings.delete(created.id, account_id=ACCOUNT, prefix_id=PREFIX_V4)
    check(deleted.success is True, f"service_bindings.delete: {deleted!r}")
    print("ok   service_bindings.delete")
    expect_error("get after delete", cloudflare.NotFoundError, 404,
                 lambda: cf.addressing.prefixes.service_bindings.get(
                     created.id, account_id=ACCOUNT, prefix_id=PREFIX_V4))


def errors(cf):
    expect_error("create with a CIDR outside the prefix", cloudflare.BadRequestError, 400,
                 lambda: cf.addressing.prefixes.service_bindings.create(
                     PREFIX_V4, account_id=ACCOUNT, cidr="198.51.100.0/24", service_id=CDN))
    expect_error("get an unknown binding", cloudflare.NotFoundError, 404,
                 lambda: cf.addressing.prefixes.service_bindings.get(
                     UNKNOWN_BINDING, account_id=ACCOUNT, prefix_id=PREFIX_V4))
    expect_error("get an unknown prefix", cloudflare.NotFoundError, 404,
                 lambda: cf.addressing.prefixes.get(UNKNOWN_PREFIX, account_id=ACCOUNT))
    expect_error("list the prefixes of an unknown account", cloudflare.NotFoundError, 404,
                 lambda: list(cf.addressing.prefixes.list(account_id=UNKNOWN_ACCOUNT)))
    expect_error("list prefixes with a wrong API token", cloudflare.PermissionDeniedError, 403,
                 lambda: list(client(api_token="wrong-token").addressing.prefixes.list(account_id=ACCOUNT)))
    expect_error("wrong API token", cloudflare.PermissionDeniedError, 403,
                 lambda: client(api_token="wrong-token").addressing.services.list(account_id=ACCOUNT))
    # The SDK refuses to send a request without credentials unless told to.
    expect_error("no credentials", cloudflare.AuthenticationError, 401,
                 lambda: client().addressing.services.list(
                     account_id=ACCOUNT, extra_headers={"Authorization": Omit()}))
    expect_error("wrong API key", cloudflare.PermissionDeniedError, 403,
                 lambda: client(api_email="demo@example.com", api_key="wrong-key")
                 .addressing.services.list(account_id=ACCOUNT))


def main():
    print(f"Python SDK cloudflare {cloudflare.__version__} against {BASE_URL}")
    print("-- API token")
    operations(client(api_token="emulator-token"))
    prefixes(client(api_token="emulator-token"))
    errors(client(api_token="emulator-token"))
    print("-- email + API key")
    operations(client(api_email="demo@example.com", api_key="emulator-key"))
    prefixes(client(api_email="demo@example.com", api_key="emulator-key"))


if __name__ == "__main__":
    BASE_URL = os.environ.get("CF_INTEROP_BASE_URL", "")
    if not BASE_URL:
        sys.exit("interop.py: set CF_INTEROP_BASE_URL to the emulator's base URL")
    try:
        main()
    except Mismatch as err:
        sys.exit(f"FAIL (Python SDK): {err}")
    except cloudflare.APIError as err:
        sys.exit(f"FAIL (Python SDK): unexpected {type(err).__name__}: {err}")
    print("Python SDK: all checks passed")
