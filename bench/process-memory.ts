// Peak resident memory of the processes this bench started, read from Linux's /proc: a browser's
// renderer keeps the page and its engine worker (onnxruntime-web's wasm heap included), the GPU
// process keeps WebGPU's buffers (SwiftShader's included). Elsewhere the readings are absent.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessPeak {
  pid: number;
  /** Chromium's --type (renderer, gpu-process, utility, zygote), 'browser' for its main process, 'other' for anything else. */
  type: string;
  /** VmHWM: the most this process has ever held in RAM, bytes. */
  peakBytes: number;
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function peakOf(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** VmRSS: what this process holds in RAM now, bytes. */
export function residentOf(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function typeOf(pid: number): string {
  try {
    // Chromium rewrites the command line of the processes it forks from its zygote into one
    // space-separated string, so read it as text rather than as NUL-separated arguments.
    const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    if (!/^\S*chrom/i.test(line)) return 'other';
    return /--type=(\S+)/.exec(line)?.[1] ?? 'browser';
  } catch {
    return 'unknown';
  }
}

/** Every living descendant of `root` (this process by default) with its peak RSS. */
export function descendantPeaks(root = process.pid): ProcessPeak[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(pid);
  }
  const found: ProcessPeak[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    stack.push(...(children.get(pid) ?? []));
    const peakBytes = peakOf(pid);
    if (peakBytes !== undefined) found.push({ pid, type: typeOf(pid), peakBytes });
  }
  return found;
}

/**
 * Samples the resident memory of the largest process of one type among this process's
 * descendants every `everyMs`, and keeps the largest reading per phase (the phase is whatever
 * `phase()` says at the sample), so a peak can be put down to the part of a run that made it.
 */
export function samplePhases(type: string, phase: () => string, everyMs = 200): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = {};
  let pids: number[] = [];
  let sinceScan = Number.POSITIVE_INFINITY;
  const timer = setInterval(() => {
    // Listing /proc is the costly part: the process set is looked up again once a second.
    if (sinceScan++ * everyMs >= 1000) {
      pids = descendantPeaks()
        .filter((p) => p.type === type)
        .map((p) => p.pid);
      sinceScan = 0;
    }
    const now = Math.max(0, ...pids.map((pid) => residentOf(pid) ?? 0));
    const at = phase();
    if (now > (peaks[at] ?? 0)) peaks[at] = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}

/** The largest peak among the processes of one type, or null when there is none. */
export function largestPeak(peaks: ProcessPeak[], type: string): number | null {
  const of = peaks.filter((p) => p.type === type).map((p) => p.peakBytes);
  return of.length > 0 ? Math.max(...of) : null;
}
