import { JoseTokenIssuer, JoseTokenVerifier } from '@pushline/adapters/jose';
import type { TokenVerifier } from '@pushline/core';
import { ContainerModule } from 'inversify';
import { type AppConfig, ENV } from '../config.js';
import { TOKENS } from '../tokens.js';

function claimsOf(config: AppConfig): { issuer?: string; audience?: string } {
  return {
    ...(config.tokenIssuer === null ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === null ? {} : { audience: config.tokenAudience }),
  };
}

/** Checks tokens with the secret or the identity provider's JWKS: `TokenVerifier` (need `tokens`). */
export const tokenVerifier = (config: AppConfig): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind<TokenVerifier>(TOKENS.TokenVerifier).toResolvedValue(() => {
      const keys = config.tokenKeys;
      if (keys === null) throw new Error(`${ENV.jwksUrl} or ${ENV.tokenSecret} is not configured`);
      const limits = { ...claimsOf(config), maxLifetimeSeconds: config.tokenMaxLifetimeSeconds };
      return new JoseTokenVerifier(
        keys.kind === 'jwks' ? { jwksUrl: keys.jwksUrl, ...limits } : { secret: keys.secret, ...limits },
      );
    });
  });

/** Signs dev tokens with the secret: `JoseTokenIssuer` (need `issuer`). */
export const tokenIssuer = (config: AppConfig): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind<JoseTokenIssuer>(TOKENS.TokenIssuer).toResolvedValue(() => {
      const keys = config.tokenKeys;
      if (keys?.kind !== 'secret') throw new Error(`${ENV.tokenSecret} is not configured`);
      return new JoseTokenIssuer({ secret: keys.secret, ...claimsOf(config) });
    });
  });
