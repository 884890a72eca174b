/**
 * The settings every kind of change reads: the lock timeout each phase sets, the backfill's batch
 * size, and the soak times written as `-- tidemark:soak` directives (from `expandContract` in
 * tidemark.json).
 */

export interface SoakSettings {
  /** Before the backfill (or a table rename's switch), in every environment but sandboxes. */
  backfill?: string;
  /** Before the contract, in environments that are not protected (sandboxes never wait). */
  contract?: string;
  /** Before the contract, in protected environments. */
  contractProtected?: string;
}

export interface ChangeSettings {
  lockTimeout: string;
  batchSize: number;
  soak: SoakSettings;
}

export const DEFAULT_SOAK: Required<SoakSettings> = { backfill: '48h', contract: '48h', contractProtected: '7d' };

export const DEFAULT_SETTINGS: ChangeSettings = { lockTimeout: '5s', batchSize: 1000, soak: DEFAULT_SOAK };

/** The gate directives of a phase: how long the phase before it must have been applied first, and the contract's approval. */
export function soakDirectives(role: 'expand' | 'backfill' | 'switch' | 'contract', soak: SoakSettings): string[] {
  if (role === 'backfill' || role === 'switch') return soak.backfill ? [`-- tidemark:soak ${soak.backfill}`] : [];
  if (role !== 'contract') return [];
  // The runbooks' last prerequisite ("approval from Tech Lead / DBA"): only protected environments ask for it.
  const lines: string[] = ['-- tidemark:requires-approval'];
  if (soak.contract) lines.push(`-- tidemark:soak ${soak.contract}`);
  if (soak.contractProtected && soak.contractProtected !== soak.contract) lines.push(`-- tidemark:soak ${soak.contractProtected} in protected`);
  return lines;
}
