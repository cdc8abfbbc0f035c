/**
 * A throw-away PostgreSQL cluster for one test file (scripts/postgres-cluster.ts): started before its tests,
 * stopped and removed after them. Each `database()` is a new, empty database on it.
 */
import { afterAll, beforeAll } from 'vitest';
import { type Cluster, startCluster } from '../../scripts/postgres-cluster.js';

export interface PostgresForTests {
  /** The URL of a new, empty database. */
  database(): Promise<string>;
  cluster(): Cluster;
}

export function usePostgres(): PostgresForTests {
  let cluster: Cluster | undefined;
  let n = 0;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  const started = (): Cluster => {
    if (!cluster)
      throw new Error('the PostgreSQL cluster is not started (usePostgres() outside a test file?)');
    return cluster;
  };
  return {
    database: () => started().createDatabase(`store_${++n}`),
    cluster: started,
  };
}
