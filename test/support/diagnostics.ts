// What a failed E2E test leaves to be read: each SIPp's state and the SIP messages it saw, and the tail of
// each in-process daemon's log. A failure that does not come back on a rerun (a loaded CI host) still
// explains itself: useCleanup appends these to the failed test's error before anything is torn down.

const sources = new Map<string, () => string>();

/** Registers what to print about one part of the test if it fails; kept until the test's cleanup. */
export function explainOnFailure(name: string, describe: () => string): void {
  sources.set(name, describe);
}

/** Every registered part's account, or '' when none; forgets them all either way. */
export function takeExplanations(): string {
  const parts: string[] = [];
  for (const [name, describe] of sources) {
    let text: string;
    try {
      text = describe();
    } catch (err) {
      text = `(could not be described: ${(err as Error).message})`;
    }
    parts.push(`--- ${name}\n${text}`);
  }
  sources.clear();
  return parts.join('\n');
}

/** Forgets every registered part without describing it (a test that passed). */
export function forgetExplanations(): void {
  sources.clear();
}

/** The last `max` lines of a text, each cut to `width` characters. */
export function tailLines(text: string, max: number, width = 300): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines
    .slice(-max)
    .map((l) => (l.length > width ? `${l.slice(0, width)}…` : l))
    .join('\n');
}

/** A bounded in-memory log sink: the daemon's JSON lines, the newest `max` kept. */
export class LogTail {
  private readonly lines: string[] = [];
  constructor(private readonly max = 200) {}
  write(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }
  text(): string {
    return this.lines.join('\n');
  }
}
