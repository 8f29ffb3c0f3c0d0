// AMD on a call after a human decision: the real engine fed synthetic audio through a media stand-in, the
// policy's actions collected (docs/amd.md, "After a human decision").
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AmdSession } from '../../src/calls/amd-session.js';
import type { PolicyAction } from '../../src/calls/policy.js';
import type { AmdEvent, MachineDetection } from '../../src/domain/index.js';
import type { LegMedia } from '../../src/media/index.js';
import { concat, frames, silence, syllables, tone } from '../amd/signals.js';

class Media extends EventEmitter {
  readonly offer = '';
  readonly codec = 'PCMU';
  readonly stats = {} as LegMedia['stats'];
  answer(): void {}
  close(): void {}
}

function call(mode: MachineDetection, audio: Int16Array) {
  const media = new Media();
  const events: AmdEvent[] = [];
  const actions: PolicyAction[] = [];
  let bridged = false;
  const session = new AmdSession(
    media as unknown as LegMedia,
    {
      mode,
      settings: { thresholdWordCount: 9, noSpeechTimeoutMs: 5000, decisionTimeoutMs: 15000, toneTimeoutMs: 20000, greetingCompletionTimeoutMs: 2000 },
      onUndecided: 'bridge',
      voicemailEndTimeoutMs: 20000,
    },
    {
      onEvent: (e) => events.push(e),
      onAction: (a) => {
        if (a.action === 'bridge') bridged = true;
        actions.push(a);
      },
      bridged: () => bridged,
    },
  );
  for (const f of frames(audio, 160)) media.emit('frame', f);
  return { session, events, actions, types: events.map((e) => e.type) };
}

// a short greeting ("Dana, leave a message"), a long pause, then the beep: decided human before the beep
const shortGreetingLateBeep = concat(silence(500), syllables(3), silence(1800), tone(1000, 400, -12), silence(3000));
const person = concat(silence(500), syllables(2), silence(8000));

describe('AMD session after a human decision', () => {
  it('detect mode: bridges the person, then tells the bot the prompt started and ended on the late beep', () => {
    const c = call('detect', shortGreetingLateBeep);
    expect(c.types.slice(0, 3)).toEqual(['amd_human_detected', 'amd_machine_after_human', 'amd_tone_detected']);
    expect(c.actions).toEqual([{ action: 'bridge', voicemail: false }, { action: 'voicemail-prompt-start' }, { action: 'voicemail-prompt-end', by: 'beep' }]);
    // it listens on to the end of the recorder's greeting, then stops
    expect(c.types.slice(-2)).toEqual(['amd_machine_stopped_speaking', 'amd_stopped']);
    expect(c.session.listening).toBe(false);
  });

  it('disconnect mode: hangs up on the late beep', () => {
    const c = call('disconnect', shortGreetingLateBeep);
    expect(c.actions).toEqual([{ action: 'bridge', voicemail: false }, { action: 'hangup', cause: 'machine' }]);
  });

  it('a person: the call stays bridged and AMD stops listening once the window after the decision closes', () => {
    const c = call('disconnect', person);
    expect(c.actions).toEqual([{ action: 'bridge', voicemail: false }]);
    expect(c.types).toEqual(['amd_human_detected', 'amd_stopped']);
    const [human, stopped] = c.events;
    expect(stopped!.atMs - human!.atMs).toBeGreaterThanOrEqual(5000);
    expect(stopped!.atMs - human!.atMs).toBeLessThan(5100);
    expect(c.session.listening).toBe(false);
  });
});
