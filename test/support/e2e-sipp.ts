// SIPp far ends for outdial's E2E tests: a carrier (the callee) and a bot, each with its message trace and,
// when it answers, an RtpRecorder on the port its SDP advertises. Built on startSipp from ./sipp.js.
import { existsSync, mkdtempSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SCENARIOS, demoScenario, type DemoScenario } from '../../demo/index.js';
import { freePort } from './ports.js';
import { startRtpRecorder, type RtpRecorder } from './rtp-recorder.js';
import { startSipp, type SippResult, type SippRun } from './sipp.js';
import { readSippMessages, type SippMessage } from './sipp-trace.js';
import { untilValue } from './until.js';

export { readSippMessages, type SippMessage } from './sipp-trace.js';

/** Scenarios only the tests use; the rest are the demo's own (demo/sipp/), shared. */
export const E2E_SCENARIOS = resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/sipp');
/** The scenarios' SDP advertises [media_port+4]; play_pcap_audio sends from that port too. */
export const MEDIA_PORT_OFFSET = 4;

export type E2eScenario =
  | 'carrier-answer-audio'
  | 'carrier-answer-audio-bye'
  | 'carrier-100rel-answer-bye'
  | 'carrier-100rel-forked-answer-bye'
  | 'carrier-422-answer-bye'
  | 'carrier-session-refresh-unanswered'
  | 'carrier-reject'
  | 'carrier-blocked-reject'
  | 'carrier-no-answer'
  | 'carrier-early-media'
  | 'carrier-early-media-answer-bye'
  | 'bot-answer'
  | 'bot-answer-bye'
  | 'bot-reject'
  | 'uac-for-kit'
  | 'uac-info-for-kit'
  | 'uac-info-wait-for-kit'
  | 'inbound-uac'
  | 'inbound-uac-100rel'
  | 'inbound-uac-hangup'
  | 'inbound-uac-auth'
  | 'inbound-uac-auth-refused'
  | 'inbound-uac-refused';

const REASONS: Record<number, string> = {
  404: 'Not Found',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Decline',
};

/** Scenarios that stream audio (answering far ends, early media, and dialers sending calls in). */
const ANSWERING: ReadonlySet<E2eScenario> = new Set([
  'carrier-early-media',
  'carrier-early-media-answer-bye',
  'carrier-answer-audio',
  'carrier-answer-audio-bye',
  'carrier-100rel-answer-bye',
  'carrier-100rel-forked-answer-bye',
  'carrier-422-answer-bye',
  'carrier-session-refresh-unanswered',
  'bot-answer',
  'bot-answer-bye',
  'inbound-uac',
  'inbound-uac-100rel',
  'inbound-uac-hangup',
  'inbound-uac-auth',
]);

export interface E2eSippOptions {
  scenario: E2eScenario;
  /** RTP pcap to play after the ACK (answering scenarios), e.g. `(await e2eAudio()).files.voicemail.pcap`. */
  audioPcap?: string;
  /** 180 → 200 (or → final status) delay; default 0. */
  ringMs?: number;
  /** The -bye scenarios: how long after the ACK the far end hangs up. */
  byeAfterMs?: number;
  /** carrier-reject / bot-reject: final status (default 486 / 503) and reason phrase (default: the RFC 3261 one). */
  status?: number;
  reason?: string;
  /** User part of the far end's Contact and SDP o= line; default "carrier" or "bot". */
  sdpUser?: string;
  /** Further -key values (uac-for-kit: caller, rec_port, hold_ms). */
  keys?: Record<string, string | number>;
  /** -s, for UAC scenarios. */
  service?: string;
  /** UAC scenarios: where to send the INVITE. */
  remote?: string;
  calls?: number;
  timeoutSeconds?: number;
  /** `tcp`: SIP over TCP (a UAS listens on its port for TCP); UDP otherwise. Media stays RTP over UDP. */
  transport?: 'udp' | 'tcp';
}

export interface E2eSipp {
  /** "127.0.0.1:<port>": the SIP address of this far end (the trunk host or bot sipUri host). */
  address: string;
  port: number;
  /** Receives what is sent to the far end's advertised media address (answering scenarios only). */
  recorder: RtpRecorder | undefined;
  /** Every SIP message SIPp sent or received so far, parsed from its -trace_msg file. */
  messages(): SippMessage[];
  /** The first request SIPp received with this method, if any yet. */
  received(method: string): SippMessage | undefined;
  /** Waits until a received request of this method is in the trace. */
  waitForRequest(method: string, timeoutMs?: number): Promise<SippMessage>;
  done: Promise<SippResult>;
  /** Stops SIPp and closes the recorder. */
  stop(): Promise<SippResult>;
}

/** The file of a far-end scenario: demo/sipp/ for the demo's, test/e2e/sipp/ for the others. */
export function e2eScenarioFile(scenario: E2eScenario): string {
  return (DEMO_SCENARIOS as readonly string[]).includes(scenario) ? demoScenario(scenario as DemoScenario) : join(E2E_SCENARIOS, `${scenario}.xml`);
}

/** Starts a far-end scenario (see e2eScenarioFile) and resolves once it listens. */
export async function startE2eSipp(opts: E2eSippOptions): Promise<E2eSipp> {
  const traceDir = mkdtempSync(join(tmpdir(), 'e2e-sipp-'));
  const messageFile = join(traceDir, 'messages.log');
  const isBot = opts.scenario.startsWith('bot-');
  const keys: Record<string, string | number> = {
    sdp_user: opts.sdpUser ?? (isBot ? 'bot' : 'carrier'),
    ring_ms: opts.ringMs ?? 0,
    ...opts.keys,
  };
  if (opts.scenario.endsWith('-reject')) {
    const status = opts.status ?? (isBot ? 503 : 486);
    keys.statusline = `SIP/2.0 ${status} ${opts.reason ?? REASONS[status] ?? 'Rejected'}`;
  }
  if (opts.scenario.endsWith('-bye')) {
    if (opts.byeAfterMs === undefined) throw new Error(`${opts.scenario} needs byeAfterMs`);
    keys.bye_after_ms = opts.byeAfterMs;
  }
  // -aa: an in-dialog INFO that reaches SIPp between two scenario steps (while bot-answer-bye counts its
  // ticks) is answered 200 instead of aborting the call, as a real bot would.
  const args = ['-aa', '-trace_msg', '-message_file', messageFile];
  const answering = ANSWERING.has(opts.scenario);
  if (answering) {
    if (!opts.audioPcap) throw new Error(`${opts.scenario} needs audioPcap`);
    if (!existsSync(opts.audioPcap)) throw new Error(`audio pcap not found: ${opts.audioPcap}`);
    keys.audio_pcap = opts.audioPcap;
  }
  let recorder: RtpRecorder | undefined;
  let run: SippRun | undefined;
  // SIPp binds its media ports (-mp) with no fallback: a port another process took after mediaPorts()
  // found it free makes SIPp exit at start, so such a start is tried again on new media ports.
  for (let attempt = 0; run === undefined; attempt++) {
    const media = answering ? await mediaPorts() : undefined;
    recorder = media?.recorder;
    try {
      run = await startSipp({
        scenario: e2eScenarioFile(opts.scenario),
        keys,
        args: media ? [...args, '-mp', String(media.mediaPort)] : args,
        ...(opts.service !== undefined && { service: opts.service }),
        ...(opts.remote !== undefined && { remote: opts.remote }),
        ...(opts.calls !== undefined && { calls: opts.calls }),
        ...(opts.timeoutSeconds !== undefined && { timeoutSeconds: opts.timeoutSeconds }),
        ...(opts.transport !== undefined && { transport: opts.transport }),
      });
    } catch (err) {
      await recorder?.close();
      if (media && attempt < 3 && /Unable to bind audio RTP socket|Unable to bind video RTP socket/i.test(String(err))) continue;
      throw err;
    }
  }
  const started: SippRun = run;
  const messages = () => readSippMessages(messageFile);
  const received = (method: string) => messages().find((m) => m.direction === 'received' && m.method === method.toUpperCase());
  void started.done.then(() => recorder?.close());
  return {
    address: started.address,
    port: started.port,
    recorder,
    messages,
    received,
    async waitForRequest(method, timeoutMs = 10_000) {
      return (await untilValue(`a ${method} at SIPp ${opts.scenario}`, () => received(method), (m) => m !== undefined, timeoutMs))!;
    },
    done: started.done,
    async stop() {
      const result = await started.stop();
      await recorder?.close();
      return result;
    },
  };
}

/**
 * A recorder on P+4 and SIPp's own media sockets on P and P+2 (-mp P binds both, with no fallback), so the
 * advertised [media_port+4] is the recorder.
 */
async function mediaPorts(): Promise<{ mediaPort: number; recorder: RtpRecorder }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const mediaPort = await freePort();
    if (!(await udpFree(mediaPort + 2))) continue;
    try {
      return { mediaPort, recorder: await startRtpRecorder({ port: mediaPort + MEDIA_PORT_OFFSET }) };
    } catch {
      // Taken meanwhile; try another base.
    }
  }
  throw new Error('no free UDP ports for a SIPp media base and its recorder');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}
