import fs from 'node:fs';

/** Process-tree helpers over /proc (Linux): memory limit and the no-orphans check. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: the fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue; // a zombie holds no memory and is reaped by its parent
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid: Number(fields[1]), cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** The process whose command line holds `marker`, and all its descendants. */
export function processTree(marker: string, all: ProcInfo[] = listProcesses()): number[] {
  const roots = all.filter((p) => p.cmdline.includes(marker)).map((p) => p.pid);
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) if (!tree.has(p.pid) && tree.has(p.ppid)) tree.add(p.pid), (grew = true);
  }
  return [...tree];
}

/**
 * Memory of these processes, in MiB: the sum of their proportional set sizes (PSS), where a page
 * shared by n processes counts 1/n in each. Summing resident sizes instead would count Chromium's
 * shared code once per process (measured here: ~860 MB "RSS" for one tab whose PSS is ~200 MB).
 * Falls back to VmRSS where smaps_rollup is missing (kernels before 4.14).
 */
export function memoryMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m?.[1]) {
        kb += Number(m[1]);
        continue;
      }
    } catch {
      // no smaps_rollup, or gone
    }
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m?.[1]) kb += Number(m[1]);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL to each process group and process; whatever already ended is skipped. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or gone
      }
    }
  }
}
