// G.711 (ITU-T) µ-law and A-law companding, table driven: tables are built once so a 20 ms frame costs
// 160 array lookups in each direction.

/** The two G.711 codecs outdial offers, by their SDP encoding names. */
export type G711Codec = 'PCMU' | 'PCMA';

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 8159;
const MULAW_SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segmentOf(value: number, ends: readonly number[]): number {
  for (let seg = 0; seg < ends.length; seg++) if (value <= (ends[seg] as number)) return seg;
  return ends.length;
}

function mulawFromLinear(sample: number): number {
  let value = sample >> 2;
  let mask = 0xff;
  if (value < 0) {
    value = -value;
    mask = 0x7f;
  }
  if (value > MULAW_CLIP) value = MULAW_CLIP;
  value += MULAW_BIAS >> 2;
  const seg = segmentOf(value, MULAW_SEGMENT_ENDS);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((value >> (seg + 1)) & 0x0f)) ^ mask;
}

function linearFromMulaw(code: number): number {
  const u = ~code & 0xff;
  const t = ((((u & 0x0f) << 3) + MULAW_BIAS) << ((u & 0x70) >> 4)) >>> 0;
  return u & 0x80 ? MULAW_BIAS - t : t - MULAW_BIAS;
}

function alawFromLinear(sample: number): number {
  let value = sample >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  const seg = segmentOf(value, ALAW_SEGMENT_ENDS);
  if (seg >= 8) return 0x7f ^ mask;
  const mantissa = seg < 2 ? (value >> 1) & 0x0f : (value >> seg) & 0x0f;
  return ((seg << 4) | mantissa) ^ mask;
}

function linearFromAlaw(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function decodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = decode(code);
  return table;
}

// Indexed by the sample's 16-bit two's complement pattern (sample & 0xffff).
function encodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode((i << 16) >> 16);
  return table;
}

const PCMU_DECODE = decodeTable(linearFromMulaw);
const PCMA_DECODE = decodeTable(linearFromAlaw);
const PCMU_ENCODE = encodeTable(mulawFromLinear);
const PCMA_ENCODE = encodeTable(alawFromLinear);

function transcodeTable(decode: Int16Array, encode: Uint8Array): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) table[code] = encode[(decode[code] as number) & 0xffff] as number;
  return table;
}

/** Byte-for-byte µ-law → A-law and A-law → µ-law maps, for relaying between legs with different codecs. */
export const PCMU_TO_PCMA: Readonly<Uint8Array> = transcodeTable(PCMU_DECODE, PCMA_ENCODE);
export const PCMA_TO_PCMU: Readonly<Uint8Array> = transcodeTable(PCMA_DECODE, PCMU_ENCODE);

/** The decode table (256 codes → linear samples) of a codec. */
export function decodeTableOf(codec: G711Codec): Readonly<Int16Array> {
  return codec === 'PCMU' ? PCMU_DECODE : PCMA_DECODE;
}

/** Decode tables of the static G.711 payload types (RFC 3551: 0 is PCMU, 8 is PCMA), by payload type. */
export const STATIC_DECODE_TABLES: Readonly<Record<number, Readonly<Int16Array>>> = {
  0: decodeTableOf('PCMU'),
  8: decodeTableOf('PCMA'),
};

/** The encode table (sample & 0xffff → code) of a codec. */
export function encodeTableOf(codec: G711Codec): Readonly<Uint8Array> {
  return codec === 'PCMU' ? PCMU_ENCODE : PCMA_ENCODE;
}

/**
 * Decode `length` codes of `src` starting at `srcOffset` into `dst` at `dstOffset`; the receive path uses
 * it to decode straight out of a datagram without copying the payload first.
 */
export function decodeInto(
  table: Readonly<Int16Array>,
  src: Uint8Array,
  srcOffset: number,
  length: number,
  dst: Int16Array,
  dstOffset: number,
): void {
  for (let i = 0; i < length; i++) dst[dstOffset + i] = table[src[srcOffset + i] as number] as number;
}

function decodeWith(table: Int16Array, payload: Uint8Array): Int16Array {
  const pcm = new Int16Array(payload.length);
  decodeInto(table, payload, 0, payload.length, pcm, 0);
  return pcm;
}

function encodeWith(table: Uint8Array, pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[(pcm[i] as number) & 0xffff] as number;
  return out;
}

/** µ-law payload → 16-bit linear PCM. */
export function decodePcmu(payload: Uint8Array): Int16Array {
  return decodeWith(PCMU_DECODE, payload);
}

/** 16-bit linear PCM → µ-law payload. */
export function encodePcmu(pcm: Int16Array): Buffer {
  return encodeWith(PCMU_ENCODE, pcm);
}

/** A-law payload → 16-bit linear PCM. */
export function decodePcma(payload: Uint8Array): Int16Array {
  return decodeWith(PCMA_DECODE, payload);
}

/** 16-bit linear PCM → A-law payload. */
export function encodePcma(pcm: Int16Array): Buffer {
  return encodeWith(PCMA_ENCODE, pcm);
}

/** Decode a payload of either codec. */
export function decodeG711(codec: G711Codec, payload: Uint8Array): Int16Array {
  return decodeWith(codec === 'PCMU' ? PCMU_DECODE : PCMA_DECODE, payload);
}

/** Encode PCM with either codec. */
export function encodeG711(codec: G711Codec, pcm: Int16Array): Buffer {
  return encodeWith(codec === 'PCMU' ? PCMU_ENCODE : PCMA_ENCODE, pcm);
}
