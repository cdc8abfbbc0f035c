import { describe, expect, it } from 'vitest';
import { attributeEnergy, busyShare, counterDeltaUj, gpuInterval } from '../../lib/energy/attribute.js';
import type { EnergySnapshot, RaplReading } from '../../lib/energy/snapshot.js';

const RANGE = 262_143_328_850;
const zone = (z: string, name: string, energyUj: number, maxEnergyRangeUj = RANGE): RaplReading => ({
  zone: z,
  name,
  energyUj,
  maxEnergyRangeUj,
});
const snap = (over: Partial<EnergySnapshot>): EnergySnapshot => ({ atMs: 0, rapl: [], gpus: [], ...over });
const context = { hardware: 'test machine', cpuModel: 'AMD EPYC' };

// 50 J of package and 5 J of DRAM while the machine was busy 4 CPU-s
const start = snap({
  rapl: [zone('intel-rapl:0', 'package-0', 1_000_000), zone('intel-rapl:0:1', 'dram', 7_000_000)],
  busyCpuSeconds: 100,
});
const end = snap({
  atMs: 2000,
  rapl: [zone('intel-rapl:0', 'package-0', 51_000_000), zone('intel-rapl:0:1', 'dram', 12_000_000)],
  busyCpuSeconds: 104,
});

describe('counters', () => {
  it('counts a wrap past the range once, and refuses a fall with no range', () => {
    expect(counterDeltaUj(10, 25, 100)).toBe(15);
    expect(counterDeltaUj(RANGE - 20_000_000, 30_000_000, RANGE)).toBe(50_000_000);
    expect(counterDeltaUj(50, 10, 0)).toBeUndefined();
  });

  it("clamps the work's share of the machine's busy time to [0, 1]", () => {
    expect(busyShare(1, 4)).toBe(0.25);
    expect(busyShare(5, 4)).toBe(1);
    expect(busyShare(0, 4)).toBe(0);
    expect(busyShare(0.01, 0)).toBe(1);
  });
});

describe('attributeEnergy', () => {
  it('shares RAPL package + DRAM joules by CPU time: (50 + 5) x 1/4 = 13.75 J, x PUE', () => {
    const e = attributeEnergy(start, end, { cpuSeconds: 1, wallSeconds: 2 }, { ...context, pue: 1.5 });
    expect(e.method).toBe('rapl');
    expect(e.joules).toBeCloseTo(13.75 * 1.5, 9);
    expect(e.constants).toMatchObject({
      raplJoules: 55,
      busyCpuSeconds: 4,
      share: 0.25,
      pue: 1.5,
      intervalSeconds: 2,
      raplZones: 'package-0 (intel-rapl:0), dram (intel-rapl:0:1)',
    });
    expect(e.hardware).toBe('test machine');
  });

  it('adds the GPU: the mean of the two readings x wall time', () => {
    const gStart = { ...start, gpus: [{ name: 'NVIDIA H200', watts: 100 }] };
    const gEnd = { ...end, gpus: [{ name: 'NVIDIA H200', watts: 140 }] };
    const e = attributeEnergy(gStart, gEnd, { cpuSeconds: 1, wallSeconds: 10, gpuSeconds: 10 }, context);
    expect(e.method).toBe('rapl+nvml');
    expect(e.joules).toBeCloseTo(13.75 + 120 * 10, 9);
    expect(e.constants).toMatchObject({ gpuWatts: 120, gpuShare: 1, gpus: 1 });

    // no RAPL: the CPU part is modelled (2 CPU-s x 12 W/core) and the GPU measured
    const m = attributeEnergy(
      snap({ gpus: gStart.gpus }),
      snap({ gpus: gEnd.gpus }),
      { cpuSeconds: 2, wallSeconds: 10, gpuSeconds: 10 },
      { ...context, pue: 2 },
    );
    expect(m.method).toBe('nvml+model');
    expect(m.joules).toBeCloseTo((24 + 1200) * 2, 9);
  });

  it('ignores the GPU for work that did not use it, and says so when it cannot measure it', () => {
    const gpus = [{ name: 'NVIDIA H200', watts: 100 }];
    expect(
      attributeEnergy({ ...start, gpus }, { ...end, gpus }, { cpuSeconds: 1, wallSeconds: 2 }, context)
        .method,
    ).toBe('rapl');
    const e = attributeEnergy(snap({}), snap({}), { cpuSeconds: 1, wallSeconds: 2, gpuSeconds: 2 }, context);
    expect(e.method).toBe('model');
    expect(e.constants.gpu).toMatch(/not measured/);
  });

  it("shares several GPUs' power by the GPU time the work used", () => {
    const two = (w: number) => [
      { name: 'NVIDIA H200', watts: w },
      { name: 'NVIDIA H200', watts: w },
    ];
    // 2 GPUs x 200 W over 10 s; the work kept one busy: half of 4000 J
    expect(gpuInterval(two(200), two(200), { cpuSeconds: 0, wallSeconds: 10, gpuSeconds: 10 })).toEqual({
      joules: 2000,
      watts: 400,
      share: 0.5,
      gpus: 2,
    });
    expect(
      gpuInterval([{ name: 'X' }], [{ name: 'X' }], { cpuSeconds: 0, wallSeconds: 1, gpuSeconds: 1 }),
    ).toBeUndefined();
  });

  it('falls back to the model without the busy time or a zone read at both ends', () => {
    const noBusy = attributeEnergy(
      { ...start, busyCpuSeconds: undefined },
      end,
      { cpuSeconds: 1, wallSeconds: 2 },
      context,
    );
    expect(noBusy.method).toBe('model');
    expect(noBusy.joules).toBe(12);
    const otherZone = snap({ rapl: [zone('intel-rapl:1', 'package-1', 5)], busyCpuSeconds: 104 });
    expect(attributeEnergy(start, otherZone, { cpuSeconds: 1, wallSeconds: 2 }, context).method).toBe(
      'model',
    );
  });
});
