/**
 * What every chart of the report shares: a Vega-Lite spec as plain JSON (lib/ stays free of vega-lite's types;
 * cli/report/render.ts compiles it), the size of a panel, and the look. Pure.
 */

/** A Vega-Lite specification, as JSON. */
export type VegaLiteSpec = { [key: string]: unknown };

export const PANEL = { width: 420, height: 260 } as const;

/** Fonts and sizes for a page read on a screen; no external fonts (the page works offline). */
export const LOOK = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    grid: true,
    gridOpacity: 0.5,
    labelLimit: 260,
  },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal', labelLimit: 0 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#ddd' },
  range: { category: ['#1f6feb', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c'] },
} as const;

/** A spec with the report's look and a panel size. */
export function chart(spec: VegaLiteSpec, size: { width?: number; height?: number } = PANEL): VegaLiteSpec {
  return { ...size, ...spec, config: LOOK, background: 'white', padding: 8 };
}

/** Energy on a readable scale: kWh from 1 kWh up, Wh below (a tiny campaign is a few Wh, not 0.00x kWh). */
export interface EnergyScale {
  unit: 'kWh' | 'Wh';
  /** Multiplies kWh into the unit. */
  factor: number;
}

export function energyScale(largestKWh: number): EnergyScale {
  return largestKWh >= 1 ? { unit: 'kWh', factor: 1 } : { unit: 'Wh', factor: 1000 };
}
