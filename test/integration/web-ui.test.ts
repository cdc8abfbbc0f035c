/**
 * The Temporal Web UI tells the campaign's story: a small real campaign (real dev server, real xtb, one tier),
 * launched from a YAML file, then its workflow page opened in headless Chromium. The event history shows each
 * activity's summary (round, tier, candidates); the User Metadata tab renders the static summary, the campaign
 * file and the current-details table (Temporal renders each Markdown text in a frame of its own, served by the
 * UI's /render). The history itself carries the summaries and still replays. A screenshot of the metadata tab
 * goes to `.cascade/web-ui.png` for a person to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker as TemporalWorker } from '@temporalio/worker';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readCampaignFile } from '../../cli/campaign-file.js';
import { openStore } from '../../store/open.js';
import { workflowsPath } from '../../workers/main.js';
import { launchBrowser, watchedPage } from '../helpers/browser.js';
import { startCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const CAMPAIGN = `# a campaign for the Web UI test: one xtb tier, two rounds
name: web-ui
seed: 7
candidates:
  source: /usr/share/RDKit/Data/NCI/first_5K.smi
  limit: 60
  filters: { maxHeavyAtoms: 10, elements: [C, N, O] }
objective: { property: homoLumoGap, direction: maximize }
surrogate: { ensembleSize: 3, hiddenLayers: [32], epochs: 30, features: { morganBits: 512 } }
acquisition: { strategy: ucb, batchSize: 10, initialBatch: 10, kappa: 1 }
tiers:
  - { code: xtb, method: gfn2, timeoutSeconds: 120 }
budget: { rounds: 2 }
`;

/**
 * A Markdown frame of the User Metadata tab once it has rendered `selector`. The UI replaces a frame when its
 * text arrives (current details come from a query to the workers), so a frame found early may be detached:
 * look again until one holds what is expected.
 */
async function inFrame<T>(
  page: Page,
  id: string,
  selector: string,
  read: (frame: Frame) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const frame = await (await page.$(`iframe#${id}`))?.contentFrame().catch(() => null);
    if (frame && (await frame.$(selector).catch(() => null))) {
      try {
        return await read(frame);
      } catch (e) {
        if (!frame.detached) throw e;
      }
    }
    if (Date.now() > deadline) throw new Error(`the frame #${id} never rendered ${selector}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the page's text contains `text` (a string expression: these tests have no DOM types). */
const showing = (page: Page | Frame, text: string) =>
  page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(text)})`, { timeout: 30_000 });

describe('the Temporal Web UI', () => {
  it('shows the summaries, the campaign file and the current-details table', {
    timeout: 300_000,
  }, async () => {
    const file = path.join(env().home, 'web-ui.yaml');
    writeFileSync(file, CAMPAIGN);
    const config = readCampaignFile(file);
    const handle = await startCampaign(env(), config, { file });
    const result = await handle.result();
    expect(result.status).toBe('finished');
    expect(result.calls.xtb).toBe(20);
    const best = result.best;
    if (!best) throw new Error('no best candidate');
    const evaluated = await openStore().listEvaluations('web-ui', 'xtb');
    expect(evaluated).toHaveLength(20);

    // the history: every activity the rounds schedule carries a summary naming its round, and each QM batch
    // its tier and candidates, which together are exactly the evaluated ones
    const history = await handle.fetchHistory();
    const summaries: { type: string; summary: string }[] = [];
    for (const e of history.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (!scheduled) continue;
      const payload = e.userMetadata?.summary;
      const summary = payload ? defaultPayloadConverter.fromPayload<string>(payload) : '';
      summaries.push({ type: scheduled.activityType?.name ?? '', summary });
    }
    const of = (type: string) => summaries.filter((s) => s.type === type).map((s) => s.summary);
    expect(of('preparePool')).toEqual(['prepare the pool: first_5K.smi, at most 60 candidates']);
    expect(of('trainSurrogate')).toEqual([
      'round 0: train mlp-ensemble on no results',
      'round 1: train mlp-ensemble on 10 xtb results',
    ]);
    expect(of('acquireBatch')).toEqual([
      'round 0: choose 10 at random (no surrogate yet)',
      "round 1: choose 10 by ucb from the surrogate's predictions",
    ]);
    const batches = of('evaluateBatch');
    for (const s of batches) {
      expect(s).toMatch(/^round [01], xtb gfn2: \d+ candidates? \(#\d+(, #\d+)*\)$/);
      expect(s.length).toBeLessThan(200);
    }
    const named = batches.flatMap((s) => [...s.matchAll(/#(\d+)/g)].map((m) => Number(m[1])));
    expect(named.sort((a, b) => a - b)).toEqual(evaluated.map((e) => e.idx).sort((a, b) => a - b));
    // user metadata is no command the replay compares: the history replays against today's code
    await TemporalWorker.runReplayHistory({ workflowsPath: workflowsPath() }, history, 'web-ui');

    // the workflow page, as the UI links it (SvelteKit renders it client-side: wait for the events)
    const { runId } = await handle.describe();
    const base = `${inject('temporalUi')}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}/${runId}`;
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${base}/history`, { waitUntil: 'networkidle0' });
    const lastBatch = batches.at(-1) as string;
    await showing(page, lastBatch);
    const badges = await page.$$eval('span', (spans) => spans.map((s) => s.textContent?.trim() ?? ''));
    expect(badges).toContain("round 1: choose 10 by ucb from the surrogate's predictions");

    // the User Metadata tab: summary, details (the campaign file), current details (a table)
    await page.click('[data-testid="user-metadata-tab"]');
    const summary = await inFrame(page, 'user-metadata-summary', 'main', (f) =>
      f.$eval('main', (m) => m.textContent?.trim()),
    );
    expect(summary).toBe('cascade campaign web-ui: maximize homoLumoGap with xtb gfn2');

    const details = await inFrame(page, 'user-metadata-details', 'pre code', async (f) => ({
      yaml: await f.$eval('pre code', (c) => c.textContent ?? ''),
      heading: await f.$eval('main', (m) => m.textContent ?? ''),
    }));
    expect(details.yaml.trim()).toBe(CAMPAIGN.trim());
    expect(details.heading).toContain(`Campaign file ${file}`);

    const rows = await inFrame(page, 'user-metadata-current-details', 'table', (f) =>
      f.$$eval('table tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim() ?? '')),
      ),
    );
    const row = (key: string) => rows.find(([k]) => k === key)?.[1];
    expect(rows[0]).toEqual(['campaign', 'web-ui']);
    expect(row('rounds')).toBe('2 of 2 done');
    expect(row('phase')).toBe('finished');
    expect(row('calls')).toBe('xtb 20');
    expect(row('status')).toBe('finished: round budget spent (2 rounds)');
    expect(row('best homoLumoGap (maximize)')).toBe(
      `${Number(best.value.toPrecision(4))} (#${best.idx} ${best.label}, ${best.identity})`,
    );
    const kWh = Number(row('energy')?.match(/^([\d.e+-]+) kWh/)?.[1]);
    expect(kWh).toBeCloseTo(result.energyJoules / 3.6e6, 6);

    mkdirSync(path.join(root, '.cascade'), { recursive: true });
    await page.screenshot({ path: path.join(root, '.cascade', 'web-ui.png') });
    // what is not the page's fault: the UI's news feed on the internet (none here), requests the app itself
    // cancelled when the tab changed
    const ui = new URL(inject('temporalUi')).host;
    const offline = (e: string) =>
      /net::ERR_ABORTED$/.test(e) ||
      e === 'console: Failed to load resource: net::ERR_NAME_NOT_RESOLVED' ||
      (e.startsWith('request: ') && new URL(e.split(' ')[1] as string).host !== ui);
    expect(errors.filter((e) => !offline(e))).toEqual([]);
  });
});
