/** `cascade qm doctor`: every registered code, and the helpers they need, found or not. */
import { knownCodes } from '../qm/codes/registry.js';
import { MissingBinaryError, resolveBinary } from '../qm/profile.js';

export interface DoctorRow {
  name: string;
  found: boolean;
  path: string;
  version: string;
  debianPackage: string;
}

export async function doctor(): Promise<DoctorRow[]> {
  const rows: DoctorRow[] = [];
  const programs = [
    ...knownCodes().map((c) => ({
      name: c.code,
      binary: c.profile().binary,
      version: c.version,
      debianPackage: c.debianPackage,
    })),
    {
      name: 'obabel',
      binary: process.env.CASCADE_OBABEL || 'obabel',
      version: obabelVersion,
      debianPackage: 'openbabel',
    },
  ];
  for (const p of programs) {
    try {
      const path = await resolveBinary(p.binary);
      rows.push({
        name: p.name,
        found: true,
        path,
        version: await p.version(p.binary).catch(() => 'unknown'),
        debianPackage: p.debianPackage,
      });
    } catch (e) {
      if (!(e instanceof MissingBinaryError)) throw e;
      rows.push({ name: p.name, found: false, path: '', version: '', debianPackage: p.debianPackage });
    }
  }
  return rows;
}

async function obabelVersion(binary: string): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(binary, ['-V'], { reject: false });
  return /Open Babel (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}
