// Replay into an empty Postgres through 1 sink process (section `postgres`), then 2 and 3 in one
// consumer group (section `scaling`): events per second, with no loss and no duplicate on any run.
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { describeCpu } from '../cpu.ts';
import { freshDatabase, load, median, medianRun } from '../infra.ts';
import { fmt } from '../report.ts';
import { countIn, replay, type ReplayRun } from '../sink-replay.ts';

export async function replaySection(b: Bench): Promise<void> {
  const { events, distinctObs, distinctChanges } = b;
  const replayEps: Record<number, number> = {};
  for (const n of [1, 2, 3]) {
    if (n === 1 ? skip('postgres') : skip('scaling')) continue;
    const runs: ReplayRun[] = [];
    for (let i = 0; i < cfg.runs; i++) {
      const db = await freshDatabase(`replay${n}`);
      try {
        const r = await replay(b, b.prefix, n, 'postgres', db.url, `pg${n}-${i}`, countIn(db.url));
        if (r.observations !== distinctObs || r.changes !== distinctChanges)
          throw new Error(
            `loss or duplicate with ${n} sinks: ${r.observations}/${distinctObs} observations, ${r.changes}/${distinctChanges} changes`,
          );
        runs.push(r);
      } finally {
        await db.drop();
      }
    }
    b.report.loads.push(`replay x${n}: ${load()}`);
    const eps = runs.map((r) => events / (r.wallMs / 1000));
    replayEps[n] = median(eps);
    b.replayWallMs[n] = median(runs.map((r) => r.wallMs));
    b.report.record({
      section: n === 1 ? 'replay' : 'scaling',
      figure: n === 1 ? 'replay -> postgres (1 sink)' : `replay -> postgres (${n} sinks, one group)`,
      value: replayEps[n],
      unit: 'events/s',
      runs: eps,
      note: `steady state ${fmt(median(runs.map((r) => events / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.peakRssKb / 1024)))} MiB/process; rows == distinct ids (${distinctObs} obs, ${distinctChanges} changes) every run; median run: ${describeCpu(medianRun(runs, (r) => r.wallMs).cpu, n === 1 ? 'sink' : 'sinks')}`,
    });
  }
}
