/** The Slurm job a calculation ran as, as its provenance records it (and as the ledger's energy reads it). */
export interface SlurmJobRecord {
  jobId: string;
  /** Its last state squeue showed (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...), when one was seen. */
  state?: string;
  /** The nodes it ran on, as squeue names them. */
  nodes?: string;
  /**
   * Where its CPU time and peak memory come from: Slurm's accounting (`sacct`), the job's own GNU time report
   * (`job-report`, on clusters without accounting), or nowhere (`none`: neither was there).
   */
  figuresFrom: 'sacct' | 'job-report' | 'none';
  /** Joules Slurm's energy accounting recorded for it (ConsumedEnergyRaw), when it recorded any. */
  joules?: number;
  /** Why sacct's figures were not used, when they were not ("Slurm accounting storage is disabled"). */
  sacctUnavailable?: string;
}
