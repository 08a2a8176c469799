/**
 * App entry point (package.json `main`): app-wide setup and hooks, then one import per function.
 * Each function file registers itself with `app.*` at its bottom; hooks apply to all of them
 * whatever the registration order.
 */
import './adminConnection';
import './adminConnectionRotate';
import './adminConnections';
import './adminIntegration';
import './adminIntegrationLogs';
import './adminIntegrations';
import './adminIntegrationStatus';
import './adminIntegrationTest';
import './adminKey';
import './adminKeys';
import './adminProvider';
import './adminProviders';
import './adminRuns';
import './adminSync';
import './adminTenant';
import './health';
import './openapi';
import './records';
import './syncInboundScheduled';
import './syncInboundWebhook';
import './syncScheduler';
import './webhookReceiver';

import { app } from '@azure/functions';

import { postInvocationCorrelation, preInvocationCorrelation } from '../shared/observability/invocationHooks';

app.setup({ enableHttpStream: false });
app.hook.preInvocation(preInvocationCorrelation);
app.hook.postInvocation(postInvocationCorrelation);
