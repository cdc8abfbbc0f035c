/** The rules of cascade's worker deployment (lib/temporal/deployment.ts) and how `cascade deployment` shows it. */
import { describe, expect, it } from 'vitest';
import { formatDeployment } from '../../cli/deployment-view.js';
import { buildOf, type DeploymentState, deploymentName, takeOver } from '../../lib/temporal/deployment.js';

const state = (current?: string): DeploymentState => ({
  name: 'cascade',
  current,
  versions: [
    { buildId: 'a1', status: current === 'a1' ? 'current' : 'draining' },
    { buildId: 'b2', status: current === 'b2' ? 'current' : 'inactive' },
  ],
});

describe('takeOver', () => {
  it('takes a deployment that has no current version, or none at all', () => {
    expect(takeOver(undefined, 'b2', new Set())).toBe('take');
    expect(takeOver(state(), 'b2', new Set(['a1']))).toBe('take');
  });

  it('never takes over from a current version whose workflow workers live', () => {
    expect(takeOver(state('a1'), 'b2', new Set(['a1', 'b2']))).toBe('leave');
  });

  it('takes over from a current version with no live workflow worker', () => {
    expect(takeOver(state('a1'), 'b2', new Set(['b2']))).toBe('take');
  });

  it('knows when it is current already', () => {
    expect(takeOver(state('b2'), 'b2', new Set())).toBe('mine');
  });
});

describe('deployment names and pinned versions', () => {
  it('follows the task-queue prefix', () => {
    expect(deploymentName()).toBe('cascade');
    expect(deploymentName('t1234-')).toBe('t1234-cascade');
  });

  it("reads a campaign's build from TemporalWorkerDeploymentVersion, for its own deployment only", () => {
    expect(buildOf(['cascade:a1'], 'cascade')).toBe('a1');
    expect(buildOf('cascade:a1', 'cascade')).toBe('a1');
    expect(buildOf(['t1234-cascade:a1'], 'cascade')).toBeUndefined();
    expect(buildOf(undefined, 'cascade')).toBeUndefined();
  });
});

describe('formatDeployment', () => {
  it('lists each version with its running campaigns, and those not started yet', () => {
    const text = formatDeployment({
      ...state('b2'),
      campaigns: { a1: ['old-one', 'old-two'], b2: ['new-one'], '': ['queued'] },
    });
    expect(text).toContain('deployment cascade: current build b2');
    expect(text).toMatch(/a1 +draining .* 2 \(old-one, old-two\)/);
    expect(text).toMatch(/b2 +current .* 1 \(new-one\)/);
    expect(text).toContain('not started on any version yet: 1 (queued)');
  });
});
