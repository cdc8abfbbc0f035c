/**
 * `cascade report` on a real finished campaign (real dev server, real xtb, two tiers: GFN1 then GFN2 on the best
 * half), opened in headless Chromium: no console errors, no request, every chart with drawn marks, a depiction
 * per top molecule; a full-page screenshot goes to `.cascade/report.png` for a person to look at
 * (`CASCADE_UPDATE_SCREENSHOT=1` also refreshes the README's `docs/report.png`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { program } from '../../cli/main.js';
import { launchBrowser, watchedPage } from '../helpers/browser.js';
import { startCampaign, tinyCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** The marks vega draws for data (axes and legends are groups of their own, with other classes). */
const MARKS = '.mark-symbol path, .mark-line path, .mark-rect path';

describe('cascade report', () => {
  it('builds a self-contained page of a finished two-tier campaign', { timeout: 300_000 }, async () => {
    const config = tinyCampaign('report', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 40,
        filters: { maxHeavyAtoms: 8, elements: ['C', 'N', 'O'] },
      },
      acquisition: { strategy: 'ucb', batchSize: 8, initialBatch: 8, kappa: 1 },
      tiers: [
        { name: 'gfn1', code: 'xtb', method: 'gfn1', timeoutSeconds: 120 },
        { name: 'gfn2', code: 'xtb', method: 'gfn2', timeoutSeconds: 120, promote: { top: 0.5 } },
      ],
      budget: { rounds: 3, callsPerTier: { gfn1: 24, gfn2: 12 } },
    });
    const result = await (await startCampaign(env(), config)).result();
    expect(result.calls).toEqual({ gfn1: 24, gfn2: 12 });

    const file = path.join(env().home, 'report.html');
    await program().parseAsync(['node', 'cascade', 'report', 'report', '-o', file]);
    const html = readFileSync(file, 'utf8');
    // self-contained: nothing to load, nothing to run
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|url\(/i);

    const { page, errors } = await watchedPage(browser);
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url() !== `file://${file}`) requests.push(r.url());
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.title()).toBe('cascade report: report');

    const charts = await page.$$eval(
      'figure[data-chart]',
      (figures, marks) =>
        figures.map((f) => ({ id: f.getAttribute('data-chart'), marks: f.querySelectorAll(marks).length })),
      MARKS,
    );
    expect(charts.map((c) => c.id).sort()).toEqual(
      [
        'best-vs-calls',
        'best-vs-energy',
        'calibration',
        'counterfactual',
        'funnel',
        'metrics',
        'parity',
        'resources',
      ].sort(),
    );
    for (const c of charts) expect(c.marks, `marks in ${c.id}`).toBeGreaterThan(0);
    // the two models trained on GFN2 (rounds 1 and 2) were each checked against the batch they chose
    const panels = await page.$$eval('figure[data-chart="parity"] .mark-symbol path', (p) => p.length);
    expect(panels).toBe(8); // 4 + 4 promoted to GFN2 in rounds 1 and 2
    // a depiction per top candidate, and the versions of the code that computed them
    const rows = await page.$$eval('#top tbody tr', (r) => r.length);
    expect(rows).toBe(12);
    expect(await page.$$eval('#top td .mol svg', (s) => s.length)).toBe(12);
    const versions = await page.$eval('#provenance', (s) => s.textContent ?? '');
    expect(versions).toMatch(/gfn1.*xtb.*gfn1/s);
    expect(versions).toMatch(/Energy method|cascade/);
    expect(await page.$eval('#resources', (s) => s.textContent ?? '')).toMatch(/Energy method:\s*\S/);

    mkdirSync(path.join(root, '.cascade'), { recursive: true });
    await page.screenshot({ path: path.join(root, '.cascade', 'report.png'), fullPage: true });
    if (process.env.CASCADE_UPDATE_SCREENSHOT === '1')
      await page.screenshot({
        path: path.join(root, 'docs', 'report.png'),
        clip: { x: 0, y: 0, width: 1280, height: 900 },
      });
    await page.close();
  });
});
