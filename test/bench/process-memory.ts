/**
 * Memory of the embedded server's processes, for the benchmarks (Linux /proc). PSS (proportional
 * set size, /proc/<pid>/smaps_rollup) splits shared pages among the processes that map them, so the
 * postgres processes' shared buffers count once when summed; RSS summed over them would count them
 * once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';

function pssBytes(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+) kB/m.exec(text)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** Every process below `root` (children, their children, …). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Summed PSS of every process this one started (the embedded server and its backends, initdb). */
export function childProcessesPss(root: number = process.pid): number {
  return descendants(root).reduce((sum, pid) => sum + pssBytes(pid), 0);
}
