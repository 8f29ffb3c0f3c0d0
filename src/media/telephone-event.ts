// RFC 4733 §2.3: named telephone events carried in RTP (DTMF digits and flash).

/** A DTMF digit reported once, when its end packet arrives. */
export interface DtmfEvent {
  /** '0'–'9', '*', '#', 'A'–'D' or 'flash'. */
  digit: string;
  /** The RFC 4733 event code (0–16). */
  event: number;
  durationMs: number;
  /** Power level in -dBm0 (0–63). */
  volume: number;
}

const DIGITS = '0123456789*#ABCD';

/** The digit name of an RFC 4733 event code, or undefined for codes outside DTMF and flash. */
export function digitOf(event: number): string | undefined {
  if (event >= 0 && event < DIGITS.length) return DIGITS[event];
  if (event === 16) return 'flash';
  return undefined;
}

/** Reads a telephone-event payload; undefined if it is shorter than the 4 bytes RFC 4733 requires. */
export function parseTelephoneEvent(
  buf: Uint8Array,
  offset: number,
  length: number,
): { event: number; end: boolean; volume: number; duration: number } | undefined {
  if (length < 4) return undefined;
  const flags = buf[offset + 1] as number;
  return {
    event: buf[offset] as number,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number),
  };
}
