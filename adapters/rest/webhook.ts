import type { Result } from '../../shared/domain/result';
import { err, ok } from '../../shared/domain/result';
import { readPath } from '../../shared/mapping/paths';
import type { ExternalRecord, WebhookEvent, WebhookHandling, WebhookParseFailure } from '../base/adapter';
import { verifyWebhook } from '../base/webhooks';
import type { RestWebhook } from './descriptor';
import { compilePath } from './restAdapter';

/**
 * Webhook parsing described as data: the events are found, typed and turned into upserts (with
 * the full record when the delivery has one) or deletes, without code per provider. Verification
 * is the shared scheme registry's; this runs only on bodies that already passed it.
 */
export function createRestWebhookHandling(
  spec: RestWebhook,
  toRecord: (resourceType: string, raw: unknown) => ExternalRecord,
): WebhookHandling {
  const eventsPath = compilePath(spec.eventsPath, 'webhook.eventsPath');
  const typePath =
    spec.resourceTypeField !== undefined
      ? compilePath(spec.resourceTypeField, 'webhook.resourceTypeField')
      : undefined;
  const recordPath =
    spec.recordPath !== undefined ? compilePath(spec.recordPath, 'webhook.recordPath') : undefined;
  const idPath = spec.idField !== undefined ? compilePath(spec.idField, 'webhook.idField') : undefined;
  const actionPath =
    spec.actionField !== undefined ? compilePath(spec.actionField, 'webhook.actionField') : undefined;
  const atPath =
    spec.occurredAtField !== undefined
      ? compilePath(spec.occurredAtField, 'webhook.occurredAtField')
      : undefined;
  const deletes = new Set(spec.deleteActions);

  return {
    verify: (binding, request) => verifyWebhook(binding, request),
    parse(payload): Result<readonly WebhookEvent[], WebhookParseFailure> {
      let body: unknown;
      try {
        body = JSON.parse(payload.rawBody.toString('utf8'));
      } catch {
        return err({ reason: 'malformed', detail: 'body is not JSON' });
      }
      const found = eventsPath.length === 0 ? body : readPath(body, eventsPath);
      const list: unknown[] = Array.isArray(found)
        ? (found as unknown[])
        : found === undefined || found === null
          ? []
          : [found];
      const events: WebhookEvent[] = [];
      for (const [i, event] of list.entries()) {
        const typeValue = typePath !== undefined ? readPath(event, typePath) : spec.resourceType;
        if (typeof typeValue !== 'string' || typeValue === '') {
          return err({ reason: 'malformed', detail: `event ${i} has no resource type` });
        }
        const action = actionPath !== undefined ? readPath(event, actionPath) : undefined;
        const isDelete = typeof action === 'string' && deletes.has(action);
        const occurred = atPath !== undefined ? readPath(event, atPath) : undefined;
        const common = {
          resourceType: typeValue,
          ...(typeof occurred === 'string' ? { occurredAt: occurred } : {}),
          ...(typeof action === 'string' ? { eventType: action } : {}),
        };
        let record: ExternalRecord | undefined;
        if (recordPath !== undefined && !isDelete) {
          const raw = recordPath.length === 0 ? event : readPath(event, recordPath);
          try {
            record = toRecord(typeValue, raw);
          } catch {
            return err({ reason: 'malformed', detail: `event ${i} has no usable record` });
          }
        }
        const idValue = idPath !== undefined ? readPath(event, idPath) : record?.id;
        if (typeof idValue !== 'string' && typeof idValue !== 'number') {
          return err({ reason: 'malformed', detail: `event ${i} has no record id` });
        }
        const externalId = String(idValue);
        if (isDelete) events.push({ kind: 'delete', externalId, ...common });
        else if (record?.deleted === true) events.push({ kind: 'delete', externalId, ...common });
        else
          events.push({ kind: 'upsert', externalId, ...(record !== undefined ? { record } : {}), ...common });
      }
      return ok(events);
    },
  };
}
