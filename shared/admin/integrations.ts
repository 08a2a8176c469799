import { getWebhookScheme, HmacSchemeConfigSchema } from '../../adapters/base/webhooks';
import type { ProviderEntry } from '../../adapters/registry';
import { getProvider } from '../../adapters/registry';
import { webhookSecretName } from '../domain/connection';
import { etagMatches } from '../domain/etag';
import { newIntegrationId } from '../domain/ids';
import type {
  Direction,
  IntegrationCreate,
  IntegrationDeletionReport,
  IntegrationDocument,
  IntegrationPatch,
  IntegrationView,
  ResourceTypeConfig,
  SecretRef,
  StatusAction,
  StoredWebhook,
  WebhookInput,
} from '../domain/integration';
import { generateWebhookSecret, toIntegrationView, transition } from '../domain/integration';
import { ok } from '../domain/result';
import { isPeriodic } from '../domain/schedule';
import { validateMapping } from '../mapping/validate';
import type { Page, PageRequest, Versioned } from '../ports/documentStore';
import { DuplicateError, StaleEtagError } from '../ports/documentStore';
import type { IntegrationFilter } from '../ports/integrationStore';
import type { AdminDeps, Principal } from './deps';
import { nowIso } from './deps';
import type { AdminError, AdminResult, ValidationIssue } from './errors';
import { adminError, invalid, joinPath, notFound } from './errors';

type Deps = Pick<
  AdminDeps,
  'integrations' | 'integrationData' | 'connections' | 'secrets' | 'webhookBaseUrl' | 'logger' | 'now'
>;

/**
 * Schemes whose provider hands the secret over in a handshake (Asana's X-Hook-Secret, Notion's
 * verification token): generating one here would only be overwritten, so none is made.
 */
const HANDSHAKE_SECRET_SCHEMES: ReadonlySet<string> = new Set(['asana', 'notion']);
const WRITE_ATTEMPTS = 3;

export interface IntegrationCreated {
  readonly integration: IntegrationView;
}

function duplicateName(name: string): { ok: false; error: AdminError } {
  return adminError('Conflict', `an integration named "${name}" already exists in this tenant`, {
    field: 'name',
  });
}

/** Checks what the schema cannot: provider, connection, resource types, mappings, webhook scheme. */
async function checkReferences(
  deps: Deps,
  tenantId: string,
  value: {
    provider: string;
    connectionId: string;
    direction: Direction;
    resourceTypes: readonly ResourceTypeConfig[];
    webhook?: WebhookInput | StoredWebhook | undefined;
  },
): Promise<{ issues: ValidationIssue[]; provider?: ProviderEntry }> {
  const issues: ValidationIssue[] = [];
  const provider = getProvider(value.provider);
  if (provider === undefined) {
    issues.push({
      path: 'provider',
      message: `unknown provider "${value.provider}"; GET /api/admin/providers lists them`,
    });
  }
  const connection = await deps.connections.getConnection(tenantId, value.connectionId);
  if (connection === undefined) {
    issues.push({ path: 'connectionId', message: 'no connection with this id in this tenant' });
  } else if (connection.value.provider !== value.provider) {
    issues.push({
      path: 'connectionId',
      message: `the connection is for provider "${connection.value.provider}", not "${value.provider}"`,
    });
  }
  value.resourceTypes.forEach((rt, i) => {
    if (provider !== undefined && !provider.customResourceTypes) {
      const known = provider.descriptor.resourceTypes.map((r) => r.name);
      if (!known.includes(rt.name)) {
        issues.push({
          path: `resourceTypes.${i}.name`,
          message: `${provider.descriptor.id} has no resource type "${rt.name}"; it has ${known.join(', ')}`,
        });
      }
    }
    if (rt.mapping !== undefined) {
      const checked = validateMapping(rt.mapping, { direction: value.direction });
      if (!checked.ok) {
        for (const p of checked.problems) {
          issues.push({ path: `resourceTypes.${i}.mapping.${p.path}`, message: p.message, code: 'mapping' });
        }
      }
    }
  });
  if (value.webhook !== undefined) {
    if (getWebhookScheme(value.webhook.scheme) === undefined) {
      issues.push({ path: 'webhook.scheme', message: `unknown webhook scheme "${value.webhook.scheme}"` });
    } else if (value.webhook.scheme === 'hmac') {
      const parsed = HmacSchemeConfigSchema.safeParse(value.webhook.config ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          issues.push({
            path: joinPath(['webhook', 'config', ...issue.path]),
            message: issue.message,
            code: issue.code,
          });
        }
      }
    }
  }
  return provider === undefined ? { issues } : { issues, provider };
}

async function storeWebhookSecret(
  deps: Deps,
  tenantId: string,
  integrationId: string,
  secret: string,
): Promise<SecretRef> {
  return deps.secrets.setSecret(webhookSecretName(integrationId), secret, {
    tags: { tenantId, integrationId, purpose: 'webhook' },
  });
}

/** The secret to set for a webhook input: given, generated, or none (handshake schemes). */
function webhookSecretFor(input: WebhookInput): string | undefined {
  if (input.secret !== undefined) return input.secret;
  return HANDSHAKE_SECRET_SCHEMES.has(input.scheme) ? undefined : generateWebhookSecret();
}

function storedWebhook(input: WebhookInput, secret: SecretRef | undefined): StoredWebhook {
  return {
    scheme: input.scheme,
    ...(input.config !== undefined ? { config: input.config } : {}),
    ...(input.toleranceSec !== undefined ? { toleranceSec: input.toleranceSec } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };
}

export async function createIntegration(
  deps: Deps,
  principal: Principal,
  input: IntegrationCreate,
): Promise<AdminResult<IntegrationView>> {
  const { tenantId } = principal;
  const checked = await checkReferences(deps, tenantId, input);
  if (checked.issues.length > 0) return invalid(checked.issues);

  const id = newIntegrationId(tenantId);
  const at = nowIso(deps);
  const secretValue = input.webhook !== undefined ? webhookSecretFor(input.webhook) : undefined;
  const secretRef =
    secretValue !== undefined ? await storeWebhookSecret(deps, tenantId, id, secretValue) : undefined;
  const doc: IntegrationDocument = {
    id,
    tenantId,
    name: input.name,
    provider: input.provider,
    connectionId: input.connectionId,
    direction: input.direction,
    sourceOfTruth: input.sourceOfTruth,
    ...(input.sourceOfTruthOverrides !== undefined
      ? { sourceOfTruthOverrides: input.sourceOfTruthOverrides }
      : {}),
    resourceTypes: input.resourceTypes,
    conflictStrategy: input.conflictStrategy,
    ...(input.conflictRules !== undefined ? { conflictRules: input.conflictRules } : {}),
    schedule: input.schedule,
    status: input.status,
    ...(input.webhook !== undefined ? { webhook: storedWebhook(input.webhook, secretRef) } : {}),
    ...(input.providerConfig !== undefined ? { providerConfig: input.providerConfig } : {}),
    cursors: {},
    // Due at once: a new periodic integration starts with its initial sync.
    ...(isPeriodic(input.schedule) ? { nextSyncAt: at } : {}),
    createdAt: at,
    updatedAt: at,
  };
  try {
    const created = await deps.integrations.createIntegration(doc);
    deps.logger.info('integration created', { tenantId, integrationId: id, provider: input.provider });
    return ok(toIntegrationView(created.value, created.etag, deps.webhookBaseUrl, secretValue));
  } catch (e) {
    if (secretRef !== undefined) await deps.secrets.deleteSecret(secretRef.name).catch(() => undefined);
    if (e instanceof DuplicateError) return duplicateName(input.name);
    throw e;
  }
}

export async function getIntegration(
  deps: Deps,
  principal: Principal,
  integrationId: string,
): Promise<AdminResult<IntegrationView>> {
  const found = await deps.integrations.getIntegration(principal.tenantId, integrationId);
  if (found === undefined) return notFound('integration', integrationId);
  return ok(toIntegrationView(found.value, found.etag, deps.webhookBaseUrl));
}

export async function listIntegrations(
  deps: Deps,
  principal: Principal,
  filter: IntegrationFilter,
  page: PageRequest,
): Promise<AdminResult<Page<IntegrationView>>> {
  const result = await deps.integrations.listIntegrations(principal.tenantId, filter, page);
  return ok({
    items: result.items.map((v) => toIntegrationView(v.value, v.etag, deps.webhookBaseUrl)),
    ...(result.continuationToken !== undefined ? { continuationToken: result.continuationToken } : {}),
  });
}

/** The document after a patch, and the webhook secret work it implies. */
function applyPatch(
  current: IntegrationDocument,
  patch: IntegrationPatch,
  at: string,
): { doc: IntegrationDocument; newSecret: 'generate' | 'given' | 'none'; removeWebhook: boolean } {
  const next: Record<string, unknown> = { ...current, updatedAt: at };
  const copy = (key: keyof IntegrationPatch & keyof IntegrationDocument): void => {
    const value = patch[key];
    if (value === undefined) return;
    if (value === null) Reflect.deleteProperty(next, key);
    else next[key] = value;
  };
  for (const key of [
    'name',
    'connectionId',
    'direction',
    'sourceOfTruth',
    'sourceOfTruthOverrides',
    'resourceTypes',
    'conflictStrategy',
    'conflictRules',
    'schedule',
    'providerConfig',
  ] as const) {
    copy(key);
  }
  let newSecret: 'generate' | 'given' | 'none' = 'none';
  let removeWebhook = false;
  if (patch.webhook === null) {
    Reflect.deleteProperty(next, 'webhook');
    removeWebhook = current.webhook !== undefined;
  } else if (patch.webhook !== undefined) {
    next['webhook'] = storedWebhook(patch.webhook, current.webhook?.secret);
    if (patch.webhook.secret !== undefined) newSecret = 'given';
    else if (current.webhook?.secret === undefined && !HANDSHAKE_SECRET_SCHEMES.has(patch.webhook.scheme)) {
      newSecret = 'generate';
    }
  }
  if (patch.rotateWebhookSecret === true)
    newSecret = patch.webhook?.secret !== undefined ? 'given' : 'generate';
  return { doc: next as unknown as IntegrationDocument, newSecret, removeWebhook };
}

export async function updateIntegration(
  deps: Deps,
  principal: Principal,
  integrationId: string,
  patch: IntegrationPatch,
  ifMatch: string | undefined,
): Promise<AdminResult<IntegrationView>> {
  const { tenantId } = principal;
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.integrations.getIntegration(tenantId, integrationId);
    if (current === undefined) return notFound('integration', integrationId);
    if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) {
      return adminError('PreconditionFailed', 'the integration changed since you read it; GET it again', {
        currentEtag: current.etag,
      });
    }
    if (
      patch.rotateWebhookSecret === true &&
      current.value.webhook === undefined &&
      (patch.webhook === undefined || patch.webhook === null)
    ) {
      return invalid([{ path: 'rotateWebhookSecret', message: 'the integration has no webhook to rotate' }]);
    }
    const { doc, newSecret, removeWebhook } = applyPatch(current.value, patch, nowIso(deps));
    const checked = await checkReferences(deps, tenantId, doc);
    if (checked.issues.length > 0) return invalid(checked.issues);

    let shown: string | undefined;
    let written: SecretRef | undefined;
    let finalDoc = doc;
    if (newSecret !== 'none' && doc.webhook !== undefined) {
      shown = newSecret === 'given' ? patch.webhook?.secret : generateWebhookSecret();
      if (shown !== undefined) {
        written = await storeWebhookSecret(deps, tenantId, integrationId, shown);
        finalDoc = { ...doc, webhook: { ...doc.webhook, secret: written } };
      }
    }
    try {
      const saved = await deps.integrations.replaceIntegration(finalDoc, { ifMatch: current.etag });
      if (removeWebhook && current.value.webhook?.secret !== undefined) {
        await deps.secrets.deleteSecret(current.value.webhook.secret.name);
      }
      return ok(
        toIntegrationView(
          saved.value,
          saved.etag,
          deps.webhookBaseUrl,
          newSecret === 'generate' ? shown : undefined,
        ),
      );
    } catch (e) {
      // The new secret version was never referenced; make it unreadable.
      if (written !== undefined) await deps.secrets.disableSecretVersion(written).catch(() => undefined);
      if (e instanceof DuplicateError) return duplicateName(doc.name);
      if (e instanceof StaleEtagError) {
        if (ifMatch !== undefined && ifMatch !== '*') {
          return adminError('PreconditionFailed', 'the integration changed since you read it; GET it again');
        }
        // Without If-Match the caller asked for "apply this to the latest": re-read and re-apply.
        if (attempt < WRITE_ATTEMPTS) continue;
      }
      throw e;
    }
  }
}

export async function changeIntegrationStatus(
  deps: Deps,
  principal: Principal,
  integrationId: string,
  action: StatusAction,
): Promise<AdminResult<IntegrationView>> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.integrations.getIntegration(principal.tenantId, integrationId);
    if (current === undefined) return notFound('integration', integrationId);
    const to = transition(current.value.status, action);
    if (to === undefined) {
      return adminError(
        'InvalidTransition',
        `cannot ${action} an integration that is ${current.value.status}`,
        {
          status: current.value.status,
          action,
        },
      );
    }
    const { statusReason: _previousReason, ...rest } = current.value;
    const doc: IntegrationDocument = { ...rest, status: to, updatedAt: nowIso(deps) };
    try {
      const saved = await deps.integrations.replaceIntegration(doc, { ifMatch: current.etag });
      deps.logger.info('integration status changed', { integrationId, from: current.value.status, to });
      return ok(toIntegrationView(saved.value, saved.etag, deps.webhookBaseUrl));
    } catch (e) {
      if (e instanceof StaleEtagError && attempt < WRITE_ATTEMPTS) continue;
      throw e;
    }
  }
}

export async function deleteIntegration(
  deps: Deps,
  principal: Principal,
  integrationId: string,
  ifMatch: string | undefined,
): Promise<AdminResult<IntegrationDeletionReport>> {
  const { tenantId } = principal;
  const current: Versioned<IntegrationDocument> | undefined = await deps.integrations.getIntegration(
    tenantId,
    integrationId,
  );
  if (current === undefined) return notFound('integration', integrationId);
  if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) {
    return adminError('PreconditionFailed', 'the integration changed since you read it; GET it again');
  }
  // Owned data first: if this fails half way, the integration still exists and DELETE can be repeated.
  const counts = await deps.integrationData.deleteIntegrationData(tenantId, integrationId);
  let secrets = 0;
  if (current.value.webhook?.secret !== undefined) {
    await deps.secrets.deleteSecret(current.value.webhook.secret.name);
    secrets = 1;
  }
  const deleted = await deps.integrations.deleteIntegration(tenantId, integrationId);
  deps.logger.info('integration deleted', { tenantId, integrationId, ...counts });
  return ok({ id: integrationId, deleted: { integration: deleted, ...counts, secrets } });
}
