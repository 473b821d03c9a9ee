/**
 * One @alicloud/credentials `Credential` per account. All credential logic (env chain, profiles,
 * AssumeRole, ECS metadata, STS refresh and caching) is the library's; this file only maps the
 * accounts file onto its providers. Keep one instance per account for the process lifetime so
 * STS tokens are cached and refreshed instead of re-fetched per call.
 */
import credentialsModule, {
  CLIProfileCredentialsProvider,
  Config as CredentialConfig,
  DefaultCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  type CredentialsProvider,
} from '@alicloud/credentials';
import type { CredentialSpec } from '../config/accounts.js';
import { PermanentError } from '../domain/errors.js';

// CommonJS with `exports.default`: Node's ESM loader hands us the module object, while vite/vitest
// already unwrap `default`. Accept both.
const Credential = (credentialsModule.default ?? credentialsModule) as typeof credentialsModule.default;
export type SdkCredential = InstanceType<typeof Credential>;

/** A credential setting that cannot work as configured (e.g. a named env var is unset). Permanent. */
export class CredentialConfigError extends PermanentError {
  override name = 'CredentialConfigError';
}

/** Session name sent with AssumeRole; shows up in ActionTrail as who read the inventory. */
const DEFAULT_ROLE_SESSION_NAME = 'swas-inventory';

/**
 * Builds the Credential for one account. Does no I/O: providers fetch lazily on the first call.
 * `env` is read only for `access_key` accounts, whose file names the variables holding the key.
 */
export function createCredential(spec: CredentialSpec, env: NodeJS.ProcessEnv = process.env): SdkCredential {
  switch (spec.type) {
    case 'env':
      // No config = the library's default chain (env vars, OIDC, CLI profile, profile file, ECS role, URI).
      return new Credential();
    case 'profile':
      return new Credential(null, cliProfile(spec.profile));
    case 'ram_role_arn': {
      const source: CredentialsProvider = spec.sourceProfile !== undefined
        ? cliProfile(spec.sourceProfile)
        : DefaultCredentialsProvider.builder().build();
      const provider = RAMRoleARNCredentialsProvider.builder()
        .withCredentialsProvider(source)
        .withRoleArn(spec.roleArn)
        .withRoleSessionName(spec.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME)
        .build();
      return new Credential(null, provider);
    }
    case 'ecs_ram_role':
      return new Credential(new CredentialConfig({ type: 'ecs_ram_role', ...(spec.roleName !== undefined ? { roleName: spec.roleName } : {}) }));
    case 'access_key': {
      const accessKeyId = requiredEnv(env, spec.accessKeyIdEnv);
      const accessKeySecret = requiredEnv(env, spec.accessKeySecretEnv);
      const securityToken = spec.securityTokenEnv !== undefined ? requiredEnv(env, spec.securityTokenEnv) : undefined;
      return new Credential(new CredentialConfig(securityToken !== undefined
        ? { type: 'sts', accessKeyId, accessKeySecret, securityToken }
        : { type: 'access_key', accessKeyId, accessKeySecret }));
    }
  }
}

function cliProfile(profileName: string): CredentialsProvider {
  return CLIProfileCredentialsProvider.builder().withProfileName(profileName).build();
}

/** Names the variable, never its value. */
function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new CredentialConfigError(`Environment variable ${name} is not set; the accounts file (SWAS_CONFIG) names it as holding a credential. Set it, or change the account's credentials.`);
  }
  return value;
}
