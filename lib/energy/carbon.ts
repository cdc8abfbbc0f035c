/**
 * Emissions from energy: kWh x the grid's carbon intensity (gCO2e/kWh). The default, 475 g/kWh, is the world
 * average that CodeCarbon and Green Algorithms use when the grid is unknown.
 */
import { JOULES_PER_KWH } from '../domain/units.js';

export const DEFAULT_CARBON_INTENSITY = 475;

/** Kilograms of CO2e for this much energy at this intensity. */
export function co2eKg(joules: number, gramsPerKWh: number): number {
  return ((joules / JOULES_PER_KWH) * gramsPerKWh) / 1000;
}
