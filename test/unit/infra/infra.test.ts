import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CONTAINERS } from '../../../shared/config/containers';
import { AZURE_REQUIRED_SETTINGS } from '../../../shared/config/env';
import { QUEUES } from '../../../shared/config/queues';
import { SettingNames } from '../../../shared/config/settingNames';
import { Project, readParametersFile, render, type Value } from './bicep/evaluate';
import { lintFile, lintModuleCalls } from './bicep/lint';
import { type BicepFile, parseBicep } from './bicep/parse';
import {
  appIdentity,
  appSettings,
  checkAlerts,
  checkAppSettings,
  checkContainers,
  checkEventRoutes,
  checkLocalAuthDisabled,
  checkNoSecrets,
  checkPrincipalRoles,
  checkQueues,
  checkRuntime,
  functionApp,
  principalOf,
  ResourceTypes,
} from './checks';

const REPO = join(__dirname, '../../..');
const INFRA = join(REPO, 'infra/azure');
const DEVELOPER = '11111111-2222-3333-4444-555555555555';

function bicepFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.bicep'))
    .sort();
}

function parse(file: string): BicepFile {
  return parseBicep(file, readFileSync(join(INFRA, file), 'utf8'));
}

/** The deployment azd would run, with main.parameters.json as azd reads it plus overrides. */
function deploy(overrides: Readonly<Record<string, Value>> = {}, root = INFRA): Project {
  return new Project(root, { ...readParametersFile(join(root, 'main.parameters.json')), ...overrides });
}

const VARIANTS: readonly [string, Readonly<Record<string, Value>>][] = [
  ['defaults (Flex Consumption, Service Bus Standard, Cosmos serverless)', {}],
  [
    'Elastic Premium, Service Bus Premium, Cosmos provisioned',
    { hostingPlan: 'ElasticPremium', serviceBusSku: 'Premium', cosmosCapacityMode: 'Provisioned' },
  ],
];

describe('infra/azure Bicep sources', () => {
  it.each(bicepFiles(INFRA))('%s declares every identifier it uses and uses every param and var', (file) => {
    expect(lintFile(parse(file))).toEqual([]);
  });

  it.each(bicepFiles(INFRA))('%s passes every module exactly the params the module declares', (file) => {
    expect(lintModuleCalls(INFRA, parse(file))).toEqual([]);
  });

  it('main.parameters.json sets only params main.bicep declares, and every param without a default', () => {
    const main = parse('main.bicep');
    const params = main.decls.flatMap((d) => (d.kind === 'param' ? [d] : []));
    const fileParams = Object.keys(readParametersFile(join(INFRA, 'main.parameters.json')));
    expect(fileParams.filter((n) => !params.some((p) => p.name === n))).toEqual([]);
    expect(
      params.filter((p) => p.defaultValue === undefined && !fileParams.includes(p.name)).map((p) => p.name),
    ).toEqual([]);
  });

  it('pins a real API version on every resource', () => {
    const resources = deploy().main.allResources();
    expect(resources.length).toBeGreaterThan(20);
    for (const r of resources) expect(r.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}(-preview)?$/);
  });
});

describe.each(VARIANTS)('infra/azure with %s', (_label, overrides) => {
  const project = deploy(overrides);

  it('declares every Service Bus queue with the topology of shared/config/queues.ts', () => {
    expect(checkQueues(project)).toEqual([]);
  });

  it('declares every Cosmos DB container with the partition key, unique keys and TTL of shared/config/containers.ts', () => {
    expect(checkContainers(project)).toEqual([]);
  });

  it('subscribes one Event Grid subscription per route of shared/config/eventRoutes.ts', () => {
    expect(checkEventRoutes(project)).toEqual([]);
  });

  it('sets every app setting the app needs in Azure, identity-based, and none of the local-only ones', () => {
    expect(checkAppSettings(project)).toEqual([]);
  });

  it('runs the app on Node 22 on the chosen plan', () => {
    expect(checkRuntime(project)).toEqual([]);
  });

  it('carries no key, connection string or secure param in any output or app setting', () => {
    expect(checkNoSecrets(project)).toEqual([]);
  });

  it('turns off shared keys and access policies on storage and Key Vault', () => {
    expect(checkLocalAuthDisabled(project)).toEqual([]);
  });

  it("gives the app's managed identity exactly its data roles, each scoped to one resource", () => {
    expect(
      checkPrincipalRoles(
        project,
        principalOf(appIdentity(project), ['properties', 'principalId']),
        'app identity',
      ),
    ).toEqual([]);
  });
});

describe('infra/azure choices made by parameters', () => {
  it('defaults to Flex Consumption, serverless Cosmos DB and Service Bus Standard', () => {
    const project = deploy();
    const plan = project.ofType(ResourceTypes.plan)[0];
    expect(plan?.body['sku']).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    const account = project.ofType(ResourceTypes.cosmosAccount)[0];
    expect(account?.properties['capabilities']).toEqual([{ name: 'EnableServerless' }]);
    expect(project.ofType(ResourceTypes.cosmosDatabase)[0]?.properties['options']).toEqual({});
    expect(project.ofType(ResourceTypes.serviceBusNamespace)[0]?.body['sku']).toMatchObject({
      name: 'Standard',
    });
  });

  it('switches to Elastic Premium EP1 and shared autoscale throughput when asked', () => {
    const project = deploy({
      hostingPlan: 'ElasticPremium',
      cosmosCapacityMode: 'Provisioned',
      cosmosAutoscaleMaxThroughput: 4000,
    });
    expect(project.ofType(ResourceTypes.plan)[0]?.body['sku']).toEqual({
      name: 'EP1',
      tier: 'ElasticPremium',
    });
    expect(project.ofType(ResourceTypes.cosmosAccount)[0]?.properties['capabilities']).toEqual([]);
    expect(project.ofType(ResourceTypes.cosmosDatabase)[0]?.properties['options']).toEqual({
      autoscaleSettings: { maxThroughput: 4000 },
    });
  });

  it('grants the developer the same data roles only when a principal id is given', () => {
    const withDeveloper = deploy({ principalId: DEVELOPER });
    expect(checkPrincipalRoles(withDeveloper, DEVELOPER, 'developer')).toEqual([]);
    const withoutDeveloper = deploy({ principalId: '' });
    expect(checkPrincipalRoles(withoutDeveloper, DEVELOPER, 'developer')).toContain(
      'developer: Cosmos DB data role assigned 0 times',
    );
  });

  it('emails alerts to the configured address, and creates the alerts without one', () => {
    expect(checkAlerts(deploy({ alertEmail: 'ops@example.com' }), { email: 'ops@example.com' })).toEqual([]);
    expect(checkAlerts(deploy({ alertEmail: '' }), { email: '' })).toEqual([]);
  });

  it('uses a custom webhook base URL when one is given', () => {
    const project = deploy({ webhookBaseUrl: 'https://sync.example.com/api' });
    expect(appSettings(project).get(SettingNames.webhookBaseUrl)).toBe('https://sync.example.com/api');
    expect(checkAppSettings(project)).toEqual([]);
  });
});

describe('azd', () => {
  const yaml = readFileSync(join(REPO, 'azure.yaml'), 'utf8');

  it('points azd at infra/azure and deploys this repo as the function app service "api"', () => {
    expect(yaml).toMatch(/^infra:\n(?: {2}.*\n)*? {2}path: infra\/azure$/m);
    expect(yaml).toMatch(/^services:\n {2}api:\n(?: {4}.*\n)*? {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}language: ts$/m);
    expect(existsSync(join(INFRA, 'main.bicep'))).toBe(true);
    expect(functionApp(deploy()).body['tags']).toMatchObject({ 'azd-service-name': 'api' });
  });

  it('outputs for the local host the same endpoints the function app uses', () => {
    const project = deploy();
    const settings = appSettings(project);
    const local = AZURE_REQUIRED_SETTINGS.filter((name) => name !== SettingNames.azureClientId);
    expect(local.length).toBeGreaterThan(0);
    for (const name of local) {
      expect({ name, value: render(project.main.output(name)) }).toEqual({
        name,
        value: render(settings.get(name) ?? null),
      });
    }
  });
});

describe('docs/DEPLOY.md', () => {
  const doc = readFileSync(join(REPO, 'docs/DEPLOY.md'), 'utf8');

  it('documents every main.bicep parameter and the azd variable that sets it', () => {
    const params = parse('main.bicep').decls.flatMap((d) => (d.kind === 'param' ? [d.name] : []));
    const variables = [
      ...readFileSync(join(INFRA, 'main.parameters.json'), 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g),
    ].map((m) => m[1]);
    expect(params.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
    expect(variables.filter((name) => name !== undefined && !doc.includes(`\`${name}\``))).toEqual([]);
  });

  it('names every queue, and every container whose items expire with their retention', () => {
    expect(QUEUES.map((q) => q.name).filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
    const expiring = CONTAINERS.filter((c) => c.defaultTtlSeconds !== undefined);
    for (const c of expiring) {
      // "`a` and `b` 90 days": the first number after the container's name list is its retention.
      const stated = new RegExp(`\`${c.name}\`(?:(?:,| and) \`[a-z_]+\`)* (\\d+) days`).exec(doc)?.[1];
      expect({ container: c.name, days: Number(stated) }).toEqual({
        container: c.name,
        days: (c.defaultTtlSeconds ?? 0) / 86400,
      });
    }
  });
});

describe('the checks catch drift', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'infra-'));
    cpSync(INFRA, scratch, { recursive: true });
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  function mutate(file: string, from: string | RegExp, to: string): Project {
    const path = join(scratch, file);
    const before = readFileSync(path, 'utf8');
    const after = before.replace(from, to);
    expect(after).not.toBe(before);
    writeFileSync(path, after);
    return deploy({}, scratch);
  }

  it('reports a queue that lost its sessions', () => {
    const project = mutate('main.bicep', /requiresSession: true/, 'requiresSession: false');
    expect(checkQueues(project)).toContain(
      'queue sync-outbound: requiresSession is false in Bicep, true in code',
    );
  });

  it('reports a queue with a different lock duration', () => {
    const project = mutate('main.bicep', "lockDuration: 'PT5M'", "lockDuration: 'PT1M'");
    expect(checkQueues(project)).toContain(
      'queue sync-inbound-scheduled: lockDuration (s) is 60 in Bicep, 300 in code',
    );
  });

  it('reports a container that is missing or has another partition key', () => {
    const missing = mutate('main.bicep', /\n {2}\{ name: 'leases'.*\n/, '\n');
    expect(checkContainers(missing)).toContain('container leases: declared 0 times in Bicep');
    const moved = mutate(
      'main.bicep',
      "{ name: 'tenants', partitionKey: '/id'",
      "{ name: 'tenants', partitionKey: '/tenantId'",
    );
    expect(checkContainers(moved)).toContain(
      "container tenants: partition key is ['/tenantId'] in Bicep, ['/id'] in code",
    );
  });

  it('reports an Event Grid route filtered on another event type', () => {
    const project = mutate(
      'main.bicep',
      "eventTypes: ['Sync.Webhook.Received']",
      "eventTypes: ['Sync.Other']",
    );
    expect(checkEventRoutes(project).join('\n')).toMatch(
      /route webhook-to-inbound: filters \['Sync.Other'\]/,
    );
  });

  it('reports a connection string in the app settings', () => {
    const project = mutate(
      'modules/functionApp.bicep',
      "  { name: 'LOG_LEVEL', value: logLevel }",
      "  { name: 'LOG_LEVEL', value: logLevel }\n  { name: 'ServiceBusConnection', value: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=${storage.listKeys().keys[0].value}' }",
    );
    expect(checkAppSettings(project)).toContain(
      'ServiceBusConnection holds a connection string; Azure must use the identity-based form',
    );
    expect(checkNoSecrets(project).join('\n')).toMatch(/app setting ServiceBusConnection carries a secret/);
  });

  it('reports an output that hands out a key', () => {
    const project = mutate(
      'modules/storage.bicep',
      'output id string = storage.id',
      'output id string = storage.listKeys().keys[0].value',
    );
    expect(checkNoSecrets(project).join('\n')).toMatch(/output main\/storage\.id carries a secret/);
  });

  it('reports a missing app setting and a local-only one', () => {
    const project = mutate(
      'modules/functionApp.bicep',
      "  { name: 'KEYVAULT_URI', value: keyVaultUri }",
      "  { name: 'EVENTGRID_TOPIC_KEY', value: 'local' }",
    );
    const problems = checkAppSettings(project);
    expect(problems).toContain('app setting KEYVAULT_URI is required in Azure but not set');
    expect(problems).toContain('app setting EVENTGRID_TOPIC_KEY is local-only but set in Azure');
  });

  it('reports a role the app identity lost and one it should not have', () => {
    const project = mutate(
      'modules/roles.bicep',
      'roleIds.serviceBusDataReceiver]',
      "'8e3af657-a8ff-443c-a75c-2fe8c4bcb635']",
    );
    const problems = checkPrincipalRoles(
      project,
      principalOf(appIdentity(project), ['properties', 'principalId']),
      'app',
    );
    expect(problems).toContain(
      `app: role 4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0 on ${ResourceTypes.serviceBusNamespace} assigned 0 times`,
    );
    expect(problems).toContain(
      `app: unexpected role 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 on ${ResourceTypes.serviceBusNamespace} (least privilege)`,
    );
  });

  it('reports an undeclared param, an unused one, and a module call missing a param', () => {
    const undeclared = mutate(
      'modules/keyVault.bicep',
      'enablePurgeProtection ? true : null',
      'purgeProtection ? true : null',
    );
    expect(lintFile(undeclared.file('modules/keyVault.bicep')).map((p) => p.message)).toEqual([
      "'purgeProtection' is not declared",
      "param 'enablePurgeProtection' is declared but never used",
    ]);
    const notPassed = mutate('main.bicep', '    enablePurgeProtection: keyVaultPurgeProtection\n', '');
    expect(lintModuleCalls(scratch, notPassed.file('main.bicep')).map((p) => p.message)).toEqual([
      "module keyVault does not pass required param 'enablePurgeProtection' of modules/keyVault.bicep",
    ]);
  });

  it('reports an alert whose threshold drifted', () => {
    const drifted = mutate(
      'modules/alerts.bicep',
      'param backlogThreshold int = 100',
      'param backlogThreshold int = 1000',
    );
    expect(checkAlerts(drifted, { email: '' })).toContain('no alert for an active-message backlog over 100');
  });
});
