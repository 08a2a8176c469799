import { type Message, types } from 'rhea';

import type { StoredMessage } from './entity';
import { encodeMessage } from './rheaInternals';

/**
 * The message as a receiver sees it: what the sender sent, plus the broker's annotations
 * (sequence number, enqueued time, lock expiry, state) and the delivery count in the header.
 */
export function encodeForWire(m: StoredMessage): Message {
  const annotations: Record<string, unknown> = { ...(m.message.message_annotations ?? {}) };
  annotations['x-opt-sequence-number'] = types.wrap_long(m.seq);
  annotations['x-opt-enqueue-sequence-number'] = types.wrap_long(m.seq);
  annotations['x-opt-enqueued-time'] = new Date(m.enqueuedAt);
  if (m.lockToken !== undefined) annotations['x-opt-locked-until'] = new Date(m.lockedUntil);
  if (m.state !== 'active')
    annotations['x-opt-message-state'] = types.wrap_int(m.state === 'deferred' ? 1 : 2);
  return { ...m.message, message_annotations: annotations, delivery_count: m.deliveryCount };
}

export function encodeToBuffer(m: StoredMessage): Buffer {
  return encodeMessage(encodeForWire(m));
}
