import { rename, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';

/** Helpers shared by the embedded emulators: atomic state files and loopback listeners. */

/** Writes through a temp file and a rename, so a crash mid-write never leaves a torn state file. */
export async function writeFileAtomic(path: string, content: string | Buffer, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

/** Listens on 127.0.0.1 (port 0 = a free one the OS picks) and returns the bound port. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(err);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

/**
 * Closes a server and every connection it holds; keep-alive sockets would otherwise keep
 * `close()` waiting until their idle timeout.
 */
export async function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections?.();
  });
}
