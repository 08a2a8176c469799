/**
 * Blob containers the engine writes. The app creates them on first use against Azurite; in Azure
 * infra/azure/main.bicep declares the same names (storage module `containerNames`).
 */
export const BlobContainerNames = {
  /** Raw webhook bodies exactly as received, for replay and for bodies too big for a message. */
  webhookBodies: 'webhook-bodies',
  /** Message payloads over the claim-check threshold. */
  claimChecks: 'claim-checks',
} as const;

export type BlobContainerName = (typeof BlobContainerNames)[keyof typeof BlobContainerNames];

export const BLOB_CONTAINERS: readonly BlobContainerName[] = Object.values(BlobContainerNames);
