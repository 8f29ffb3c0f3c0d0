import { describe, expect, it } from 'vitest';
import { actionFor, voicemailOutcome, voicemailTimeoutAction, type PolicyContext } from '../../src/calls/policy.js';

const base: PolicyContext = { mode: 'disconnect', onUndecided: 'bridge', bridged: false, voicemail: false, promptEnded: false };
const ctx = (over: Partial<PolicyContext>): PolicyContext => ({ ...base, ...over });

describe('machineDetection policy', () => {
  it('disabled mode never acts on AMD', () => {
    expect(actionFor({ type: 'amd_machine_detected', reason: 'long greeting' }, ctx({ mode: 'disabled' }))).toEqual({ action: 'none' });
  });

  describe('a machine shown after a human decision (the first decision stands)', () => {
    const bridgedHuman = { bridged: true };
    it('disconnect mode hangs up on a beep, strong evidence, and not on the greeting going on', () => {
      expect(actionFor({ type: 'amd_machine_after_human', evidence: 'beep' }, ctx(bridgedHuman))).toEqual({ action: 'hangup', cause: 'machine' });
      expect(actionFor({ type: 'amd_machine_after_human', evidence: 'greeting' }, ctx(bridgedHuman))).toEqual({ action: 'none' });
    });
    it('detect mode tells the bot voicemail-prompt-start once, whatever the evidence', () => {
      const detect = ctx({ ...bridgedHuman, mode: 'detect' });
      expect(actionFor({ type: 'amd_machine_after_human', evidence: 'greeting' }, detect)).toEqual({ action: 'voicemail-prompt-start' });
      expect(actionFor({ type: 'amd_machine_after_human', evidence: 'beep' }, detect)).toEqual({ action: 'voicemail-prompt-start' });
      expect(actionFor({ type: 'amd_machine_after_human', evidence: 'beep' }, ctx({ ...detect, voicemail: true }))).toEqual({ action: 'none' });
    });
    it('disabled mode does nothing', () => {
      expect(actionFor({ type: 'amd_machine_after_human', evidence: 'beep' }, ctx({ ...bridgedHuman, mode: 'disabled' }))).toEqual({ action: 'none' });
    });
  });

  describe('disconnect', () => {
    it('bridges a human', () => {
      expect(actionFor({ type: 'amd_human_detected' }, base)).toEqual({ action: 'bridge', voicemail: false });
    });
    it('hangs up on a voicemail, a fax and an intercept', () => {
      expect(actionFor({ type: 'amd_machine_detected', reason: 'long greeting' }, base)).toEqual({ action: 'hangup', cause: 'machine' });
      expect(actionFor({ type: 'amd_machine_detected', reason: 'fax' }, base)).toEqual({ action: 'hangup', cause: 'fax' });
      expect(actionFor({ type: 'amd_machine_detected', reason: 'sit' }, base)).toEqual({ action: 'hangup', cause: 'sit' });
    });
    it('hangs up on a beep heard before a decision', () => {
      expect(actionFor({ type: 'amd_tone_detected' }, base)).toEqual({ action: 'hangup', cause: 'machine' });
    });
    it('bridges on no speech and decision timeout by default, hangs up when configured', () => {
      expect(actionFor({ type: 'amd_no_speech_detected' }, base)).toEqual({ action: 'bridge', voicemail: false });
      expect(actionFor({ type: 'amd_decision_timeout' }, base)).toEqual({ action: 'bridge', voicemail: false });
      expect(actionFor({ type: 'amd_decision_timeout' }, ctx({ onUndecided: 'hangup' }))).toEqual({ action: 'hangup', cause: 'machine' });
    });
    it('bridges on an AMD error rather than hang up on a person', () => {
      expect(actionFor({ type: 'amd_error' }, base)).toEqual({ action: 'bridge', voicemail: false });
    });
  });

  describe('detect', () => {
    const detect = ctx({ mode: 'detect' });
    it('bridges a machine with the voicemail flag, hangs up a fax', () => {
      expect(actionFor({ type: 'amd_machine_detected', reason: 'long greeting' }, detect)).toEqual({ action: 'bridge', voicemail: true });
      expect(actionFor({ type: 'amd_machine_detected', reason: 'fax' }, detect)).toEqual({ action: 'hangup', cause: 'fax' });
    });
    it('ends the voicemail prompt once, on the beep or the timeout', () => {
      const waiting = ctx({ mode: 'detect', bridged: true, voicemail: true });
      expect(actionFor({ type: 'amd_tone_detected' }, waiting)).toEqual({ action: 'voicemail-prompt-end', by: 'beep' });
      expect(voicemailTimeoutAction(waiting)).toEqual({ action: 'voicemail-prompt-end', by: 'timeout' });
      const ended = { ...waiting, promptEnded: true };
      expect(actionFor({ type: 'amd_tone_detected' }, ended)).toEqual({ action: 'none' });
      expect(voicemailTimeoutAction(ended)).toEqual({ action: 'none' });
    });
    it('ignores a beep on a call bridged as a human', () => {
      expect(actionFor({ type: 'amd_tone_detected' }, ctx({ mode: 'detect', bridged: true }))).toEqual({ action: 'none' });
    });
  });

  it('names the detect-mode outcome', () => {
    expect(voicemailOutcome('beep')).toBe('voicemail beep');
    expect(voicemailOutcome('timeout')).toBe('voicemail timeout');
    expect(voicemailOutcome(undefined)).toBeUndefined();
  });
});
