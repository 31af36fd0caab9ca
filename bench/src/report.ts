// What the bench prints and keeps: a timestamped line per step, one figure per measurement (median and
// runs), the load averages along the way, and the closing table.
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { load, median } from './infra.ts';

export interface Figure {
  readonly section: string;
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly runs: readonly number[];
  readonly note?: string;
}

export const fmt = (n: number): string =>
  !Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);

/** `count` items per second: at the median of the runs' times (value) and in each run (runs). */
export function perSecond(count: number, times: readonly number[]): Pick<Figure, 'value' | 'runs'> {
  return { value: count / (median(times) / 1000), runs: times.map((ms) => count / (ms / 1000)) };
}

export const say = (msg: string): void =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

export interface Report {
  readonly figures: Figure[];
  /** Load averages noted after the heavy sections (and at the start). */
  readonly loads: string[];
  record(f: Figure): void;
}

export function createReport(): Report {
  const figures: Figure[] = [];
  return {
    figures,
    loads: [`start: ${load()}`],
    record(f) {
      figures.push(f);
      say(
        `${f.figure}: ${fmt(f.value)} ${f.unit} (runs: ${f.runs.map(fmt).join(', ')})${f.note ? ` — ${f.note}` : ''}`,
      );
    },
  };
}

export function printTable(report: Report, wallS: number): void {
  const { figures, loads } = report;
  const w = Math.max(...figures.map((f) => f.figure.length));
  const lines = [
    `| ${'figure'.padEnd(w)} | ${'median'.padStart(12)} | unit | runs | notes |`,
    `| ${'-'.repeat(w)} | ${'-'.repeat(12)} | --- | --- | --- |`,
    ...figures.map(
      (f) =>
        `| ${f.figure.padEnd(w)} | ${fmt(f.value).padStart(12)} | ${f.unit} | ${f.runs.map(fmt).join(', ')} | ${f.note ?? ''} |`,
    ),
  ];
  console.log('');
  console.log(lines.join('\n'));
  console.log('');
  console.log(
    `machine: nproc ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM; load averages (1/5/15 min): ${loads.join('; ')}; total ${fmt(wallS ?? 0)} s`,
  );
  console.log(`results: ${path.join('.cache', 'bench', 'results.json')}`);
}
