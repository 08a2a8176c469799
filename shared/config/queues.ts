/**
 * The Service Bus topology: ONE declaration that the local emulator creates, the local host's
 * triggers bind to, and infra/azure/ mirrors (checked offline by test/unit/infra).
 */
export interface QueueDefinition {
  readonly name: string;
  readonly requiresSession: boolean;
  readonly maxDeliveryCount: number;
  /** ISO-8601 durations are what Bicep takes; the emulator reads seconds. */
  readonly lockDurationSeconds: number;
  readonly defaultMessageTimeToLiveSeconds: number;
  readonly deadLetteringOnMessageExpiration: boolean;
  /** 0 disables duplicate detection. */
  readonly duplicateDetectionWindowSeconds: number;
  readonly maxMessageSizeKb: number;
}

export const QueueNames = {
  inboundWebhook: 'sync-inbound-webhook',
  inboundScheduled: 'sync-inbound-scheduled',
  outbound: 'sync-outbound',
  tokenRefresh: 'token-refresh',
} as const;

export type QueueName = (typeof QueueNames)[keyof typeof QueueNames];

const DAY = 24 * 60 * 60;

/** Standard tier caps messages at 256 KB; bodies over 200 KB go to Blob as a claim check. */
const standard = {
  maxDeliveryCount: 10,
  lockDurationSeconds: 60,
  defaultMessageTimeToLiveSeconds: 14 * DAY,
  deadLetteringOnMessageExpiration: true,
  duplicateDetectionWindowSeconds: 10 * 60,
  maxMessageSizeKb: 256,
} as const;

export const QUEUES: readonly QueueDefinition[] = [
  { name: QueueNames.inboundWebhook, requiresSession: false, ...standard },
  { name: QueueNames.inboundScheduled, requiresSession: false, ...standard, lockDurationSeconds: 300 },
  // One session per record keeps writes to the same record in order across instances.
  { name: QueueNames.outbound, requiresSession: true, ...standard },
  { name: QueueNames.tokenRefresh, requiresSession: false, ...standard, maxDeliveryCount: 5 },
];

export const DEAD_LETTER_SUFFIX = '/$deadletterqueue';

export function getQueue(name: QueueName): QueueDefinition {
  const queue = QUEUES.find((q) => q.name === name);
  if (!queue) throw new Error(`Queue ${name} is not declared in the topology`);
  return queue;
}
