import { describe, expect, it } from 'vitest';
import { energySettings } from '../../activities/energy/settings.js';
import { carbonIntensity, co2eGrams, co2eKg } from '../../lib/energy/carbon.js';
import { cpuSpec, LISTED_CPUS } from '../../lib/energy/cpu-tdp.js';
import { corePower, modelledEnergy } from '../../lib/energy/model.js';

describe('modelledEnergy', () => {
  it('computes a known workload on a listed CPU by hand', () => {
    // EPYC 7763: 280 W / 64 cores = 4.375 W/core; 100 CPU-s -> 437.5 J
    // 2e9 B = 2 GB x 0.3725 W/GB x 50 s wall = 37.25 J; (437.5 + 37.25) x PUE 1.2 = 569.7 J
    const e = modelledEnergy(
      { cpuSeconds: 100, wallSeconds: 50, peakMemoryBytes: 2e9 },
      { cpuModel: 'AMD EPYC 7763 64-Core Processor', pue: 1.2, hardware: 'AMD EPYC 7763 (128 logical CPUs)' },
    );
    expect(e.joules).toBeCloseTo(569.7, 9);
    expect(e.method).toBe('model');
    expect(e.hardware).toBe('AMD EPYC 7763 (128 logical CPUs)');
    expect(e.constants).toMatchObject({
      wattsPerCore: 4.375,
      tdpWatts: 280,
      cores: 64,
      memoryWattsPerGB: 0.3725,
      memoryGB: 2,
      pue: 1.2,
    });
  });

  it('uses 12 W/core for a CPU it does not know, and no memory term without a peak', () => {
    const e = modelledEnergy({ cpuSeconds: 10, wallSeconds: 3 }, { cpuModel: 'AMD EPYC' });
    expect(e.joules).toBe(120);
    expect(e.constants.wattsPerCore).toBe(12);
    expect(e.constants.wattsPerCoreSource).toMatch(/Green Algorithms/);
    expect(e.constants.pue).toBe(1);
    expect(e.hardware).toBe('AMD EPYC');
  });

  it('lets CASCADE_WATTS_PER_CORE override the table', () => {
    const p = corePower('AMD EPYC 7763 64-Core Processor', 20);
    expect(p).toEqual({ wattsPerCore: 20, source: 'CASCADE_WATTS_PER_CORE' });
    // 3 CPU-s x 20 W + 0.5 GB x 0.3725 W/GB x 4 s = 60 + 0.745
    expect(
      modelledEnergy({ cpuSeconds: 3, wallSeconds: 4, peakMemoryBytes: 5e8 }, { wattsPerCore: 20 }).joules,
    ).toBeCloseTo(60.745, 9);
  });
});

describe('cpuSpec', () => {
  it('matches /proc/cpuinfo model names, not their suffixed siblings', () => {
    expect(cpuSpec('AMD EPYC 7763 64-Core Processor')).toEqual({
      name: 'AMD EPYC 7763',
      tdpWatts: 280,
      cores: 64,
    });
    expect(cpuSpec('Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz')?.name).toBe('Intel Xeon Gold 6248R');
    expect(cpuSpec('Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz')?.name).toBe('Intel Xeon Gold 6248');
    expect(cpuSpec('Intel(R) Xeon(R) Platinum 8480+')?.cores).toBe(56);
    expect(cpuSpec('Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz')?.tdpWatts).toBe(120);
    expect(cpuSpec('13th Gen Intel(R) Core(TM) i9-13900K')?.name).toBe('Intel Core i9-13900K');
    expect(cpuSpec('AMD Ryzen 9 7950X3D 16-Core Processor')).toBeUndefined();
    expect(cpuSpec('AMD EPYC')).toBeUndefined();
    expect(cpuSpec('QEMU Virtual CPU version 2.5+')).toBeUndefined();
  });

  it('lists 20-40 CPUs, each found by its own name, each at a plausible 1-15 W per core', () => {
    expect(LISTED_CPUS.length).toBeGreaterThanOrEqual(20);
    expect(LISTED_CPUS.length).toBeLessThanOrEqual(40);
    for (const c of LISTED_CPUS) {
      expect(cpuSpec(c.name)?.name).toBe(c.name);
      expect(c.tdpWatts / c.cores).toBeGreaterThan(1);
      expect(c.tdpWatts / c.cores).toBeLessThan(15);
    }
  });
});

describe('carbon', () => {
  it('defaults to the world average and says so', () => {
    expect(carbonIntensity({})).toEqual({
      gramsPerKWh: 475,
      source: '475 g/kWh (world average, as CodeCarbon and Green Algorithms use)',
    });
  });

  it('takes CASCADE_CARBON_INTENSITY and refuses what is not a positive number', () => {
    expect(carbonIntensity({ CASCADE_CARBON_INTENSITY: '612' })).toEqual({
      gramsPerKWh: 612,
      source: '612 g/kWh (CASCADE_CARBON_INTENSITY)',
    });
    expect(() => carbonIntensity({ CASCADE_CARBON_INTENSITY: 'low' })).toThrow(/positive number.*"low"/);
    expect(() => carbonIntensity({ CASCADE_CARBON_INTENSITY: '-3' })).toThrow(/positive number/);
  });

  it('turns joules into grams: 1 kWh at 475 g/kWh is 475 g', () => {
    expect(co2eGrams(3.6e6, 475)).toBeCloseTo(475, 9);
    expect(co2eKg(7.2e6, 500)).toBeCloseTo(1, 9);
  });
});

describe('energySettings', () => {
  it('has defaults for every source and figure', () => {
    expect(energySettings({})).toEqual({
      powercapRoot: '/sys/class/powercap',
      procRoot: '/proc',
      nvidiaSmi: 'nvidia-smi',
      sacct: 'sacct',
      pue: 1,
      carbon: carbonIntensity({}),
    });
  });

  it('reads the environment given, and an empty source variable turns that source off', () => {
    const s = energySettings({
      CASCADE_POWERCAP_ROOT: '/tmp/pc',
      CASCADE_PROC_ROOT: '/tmp/proc',
      CASCADE_NVIDIA_SMI: '',
      CASCADE_SACCT: '/opt/slurm/bin/sacct',
      CASCADE_PUE: '1.4',
      CASCADE_WATTS_PER_CORE: '7.5',
      CASCADE_CARBON_INTENSITY: '56',
    });
    expect(s).toEqual({
      powercapRoot: '/tmp/pc',
      procRoot: '/tmp/proc',
      sacct: '/opt/slurm/bin/sacct',
      pue: 1.4,
      wattsPerCore: 7.5,
      carbon: { gramsPerKWh: 56, source: '56 g/kWh (CASCADE_CARBON_INTENSITY)' },
    });
  });

  it('refuses numbers that are not', () => {
    expect(() => energySettings({ CASCADE_PUE: '0.8' })).toThrow(/CASCADE_PUE must be a number >= 1.*"0.8"/);
    expect(() => energySettings({ CASCADE_WATTS_PER_CORE: '12W' })).toThrow(/CASCADE_WATTS_PER_CORE/);
  });
});
