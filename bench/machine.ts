import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Busy and total CPU time of the whole machine, from /proc/stat (Linux), in jiffies. */
function machineTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** CPU use while something runs: the whole machine's and this process's, in cores. */
export interface CpuWindow {
  /** Cores busy on the whole machine (every process, the kernel included). */
  machine: number;
  /** Cores used by this process (the load generator and the emulator). */
  runner: number;
}

/** Starts measuring; call the result to stop. */
export function cpuWindow(): () => CpuWindow {
  const start = { at: performance.now(), machine: machineTimes(), runner: process.cpuUsage() };
  return () => {
    const wallMs = performance.now() - start.at;
    const machine = machineTimes();
    const runner = process.cpuUsage(start.runner);
    const cores = cpus().length;
    return {
      machine:
        machine && start.machine
          ? ((machine.busy - start.machine.busy) / (machine.total - start.machine.total)) * cores
          : NaN,
      runner: (runner.user + runner.system) / 1000 / wallMs,
    };
  };
}

/** The machine the numbers were taken on. */
export function machineDescription(): string {
  const list = cpus();
  return `${list.length} × ${list[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${process.platform} ${readRelease()}, Node.js ${process.version}`;
}

function readRelease(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return '';
  }
}

/** Busy cores of the whole machine over the next `ms`. */
async function busyCores(ms: number): Promise<number> {
  const before = machineTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTimes();
  if (!before || !after) return 0;
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * cpus().length;
}

/** Time spent waiting for a quiet machine, in total. */
const quiet = { waitedMs: 0, gates: 0, gaveUp: 0 };

/**
 * Waits (boundedly) until the machine is quiet: other people's processes on a small shared
 * machine skew a run that overlaps them. Called between runs, when the bench's own processes
 * are idle. `BENCH_QUIET=0` turns it off.
 */
export async function waitForQuietMachine(budget: {
  perGateMs: number;
  totalMs: number;
  threshold: number;
}): Promise<void> {
  if (process.env.BENCH_QUIET === '0') return;
  quiet.gates += 1;
  const start = performance.now();
  for (;;) {
    const busy = await busyCores(300);
    const waited = performance.now() - start;
    if (busy <= budget.threshold) break;
    if (waited >= budget.perGateMs || quiet.waitedMs + waited >= budget.totalMs) {
      quiet.gaveUp += 1;
      break;
    }
  }
  quiet.waitedMs += performance.now() - start;
}

/** How long the runs waited for a quiet machine, and how often they gave up waiting. */
export function quietStats(): { waitedS: number; gates: number; gaveUp: number } {
  return { waitedS: quiet.waitedMs / 1000, gates: quiet.gates, gaveUp: quiet.gaveUp };
}
