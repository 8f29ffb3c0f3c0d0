// A SIPp -trace_msg file read back: every SIP message SIPp sent or received, in order. The E2E far ends
// (e2e-sipp.ts) assert on it; a failed test lists its flow (sipp.ts, diagnostics.ts).
import { existsSync, readFileSync } from 'node:fs';

export interface SippMessage {
  /** When SIPp logged it ("2026-12-01 05:11:20.479030", SIPp's own clock). */
  at: string;
  direction: 'sent' | 'received';
  /** The transport SIPp names for it in the trace. */
  transport: 'UDP' | 'TCP';
  /** "INVITE sip:...@... SIP/2.0" or "SIP/2.0 200 OK". */
  startLine: string;
  method: string | undefined;
  requestUri: string | undefined;
  status: number | undefined;
  /** Header values by lower-case name (compact forms not expanded). */
  headers: Record<string, string[]>;
  /** First value of a header, by any case. */
  header(name: string): string | undefined;
  body: string;
  raw: string;
}

/** Each entry starts with a dashed line naming the time it was logged. */
const ENTRY_SEPARATOR = /^-{40,} (\S+ \S+)\r?\n/m;

/** Parses a SIPp -trace_msg file (an empty list if it does not exist yet). */
export function readSippMessages(file: string): SippMessage[] {
  if (!existsSync(file)) return [];
  // split() with the separator's group: [before the first, time 1, entry 1, time 2, entry 2, ...]
  const parts = readFileSync(file, 'utf8').split(ENTRY_SEPARATOR);
  const messages: SippMessage[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const message = parseEntry(parts[i]!, parts[i + 1]!);
    if (message) messages.push(message);
  }
  return messages;
}

function parseEntry(at: string, entry: string): SippMessage | undefined {
  const heading = /^(UDP|TCP) message (sent|received)[^\n]*\n\n/.exec(entry);
  if (!heading) return undefined;
  const raw = entry.slice(heading[0].length).replace(/\n+$/, '\n');
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const [startLine = '', ...lines] = head.split(/\r?\n/);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(startLine);
  const response = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  return {
    at,
    transport: heading[1] as 'UDP' | 'TCP',
    direction: heading[2] as 'sent' | 'received',
    startLine,
    method: request?.[1],
    requestUri: request?.[2],
    status: response ? Number(response[1]) : undefined,
    headers,
    header: (name) => headers[name.toLowerCase()]?.[0],
    body,
    raw,
  };
}
