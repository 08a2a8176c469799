import { randomUUID } from 'node:crypto';

import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

import { SettingNames } from '../../../shared/config/settingNames';
import { testSetting } from '../../support/stack';

const suffix = randomUUID().replace(/-/g, '').slice(0, 12);

// The project-level testTimeout does not reach tests run through jest projects.
jest.setTimeout(30_000);
describe('Azurite through the storage SDKs (AzureWebJobsStorage)', () => {
  const connectionString = (): string => testSetting(SettingNames.storage);

  it('uploads and downloads a blob', async () => {
    const container = BlobServiceClient.fromConnectionString(connectionString()).getContainerClient(
      `claims-${suffix}`,
    );
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient('payloads/large.json');
    const content = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ i })) });
    await blob.upload(content, Buffer.byteLength(content), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });

    const downloaded = await blob.downloadToBuffer();
    expect(downloaded.toString('utf8')).toBe(content);
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe('application/json');
    await container.delete();
  });

  it('sends and receives a queue message', async () => {
    const queue = QueueServiceClient.fromConnectionString(connectionString()).getQueueClient(
      `jobs-${suffix}`,
    );
    await queue.createIfNotExists();
    await queue.sendMessage(Buffer.from('{"job":1}').toString('base64'));

    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: 5,
      visibilityTimeout: 30,
    });
    expect(receivedMessageItems).toHaveLength(1);
    const [message] = receivedMessageItems;
    expect(Buffer.from(message!.messageText, 'base64').toString('utf8')).toBe('{"job":1}');
    await queue.deleteMessage(message!.messageId, message!.popReceipt);
    const { receivedMessageItems: after } = await queue.receiveMessages();
    expect(after).toHaveLength(0);
    await queue.delete();
  });

  it('upserts and queries table entities', async () => {
    const table = TableClient.fromConnectionString(connectionString(), `checkpoints${suffix}`, {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'tenant-a', rowKey: 'contacts', cursor: 'page-1' });
    await table.upsertEntity({ partitionKey: 'tenant-a', rowKey: 'contacts', cursor: 'page-2' }, 'Replace');
    await table.upsertEntity({ partitionKey: 'tenant-b', rowKey: 'contacts', cursor: 'page-9' });

    const found: { rowKey?: string; cursor?: unknown }[] = [];
    for await (const entity of table.listEntities({ queryOptions: { filter: "PartitionKey eq 'tenant-a'" } }))
      found.push(entity);
    expect(found).toEqual([expect.objectContaining({ rowKey: 'contacts', cursor: 'page-2' })]);
    await table.deleteTable();
  });
});
