import { describe, expect, it } from 'vitest';
import { GreetingTracker } from '../../src/amd/greeting-tracker.js';

function feed(pattern: string): GreetingTracker {
  const g = new GreetingTracker();
  [...pattern].forEach((c, i) => g.push(c === 'v', i * 20, 20));
  return g;
}

/**
 * A tracker fed one 20 ms frame at a time from 0 ms: `push` returns whether the frame was heard as the
 * greeting's voice, `now` the offset of the next frame.
 */
function frameByFrame(): { g: GreetingTracker; push: (voiced: boolean, db: number) => boolean; now: () => number } {
  const g = new GreetingTracker();
  let t = 0;
  const push = (voiced: boolean, db: number): boolean => {
    g.push(voiced, t, 20, db);
    t += 20;
    return g.heard;
  };
  return { g, push, now: () => t };
}

describe('greeting tracker', () => {
  it('needs three voiced frames for speech onset, so a click is not speech', () => {
    expect(feed('....v.....v....').started).toBe(false);
    const g = feed('....vv.v.......');
    expect(g.started).toBe(true);
    expect(g.onsetMs).toBe(80);
  });

  it('measures silence since the last voice', () => {
    const g = feed('..vvvvv.....');
    expect(g.lastVoiceEndMs).toBe(140);
    expect(g.silenceMs(240)).toBe(100);
  });

  it('tracks the current utterance, restarting after a real pause', () => {
    const g = feed(`vvvvvvvvvv${'.'.repeat(30)}vvvvv`);
    expect(g.utteranceMs).toBe(100);
    expect(g.voicedMs).toBe(300);
    const joined = feed(`vvvvvvvvvv${'.'.repeat(10)}vvvvv`);
    expect(joined.utteranceMs).toBe(500);
  });

  it('starts the greeting again where speech far louder than all before it begins (the room was talking)', () => {
    const g = new GreetingTracker();
    let t = 0;
    const push = (voiced: boolean, db: number): boolean => {
      g.push(voiced, t, 20, db);
      t += 20;
      return g.restarted;
    };
    for (let i = 0; i < 40; i++) push(i % 10 < 7, -40); // room talk, 800 ms
    expect(g.onsetMs).toBe(0);
    // a talker's own first syllables rising do not count as the room: too little voice came before
    const one = new GreetingTracker();
    [-45, -44, -40, -30, -22].forEach((db, i) => one.push(true, 1000 + i * 20, 20, db));
    expect(one.onsetMs).toBe(1000);
    expect(push(true, -36)).toBe(false);
    expect(push(true, -30)).toBe(true); // 10 dB over the room: the person
    expect(g.onsetMs).toBe(800); // where the voice first rose above the room's loudest
    expect(g.pauseBeforeUtteranceMs).toBe(0);
    expect(push(true, -20)).toBe(false); // the same person's voice rising further starts nothing new
    expect(g.onsetMs).toBe(800);
    expect(g.lastVoiceEndMs).toBe(860);
    expect(g.voicedMs).toBe(60);
  });

  it('after a pause, hears voice far under the greeting as the room, not as the greeting going on', () => {
    const { g, push, now } = frameByFrame();
    for (let i = 0; i < 20; i++) push(true, -16); // "hello?" 0-400 ms
    for (let i = 0; i < 10; i++) push(false, -60); // 200 ms quiet
    expect(push(true, -30)).toBe(false); // a TV 14 dB under the person
    expect(g.lastVoiceEndMs).toBe(400);
    expect(g.silenceMs(now())).toBe(220);
    expect(push(true, -20)).toBe(true); // the greeting going on
    expect(g.lastVoiceEndMs).toBe(now());
    // a quiet end of a word right after the voice is still the greeting's
    push(true, -16);
    expect(push(true, -30)).toBe(true);
  });

  it("holds a short loud burst after a pause pending: the room's loudest syllables do not keep the line from falling quiet", () => {
    const { g, push, now } = frameByFrame();
    for (let i = 0; i < 20; i++) push(true, -16); // "hello?" 0-400 ms
    for (let i = 0; i < 20; i++) push(false, -60); // 400 ms quiet
    // a TV's syllable 10 dB under the person: pending, not heard
    for (let i = 0; i < 3; i++) expect(push(true, -26)).toBe(false);
    expect(g.resumePending).toBe(true);
    for (let i = 0; i < 15; i++) push(false, -50);
    expect(g.resumePending).toBe(false); // the burst ended unconfirmed: it was the room
    expect(g.lastVoiceEndMs).toBe(400);
    expect(g.silenceMs(now())).toBe(now() - 400);
  });

  it("does not let one loud syllable of the room, 7 dB under the person, confirm itself as the greeting", () => {
    const { g, push } = frameByFrame();
    for (let i = 0; i < 20; i++) push(true, -16); // "hello?" 0-400 ms
    for (let i = 0; i < 20; i++) push(false, -60); // 400 ms quiet
    // a loud room's syllable: rising to 7 dB under the person for one frame, five frames in all
    for (const db of [-27, -23, -25, -27, -29]) expect(push(true, db)).toBe(false);
    for (let i = 0; i < 15; i++) push(false, -50);
    expect(g.resumePending).toBe(false);
    expect(g.lastVoiceEndMs).toBe(400);
    // the person asking again comes back near their own level and is heard at once
    expect(push(true, -19)).toBe(true);
  });

  it('confirms a pending resumption that goes on, as the greeting resuming where it began', () => {
    const { g, push, now } = frameByFrame();
    for (let i = 0; i < 20; i++) push(true, -16);
    for (let i = 0; i < 30; i++) push(false, -60); // 600 ms: a breath between sentences
    const resumedAt = now();
    expect(push(true, -26)).toBe(false); // within 11 dB of the loudest: pending
    for (let i = 0; i < 6; i++) expect(push(true, -29)).toBe(false);
    expect(push(true, -29)).toBe(true); // eight voiced frames: a sentence, not a syllable
    expect(g.resumeConfirmed).toBe(true);
    expect(g.utteranceStartMs).toBe(resumedAt);
    expect(g.pauseBeforeUtteranceMs).toBe(600);
    expect(g.lastVoiceEndMs).toBe(now());
    // a frame near the greeting's loudest confirms at once
    for (let i = 0; i < 20; i++) push(false, -60);
    expect(push(true, -25)).toBe(false);
    expect(push(true, -18)).toBe(true);
  });
});
