import { readFile } from 'node:fs/promises';

import type { DevTenantFile } from '../../shared/admin/devTenant';
import { DevTenantFileSchema, ensureDevTenant } from '../../shared/admin/devTenant';
import { getComposition } from '../../shared/composition';
import { writeFileAtomic } from './emulatorSupport';

async function readDevTenant(file: string): Promise<DevTenantFile | undefined> {
  try {
    const parsed = DevTenantFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `file` names a tenant and admin key that work against the stack in `settings`, and
 * prints how to use it. The composition built here is the one the in-process host reuses.
 */
export async function bootstrapDevTenant(
  settings: Readonly<Record<string, string>>,
  file: string,
): Promise<void> {
  const composition = await getComposition(settings);
  const result = await ensureDevTenant(composition.admin, await readDevTenant(file));
  await writeFileAtomic(
    file,
    `${JSON.stringify({ tenantId: result.tenantId, apiKey: result.apiKey }, null, 2)}\n`,
    0o600,
  );
  if (result.created) {
    console.log(`  dev tenant:   ${result.tenantId} (created)`);
    console.log(`  admin key:    ${result.apiKey}   (also in .local/dev-tenant.json; send it as X-API-Key)`);
  } else {
    console.log(`  dev tenant:   ${result.tenantId} (admin key in .local/dev-tenant.json)`);
  }
}
