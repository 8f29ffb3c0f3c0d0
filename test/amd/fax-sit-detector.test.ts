import { describe, expect, it } from 'vitest';
import { judgeFaxTone } from '../../src/amd/fax-detector.js';
import { SitDetector } from '../../src/amd/sit-detector.js';

const seg = (frequency: number, startMs: number, endMs: number) => ({ frequency, startMs, endMs, confirmed: true });

describe('fax detector', () => {
  it('recognises a CNG burst (1100 Hz, 0.5 s) once it ends', () => {
    expect(judgeFaxTone(seg(1100, 0, 200), false)).toBe('pending');
    expect(judgeFaxTone(seg(1100, 0, 500), true)).toBe('fax');
    expect(judgeFaxTone(seg(1095, 0, 200), true)).toBe('not-fax');
    expect(judgeFaxTone(seg(1100, 0, 1200), false)).toBe('not-fax');
  });

  it('recognises CED (2100 Hz) after 600 ms', () => {
    expect(judgeFaxTone(seg(2100, 0, 300), false)).toBe('pending');
    expect(judgeFaxTone(seg(2095, 0, 600), false)).toBe('fax');
    expect(judgeFaxTone(seg(2100, 0, 300), true)).toBe('not-fax');
  });

  it('leaves other tones alone', () => {
    expect(judgeFaxTone(seg(1000, 0, 500), true)).toBe('not-fax');
    expect(judgeFaxTone(seg(1800, 0, 3000), false)).toBe('not-fax');
  });
});

describe('SIT detector', () => {
  it('recognises the three rising tones', () => {
    const d = new SitDetector();
    expect(d.onConfirmed(seg(914, 0, 120))).toBe('pending');
    d.onEnded(seg(914, 0, 280));
    expect(d.pending(300)).toBe(true);
    expect(d.onConfirmed(seg(1371, 280, 400))).toBe('pending');
    d.onEnded(seg(1371, 280, 560));
    expect(d.onConfirmed(seg(1777, 560, 680))).toBe('sit');
  });

  it('rejects tones out of order, too long, or with a gap', () => {
    const d = new SitDetector();
    expect(d.onConfirmed(seg(1371, 0, 120))).toBe('not-sit');
    expect(d.onConfirmed(seg(985, 0, 120))).toBe('pending');
    d.onEnded(seg(985, 0, 900));
    expect(d.pending(920)).toBe(false);
    const gap = new SitDetector();
    gap.onConfirmed(seg(914, 0, 120));
    gap.onEnded(seg(914, 0, 280));
    expect(gap.pending(700)).toBe(false);
    expect(gap.onConfirmed(seg(1371, 700, 820))).toBe('not-sit');
  });
});
