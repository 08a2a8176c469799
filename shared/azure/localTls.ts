import { Agent } from 'node:https';

import type { SecretClientOptions } from '@azure/keyvault-secrets';

/** The pipeline policy shape every @azure client accepts in `additionalPolicies`. */
type PipelinePolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number]['policy'];

/**
 * Makes one SDK client trust the embedded stack's local CA without touching the process: it puts a
 * keep-alive https agent that trusts `caPem` (plus nothing else) on every request. Use it for
 * clients that talk to a local https emulator, e.g.
 * `new SecretClient(uri, cred, { additionalPolicies: [{ policy: localCaPipelinePolicy(ca), position: 'perCall' }], disableChallengeResourceVerification: true })`.
 * NODE_EXTRA_CA_CERTS would do it too, but Node reads it only at process start.
 */
export function localCaPipelinePolicy(caPem: string | Buffer): PipelinePolicy {
  const agent = new Agent({ ca: caPem, keepAlive: true });
  return {
    name: 'localCaPolicy',
    sendRequest: async (request, next) => {
      if (request.url.startsWith('https:')) request.agent = agent;
      return next(request);
    },
  };
}

/** The `additionalPolicies` entry for {@link localCaPipelinePolicy}. */
export function localCaPolicies(caPem: string | Buffer): { policy: PipelinePolicy; position: 'perCall' }[] {
  return [{ policy: localCaPipelinePolicy(caPem), position: 'perCall' }];
}
