import { createServer } from 'node:http';

/** Child process: a bare node:http server that reads the body and answers 202, for scale. */
const server = createServer({ keepAlive: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ eventId: `evt_${Buffer.concat(chunks).length}` }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ ready: true, baseUrl: `http://127.0.0.1:${port}` });
});
process.on('message', (m) => {
  if (m === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => server.close(() => process.exit(0)));
