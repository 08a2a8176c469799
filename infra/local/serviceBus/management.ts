import { type Message, types } from 'rhea';

import { BrokerError, type Entity, type Outcome } from './entity';
import { lockTokenToUuidBytes, uuidBytesToLockToken } from './lockToken';
import { decodeMessage } from './rheaInternals';
import { encodeToBuffer } from './wire';

/**
 * The `$management` request/response operations @azure/service-bus uses, with the body layouts
 * of its ManagementClient: lock tokens as uuid arrays, sequence numbers as long arrays, encoded
 * messages as binary, and `statusCode`/`statusDescription`/`errorCondition` in the reply.
 */

type Body = Record<string, unknown>;
type Operation = (entity: Entity, body: Body, now: number) => { status?: number; body?: unknown };

const operations: Record<string, Operation> = {
  'com.microsoft:renew-lock': (entity, body, now) => {
    const expirations = lockTokens(body).map((t) => entity.renewLock(t, now));
    return { body: { expirations: types.wrap_array(expirations, 0x83, undefined) } };
  },

  'com.microsoft:schedule-message': (entity, body, now) => {
    const items = Array.isArray(body['messages']) ? (body['messages'] as Body[]) : [];
    const decoded = items.map((item) => {
      const raw = item['message'];
      if (!Buffer.isBuffer(raw))
        throw argumentError('Each scheduled message must carry its encoded message.');
      if (raw.length > entity.config.maxMessageSizeBytes) {
        throw new BrokerError(
          'amqp:link:message-size-exceeded',
          `The message (size ${raw.length} bytes) exceeds the limit (${entity.config.maxMessageSizeBytes} bytes).`,
          403,
        );
      }
      const m = decodeMessage(raw);
      entity.validate(m);
      return m;
    });
    const seqs: number[] = [];
    for (const m of decoded) {
      const annotated = m.message_annotations?.['x-opt-scheduled-enqueue-time'] as unknown;
      const at = annotated instanceof Date ? annotated.getTime() : now;
      const stored = entity.enqueue(m, now, at);
      // A duplicate is dropped by the broker but still gets a number, as in Azure.
      seqs.push(stored?.seq ?? entity.nextSeq++);
    }
    return { body: { 'sequence-numbers': types.wrap_array(seqs, 0x81, undefined) } };
  },

  'com.microsoft:cancel-scheduled-message': (entity, body) => {
    entity.cancelScheduled(sequenceNumbers(body['sequence-numbers']));
    return {};
  },

  'com.microsoft:peek-message': (entity, body) => {
    const from = toNumber(body['from-sequence-number']) ?? 1;
    const count = toNumber(body['message-count']) ?? 1;
    const sessionId = typeof body['session-id'] === 'string' ? body['session-id'] : undefined;
    const found = entity.peek(from, count, sessionId);
    if (found.length === 0) return { status: 204 };
    return { body: { messages: found.map((m) => ({ message: encodeToBuffer(m) })) } };
  },

  'com.microsoft:receive-by-sequence-number': (entity, body, now) => {
    const seqs = sequenceNumbers(body['sequence-numbers']);
    const mode = toNumber(body['receiver-settle-mode']) === 0 ? 'receiveAndDelete' : 'peekLock';
    const sessionId = typeof body['session-id'] === 'string' ? body['session-id'] : undefined;
    const picked = entity.receiveDeferred(seqs, mode, sessionId, now);
    return {
      body: {
        messages: picked.map((m) =>
          m.lockToken === undefined
            ? { message: encodeToBuffer(m) }
            : {
                'lock-token': types.wrap_uuid(lockTokenToUuidBytes(m.lockToken)),
                message: encodeToBuffer(m),
              },
        ),
      },
    };
  },

  'com.microsoft:update-disposition': (entity, body, now) => {
    const outcome = dispositionOutcome(body);
    for (const token of lockTokens(body)) {
      const result = entity.settle(token, outcome, now);
      if (result === 'lockLost') {
        throw new BrokerError(
          'com.microsoft:message-lock-lost',
          'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
          410,
        );
      }
      if (result === 'sessionLockLost') {
        throw new BrokerError(
          'com.microsoft:session-lock-lost',
          'The session lock was lost. Request a new session receiver.',
          410,
        );
      }
    }
    return {};
  },

  'com.microsoft:renew-session-lock': (entity, body, now) => {
    return { body: { expiration: new Date(entity.renewSessionLock(sessionIdOf(body), now)) } };
  },

  'com.microsoft:get-session-state': (entity, body, now) => {
    const state = entity.getSessionState(sessionIdOf(body), now);
    return { body: { 'session-state': state ?? null } };
  },

  'com.microsoft:set-session-state': (entity, body, now) => {
    const raw = body['session-state'];
    const state = Buffer.isBuffer(raw) ? raw : undefined;
    entity.setSessionState(sessionIdOf(body), state, now);
    return {};
  },

  'com.microsoft:get-message-sessions': (entity, body) => {
    const skip = toNumber(body['skip']) ?? 0;
    const top = toNumber(body['top']) ?? 100;
    const ids = entity.listSessions().slice(skip, skip + top);
    if (ids.length === 0) return { status: 204 };
    return { body: { skip: types.wrap_int(skip + ids.length), 'sessions-ids': ids } };
  },
};

export function handleManagementRequest(entity: Entity, request: Message, now: number): Message {
  const operation = String(request.application_properties?.['operation'] ?? '');
  const handler = operations[operation];
  const body: Body = request.body !== null && typeof request.body === 'object' ? (request.body as Body) : {};
  try {
    if (!handler) {
      throw new BrokerError(
        'amqp:not-implemented',
        `The operation '${operation}' is not supported by the emulator.`,
        501,
      );
    }
    const result = handler(entity, body, now);
    const status = result.status ?? 200;
    return {
      application_properties: { statusCode: status, statusDescription: status === 204 ? 'No Content' : 'OK' },
      body: result.body,
    };
  } catch (err) {
    const e =
      err instanceof BrokerError
        ? err
        : new BrokerError('amqp:internal-error', err instanceof Error ? err.message : String(err), 500);
    return {
      application_properties: {
        statusCode: e.statusCode,
        statusDescription: e.message,
        errorCondition: e.condition,
      },
      body: undefined,
    };
  }
}

function argumentError(message: string): BrokerError {
  return new BrokerError('com.microsoft:argument-error', message, 400);
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE());
  return undefined;
}

function sequenceNumbers(v: unknown): number[] {
  const list = Array.isArray(v) ? (v as unknown[]) : [];
  return list.map((x) => {
    const n = toNumber(x);
    if (n === undefined) throw argumentError('Sequence numbers must be longs.');
    return n;
  });
}

function lockTokens(body: Body): string[] {
  const list = Array.isArray(body['lock-tokens']) ? (body['lock-tokens'] as unknown[]) : [];
  return list.map((t) => {
    if (!Buffer.isBuffer(t) || t.length !== 16) throw argumentError('Lock tokens must be uuids.');
    return uuidBytesToLockToken(t);
  });
}

function sessionIdOf(body: Body): string {
  const id = body['session-id'];
  if (typeof id !== 'string') throw argumentError('A session-id is required.');
  return id;
}

function dispositionOutcome(body: Body): Outcome {
  const status = body['disposition-status'];
  const modify = body['properties-to-modify'];
  const propertiesToModify =
    modify !== null && typeof modify === 'object' ? (modify as Record<string, unknown>) : undefined;
  switch (status) {
    case 'completed':
      return { kind: 'complete' };
    case 'abandoned':
      return { kind: 'abandon', propertiesToModify };
    case 'defered':
      return { kind: 'defer', propertiesToModify };
    case 'suspended':
      return {
        kind: 'deadLetter',
        reason: typeof body['deadletter-reason'] === 'string' ? body['deadletter-reason'] : undefined,
        description:
          typeof body['deadletter-description'] === 'string' ? body['deadletter-description'] : undefined,
        propertiesToModify,
      };
    default:
      throw argumentError(`Unknown disposition-status '${String(status)}'.`);
  }
}
