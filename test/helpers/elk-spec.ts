import type { z } from 'zod';
import type { ElkSettings } from '../../qm/codes/elk/settings.js';
import type { CalcSpec } from '../../qm/template.js';

/** A ground-state Elk spec for a crystal (charge 0, spin-unpolarised). */
export const elkSpec = (method = 'pbe', settings: z.input<typeof ElkSettings> = {}): CalcSpec => ({
  code: 'elk',
  method,
  task: 'energy',
  charge: 0,
  multiplicity: 1,
  settings: { ...settings },
});
