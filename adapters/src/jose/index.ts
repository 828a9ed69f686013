export { JoseTokenIssuer, type JoseTokenIssuerOptions } from './jose-token-issuer.js';
export {
  DEFAULT_JWKS_ALGORITHMS,
  type JoseKeySource,
  JoseTokenVerifier,
  type JoseTokenVerifierOptions,
  MIN_SECRET_BYTES,
} from './jose-token-verifier.js';
