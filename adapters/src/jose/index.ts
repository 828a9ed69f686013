export { JoseTokenIssuer, type JoseTokenIssuerOptions } from './jose-token-issuer.js';
export {
  DEFAULT_JWKS_ALGORITHMS,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type JoseKeySource,
  JoseTokenVerifier,
  type JoseTokenVerifierOptions,
} from './jose-token-verifier.js';
export { MIN_SECRET_BYTES } from './min-secret-bytes.js';
