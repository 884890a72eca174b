import type { EnvironmentStatus, MigrationStatus } from '../../../server/src/protocol';

export function migration(version: string, name: string, state: MigrationStatus['state'], extra: Partial<MigrationStatus> = {}): MigrationStatus {
  return {
    version,
    name,
    state,
    files: { up: `/proj/migrations/${version}_${name}.sql`, down: `/proj/migrations/rollback/${version}_${name}.sql` },
    hasDown: true,
    hasVerify: false,
    ...extra,
  };
}

export function environment(name: string, migrations: MigrationStatus[], extra: Partial<EnvironmentStatus['environment']> = {}, error?: string): EnvironmentStatus {
  return {
    environment: {
      name,
      kind: name === 'sandbox' ? 'pglite' : 'postgres',
      target: name === 'sandbox' ? '.tidemark/sandbox' : `deploy@${name}.internal:5432/app`,
      protected: false,
      ...extra,
    },
    migrations,
    ...(error ? { error } : {}),
  };
}
