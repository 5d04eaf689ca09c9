// Cloudflare's official TypeScript SDK against the cf-bindings emulator.
//
// Runs the five Service Bindings operations, List Prefixes and Prefix Details,
// the typed error classes (400, 404, 401, 403) and email + key authentication
// against the emulator at CF_INTEROP_BASE_URL (started with its default seed and
// credentials). Exits 1 with a message naming the first mismatch.
import Cloudflare from 'cloudflare';
import { VERSION } from 'cloudflare/version';

const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const PREFIX_V4 = '2af39739cc4e3b5910c918468bb89828'; // 203.0.113.0/24
const PREFIX_V6 = '6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b'; // 2001:db8:1000::/48
// The demo seed's prefixes: id -> [cidr, description].
const PREFIXES = new Map([
  [PREFIX_V4, ['203.0.113.0/24', 'Demo IPv4 prefix']],
  [PREFIX_V6, ['2001:db8:1000::/48', 'Demo IPv6 prefix']],
]);
const BASE_BINDING = '0429b49b6a5155297b78e75a44b09e14';
const MAGIC_TRANSIT = '2db684ee7ca04e159946fd05b99e1bcd';
const CDN = '7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b';
const SPECTRUM = 'c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d';
const UNKNOWN_BINDING = 'ffffffffffffffffffffffffffffffff';
const UNKNOWN_ACCOUNT = 'ffffffffffffffffffffffffffffffff';
const UNKNOWN_PREFIX = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
// RFC 3339 in UTC, as the SDK's types document `created_at` (format date-time).
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const BASE_URL = process.env.CF_INTEROP_BASE_URL;

class Mismatch extends Error {}

function check(condition, what) {
  if (!condition) throw new Mismatch(what);
}

// No retries and a short timeout: a mismatch fails at once.
function client(auth) {
  return new Cloudflare({ baseURL: BASE_URL, maxRetries: 0, timeout: 10_000, ...auth });
}

async function expectError(name, ErrorClass, status, call) {
  try {
    await call();
  } catch (err) {
    if (err instanceof ErrorClass) {
      check(err.status === status, `${name}: HTTP ${err.status}, expected ${status}`);
      console.log(`ok   ${name}: ${ErrorClass.name} (HTTP ${status})`);
      return;
    }
    if (err instanceof Cloudflare.APIError) {
      throw new Mismatch(
        `${name}: SDK threw ${err.constructor.name} (HTTP ${err.status}), expected ${ErrorClass.name} (HTTP ${status})`,
      );
    }
    throw err;
  }
  throw new Mismatch(`${name}: the call succeeded, expected ${ErrorClass.name} (HTTP ${status})`);
}

// A demo prefix as the SDK returned it: its id, CIDR and description, and its
// timestamps RFC 3339 strings that parse as dates.
function checkPrefix(name, prefix) {
  check(PREFIXES.has(prefix?.id), `${name}: unexpected prefix ${JSON.stringify(prefix)}`);
  const [cidr, description] = PREFIXES.get(prefix.id);
  check(prefix.cidr === cidr, `${name}: ${prefix.id} has cidr ${prefix.cidr}, expected ${cidr}`);
  check(
    prefix.description === description,
    `${name}: ${prefix.id} has description ${prefix.description}, expected ${description}`,
  );
  check(prefix.account_id === ACCOUNT, `${name}: ${prefix.id} has account_id ${prefix.account_id}`);
  check(prefix.approved === 'V', `${name}: ${prefix.id} has approved ${prefix.approved}`);
  check(Number.isInteger(prefix.asn), `${name}: ${prefix.id} has asn ${prefix.asn}`);
  for (const field of ['created_at', 'modified_at']) {
    const value = prefix[field];
    check(
      typeof value === 'string' && RFC3339_UTC.test(value) && !Number.isNaN(Date.parse(value)),
      `${name}: ${prefix.id} ${field} is ${JSON.stringify(value)}, expected an RFC 3339 UTC timestamp`,
    );
  }
  check(
    Date.parse(prefix.modified_at) >= Date.parse(prefix.created_at),
    `${name}: ${prefix.id} modified before created`,
  );
  check(
    prefix.advertised === null && prefix.advertised_modified_at === null,
    `${name}: ${prefix.id} is advertised although on-demand is off`,
  );
  for (const field of ['on_demand_enabled', 'on_demand_locked', 'delegate_loa_creation']) {
    check(typeof prefix[field] === 'boolean', `${name}: ${prefix.id} ${field} is not a boolean`);
  }
  for (const field of [
    'irr_validation_state',
    'ownership_validation_state',
    'rpki_validation_state',
    'ownership_validation_token',
  ]) {
    check(typeof prefix[field] === 'string', `${name}: ${prefix.id} ${field} is not a string`);
  }
}

async function prefixes(cf) {
  // The list is a page object: iterate it.
  const listed = [];
  for await (const p of cf.addressing.prefixes.list({ account_id: ACCOUNT })) listed.push(p);
  const ids = listed.map((p) => p.id).sort();
  check(
    JSON.stringify(ids) === JSON.stringify([...PREFIXES.keys()].sort()),
    `prefixes.list: [${ids}], expected [${[...PREFIXES.keys()].sort()}]`,
  );
  for (const p of listed) checkPrefix('prefixes.list', p);
  console.log(
    `ok   prefixes.list: ${listed.length} prefixes (${listed
      .map((p) => `${p.cidr} created ${new Date(p.created_at).toISOString()}`)
      .join(', ')})`,
  );

  for (const id of PREFIXES.keys()) {
    const got = await cf.addressing.prefixes.get(id, { account_id: ACCOUNT });
    checkPrefix('prefixes.get', got);
    const same = listed.find((p) => p.id === id);
    check(
      JSON.stringify(got) === JSON.stringify(same),
      `prefixes.get ${id}: ${JSON.stringify(got)} differs from the listed ${JSON.stringify(same)}`,
    );
  }
  console.log(`ok   prefixes.get: ${PREFIXES.size} prefixes, each as listed`);
}

async function operations(cf) {
  const services = new Map();
  for await (const s of cf.addressing.services.list({ account_id: ACCOUNT })) services.set(s.id, s.name);
  for (const id of [MAGIC_TRANSIT, CDN, SPECTRUM]) {
    check(services.has(id), `services.list: seed service ${id} missing`);
  }
  console.log(`ok   services.list: ${services.size} services`);

  const bindings = cf.addressing.prefixes.serviceBindings;
  const { data: created, response } = await bindings
    .create(PREFIX_V4, { account_id: ACCOUNT, cidr: '203.0.113.128/25', service_id: CDN })
    .withResponse();
  check(response.status === 201, `serviceBindings.create: HTTP ${response.status}, expected 201`);
  check(Boolean(created.id), 'serviceBindings.create: no id in the result');
  check(created.cidr === '203.0.113.128/25', `serviceBindings.create: cidr ${created.cidr}`);
  check(created.service_id === CDN, `serviceBindings.create: service_id ${created.service_id}`);
  check(created.service_name === 'CDN', `serviceBindings.create: service_name ${created.service_name}`);
  check(
    ['provisioning', 'active'].includes(created.provisioning?.state),
    `serviceBindings.create: provisioning ${JSON.stringify(created.provisioning)}`,
  );
  console.log(`ok   serviceBindings.create: ${created.id} (HTTP 201)`);

  const listed = [];
  for await (const b of bindings.list(PREFIX_V4, { account_id: ACCOUNT })) listed.push(b.id);
  check(
    listed.includes(created.id) && listed.includes(BASE_BINDING),
    `serviceBindings.list: [${listed}] lacks ${created.id} or ${BASE_BINDING}`,
  );
  console.log(`ok   serviceBindings.list: ${listed.length} bindings`);

  const got = await bindings.get(created.id, { account_id: ACCOUNT, prefix_id: PREFIX_V4 });
  check(
    got?.id === created.id && got.cidr === created.cidr && got.service_id === CDN,
    `serviceBindings.get: ${JSON.stringify(got)} differs from the created binding`,
  );
  console.log('ok   serviceBindings.get');

  const deleted = await bindings.delete(created.id, { account_id: ACCOUNT, prefix_id: PREFIX_V4 });
  check(deleted?.success === true, `serviceBindings.delete: ${JSON.stringify(deleted)}`);
  console.log('ok   serviceBindings.delete');
  await expectError('get after delete', Cloudflare.NotFoundError, 404, () =>
    bindings.get(created.id, { account_id: ACCOUNT, prefix_id: PREFIX_V4 }),
  );
}

async function errors(cf) {
  const bindings = cf.addressing.prefixes.serviceBindings;
  await expectError('create with a CIDR outside the prefix', Cloudflare.BadRequestError, 400, () =>
    bindings.create(PREFIX_V4, { account_id: ACCOUNT, cidr: '198.51.100.0/24', service_id: CDN }),
  );
  await expectError('get an unknown binding', Cloudflare.NotFoundError, 404, () =>
    bindings.get(UNKNOWN_BINDING, { account_id: ACCOUNT, prefix_id: PREFIX_V4 }),
  );
  await expectError('get an unknown prefix', Cloudflare.NotFoundError, 404, () =>
    cf.addressing.prefixes.get(UNKNOWN_PREFIX, { account_id: ACCOUNT }),
  );
  await expectError('list the prefixes of an unknown account', Cloudflare.NotFoundError, 404, () =>
    cf.addressing.prefixes.list({ account_id: UNKNOWN_ACCOUNT }),
  );
  await expectError('list prefixes with a wrong API token', Cloudflare.PermissionDeniedError, 403, () =>
    client({ apiToken: 'wrong-token' }).addressing.prefixes.list({ account_id: ACCOUNT }),
  );
  await expectError('wrong API token', Cloudflare.PermissionDeniedError, 403, () =>
    client({ apiToken: 'wrong-token' }).addressing.services.list({ account_id: ACCOUNT }),
  );
  // The SDK refuses to send a request without credentials unless told to.
  await expectError('no credentials', Cloudflare.AuthenticationError, 401, () =>
    client({}).addressing.services.list({ account_id: ACCOUNT }, { headers: { Authorization: null } }),
  );
  await expectError('wrong API key', Cloudflare.PermissionDeniedError, 403, () =>
    client({ apiEmail: 'demo@example.com', apiKey: 'wrong-key' }).addressing.services.list({
      account_id: ACCOUNT,
    }),
  );
}

async function main() {
  if (!BASE_URL) {
    console.error("interop.mjs: set CF_INTEROP_BASE_URL to the emulator's base URL");
    process.exit(2);
  }
  console.log(`TypeScript SDK cloudflare ${VERSION} against ${BASE_URL}`);
  try {
    console.log('-- API token');
    await operations(client({ apiToken: 'emulator-token' }));
    await prefixes(client({ apiToken: 'emulator-token' }));
    await errors(client({ apiToken: 'emulator-token' }));
    console.log('-- email + API key');
    await operations(client({ apiEmail: 'demo@example.com', apiKey: 'emulator-key' }));
    await prefixes(client({ apiEmail: 'demo@example.com', apiKey: 'emulator-key' }));
  } catch (err) {
    if (err instanceof Mismatch) {
      console.error(`FAIL (TypeScript SDK): ${err.message}`);
    } else if (err instanceof Cloudflare.APIError) {
      console.error(`FAIL (TypeScript SDK): unexpected ${err.constructor.name}: ${err.message}`);
    } else {
      console.error('FAIL (TypeScript SDK):', err);
    }
    process.exit(1);
  }
  console.log('TypeScript SDK: all checks passed');
}

await main();
