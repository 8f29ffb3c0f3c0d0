// Which trunks a call may go out through, in the order to try them (docs/trunks.md): lower priority first;
// among equal priority the account's default trunk first, the others in a weighted random order so calls
// spread by weight; trunks that are down are left out. Pure: the randomness is injected.

/** The fields of a trunk that decide its place in the order. */
export interface RankedTrunk {
  name: string;
  /** Default 0. */
  priority?: number | undefined;
  /** Default 1. */
  weight?: number | undefined;
  default: boolean;
}

const priorityOf = (t: RankedTrunk): number => t.priority ?? 0;
const weightOf = (t: RankedTrunk): number => t.weight ?? 1;

/** Whether an account routes by priority and weight: some trunk of it sets one of them. */
export function ranksTrunks(trunks: readonly RankedTrunk[]): boolean {
  return trunks.some((t) => t.priority !== undefined || t.weight !== undefined);
}

export interface SelectionOptions<T extends RankedTrunk> {
  /** Whether the trunk may take calls now (answering its pings, not failing its registration). */
  usable(trunk: T): boolean;
  /** A number in [0, 1), as Math.random gives. */
  random?: () => number;
}

/**
 * The usable trunks in the order a call tries them. Within a priority, each position is drawn by weight
 * among the trunks not placed yet, so a trunk of weight 3 beside one of weight 1 goes first 3 times in 4.
 */
export function orderTrunks<T extends RankedTrunk>(trunks: readonly T[], options: SelectionOptions<T>): T[] {
  const random = options.random ?? Math.random;
  const byPriority = new Map<number, T[]>();
  for (const trunk of trunks) {
    if (!options.usable(trunk)) continue;
    const group = byPriority.get(priorityOf(trunk)) ?? [];
    group.push(trunk);
    byPriority.set(priorityOf(trunk), group);
  }
  const ordered: T[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = byPriority.get(priority)!;
    ordered.push(...group.filter((t) => t.default), ...weightedOrder(group.filter((t) => !t.default), random));
  }
  return ordered;
}

/** A weighted random permutation; trunks of weight 0 come last, in config order (kept as spares). */
function weightedOrder<T extends RankedTrunk>(group: T[], random: () => number): T[] {
  const left = group.filter((t) => weightOf(t) > 0);
  const out: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, t) => sum + weightOf(t), 0);
    let point = random() * total;
    let index = left.length - 1;
    for (let i = 0; i < left.length; i++) {
      point -= weightOf(left[i]!);
      if (point < 0) {
        index = i;
        break;
      }
    }
    out.push(...left.splice(index, 1));
  }
  return [...out, ...group.filter((t) => weightOf(t) <= 0)];
}
