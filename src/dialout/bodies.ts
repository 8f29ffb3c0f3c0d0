// The dialout bodies of each dialect as the HTTP schemas admit them (docs/dialects/audiocodes.md, docs/dialects/kore.md).

export interface AudiocodesDialoutBody {
  bot: string;
  target: string;
  caller?: string;
  callerHost?: string;
  callerDisplayName?: string;
  notifyUrl?: string;
  metadata?: Record<string, unknown>;
  answerTimeoutSec?: number;
  machineDetection?: 'disconnect' | 'detect' | 'disabled';
  voicemailEndTimeoutSec?: number;
  /** Extra headers for the callee INVITE (docs/trunks.md). */
  sipHeaders?: Record<string, string>;
}

export interface KoreTimers {
  noSpeechTimeoutMs?: number;
  decisionTimeoutMs?: number;
  toneTimeoutMs?: number;
  greetingCompletionTimeoutMs?: number;
  speechEndThresholdMs?: number;
}

export interface KoreDialoutBody {
  /** The seed's sample also carries the bot id in the body; the path's botId is what counts. */
  bot?: string;
  target: string;
  caller?: string;
  trunk?: string;
  /** Both spellings appear in the seeds. */
  notifyUrl?: string;
  notifyurl?: string;
  notifyHeaders?: Record<string, string>;
  timeoutInMs?: number;
  timers?: KoreTimers;
  machineDetection?: 'disconnect' | 'detect' | 'disabled';
  machinedetection?: 'disconnect' | 'detect' | 'disabled';
  thresholdWordCount?: number;
  metadata?: Record<string, unknown>;
  amdEventsSubscription?: string[];
  /** Extra headers for the callee INVITE (docs/trunks.md). */
  sipHeaders?: Record<string, string>;
}
