import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { createTenant, issueApiKey } from '../../shared/admin/tenants';
import { getComposition, resetComposition } from '../../shared/composition';
import { SettingNames } from '../../shared/config/settingNames';
import { toApiKeyView } from '../../shared/domain/apiKey';
import { RoleSchema } from '../../shared/domain/apiKey';
import { TenantNameSchema } from '../../shared/domain/tenant';

/**
 * `npm run cli -- <command>`: tenants and API keys against the running local stack (or, with
 * --settings, any settings file such as local.settings.json pointing at Azure). Prints JSON.
 *
 *   tenant create --name NAME              a tenant and its first admin key
 *   key create --tenant ID --role ROLE     a key (viewer | operator | admin) [--name NAME]
 *   key list --tenant ID                   the tenant's keys (prefixes, never values)
 *   key revoke --tenant ID --key KEY_ID
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const USAGE = `usage:
  npm run cli -- tenant create --name NAME
  npm run cli -- key create --tenant TENANT_ID --role viewer|operator|admin [--name NAME]
  npm run cli -- key list --tenant TENANT_ID
  npm run cli -- key revoke --tenant TENANT_ID --key KEY_ID
options: --settings FILE  (default .local/stack.json, written by npm start / npm run emulators)`;

class UsageError extends Error {}

function loadSettings(file: string): Record<string, string> {
  let parsed: { settings?: Record<string, string>; Values?: Record<string, string> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch {
    throw new UsageError(
      `cannot read ${file}: start the stack first (npm start or npm run emulators), or pass --settings`,
    );
  }
  const settings = { ...(parsed.settings ?? parsed.Values ?? {}) };
  // The CLI serves no webhooks; the setting is only required by the shared config schema.
  settings[SettingNames.webhookBaseUrl] ??= 'http://127.0.0.1:7071/api';
  for (const name of Object.values(SettingNames)) {
    const value = process.env[name];
    if (value !== undefined && value !== '' && settings[name] === undefined) settings[name] = value;
  }
  return settings;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`missing --${flag}`);
  return value.trim();
}

export async function runCli(argv: readonly string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string' },
      key: { type: 'string' },
      settings: { type: 'string', default: path.join(ROOT, '.local', 'stack.json') },
    },
  });
  const [noun, verb] = positionals;
  const command = `${noun ?? ''} ${verb ?? ''}`;
  const known = ['tenant create', 'key create', 'key list', 'key revoke'];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command.trim()}"`);

  const deps = (await getComposition(loadSettings(values.settings))).admin;
  switch (command) {
    case 'tenant create': {
      const name = TenantNameSchema.safeParse(required(values.name, 'name'));
      if (!name.success) throw new UsageError('--name must be 1 to 100 characters');
      const { tenant, apiKey } = await createTenant(deps, { name: name.data });
      return { tenant, apiKey };
    }
    case 'key create': {
      const tenantId = required(values.tenant, 'tenant');
      const role = RoleSchema.safeParse(required(values.role, 'role'));
      if (!role.success) throw new UsageError('--role must be viewer, operator or admin');
      if ((await deps.tenants.getTenant(tenantId)) === undefined)
        throw new UsageError(`no tenant ${tenantId}`);
      return issueApiKey(deps, tenantId, { name: values.name ?? `${role.data} key`, role: role.data });
    }
    case 'key list': {
      const tenantId = required(values.tenant, 'tenant');
      return { items: (await deps.apiKeys.listApiKeys(tenantId)).map(toApiKeyView) };
    }
    default: {
      const tenantId = required(values.tenant, 'tenant');
      const keyId = required(values.key, 'key');
      const revoked = await deps.apiKeys.deleteApiKey(tenantId, keyId);
      if (!revoked) throw new UsageError(`tenant ${tenantId} has no key ${keyId}`);
      return { keyId, revoked: true };
    }
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then(async (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      await resetComposition();
    })
    .catch(async (err: unknown) => {
      if (err instanceof UsageError) process.stderr.write(`${err.message}\n${USAGE}\n`);
      else process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      await resetComposition().catch(() => undefined);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    });
}
