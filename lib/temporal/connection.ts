/**
 * Connection settings follow Temporal's own conventions (`@temporalio/envconfig`): TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and the shared TOML config file, so a
 * remote cluster or Temporal Cloud needs no code change. Nothing is read at import time.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';

export const DEFAULT_ADDRESS = 'localhost:7233';

export interface ConnectSettings {
  address: string;
  namespace: string;
  tls?: unknown;
  apiKey?: string;
  metadata?: Record<string, string>;
  /** True when nothing in the environment or config file named a server: the embedded dev server applies. */
  local: boolean;
}

export function connectSettings(): ConnectSettings {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const o = connectionOptions as {
    address?: string;
    tls?: unknown;
    apiKey?: string;
    metadata?: Record<string, string>;
  };
  return {
    address: o.address ?? DEFAULT_ADDRESS,
    namespace: namespace ?? 'default',
    tls: o.tls,
    apiKey: o.apiKey,
    metadata: o.metadata,
    local: !o.address,
  };
}
