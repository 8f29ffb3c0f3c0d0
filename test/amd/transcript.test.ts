import { describe, expect, it } from 'vitest';
import { AmdEngine } from '../../src/amd/index.js';
import { silence } from './signals.js';

describe('AMD transcript hook', () => {
  it('decides machine on a voicemail hint phrase of the transcript language', () => {
    const engine = new AmdEngine();
    engine.pushFrame(silence(1000));
    const events = engine.pushTranscript({ text: 'Hi! Please leave a message.', language: 'en-US', final: false });
    expect(events).toEqual([
      { type: 'amd_machine_detected', reason: 'hint', hint: 'leave a message', greeting: 'Hi! Please leave a message.', language: 'en-US', atMs: 1000 },
    ]);
  });

  it('uses hints per language, and configured hints replace the defaults', () => {
    const es = new AmdEngine();
    expect(es.pushTranscript({ text: 'Hola, deje su mensaje después del tono', language: 'es-MX', final: true })[0]).toMatchObject({
      reason: 'hint',
      hint: 'deje su mensaje',
    });
    const custom = new AmdEngine({ hints: { 'en-US': ['press one for sales'] } });
    expect(custom.pushTranscript({ text: 'please leave a message', language: 'en-US', final: true })[0]).toMatchObject({
      type: 'amd_human_detected',
    });
    expect(new AmdEngine({ hints: { 'en-US': ['press one for sales'] } }).pushTranscript({ text: 'Press one for sales.', language: 'en-US', final: false })[0]).toMatchObject({
      type: 'amd_machine_detected',
      hint: 'press one for sales',
    });
  });

  it('counts transcript words against thresholdWordCount', () => {
    const long = 'hi this is the smith family we are out right now talk to you soon';
    expect(new AmdEngine().pushTranscript({ text: long, final: false })[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'long greeting', greeting: long });
    expect(new AmdEngine({ thresholdWordCount: 20 }).pushTranscript({ text: long, final: false })).toEqual([]);
  });

  it('decides human on a short final transcript, not on an interim one', () => {
    const engine = new AmdEngine();
    expect(engine.pushTranscript({ text: 'Hello?', final: false })).toEqual([]);
    expect(engine.pushTranscript({ text: 'Hello? Who is this?', language: 'en-US', final: true })).toEqual([
      { type: 'amd_human_detected', reason: 'short greeting', greeting: 'Hello? Who is this?', language: 'en-US', atMs: 0 },
    ]);
    expect(engine.pushTranscript({ text: 'leave a message', final: true })).toEqual([]);
    expect(engine.decision).toMatchObject({ type: 'amd_human_detected' });
  });
});
