/** `cascade cbs generate`'s progress: the bar and time left on a terminal, the plain lines otherwise. */
import { describe, expect, it } from 'vitest';
import { progressBar, progressLog } from '../../cli/commands/cbs.js';

/** A stand-in for process.stderr that records what is written. */
const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, out: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
};

describe('cbs generate progress', () => {
  it('draws a bar with the time left at the pace so far', () => {
    // 3 s a calculation, 30 to go: 90 s, said in minutes
    expect(progressBar(10, 40, 30)).toBe('[######------------------] 10/40 calculations, ~2 min left');
    expect(progressBar(1, 3, 20)).toBe('[########----------------] 1/3 calculations, ~40 s left');
    expect(progressBar(1, 1000, 36)).toBe(`[${'-'.repeat(24)}] 1/1000 calculations, ~10.0 h left`);
    expect(progressBar(5, 5, 100)).toBe(`[${'#'.repeat(24)}] 5/5 calculations`);
    expect(progressBar(0, 5, 0)).toBe(`[${'-'.repeat(24)}] 0/5 calculations`);
  });

  it('keeps the bar under the lines on a terminal, and writes the lines alone otherwise', () => {
    const tty = stream(true);
    const log = progressLog(tty.out);
    log('geometry CCO: C2H6O');
    log('[1/4, 8 s] CCO cc-pVDZ: computed');
    expect(tty.written).toEqual([
      '\r\x1b[2Kgeometry CCO: C2H6O\n',
      '\r\x1b[2K[1/4, 8 s] CCO cc-pVDZ: computed\n',
      '[######------------------] 1/4 calculations, ~24 s left',
    ]);
    const piped = stream(false);
    progressLog(piped.out)('[1/4, 8 s] CCO cc-pVDZ: computed');
    expect(piped.written).toEqual(['[1/4, 8 s] CCO cc-pVDZ: computed\n']);
  });
});
