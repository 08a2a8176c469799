import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** Token lifetime; the SDKs refresh a few minutes before expiry, like with Entra ID tokens. */
const LIFETIME_MS = 60 * 60 * 1000;

/**
 * The credential the app uses against the embedded stack instead of DefaultAzureCredential. It
 * issues an unsigned JWT (`alg: none`) whose `aud` is the requested resource (the scope without
 * `/.default`) and whose `exp` is an hour ahead. The local Key Vault accepts exactly that: a Bearer
 * token that parses as such a JWT, with `aud` https://vault.azure.net and `exp` in the future.
 * It carries no secret, so it is worthless anywhere else.
 */
export class LocalTokenCredential implements TokenCredential {
  constructor(private readonly subject = 'local-developer') {}

  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? (scopes[0] ?? '') : scopes;
    const expiresOnTimestamp = Date.now() + LIFETIME_MS;
    const header = { alg: 'none', typ: 'JWT' };
    const payload = {
      aud: scope.replace(/\/\.default$/, ''),
      iss: 'https://local.sync-engine/',
      sub: this.subject,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(expiresOnTimestamp / 1000),
    };
    const token = `${base64Url(header)}.${base64Url(payload)}.`;
    return Promise.resolve({ token, expiresOnTimestamp, tokenType: 'Bearer' });
  }
}

function base64Url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
