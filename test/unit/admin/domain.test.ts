import {
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  minimumRole,
  roleGrants,
} from '../../../shared/domain/apiKey';
import { etagMatches, quoteEtag } from '../../../shared/domain/etag';
import { newIntegrationId, newTenantId, tenantIdOfIntegration } from '../../../shared/domain/ids';
import { IntegrationCreateSchema, transition } from '../../../shared/domain/integration';
import { ScheduleSchema } from '../../../shared/domain/schedule';
import { pageRequest, wrapContinuationToken } from '../../../shared/http/paging';

describe('ids', () => {
  it('lets the webhook receiver find the tenant from the integration id alone', () => {
    const tenantId = newTenantId();
    const id = newIntegrationId(tenantId);
    expect(tenantIdOfIntegration(id)).toBe(tenantId);
    expect(tenantIdOfIntegration('int_x_y')).toBeUndefined();
    expect(tenantIdOfIntegration(`${id}x`)).toBeUndefined();
  });
});

describe('api keys', () => {
  it('generates high-entropy keys that are stored only as their SHA-256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).not.toBe(b);
    expect(looksLikeApiKey(a)).toBe(true);
    expect(looksLikeApiKey('sk_short')).toBe(false);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).not.toContain(a.slice(3, 12));
  });

  it('grants viewer read, operator operate, admin everything', () => {
    expect(roleGrants('viewer', 'read')).toBe(true);
    expect(roleGrants('viewer', 'operate')).toBe(false);
    expect(roleGrants('operator', 'operate')).toBe(true);
    expect(roleGrants('operator', 'configure')).toBe(false);
    expect(roleGrants('admin', 'manage-keys')).toBe(true);
    expect(minimumRole('configure')).toBe('admin');
  });
});

describe('schedule', () => {
  it('accepts a frequency or a 6-field NCRONTAB with an IANA zone, and explains what is wrong', () => {
    expect(ScheduleSchema.parse({ frequency: 'HOURLY' })).toEqual({ frequency: 'HOURLY', timeZone: 'UTC' });
    expect(ScheduleSchema.safeParse({ cron: '0 */5 * * * *', timeZone: 'America/New_York' }).success).toBe(
      true,
    );
    const fiveFields = ScheduleSchema.safeParse({ cron: '*/5 * * * *' });
    expect(fiveFields.success).toBe(false);
    expect(fiveFields.error?.issues[0]?.message).toMatch(/6 fields/);
    expect(ScheduleSchema.safeParse({ frequency: 'DAILY', timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(ScheduleSchema.safeParse({ frequency: 'DAILY', cron: '0 0 0 * * *' }).success).toBe(false);
  });
});

describe('integration schema', () => {
  const base = {
    name: 'n',
    provider: 'rest',
    connectionId: 'c',
    direction: 'inbound',
    resourceTypes: [{ name: 'a' }],
  };

  it('requires per-field rules for CUSTOM_MERGE and unique resource types', () => {
    const r = IntegrationCreateSchema.safeParse({
      ...base,
      conflictStrategy: 'CUSTOM_MERGE',
      resourceTypes: [{ name: 'a' }, { name: 'a' }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'conflictRules',
      'resourceTypes.1.name',
    ]);
  });

  it('fills defaults: external source of truth, LATEST_WINS, manual schedule, active', () => {
    expect(IntegrationCreateSchema.parse(base)).toMatchObject({
      sourceOfTruth: 'external',
      conflictStrategy: 'LATEST_WINS',
      schedule: { frequency: 'MANUAL' },
      status: 'ACTIVE',
    });
  });

  it('allows only the documented status transitions', () => {
    expect(transition('ACTIVE', 'pause')).toBe('PAUSED');
    expect(transition('DISABLED', 'pause')).toBeUndefined();
    expect(transition('ERROR', 'resume')).toBe('ACTIVE');
    expect(transition('DISABLED', 'disable')).toBeUndefined();
  });
});

describe('etags and continuation tokens', () => {
  it('compares ETags with or without quotes and W/', () => {
    expect(quoteEtag('abc')).toBe('"abc"');
    expect(etagMatches('W/"abc"', 'abc')).toBe(true);
    expect(etagMatches('*', 'anything')).toBe(true);
    expect(etagMatches('"abd"', '"abc"')).toBe(false);
  });

  it('refuses a continuation token replayed with another query', () => {
    const token = wrapContinuationToken('cosmos-token', { tenant: 't1', status: 'ACTIVE' });
    expect(pageRequest({ limit: 5, continuationToken: token }, { tenant: 't1', status: 'ACTIVE' })).toEqual({
      ok: true,
      page: { limit: 5, continuationToken: 'cosmos-token' },
    });
    expect(pageRequest({ limit: 5, continuationToken: token }, { tenant: 't2', status: 'ACTIVE' }).ok).toBe(
      false,
    );
    expect(pageRequest({ limit: 5, continuationToken: 'garbage' }, {}).ok).toBe(false);
  });
});
