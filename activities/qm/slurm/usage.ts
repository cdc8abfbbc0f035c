/**
 * The Usage of a calculation that ran as a Slurm job. Its energy cannot be bracketed on the worker's host (the
 * job ran on a compute node): it is Slurm's measurement when the cluster's energy accounting recorded one
 * (ConsumedEnergyRaw > 0, method `sacct`), else the model on the job's own CPU time and peak memory (method
 * `model`, its constants saying where the CPU figure came from and which job it was).
 */
import type { Usage } from '../../../lib/domain/usage.js';
import type { Work } from '../../../lib/energy/energy.js';
import { prepareEnergy, usageOf } from '../../usage.js';
import type { SlurmJobRecord } from './job-record.js';

const CPU_SOURCE: Record<SlurmJobRecord['figuresFrom'], string> = {
  sacct: "Slurm's accounting (sacct TotalCPU, MaxRSS)",
  'job-report': "the job's own GNU time report",
  none: 'nowhere (no accounting, no GNU time): 0 CPU seconds',
};

/**
 * `work`: the calculation's figures, every attempt's CPU time summed; `attempts` > 1 means earlier jobs whose
 * measured energy is not in `job` (the last one): the model is used then, so that the sum stays whole.
 */
export async function slurmJobUsage(job: SlurmJobRecord, work: Work, attempts = 1): Promise<Usage> {
  const { pue } = await prepareEnergy();
  const modelled = usageOf(work);
  const hardware = `Slurm node ${job.nodes || '(unknown)'}`;
  const where = { slurmJob: job.jobId, cpuSecondsFrom: CPU_SOURCE[job.figuresFrom] };
  if (job.joules !== undefined && job.joules > 0 && attempts === 1) {
    return {
      ...modelled,
      energyJoules: job.joules * pue,
      energyMethod: 'sacct',
      energyConstants: { ...where, consumedEnergyRawJoules: job.joules, pue },
      hardware,
    };
  }
  return {
    ...modelled,
    energyConstants: {
      ...modelled.energyConstants,
      ...where,
      ...(job.sacctUnavailable !== undefined && { sacctUnavailable: job.sacctUnavailable }),
    },
    hardware: `${hardware}, modelled as ${modelled.hardware ?? 'unknown CPU'}`,
  };
}
