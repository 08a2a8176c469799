import { join } from 'node:path';

import { createTenant, issueApiKey } from '../../../shared/admin/tenants';
import { getComposition, resetComposition } from '../../../shared/composition';
import { SettingNames } from '../../../shared/config/settingNames';
import type { Role } from '../../../shared/domain/apiKey';
import type { LocalHost } from '../../support/localHost';
import { startLocalHost } from '../../support/localHost';
import { testSettings } from '../../support/stack';

/** The real app (functions/index.ts) on the local host, over the test stack's emulators. */
export interface AdminApi {
  readonly host: LocalHost;
  readonly baseUrl: string;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** A new tenant with an admin key, plus keys of other roles on request. */
  tenant(name: string): Promise<TestTenant>;
  stop(): Promise<void>;
}

export interface TestTenant {
  readonly id: string;
  readonly adminKey: string;
  key(role: Role): Promise<string>;
}

export interface CallOptions {
  readonly key?: string;
  readonly bearer?: string;
  readonly json?: unknown;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // Tests read response bodies loosely on purpose: they assert on the fields they name.
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function startAdminApi(extraSettings: Record<string, string> = {}): Promise<AdminApi> {
  const settings = {
    ...testSettings(),
    [SettingNames.outboundAllowlist]: '127.0.0.1,localhost,::1',
    [SettingNames.webhookBaseUrl]: 'https://hooks.example.test/api',
    ...extraSettings,
  };
  const host = await startLocalHost({
    appEntry: join(__dirname, '../../../functions/index.ts'),
    hostJsonPath: join(__dirname, '../../../host.json'),
    settings,
    port: 0,
    logFormat: 'json',
    enableServiceBus: false,
    enableTimers: false,
  });
  const baseUrl = host.baseUrl;

  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    if (options.bearer !== undefined) headers['authorization'] = `Bearer ${options.bearer}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

  const tenant = async (name: string): Promise<TestTenant> => {
    const deps = (await getComposition()).admin;
    const created = await createTenant(deps, { name });
    return {
      id: created.tenant.id,
      adminKey: created.apiKey.apiKey,
      key: async (role) => (await issueApiKey(deps, created.tenant.id, { name: `${role} key`, role })).apiKey,
    };
  };

  return {
    host,
    baseUrl,
    call,
    tenant,
    stop: async () => {
      await host.stop();
      await resetComposition();
    },
  };
}
