import { stopWordPressPeer } from './wordpress/peer';

export default function globalTeardown(): void {
  stopWordPressPeer();
}
