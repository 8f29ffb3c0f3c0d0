// RFC 2782's order for SRV records: lowest priority first; within a priority, a weighted random draw so each
// target gets its share of first attempts (weight 0 only when nothing else is left). Pure: the randomness is
// injected.

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** The records in the order to try them. */
export function orderSrv<T extends SrvRecord>(records: readonly T[], random: () => number = Math.random): T[] {
  const byPriority = new Map<number, T[]>();
  for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const out: T[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Weight 0 records sort first and take no share of the draw: they come after the others of their priority.
    const left = [...byPriority.get(priority)!].sort((a, b) => a.weight - b.weight);
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0);
      const point = random() * total;
      let running = 0;
      let index = left.length - 1;
      for (let i = 0; i < left.length; i++) {
        running += left[i]!.weight;
        if (running > point || (total === 0 && i === 0)) {
          index = i;
          break;
        }
      }
      out.push(...left.splice(index, 1));
    }
  }
  return out;
}
