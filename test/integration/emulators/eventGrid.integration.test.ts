import { randomUUID } from 'node:crypto';

import { AzureKeyCredential, AzureSASCredential } from '@azure/core-auth';
import { EventGridPublisherClient, generateSharedAccessSignature } from '@azure/eventgrid';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';

import { startEventGridEmulator } from '../../../infra/local/eventGrid';
import { EventTypes } from '../../../shared/config/eventRoutes';
import { QueueNames } from '../../../shared/config/queues';
import { SettingNames } from '../../../shared/config/settingNames';
import { testSetting } from '../../support/stack';

// The project-level testTimeout does not reach tests run through jest projects.
jest.setTimeout(30_000);
/**
 * Receives from the routed queue until the message with this id arrives; other messages are
 * abandoned, not completed, so tests sharing the queue do not steal each other's messages.
 */
async function receiveById(
  client: ServiceBusClient,
  queue: string,
  messageId: string,
  timeoutMs = 15_000,
): Promise<ServiceBusReceivedMessage> {
  const receiver = client.createReceiver(queue);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
      for (const message of messages) {
        if (message.messageId === messageId) {
          await receiver.completeMessage(message);
          return message;
        }
        await receiver.abandonMessage(message);
      }
    }
    throw new Error(`message ${messageId} did not arrive on ${queue} within ${timeoutMs} ms`);
  } finally {
    await receiver.close();
  }
}

describe('Event Grid emulator through EventGridPublisherClient', () => {
  let serviceBus: ServiceBusClient;
  const endpoint = (): string => testSetting(SettingNames.eventGridEndpoint);
  const key = (): string => testSetting(SettingNames.eventGridKey);

  beforeAll(() => {
    serviceBus = new ServiceBusClient(testSetting(SettingNames.serviceBus));
  });
  afterAll(async () => {
    await serviceBus.close();
  });

  it('delivers an EventGrid-schema event to the routed queue as Event Grid does', async () => {
    const publisher = new EventGridPublisherClient(endpoint(), 'EventGrid', new AzureKeyCredential(key()), {
      allowInsecureConnection: true,
    });
    const id = randomUUID();
    await publisher.send([
      {
        id,
        eventType: EventTypes.webhookReceived,
        subject: 'webhooks/hubspot/int-1',
        dataVersion: '1.0',
        data: { deliveryId: 'd-1' },
      },
    ]);

    const message = await receiveById(serviceBus, QueueNames.inboundWebhook, id);
    expect(message.body).toMatchObject({
      id,
      eventType: EventTypes.webhookReceived,
      subject: 'webhooks/hubspot/int-1',
      data: { deliveryId: 'd-1' },
      dataVersion: '1.0',
      metadataVersion: '1',
    });
    expect(message.applicationProperties).toMatchObject({
      'aeg-event-type': 'Notification',
      'aeg-subscription-name': 'WEBHOOK-TO-INBOUND',
      'aeg-delivery-count': '0',
      'aeg-data-version': '1.0',
    });
  });

  it('delivers a CloudEvents 1.0 event, published with a SAS token', async () => {
    const signature = await generateSharedAccessSignature(
      endpoint(),
      new AzureKeyCredential(key()),
      new Date(Date.now() + 10 * 60_000),
    );
    const publisher = new EventGridPublisherClient(
      endpoint(),
      'CloudEvent',
      new AzureSASCredential(signature),
      {
        allowInsecureConnection: true,
      },
    );
    const id = randomUUID();
    await publisher.send([
      { id, type: EventTypes.webhookReceived, source: '/webhooks/notion', data: { n: 1 } },
    ]);

    const message = await receiveById(serviceBus, QueueNames.inboundWebhook, id);
    expect(message.body).toMatchObject({
      id,
      specversion: '1.0',
      type: EventTypes.webhookReceived,
      source: '/webhooks/notion',
      data: { n: 1 },
    });
  });

  it('rejects a wrong key with 401', async () => {
    const publisher = new EventGridPublisherClient(
      endpoint(),
      'EventGrid',
      new AzureKeyCredential('d3Jvbmcta2V5'),
      {
        allowInsecureConnection: true,
      },
    );
    await expect(
      publisher.send([{ eventType: EventTypes.webhookReceived, subject: 's', dataVersion: '1', data: {} }]),
    ).rejects.toMatchObject({ statusCode: 401 });
  });

  it('rejects malformed events with 400 and a reason', async () => {
    const res = await fetch(`${endpoint()}?api-version=2018-01-01`, {
      method: 'POST',
      headers: { 'aeg-sas-key': key(), 'content-type': 'application/json' },
      body: JSON.stringify([{ id: 'x', subject: 's', eventTime: new Date().toISOString(), data: {} }]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('eventType');
  });

  it('dead-letters (and keeps) events it cannot deliver after its retries', async () => {
    // A Service Bus endpoint where nothing listens: every send fails.
    const unreachable =
      'Endpoint=sb://127.0.0.1:9;SharedAccessKeyName=k;SharedAccessKey=a2V5;UseDevelopmentEmulator=true';
    const lines: string[] = [];
    const eventGrid = await startEventGridEmulator({
      key: 'bG9jYWwta2V5',
      serviceBusConnectionString: unreachable,
      maxAttempts: 2,
      initialRetryDelayMs: 10,
      log: (line) => lines.push(line),
    });
    try {
      const publisher = new EventGridPublisherClient(
        eventGrid.endpoint,
        'EventGrid',
        new AzureKeyCredential(eventGrid.key),
        {
          allowInsecureConnection: true,
        },
      );
      const id = randomUUID();
      await publisher.send([
        { id, eventType: EventTypes.webhookReceived, subject: 's', dataVersion: '1', data: {} },
      ]);
      expect(await eventGrid.drain(30_000)).toBe(true);
      expect(eventGrid.deadLetters()).toEqual([
        expect.objectContaining({ eventId: id, queue: QueueNames.inboundWebhook, attempts: 2 }),
      ]);
      expect(lines.join('\n')).toContain(id);
    } finally {
      await eventGrid.stop();
    }
  });
});
