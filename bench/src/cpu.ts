// Where a figure's CPU went (Linux /proc): the whole machine, the local stack's Postgres (the postmaster,
// its live backends, and the backends it has reaped) and its Kafka broker, and given processes. On 2
// cores a run cannot take less wall time than the CPU it needs over 2: the floor behind a ratio target.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { stackDir } from '@llmpt/testkit';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux this runs on). */
const HZ = 100;

interface ProcTimes {
  readonly ppid: number;
  /** utime + stime, seconds. */
  readonly self: number;
  /** cutime + cstime (children it has waited for), seconds. */
  readonly reaped: number;
}

function procTimes(pid: number): ProcTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command may hold spaces and parentheses: the fields start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17, ppid field 4.
  const n = (field: number) => Number(f[field - 3]);
  return { ppid: n(4), self: (n(14) + n(15)) / HZ, reaped: (n(16) + n(17)) / HZ };
}

const pidFrom = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** The machine's busy CPU seconds since boot (every state but idle and iowait), from /proc/stat. */
function machineBusy(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...ticks] = line.trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / HZ;
}

/** CPU seconds used so far by the stack's Postgres: the postmaster, its live children, its reaped ones. */
function postgresCpu(): number {
  const postmaster = pidFrom(path.join(stackDir(), 'postgres', 'data', 'postmaster.pid'));
  if (postmaster === undefined) return 0;
  const main = procTimes(postmaster);
  if (!main) return 0;
  let total = main.self + main.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = procTimes(Number(entry));
    if (t?.ppid === postmaster) total += t.self;
  }
  return total;
}

const brokerCpu = (): number => {
  const pid = pidFrom(path.join(stackDir(), 'kafka', 'kafka.pid'));
  return pid === undefined ? 0 : (procTimes(pid)?.self ?? 0);
};

/** A process's own CPU seconds so far (0 once it has gone: read it before it exits). */
export const processCpu = (pid: number | undefined): number =>
  pid === undefined ? 0 : (procTimes(pid)?.self ?? 0);

export interface CpuSample {
  readonly machine: number;
  readonly postgres: number;
  readonly broker: number;
}

export const sampleCpu = (): CpuSample => ({
  machine: machineBusy(),
  postgres: postgresCpu(),
  broker: brokerCpu(),
});

/** CPU seconds between two samples, `processes` being what the measured processes used. */
export interface CpuUse {
  readonly machine: number;
  readonly postgres: number;
  readonly broker: number;
  readonly processes: number;
  /** The least wall time that CPU allows on this machine's cores (seconds). */
  readonly floorS: number;
}

export function cpuBetween(a: CpuSample, b: CpuSample, processes: number): CpuUse {
  const machine = b.machine - a.machine;
  return {
    machine,
    postgres: b.postgres - a.postgres,
    broker: b.broker - a.broker,
    processes,
    floorS: machine / cpus().length,
  };
}

const s = (x: number) => `${x.toFixed(1)} s`;

/** "CPU 19.0 s = sink 7.5 s + postgres 8.5 s + broker 2.0 s + other 1.0 s: at least 9.5 s on 2 cores". */
export const describeCpu = (u: CpuUse, processLabel: string): string =>
  `CPU ${s(u.machine)} = ${processLabel} ${s(u.processes)} + postgres ${s(u.postgres)} + broker ${s(u.broker)} + other ${s(
    Math.max(0, u.machine - u.processes - u.postgres - u.broker),
  )}: no less than ${s(u.floorS)} of wall time on ${cpus().length} cores`;
