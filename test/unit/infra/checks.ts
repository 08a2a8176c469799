/**
 * The checks that infra/azure matches what the code binds to. Each returns a list of problems
 * (empty when the Bicep agrees with the code), so the same check can be run on the real files and
 * on deliberately broken copies to prove it would catch the drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CONTAINERS, DATABASE_NAME } from '../../../shared/config/containers';
import { AZURE_REQUIRED_SETTINGS, EnvSchema, LOCAL_ONLY_SETTINGS } from '../../../shared/config/env';
import { EVENT_GRID_TOPIC, EVENT_ROUTES } from '../../../shared/config/eventRoutes';
import { QUEUES } from '../../../shared/config/queues';
import { IdentitySuffix, SettingNames } from '../../../shared/config/settingNames';
import {
  isArray,
  isPlainObject,
  type ModuleInstance,
  Opaque,
  type Project,
  render,
  type ResourceInstance,
  ResourceRef,
  type Value,
} from './bicep/evaluate';

export const ResourceTypes = {
  site: 'Microsoft.Web/sites',
  plan: 'Microsoft.Web/serverfarms',
  storageAccount: 'Microsoft.Storage/storageAccounts',
  blobContainer: 'Microsoft.Storage/storageAccounts/blobServices/containers',
  serviceBusNamespace: 'Microsoft.ServiceBus/namespaces',
  queue: 'Microsoft.ServiceBus/namespaces/queues',
  cosmosAccount: 'Microsoft.DocumentDB/databaseAccounts',
  cosmosDatabase: 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
  cosmosContainer: 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
  cosmosRoleAssignment: 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
  keyVault: 'Microsoft.KeyVault/vaults',
  topic: 'Microsoft.EventGrid/topics',
  eventSubscription: 'Microsoft.EventGrid/topics/eventSubscriptions',
  identity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  roleAssignment: 'Microsoft.Authorization/roleAssignments',
  appInsights: 'Microsoft.Insights/components',
  workspace: 'Microsoft.OperationalInsights/workspaces',
  actionGroup: 'Microsoft.Insights/actionGroups',
  metricAlert: 'Microsoft.Insights/metricAlerts',
  logAlert: 'Microsoft.Insights/scheduledQueryRules',
} as const;

/** Built-in Azure role definition ids (identical in every subscription). */
export const BuiltInRoles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7',
} as const;

/** Cosmos DB Built-in Data Contributor, a data-plane role defined inside every account. */
export const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

/** Standard-tier Service Bus caps messages at 256 KB and does not let you change it. */
const STANDARD_MAX_MESSAGE_KB = 256;
/** Service Bus rejects lock durations over five minutes. */
const MAX_LOCK_SECONDS = 5 * 60;

export function textOf(v: Value): string {
  return typeof v === 'string' ? v : render(v);
}

export function isoSeconds(v: Value): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  if (m === null || v === 'P' || v.endsWith('T')) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0));
  return (d ?? 0) * 86400 + (h ?? 0) * 3600 + (min ?? 0) * 60 + (s ?? 0);
}

function get(v: Value | undefined, ...path: string[]): Value {
  let cur: Value = v ?? null;
  for (const key of path) {
    if (!isPlainObject(cur)) return null;
    cur = cur[key] ?? null;
  }
  return cur;
}

function same(a: Value, b: Value): boolean {
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}

function plain(v: Value): unknown {
  if (isArray(v)) return v.map(plain);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return render(v);
}

/** The deployed resource an opaque value was read from, and the property path read. */
function originOf(p: Project, v: Value): { resource: ResourceInstance; path: string } | undefined {
  if (!(v instanceof Opaque) || v.origin === undefined) return undefined;
  return { resource: p.resolve(v.origin.resource), path: v.origin.path.join('.') };
}

function pointsAt(p: Project, v: Value, type: string, path: string): boolean {
  const origin = originOf(p, v);
  return (
    origin !== undefined && origin.resource.type.toLowerCase() === type.toLowerCase() && origin.path === path
  );
}

function single(p: Project, type: string, problems: string[]): ResourceInstance | undefined {
  const found = p.ofType(type);
  if (found.length !== 1) {
    problems.push(`expected exactly one ${type}, found ${found.length}`);
    return undefined;
  }
  return found[0];
}

function check(problems: string[], ok: boolean, message: string): void {
  if (!ok) problems.push(message);
}

export function checkQueues(p: Project): string[] {
  const problems: string[] = [];
  const namespace = single(p, ResourceTypes.serviceBusNamespace, problems);
  if (namespace === undefined) return problems;
  const sku = get(namespace.body, 'sku', 'name');
  check(
    problems,
    sku === 'Standard' || sku === 'Premium',
    `Service Bus sku ${render(sku)}: sessions need Standard or Premium`,
  );
  check(
    problems,
    namespace.properties['disableLocalAuth'] === true,
    'Service Bus must disable SAS keys (disableLocalAuth)',
  );
  const deployed = p.ofType(ResourceTypes.queue);
  for (const q of QUEUES) {
    const matches = deployed.filter((r) => r.name === q.name);
    const queue = matches[0];
    if (matches.length !== 1 || queue === undefined) {
      problems.push(`queue ${q.name}: declared ${matches.length} times in Bicep`);
      continue;
    }
    const props = queue.properties;
    const at = (what: string, actual: Value, expected: Value): void => {
      check(
        problems,
        same(actual, expected),
        `queue ${q.name}: ${what} is ${render(actual)} in Bicep, ${render(expected)} in code`,
      );
    };
    at('requiresSession', props['requiresSession'] ?? null, q.requiresSession);
    at('maxDeliveryCount', props['maxDeliveryCount'] ?? null, q.maxDeliveryCount);
    at('lockDuration (s)', isoSeconds(props['lockDuration'] ?? null) ?? null, q.lockDurationSeconds);
    at(
      'defaultMessageTimeToLive (s)',
      isoSeconds(props['defaultMessageTimeToLive'] ?? null) ?? null,
      q.defaultMessageTimeToLiveSeconds,
    );
    at(
      'deadLetteringOnMessageExpiration',
      props['deadLetteringOnMessageExpiration'] ?? null,
      q.deadLetteringOnMessageExpiration,
    );
    at(
      'requiresDuplicateDetection',
      props['requiresDuplicateDetection'] ?? null,
      q.duplicateDetectionWindowSeconds > 0,
    );
    if (q.duplicateDetectionWindowSeconds > 0) {
      at(
        'duplicateDetectionHistoryTimeWindow (s)',
        isoSeconds(props['duplicateDetectionHistoryTimeWindow'] ?? null) ?? null,
        q.duplicateDetectionWindowSeconds,
      );
    }
    check(
      problems,
      q.lockDurationSeconds <= MAX_LOCK_SECONDS,
      `queue ${q.name}: Service Bus caps lockDuration at 5 minutes`,
    );
    if (sku === 'Premium') {
      at('maxMessageSizeInKilobytes', props['maxMessageSizeInKilobytes'] ?? null, q.maxMessageSizeKb);
    } else {
      at(
        'maxMessageSizeInKilobytes (not settable on Standard)',
        props['maxMessageSizeInKilobytes'] ?? null,
        null,
      );
      check(
        problems,
        q.maxMessageSizeKb <= STANDARD_MAX_MESSAGE_KB,
        `queue ${q.name}: Standard caps messages at 256 KB`,
      );
    }
    check(
      problems,
      queue.parent !== undefined && p.resolve(queue.parent) === namespace,
      `queue ${q.name}: not in the namespace`,
    );
  }
  for (const r of deployed) {
    if (!QUEUES.some((q) => q.name === r.name))
      problems.push(`queue ${textOf(r.name)} is in Bicep but not in QUEUES`);
  }
  return problems;
}

export function checkContainers(p: Project): string[] {
  const problems: string[] = [];
  const account = single(p, ResourceTypes.cosmosAccount, problems);
  const database = single(p, ResourceTypes.cosmosDatabase, problems);
  if (account === undefined || database === undefined) return problems;
  check(
    problems,
    account.properties['disableLocalAuth'] === true,
    'Cosmos DB must disable key auth (disableLocalAuth)',
  );
  check(
    problems,
    database.name === DATABASE_NAME,
    `database is ${render(database.name)} in Bicep, ${DATABASE_NAME} in code`,
  );
  const deployed = p.ofType(ResourceTypes.cosmosContainer);
  for (const c of CONTAINERS) {
    const matches = deployed.filter((r) => r.name === c.name);
    const container = matches[0];
    if (matches.length !== 1 || container === undefined) {
      problems.push(`container ${c.name}: declared ${matches.length} times in Bicep`);
      continue;
    }
    const resource = get(container.properties, 'resource');
    const at = (what: string, actual: Value, expected: Value): void => {
      check(
        problems,
        same(actual, expected),
        `container ${c.name}: ${what} is ${render(actual)} in Bicep, ${render(expected)} in code`,
      );
    };
    at('id', get(resource, 'id'), c.name);
    at('partition key', get(resource, 'partitionKey', 'paths'), [c.partitionKey]);
    at(
      'unique keys',
      get(resource, 'uniqueKeyPolicy', 'uniqueKeys'),
      c.uniqueKeys.map((paths) => ({ paths: [...paths] })),
    );
    at('defaultTtl', get(resource, 'defaultTtl'), c.defaultTtlSeconds ?? null);
    check(
      problems,
      container.parent !== undefined && p.resolve(container.parent) === database,
      `container ${c.name}: not in database ${DATABASE_NAME}`,
    );
  }
  for (const r of deployed) {
    if (!CONTAINERS.some((c) => c.name === r.name))
      problems.push(`container ${textOf(r.name)} is in Bicep but not in CONTAINERS`);
  }
  return problems;
}

export interface Assignment {
  readonly role: string;
  readonly principal: Value;
  readonly scope: ResourceInstance | undefined;
  readonly source: ResourceInstance;
}

/** Azure RBAC role assignments, with the role id and the resource each is scoped to. */
export function roleAssignments(p: Project): Assignment[] {
  return p.ofType(ResourceTypes.roleAssignment).map((r) => {
    const roleText = textOf(r.properties['roleDefinitionId'] ?? null);
    const role =
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(roleText)?.[0] ?? roleText;
    const scope = r.prop('scope');
    return {
      role,
      principal: r.properties['principalId'] ?? null,
      scope: scope instanceof ResourceRef ? p.resolve(scope.instance) : undefined,
      source: r,
    };
  });
}

function samePrincipal(p: Project, a: Value, b: Value): boolean {
  const oa = originOf(p, a);
  const ob = originOf(p, b);
  if (oa !== undefined && ob !== undefined) return oa.resource === ob.resource && oa.path === ob.path;
  return textOf(a) === textOf(b);
}

/** The principal id of a resource's identity, as Bicep reads it. */
export function principalOf(resource: ResourceInstance, path: readonly string[]): Opaque {
  return new Opaque(`${resource.label}.${path.join('.')}`, { resource, path });
}

const APP_ROLES: readonly { role: string; scopeType: string }[] = [
  { role: BuiltInRoles.storageBlobDataOwner, scopeType: ResourceTypes.storageAccount },
  { role: BuiltInRoles.storageQueueDataContributor, scopeType: ResourceTypes.storageAccount },
  { role: BuiltInRoles.storageTableDataContributor, scopeType: ResourceTypes.storageAccount },
  { role: BuiltInRoles.serviceBusDataSender, scopeType: ResourceTypes.serviceBusNamespace },
  { role: BuiltInRoles.serviceBusDataReceiver, scopeType: ResourceTypes.serviceBusNamespace },
  { role: BuiltInRoles.keyVaultSecretsOfficer, scopeType: ResourceTypes.keyVault },
  { role: BuiltInRoles.eventGridDataSender, scopeType: ResourceTypes.topic },
];

/**
 * The principal holds exactly the app's data roles, each scoped to the one resource it needs,
 * plus Cosmos DB Built-in Data Contributor on the database.
 */
export function checkPrincipalRoles(p: Project, principal: Value, who: string): string[] {
  const problems: string[] = [];
  const mine = roleAssignments(p).filter((a) => samePrincipal(p, a.principal, principal));
  for (const expected of APP_ROLES) {
    const found = mine.filter((a) => a.role === expected.role && a.scope?.type === expected.scopeType);
    check(
      problems,
      found.length === 1,
      `${who}: role ${expected.role} on ${expected.scopeType} assigned ${found.length} times`,
    );
  }
  for (const a of mine) {
    if (!APP_ROLES.some((e) => e.role === a.role && a.scope?.type === e.scopeType)) {
      problems.push(
        `${who}: unexpected role ${a.role} on ${a.scope?.type ?? 'an unscoped target'} (least privilege)`,
      );
    }
  }
  const cosmos = p
    .ofType(ResourceTypes.cosmosRoleAssignment)
    .filter((r) => samePrincipal(p, r.properties['principalId'] ?? null, principal));
  const cosmosRole = cosmos[0];
  if (cosmos.length !== 1 || cosmosRole === undefined) {
    problems.push(`${who}: Cosmos DB data role assigned ${cosmos.length} times`);
  } else {
    const account = cosmosRole.parent === undefined ? undefined : p.resolve(cosmosRole.parent);
    check(
      problems,
      account?.type === ResourceTypes.cosmosAccount,
      `${who}: Cosmos DB role is not on the account`,
    );
    check(
      problems,
      textOf(cosmosRole.properties['roleDefinitionId'] ?? null).endsWith(
        `/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`,
      ),
      `${who}: Cosmos DB role is not Built-in Data Contributor`,
    );
    check(
      problems,
      textOf(cosmosRole.properties['scope'] ?? null).endsWith(`/dbs/${DATABASE_NAME}`),
      `${who}: Cosmos DB role should be scoped to database ${DATABASE_NAME}`,
    );
  }
  return problems;
}

export function appIdentity(p: Project): ResourceInstance {
  const identities = p.ofType(ResourceTypes.identity);
  const identity = identities[0];
  if (identities.length !== 1 || identity === undefined)
    throw new Error(`expected one user-assigned identity, found ${identities.length}`);
  return identity;
}

export function checkEventRoutes(p: Project): string[] {
  const problems: string[] = [];
  const topic = single(p, ResourceTypes.topic, problems);
  if (topic === undefined) return problems;
  check(
    problems,
    textOf(topic.name).startsWith(EVENT_GRID_TOPIC),
    `topic ${textOf(topic.name)} should be named after ${EVENT_GRID_TOPIC}`,
  );
  check(
    problems,
    get(topic.body, 'identity', 'type') === 'SystemAssigned',
    'topic needs a system-assigned identity to deliver',
  );
  check(
    problems,
    topic.properties['disableLocalAuth'] === true,
    'topic must disable key auth (disableLocalAuth)',
  );
  const topicPrincipal = principalOf(topic, ['identity', 'principalId']);
  const topicRoles = roleAssignments(p).filter((a) => samePrincipal(p, a.principal, topicPrincipal));
  const subscriptions = p.ofType(ResourceTypes.eventSubscription);
  for (const route of EVENT_ROUTES) {
    const matches = subscriptions.filter((s) => s.name === route.name);
    const sub = matches[0];
    if (matches.length !== 1 || sub === undefined) {
      problems.push(`route ${route.name}: ${matches.length} subscriptions in Bicep`);
      continue;
    }
    const props = sub.properties;
    check(
      problems,
      sub.parent !== undefined && p.resolve(sub.parent) === topic,
      `route ${route.name}: not on the topic`,
    );
    check(
      problems,
      same(get(props, 'filter', 'includedEventTypes'), [...route.eventTypes]),
      `route ${route.name}: filters ${render(get(props, 'filter', 'includedEventTypes'))}, code routes ${route.eventTypes.join(', ')}`,
    );
    check(
      problems,
      (props['destination'] ?? null) === null,
      `route ${route.name}: must deliver with the topic identity, not destination`,
    );
    const delivery = get(props, 'deliveryWithResourceIdentity');
    check(
      problems,
      get(delivery, 'identity', 'type') === 'SystemAssigned',
      `route ${route.name}: delivery identity`,
    );
    check(
      problems,
      get(delivery, 'destination', 'endpointType') === 'ServiceBusQueue',
      `route ${route.name}: destination is not a Service Bus queue`,
    );
    const queueOrigin = originOf(p, get(delivery, 'destination', 'properties', 'resourceId'));
    const queue = queueOrigin?.path === 'id' ? queueOrigin.resource : undefined;
    check(
      problems,
      queue?.type === ResourceTypes.queue && queue.name === route.queue,
      `route ${route.name}: delivers to ${queue === undefined ? 'an unknown resource' : textOf(queue.name)}, code routes to ${route.queue}`,
    );
    const namespace = queue?.parent === undefined ? undefined : p.resolve(queue.parent);
    check(
      problems,
      topicRoles.some(
        (a) =>
          a.role === BuiltInRoles.serviceBusDataSender &&
          (a.scope === queue || (a.scope !== undefined && a.scope === namespace)),
      ),
      `route ${route.name}: the topic identity may not send to ${route.queue}`,
    );
    const deadLetter = get(props, 'deadLetterWithResourceIdentity');
    check(
      problems,
      get(deadLetter, 'identity', 'type') === 'SystemAssigned',
      `route ${route.name}: dead-letter identity`,
    );
    check(
      problems,
      get(deadLetter, 'deadLetterDestination', 'endpointType') === 'StorageBlob',
      `route ${route.name}: dead letters must go to blob storage`,
    );
    const accountOrigin = originOf(p, get(deadLetter, 'deadLetterDestination', 'properties', 'resourceId'));
    const account = accountOrigin?.path === 'id' ? accountOrigin.resource : undefined;
    const containerName = get(deadLetter, 'deadLetterDestination', 'properties', 'blobContainerName');
    const container = p
      .ofType(ResourceTypes.blobContainer)
      .find(
        (c) =>
          c.name === containerName &&
          c.parent?.parent !== undefined &&
          p.resolve(c.parent.parent) === account,
      );
    check(
      problems,
      account?.type === ResourceTypes.storageAccount && container !== undefined,
      `route ${route.name}: dead-letter container is not deployed`,
    );
    check(
      problems,
      topicRoles.some(
        (a) =>
          (a.role === BuiltInRoles.storageBlobDataContributor ||
            a.role === BuiltInRoles.storageBlobDataOwner) &&
          a.scope !== undefined &&
          (a.scope === container || a.scope === account),
      ),
      `route ${route.name}: the topic identity may not write dead letters`,
    );
    const attempts = get(props, 'retryPolicy', 'maxDeliveryAttempts');
    const ttl = get(props, 'retryPolicy', 'eventTimeToLiveInMinutes');
    check(
      problems,
      typeof attempts === 'number' && attempts >= 1 && attempts <= 30,
      `route ${route.name}: retryPolicy.maxDeliveryAttempts must be 1-30`,
    );
    check(
      problems,
      typeof ttl === 'number' && ttl >= 1 && ttl <= 1440,
      `route ${route.name}: retryPolicy.eventTimeToLiveInMinutes must be 1-1440`,
    );
  }
  for (const s of subscriptions) {
    if (!EVENT_ROUTES.some((r) => r.name === s.name))
      problems.push(`subscription ${textOf(s.name)} is in Bicep but not in EVENT_ROUTES`);
  }
  return problems;
}

export function functionApp(p: Project): ResourceInstance {
  const sites = p.ofType(ResourceTypes.site);
  const site = sites[0];
  if (sites.length !== 1 || site === undefined)
    throw new Error(`expected one function app, found ${sites.length}`);
  return site;
}

export function appSettings(p: Project): Map<string, Value> {
  const list = get(functionApp(p).properties, 'siteConfig', 'appSettings');
  if (!isArray(list)) throw new Error('siteConfig.appSettings is not a list');
  const out = new Map<string, Value>();
  for (const entry of list) {
    const name = get(entry, 'name');
    if (typeof name !== 'string') throw new Error(`app setting without a literal name: ${render(entry)}`);
    if (out.has(name)) throw new Error(`app setting ${name} is set twice`);
    out.set(name, get(entry, 'value'));
  }
  return out;
}

/** Functions serve HTTP under host.json's routePrefix; webhook URLs handed to providers include it. */
const HTTP_ROUTE_PREFIX = (
  JSON.parse(readFileSync(join(__dirname, '../../../host.json'), 'utf8')) as {
    extensions: { http: { routePrefix: string } };
  }
).extensions.http.routePrefix;

/** Settings the Functions platform itself reads; the app's own settings come from EnvSchema. */
const PLATFORM_SETTINGS = [
  'FUNCTIONS_EXTENSION_VERSION',
  SettingNames.functionsWorkerRuntime,
  'WEBSITE_RUN_FROM_PACKAGE',
];
const IDENTITY_CONNECTIONS = [SettingNames.storage, SettingNames.serviceBus, SettingNames.cosmos];

export function checkAppSettings(p: Project): string[] {
  const problems: string[] = [];
  const site = functionApp(p);
  const settings = appSettings(p);
  const identity = appIdentity(p);
  const clientId = principalOf(identity, ['properties', 'clientId']);
  const envShape: Readonly<Record<string, { safeParse(v: unknown): { success: boolean } }>> = EnvSchema.shape;

  for (const name of AZURE_REQUIRED_SETTINGS)
    check(problems, settings.has(name), `app setting ${name} is required in Azure but not set`);
  for (const name of LOCAL_ONLY_SETTINGS)
    check(problems, !settings.has(name), `app setting ${name} is local-only but set in Azure`);
  for (const base of IDENTITY_CONNECTIONS) {
    check(
      problems,
      !settings.has(base),
      `${base} holds a connection string; Azure must use the identity-based form`,
    );
    if (![...settings.keys()].some((k) => k.startsWith(`${base}__`))) continue;
    check(
      problems,
      settings.get(`${base}${IdentitySuffix.credential}`) === 'managedidentity',
      `${base}${IdentitySuffix.credential} must be managedidentity`,
    );
    check(
      problems,
      samePrincipal(p, settings.get(`${base}${IdentitySuffix.clientId}`) ?? null, clientId),
      `${base}${IdentitySuffix.clientId} must be the app identity's client id`,
    );
  }
  check(
    problems,
    samePrincipal(p, settings.get(SettingNames.azureClientId) ?? null, clientId),
    'AZURE_CLIENT_ID must be the app identity client id',
  );

  for (const [name, value] of settings) {
    const known =
      name in envShape ||
      PLATFORM_SETTINGS.includes(name) ||
      IDENTITY_CONNECTIONS.some(
        (base) =>
          name === `${base}${IdentitySuffix.credential}` || name === `${base}${IdentitySuffix.clientId}`,
      );
    check(
      problems,
      known,
      `app setting ${name} is not read by the app (not in EnvSchema) nor by the platform`,
    );
    const schema = envShape[name];
    if (schema !== undefined && typeof value === 'string') {
      check(
        problems,
        schema.safeParse(value).success,
        `app setting ${name}=${JSON.stringify(value)} fails the app's EnvSchema`,
      );
    }
  }

  const storage = p.ofType(ResourceTypes.storageAccount);
  const namespace = p.ofType(ResourceTypes.serviceBusNamespace)[0];
  const at = (name: string, ok: boolean, why: string): void => {
    check(problems, ok, `app setting ${name}: ${why}`);
  };
  const value = (name: string): Value => settings.get(name) ?? null;
  at(
    `${SettingNames.storage}__accountName`,
    storage.length === 1 &&
      storage[0] !== undefined &&
      textOf(value(`${SettingNames.storage}__accountName`)) === textOf(storage[0].name),
    'must name the deployed storage account',
  );
  at(
    `${SettingNames.serviceBus}${IdentitySuffix.serviceBus}`,
    namespace !== undefined &&
      textOf(value(`${SettingNames.serviceBus}${IdentitySuffix.serviceBus}`)) ===
        `\${${textOf(namespace.name)}}.servicebus.windows.net`,
    'must be <namespace>.servicebus.windows.net',
  );
  at(
    `${SettingNames.cosmos}${IdentitySuffix.cosmos}`,
    pointsAt(
      p,
      value(`${SettingNames.cosmos}${IdentitySuffix.cosmos}`),
      ResourceTypes.cosmosAccount,
      'properties.documentEndpoint',
    ),
    'must be the account documentEndpoint',
  );
  at(
    SettingNames.cosmosDatabase,
    value(SettingNames.cosmosDatabase) === DATABASE_NAME,
    `must be ${DATABASE_NAME}`,
  );
  at(
    SettingNames.eventGridEndpoint,
    pointsAt(p, value(SettingNames.eventGridEndpoint), ResourceTypes.topic, 'properties.endpoint'),
    'must be the topic endpoint',
  );
  at(
    SettingNames.keyVaultUri,
    pointsAt(p, value(SettingNames.keyVaultUri), ResourceTypes.keyVault, 'properties.vaultUri'),
    'must be the vault URI',
  );
  at(
    SettingNames.appInsights,
    pointsAt(p, value(SettingNames.appInsights), ResourceTypes.appInsights, 'properties.ConnectionString'),
    'must be the Application Insights connection string',
  );
  const webhookBase = textOf(value(SettingNames.webhookBaseUrl));
  at(
    SettingNames.webhookBaseUrl,
    webhookBase.startsWith('https://') && webhookBase.endsWith(`/${HTTP_ROUTE_PREFIX}`),
    `must be an https URL ending in the host.json route prefix /${HTTP_ROUTE_PREFIX}`,
  );

  const attached = get(site.body, 'identity', 'userAssignedIdentities');
  check(
    problems,
    isPlainObject(attached) && Object.keys(attached).includes(render(principalOf(identity, ['id']))),
    'the function app must run as the user-assigned identity',
  );
  return problems;
}

/** The app runs on Node 22 however it is hosted. */
export function checkRuntime(p: Project): string[] {
  const problems: string[] = [];
  const site = functionApp(p);
  const settings = appSettings(p);
  const plan = single(p, ResourceTypes.plan, problems);
  const tier = get(plan?.body, 'sku', 'tier');
  const functionAppConfig = site.properties['functionAppConfig'] ?? null;
  if (tier === 'FlexConsumption') {
    check(
      problems,
      same(get(functionAppConfig, 'runtime'), { name: 'node', version: '22' }),
      'Flex Consumption must run node 22',
    );
    check(
      problems,
      !settings.has(SettingNames.functionsWorkerRuntime),
      'Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME',
    );
    check(
      problems,
      get(functionAppConfig, 'deployment', 'storage', 'authentication', 'type') === 'UserAssignedIdentity',
      'Flex deployment storage must be read with the managed identity',
    );
  } else if (tier === 'ElasticPremium') {
    check(problems, functionAppConfig === null, 'Premium does not take functionAppConfig');
    check(
      problems,
      get(site.properties, 'siteConfig', 'linuxFxVersion') === 'Node|22',
      'Premium must run Node|22',
    );
    check(
      problems,
      settings.get(SettingNames.functionsWorkerRuntime) === 'node',
      'Premium needs FUNCTIONS_WORKER_RUNTIME=node',
    );
  } else {
    problems.push(`unexpected plan tier ${render(tier)}`);
  }
  return problems;
}

/** Names that only ever appear next to key material. */
const SECRET_PATTERN =
  /listKeys|listConnectionStrings|listAccountSas|listServiceSas|connectionString|primaryKey|secondaryKey|masterKey|SharedAccessKey|AccountKey/i;

function secretLeaks(p: Project, v: Value, securedParams: ReadonlySet<string>): string[] {
  // The one allowed connection string: Application Insights ingestion, which carries no credential.
  if (pointsAt(p, v, ResourceTypes.appInsights, 'properties.ConnectionString')) return [];
  if (isArray(v)) return v.flatMap((x) => secretLeaks(p, x, securedParams));
  if (isPlainObject(v)) return Object.values(v).flatMap((x) => secretLeaks(p, x, securedParams));
  if (typeof v === 'string') return SECRET_PATTERN.test(v) ? [v] : [];
  if (!(v instanceof Opaque)) return [];
  const own = v.parts.reduce<string>((text, part) => text.split(render(part)).join(''), v.text);
  const leaks =
    SECRET_PATTERN.test(own) || [...securedParams].some((s) => v.text.includes(s)) ? [v.text] : [];
  return [...leaks, ...v.parts.flatMap((part) => secretLeaks(p, part, securedParams))];
}

/** No output and no app setting carries a key, a connection string or a @secure() param. */
export function checkNoSecrets(p: Project): string[] {
  const modules = p.modules();
  const securedParams = new Set(
    modules.flatMap((m) =>
      m.decls.flatMap((d) =>
        d.kind === 'param' &&
        d.decorators.some((x) => x.kind === 'call' && x.callee.kind === 'ident' && x.callee.name === 'secure')
          ? [`param(${m.label}.${d.name})`]
          : [],
      ),
    ),
  );
  const problems: string[] = [];
  const outputsOf = (m: ModuleInstance): [string, Value][] =>
    m.outputNames().map((name) => [name, m.output(name)]);
  for (const m of modules) {
    for (const [name, value] of outputsOf(m)) {
      for (const leak of secretLeaks(p, value, securedParams))
        problems.push(`output ${m.label}.${name} carries a secret: ${leak}`);
    }
  }
  for (const [name, value] of appSettings(p)) {
    for (const leak of secretLeaks(p, value, securedParams))
      problems.push(`app setting ${name} carries a secret: ${leak}`);
  }
  return problems;
}

/** Shared keys and SAS are switched off on every data service, so only Entra ID gets in. */
export function checkLocalAuthDisabled(p: Project): string[] {
  const problems: string[] = [];
  for (const s of p.ofType(ResourceTypes.storageAccount)) {
    check(
      problems,
      s.properties['allowSharedKeyAccess'] === false,
      `storage ${textOf(s.name)} allows shared keys`,
    );
  }
  for (const v of p.ofType(ResourceTypes.keyVault)) {
    check(
      problems,
      v.properties['enableRbacAuthorization'] === true,
      `key vault ${textOf(v.name)} must use RBAC authorization`,
    );
    check(
      problems,
      (v.properties['accessPolicies'] ?? null) === null,
      `key vault ${textOf(v.name)} must not use access policies`,
    );
  }
  return problems;
}

export interface AlertExpectations {
  readonly email: string;
}

export function checkAlerts(p: Project, expected: AlertExpectations): string[] {
  const problems: string[] = [];
  const group = single(p, ResourceTypes.actionGroup, problems);
  const namespace = p.ofType(ResourceTypes.serviceBusNamespace)[0];
  if (group === undefined) return problems;
  const receivers = get(group.properties, 'emailReceivers');
  const emails = isArray(receivers) ? receivers.map((r) => get(r, 'emailAddress')) : [];
  check(
    problems,
    same(emails, expected.email === '' ? [] : [expected.email]),
    `action group emails ${render(emails)}, expected ${expected.email || 'none'}`,
  );
  const notifiesGroup = (alert: ResourceInstance): boolean => {
    const actions = get(alert.properties, 'actions');
    const ids = isArray(actions) ? actions.map((a) => get(a, 'actionGroupId')) : get(actions, 'actionGroups');
    return isArray(ids) && ids.some((id) => pointsAt(p, id, ResourceTypes.actionGroup, 'id'));
  };

  const metricAlert = (metric: string): ResourceInstance | undefined =>
    p.ofType(ResourceTypes.metricAlert).find((a) => {
      const allOf = get(a.properties, 'criteria', 'allOf');
      return isArray(allOf) && allOf.some((c) => get(c, 'metricName') === metric);
    });
  const criterion = (alert: ResourceInstance | undefined): Value => {
    const allOf = get(alert?.properties, 'criteria', 'allOf');
    return isArray(allOf) ? (allOf[0] ?? null) : null;
  };
  const onNamespace = (alert: ResourceInstance): boolean => {
    const scopes = get(alert.properties, 'scopes');
    return isArray(scopes) && scopes.some((s) => originOf(p, s)?.resource === namespace);
  };

  const deadLetters = metricAlert('DeadletteredMessages');
  const dl = criterion(deadLetters);
  check(
    problems,
    deadLetters !== undefined &&
      onNamespace(deadLetters) &&
      get(dl, 'operator') === 'GreaterThan' &&
      get(dl, 'threshold') === 0 &&
      get(dl, 'timeAggregation') === 'Minimum' &&
      isoSeconds(get(deadLetters.properties, 'windowSize')) === 15 * 60 &&
      notifiesGroup(deadLetters),
    'no alert for dead-letter depth > 0 sustained for 15 minutes on the namespace',
  );

  const backlog = metricAlert('ActiveMessages');
  const bl = criterion(backlog);
  check(
    problems,
    backlog !== undefined &&
      onNamespace(backlog) &&
      get(bl, 'operator') === 'GreaterThan' &&
      get(bl, 'threshold') === 100 &&
      notifiesGroup(backlog),
    'no alert for an active-message backlog over 100',
  );

  const logAlert = (table: string): ResourceInstance | undefined =>
    p.ofType(ResourceTypes.logAlert).find((a) => textOf(get(criterion(a), 'query')).startsWith(table));
  const onWorkspace = (alert: ResourceInstance): boolean => {
    const scopes = get(alert.properties, 'scopes');
    return isArray(scopes) && scopes.some((s) => pointsAt(p, s, ResourceTypes.workspace, 'id'));
  };
  const failures = logAlert('AppRequests');
  const fr = criterion(failures);
  check(
    problems,
    failures !== undefined &&
      onWorkspace(failures) &&
      textOf(get(fr, 'query')).includes('Success == false') &&
      get(fr, 'operator') === 'GreaterThan' &&
      get(fr, 'threshold') === 10 &&
      isoSeconds(get(failures.properties, 'windowSize')) === 60 * 60 &&
      notifiesGroup(failures),
    'no alert for a failure rate over 10% in an hour',
  );
  const errors = logAlert('AppExceptions');
  const er = criterion(errors);
  check(
    problems,
    errors !== undefined &&
      onWorkspace(errors) &&
      get(er, 'operator') === 'GreaterThan' &&
      get(er, 'threshold') === 0 &&
      notifiesGroup(errors),
    'no alert on function errors',
  );
  return problems;
}
