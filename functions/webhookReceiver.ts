import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';
import { z } from 'zod';

import { getComposition } from '../shared/composition';
import { errorResponse } from '../shared/http/errors';
import { currentCorrelationId } from '../shared/observability/correlation';
import { classifyError } from '../shared/reliability/classifyError';
import type { ReceiveWebhookOutcome } from '../shared/sync/receiveWebhook';
import { receiveWebhook } from '../shared/sync/receiveWebhook';

const ParamsSchema = z.object({
  provider: z.string().min(1).max(64),
  integrationId: z.string().min(1).max(128),
});

function toResponse(outcome: ReceiveWebhookOutcome): HttpResponseInit {
  switch (outcome.kind) {
    case 'accepted':
      return { status: 202, jsonBody: { eventId: outcome.eventId } };
    case 'handshake':
      return { status: outcome.status, headers: { ...outcome.headers }, body: outcome.body };
    case 'rejected':
      switch (outcome.reason) {
        // Bare on purpose: the sender learns nothing about which check failed.
        case 'unauthorized':
          return { status: 401 };
        case 'malformed':
          return errorResponse('ValidationFailed', 'the delivery is malformed');
        case 'unknown-integration':
          return errorResponse('NotFound', 'no such webhook endpoint');
        case 'paused':
          return errorResponse('Forbidden', 'the integration is not accepting webhooks');
        case 'too-large':
          return errorResponse('PayloadTooLarge', 'the body is too large');
      }
  }
}

/** POST /api/webhooks/{provider}/{integrationId}: verify the raw bytes, dedup, publish, 202. */
export async function webhookReceiver(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const params = ParamsSchema.safeParse(request.params);
  if (!params.success) return errorResponse('NotFound', 'no such webhook endpoint');
  try {
    const { webhooks } = await getComposition();
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (Number.isFinite(declared) && declared > webhooks.maxBodyBytes)
      return toResponse({ kind: 'rejected', reason: 'too-large' });
    const rawBody = Buffer.from(await request.arrayBuffer());
    const contentType = request.headers.get('content-type') ?? undefined;
    const outcome = await receiveWebhook(webhooks, {
      provider: params.data.provider,
      integrationId: params.data.integrationId,
      method: request.method,
      headers: request.headers,
      search: new URL(request.url).search,
      rawBody,
      ...(contentType !== undefined ? { contentType } : {}),
      correlationId: currentCorrelationId() ?? context.invocationId,
    });
    if (outcome.kind === 'rejected' && outcome.reason !== 'too-large') {
      context.log(
        `webhook rejected: ${outcome.reason}${outcome.detail !== undefined ? ` (${outcome.detail})` : ''}`,
      );
    }
    return toResponse(outcome);
  } catch (err) {
    // Our dependencies failed, not the request: the provider should retry later.
    const c = classifyError(err);
    context.error(`webhook receiver failed: ${c.reason}`);
    return errorResponse('ServiceUnavailable', 'the webhook could not be stored; retry later', undefined, {
      'retry-after': '5',
    });
  }
}

app.http('WebhookReceiver', {
  methods: ['POST', 'GET', 'HEAD', 'PUT'],
  route: 'webhooks/{provider}/{integrationId}',
  authLevel: 'anonymous',
  handler: webhookReceiver,
});
