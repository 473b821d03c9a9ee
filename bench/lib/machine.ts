/** The machine the figures came from: cores, memory, Node, Postgres, load at the start. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  freeH: string;
  node: string;
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeH: freeOutput(),
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function freeOutput(): string {
  try {
    return execFileSync('free', ['-h'], { encoding: 'utf8' }).trim();
  } catch {
    return '(free not available)';
  }
}
