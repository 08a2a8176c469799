import { startWordPressPeer } from './wordpress/peer';

/**
 * Installs (when missing) and starts the real WordPress before any peer test; the settings reach
 * the test workers through process.env, which jest forks after this runs.
 */
export default function globalSetup(): void {
  const peer = startWordPressPeer();
  for (const [k, v] of Object.entries(peer.env)) process.env[k] = v;
}
