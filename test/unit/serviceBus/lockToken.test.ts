import { message } from 'rhea';

import {
  lockTokenToDeliveryTag,
  lockTokenToUuidBytes,
  uuidBytesToLockToken,
} from '../../../infra/local/serviceBus/lockToken';

test('the delivery tag is the lock token in .NET GUID byte order', () => {
  const token = '00112233-4455-6677-8899-aabbccddeeff';
  expect(lockTokenToDeliveryTag(token).toString('hex')).toBe('33221100554477668899aabbccddeeff');
  expect(uuidBytesToLockToken(lockTokenToUuidBytes(token))).toBe(token);
});

test('rhea reads a uuid the way the broker writes it', () => {
  // The SDK sends lock tokens to $management as AMQP uuids in RFC 4122 order.
  const token = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
  const decoded = message.decode(message.encode({ body: { t: lockTokenToUuidBytes(token) } })) as unknown as {
    body: { t: Buffer };
  };
  expect(uuidBytesToLockToken(decoded.body.t)).toBe(token);
});
