import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetHardware, parseCpuinfo } from '../../activities/energy/hardware.js';
import { energyBetween, energySnapshot } from '../../activities/energy/meter.js';
import { forgetNvidiaSmi } from '../../activities/energy/nvidia-smi.js';
import { parseBusyCpuSeconds } from '../../activities/energy/proc-stat.js';
import { forgetRaplTrackers } from '../../activities/energy/rapl.js';
import { energySettings } from '../../activities/energy/settings.js';
import { modelledEnergy } from '../../lib/energy/model.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/energy');
const FAKE_SMI = join(FIXTURES, 'bin/nvidia-smi');
const RANGE = 262_143_328_850;

let dir: string;
let powercap: string;
let proc: string;

/** A RAPL zone's counter in the temporary tree. */
const setCounter = (zone: string, uj: number) => writeFileSync(join(powercap, zone, 'energy_uj'), `${uj}\n`);
const counter = (zone: string) => Number(readFileSync(join(powercap, zone, 'energy_uj'), 'utf8'));
const addJoules = (zone: string, j: number) => setCounter(zone, counter(zone) + j * 1e6);

/** Adds ticks (1/100 s) to /proc/stat's aggregate line: user nice system idle iowait irq softirq steal. */
function addTicks(t: { user?: number; system?: number; idle?: number; iowait?: number; steal?: number }) {
  const file = join(proc, 'stat');
  const lines = readFileSync(file, 'utf8').split('\n');
  const f = (lines[0] as string).split(/\s+/);
  const add = (i: number, n = 0) => {
    f[i] = String(Number(f[i]) + n);
  };
  add(1, t.user);
  add(3, t.system);
  add(4, t.idle);
  add(5, t.iowait);
  add(8, t.steal);
  lines[0] = f.join(' ');
  writeFileSync(file, lines.join('\n'));
}

const settings = (over: Record<string, string> = {}) =>
  energySettings({
    CASCADE_POWERCAP_ROOT: powercap,
    CASCADE_PROC_ROOT: proc,
    CASCADE_NVIDIA_SMI: '',
    ...over,
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cascade-energy-'));
  powercap = join(dir, 'powercap');
  proc = join(dir, 'proc');
  cpSync(join(FIXTURES, 'powercap'), powercap, { recursive: true });
  cpSync(join(FIXTURES, 'proc'), proc, { recursive: true });
});

afterEach(() => {
  forgetRaplTrackers();
  forgetNvidiaSmi();
  forgetHardware();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** 50 J package, 5 J DRAM, the machine busy 4 CPU-s (and idle, iowait and steal besides). */
function fiftyFiveJoulesOverFourBusySeconds() {
  addJoules('intel-rapl:0', 50);
  addJoules('intel-rapl:0:1', 5);
  addJoules('intel-rapl:0:0', 40); // core: inside the package, must not be added again
  addJoules('intel-rapl:1', 120); // psys: the whole platform, must not be added
  addJoules('intel-rapl-mmio:0', 50); // the package again, through MMIO
  addTicks({ user: 300, system: 100, idle: 700, iowait: 50, steal: 30 });
}

describe('RAPL, on the fixture tree', () => {
  it('reads package and DRAM zones only, and the busy time', async () => {
    const s = await energySnapshot({ settings: settings() });
    expect(s.rapl.map((r) => `${r.zone}=${r.name}`)).toEqual([
      'intel-rapl:0=package-0',
      'intel-rapl:0:1=dram',
    ]);
    expect(s.rapl[0]?.energyUj).toBe(74_395_834_512);
    expect(s.rapl[0]?.maxEnergyRangeUj).toBe(RANGE);
    // cpu  1433161 136829 144652 994435 3263 0 1351 2341: user + nice + system + irq + softirq
    expect(s.busyCpuSeconds).toBeCloseTo((1433161 + 136829 + 144652 + 0 + 1351) / 100, 9);
    expect(s.gpus).toEqual([]);
  });

  it('gives 50 J package + 5 J DRAM x 1 CPU-s of 4 busy = 13.75 J, x PUE', async () => {
    const start = await energySnapshot({ settings: settings({ CASCADE_PUE: '1.2' }) });
    fiftyFiveJoulesOverFourBusySeconds();
    const e = await energyBetween(
      start,
      { cpuSeconds: 1, wallSeconds: 2 },
      { settings: settings({ CASCADE_PUE: '1.2' }) },
    );
    expect(e.method).toBe('rapl');
    expect(e.joules).toBeCloseTo(13.75 * 1.2, 6);
    expect(e.constants).toMatchObject({ raplJoules: 55, busyCpuSeconds: 4, share: 0.25, pue: 1.2 });
    expect(e.hardware).toBe('AMD EPYC (2 logical CPUs)');
  });

  it('counts a counter that wrapped past max_energy_range_uj', async () => {
    setCounter('intel-rapl:0', RANGE - 20_000_000); // 20 J before the wrap
    const start = await energySnapshot({ settings: settings() });
    fiftyFiveJoulesOverFourBusySeconds();
    setCounter('intel-rapl:0', 30_000_000); // and 30 J after it
    const e = await energyBetween(start, { cpuSeconds: 1, wallSeconds: 2 }, { settings: settings() });
    expect(e.method).toBe('rapl');
    expect(e.constants.raplJoules).toBeCloseTo(55, 6);
    expect(e.joules).toBeCloseTo(13.75, 6);
  });

  it('follows several wraps between the two snapshots through the readings in between', async () => {
    setCounter('intel-rapl:0', RANGE - 10_000_000);
    const start = await energySnapshot({ settings: settings() });
    setCounter('intel-rapl:0', 100_000_000_000); // wrapped once: 10 J + 100 kJ
    await energySnapshot({ settings: settings() }); // what the tracker's poll does every RAPL_POLL_MS
    setCounter('intel-rapl:0', RANGE - 5_000_000); // climbed again to just below the range
    await energySnapshot({ settings: settings() });
    setCounter('intel-rapl:0', 20_000_000); // and wrapped a second time: 5 J + 20 J
    addTicks({ user: 400 });
    const e = await energyBetween(start, { cpuSeconds: 4, wallSeconds: 600 }, { settings: settings() });
    // 10e6 + 100e9 + (RANGE - 5e6 - 100e9) + 25e6 uJ = RANGE + 30e6 uJ; two readings alone would say 30 J
    expect(e.constants.raplJoules).toBeCloseTo((RANGE + 30_000_000) / 1e6, 3);
    expect(e.joules).toBeCloseTo((RANGE + 30_000_000) / 1e6, 3);
  });

  it('falls back to the model when the counters cannot be read', async () => {
    unlinkSync(join(powercap, 'intel-rapl:0', 'energy_uj'));
    unlinkSync(join(powercap, 'intel-rapl:0:1', 'energy_uj'));
    const start = await energySnapshot({ settings: settings() });
    expect(start.rapl).toEqual([]);
    addTicks({ user: 400 });
    const e = await energyBetween(
      start,
      { cpuSeconds: 1, wallSeconds: 2, peakMemoryBytes: 1e9 },
      { settings: settings() },
    );
    expect(e.method).toBe('model');
    expect(e.joules).toBeCloseTo(12 + 0.3725 * 2, 9);
  });

  it('snapshots an absent tree, /proc and nvidia-smi as absent sources, without throwing', async () => {
    const none = energySettings({
      CASCADE_POWERCAP_ROOT: join(dir, 'nowhere'),
      CASCADE_PROC_ROOT: join(dir, 'nowhere'),
      CASCADE_NVIDIA_SMI: join(dir, 'nowhere', 'nvidia-smi'),
    });
    const s = await energySnapshot({ settings: none });
    expect(s).toEqual({ atMs: s.atMs, rapl: [], gpus: [] });
    vi.stubEnv('CASCADE_PUE', 'lots');
    expect((await energySnapshot()).rapl).toEqual([]);
    await expect(energyBetween(s, { cpuSeconds: 1, wallSeconds: 1 })).rejects.toThrow(/CASCADE_PUE/);
  });
});

describe('the model, on this machine for real', () => {
  it("models real work from this machine's /proc, and sees the work in the machine's busy time", async () => {
    const real = energySettings({ CASCADE_POWERCAP_ROOT: '', CASCADE_NVIDIA_SMI: '' });
    const start = await energySnapshot({ settings: real });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let x = 0;
    while (performance.now() - t0 < 300) x += Math.sqrt(x + 1);
    const used = process.cpuUsage(cpu0);
    const work = {
      cpuSeconds: (used.user + used.system) / 1e6,
      wallSeconds: (performance.now() - t0) / 1000,
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    };
    const end = await energySnapshot({ settings: real });
    const e = await energyBetween(start, work, { settings: real });

    const cpuinfo = parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    expect(e.method).toBe('model');
    expect(e.hardware).toBe(`${cpuinfo.cpuModel ?? 'unknown CPU'} (${cpuinfo.logicalCpus} logical CPUs)`);
    expect(e.joules).toBeCloseTo(modelledEnergy(work, { cpuModel: cpuinfo.cpuModel, pue: 1 }).joules, 9);
    expect(e.joules).toBeGreaterThan(0);
    // the machine was busy at least as long as this process (ticks of 10 ms, other work besides)
    expect((end.busyCpuSeconds ?? 0) - (start.busyCpuSeconds ?? 0)).toBeGreaterThan(work.cpuSeconds - 0.05);
    expect(x).toBeGreaterThan(0);
  });

  it('parses the captured /proc/stat and /proc/cpuinfo', () => {
    expect(parseBusyCpuSeconds(readFileSync(join(FIXTURES, 'proc/stat'), 'utf8'))).toBeCloseTo(17159.93, 6);
    expect(parseBusyCpuSeconds('intr 1 2 3\n')).toBeUndefined();
    expect(parseCpuinfo(readFileSync(join(FIXTURES, 'proc/cpuinfo'), 'utf8'))).toEqual({
      cpuModel: 'AMD EPYC',
      logicalCpus: 2,
    });
  });
});

describe('the GPU, through the fake nvidia-smi', () => {
  const power = (line: string) => {
    const file = join(dir, 'smi.csv');
    writeFileSync(file, `${line}\n`);
    vi.stubEnv('FAKE_NVIDIA_SMI_OUTPUT', file);
  };

  it('adds the mean of the two power readings x wall time to the RAPL part', async () => {
    const s = settings({ CASCADE_NVIDIA_SMI: FAKE_SMI });
    power('NVIDIA H200, 100.00');
    const start = await energySnapshot({ settings: s });
    expect(start.gpus).toEqual([{ name: 'NVIDIA H200', watts: 100 }]);
    fiftyFiveJoulesOverFourBusySeconds();
    power('NVIDIA H200, 140.00');
    const e = await energyBetween(start, { cpuSeconds: 1, wallSeconds: 10, gpuSeconds: 10 }, { settings: s });
    expect(e.method).toBe('rapl+nvml');
    expect(e.joules).toBeCloseTo(13.75 + 1200, 6);
    expect(e.hardware).toBe('AMD EPYC (2 logical CPUs) + NVIDIA H200');
  });

  it('adds it to the model where there is no RAPL, finding nvidia-smi on PATH', async () => {
    vi.stubEnv('PATH', `${join(FIXTURES, 'bin')}:${process.env.PATH}`);
    const s = energySettings({ CASCADE_POWERCAP_ROOT: '', CASCADE_PROC_ROOT: proc, CASCADE_PUE: '1.1' });
    expect(s.nvidiaSmi).toBe('nvidia-smi');
    power('NVIDIA H200, 200.5');
    const start = await energySnapshot({ settings: s });
    power('NVIDIA H200, 199.5');
    const e = await energyBetween(start, { cpuSeconds: 3, wallSeconds: 4, gpuSeconds: 4 }, { settings: s });
    expect(e.method).toBe('nvml+model');
    // (3 CPU-s x 12 W + 200 W x 4 s) x 1.1
    expect(e.joules).toBeCloseTo((36 + 800) * 1.1, 6);
  });

  it('asks nvidia-smi once for the hardware, and never again when it does not work', async () => {
    const log = join(dir, 'smi.log');
    vi.stubEnv('FAKE_NVIDIA_SMI_LOG', log);
    const calls = () => readFileSync(log, 'utf8').trim().split('\n').length;
    const s = settings({ CASCADE_NVIDIA_SMI: FAKE_SMI });
    const start = await energySnapshot({ settings: s }); // the first query: presence, names and a reading
    expect(calls()).toBe(1);
    await energyBetween(start, { cpuSeconds: 1, wallSeconds: 1 }, { settings: s });
    await energyBetween(start, { cpuSeconds: 1, wallSeconds: 1 }, { settings: s, gpu: false });
    expect(calls()).toBe(2); // one reading for the first end snapshot; the hardware was not asked again

    forgetNvidiaSmi();
    forgetHardware();
    vi.stubEnv('FAKE_NVIDIA_SMI_FAIL', '1');
    const broken = await energySnapshot({ settings: s });
    expect(broken.gpus).toEqual([]);
    const e = await energyBetween(broken, { cpuSeconds: 1, wallSeconds: 1, gpuSeconds: 1 }, { settings: s });
    expect(e.hardware).toBe('AMD EPYC (2 logical CPUs)');
    expect(e.constants.gpu).toMatch(/not measured/);
    expect(calls()).toBe(3); // the failed first query only
  });
});
