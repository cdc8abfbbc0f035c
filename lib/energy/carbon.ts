/**
 * Emissions from energy: kWh x the grid's carbon intensity (gCO2e/kWh). The default, 475 g/kWh, is the world
 * average that CodeCarbon and Green Algorithms use when the grid is unknown; CASCADE_CARBON_INTENSITY names
 * the local grid's figure. The intensity always travels with where it came from.
 */
import { JOULES_PER_KWH } from '../domain/units.js';

export const DEFAULT_CARBON_INTENSITY = 475;

export interface CarbonIntensity {
  gramsPerKWh: number;
  /**
   * E.g. "475 g/kWh (world average, as CodeCarbon and Green Algorithms use)" or
   * "612 g/kWh (CASCADE_CARBON_INTENSITY)".
   */
  source: string;
}

/**
 * The grid's intensity from CASCADE_CARBON_INTENSITY in `env`, else the world average; throws when it is set
 * to anything but a positive number.
 */
export function carbonIntensity(env: Readonly<Record<string, string | undefined>>): CarbonIntensity {
  const raw = env.CASCADE_CARBON_INTENSITY;
  if (raw === undefined || raw.trim() === '') {
    return {
      gramsPerKWh: DEFAULT_CARBON_INTENSITY,
      source: `${DEFAULT_CARBON_INTENSITY} g/kWh (world average, as CodeCarbon and Green Algorithms use)`,
    };
  }
  const g = Number(raw);
  if (!Number.isFinite(g) || g <= 0) {
    throw new Error(`CASCADE_CARBON_INTENSITY must be a positive number of gCO2e/kWh, not "${raw}"`);
  }
  return { gramsPerKWh: g, source: `${g} g/kWh (CASCADE_CARBON_INTENSITY)` };
}

/** Grams of CO2e for this much energy at this intensity. */
export function co2eGrams(joules: number, gramsPerKWh: number): number {
  return (joules / JOULES_PER_KWH) * gramsPerKWh;
}

/** Kilograms of CO2e for this much energy at this intensity. */
export function co2eKg(joules: number, gramsPerKWh: number): number {
  return co2eGrams(joules, gramsPerKWh) / 1000;
}
