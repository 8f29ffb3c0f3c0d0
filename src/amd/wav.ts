/** 16-bit PCM audio taken out of a RIFF/WAVE file. */
export interface WavAudio {
  sampleRate: number;
  channels: number;
  samples: Int16Array;
}

export class WavError extends Error {
  override name = 'WavError';
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Parses a WAV file held in memory; throws WavError naming what is wrong. */
export function parseWav(buf: Buffer): WavAudio {
  if (buf.length === 0) throw new WavError('empty file');
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError('not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const declared = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    const size = Math.min(declared, buf.length - body);
    if (id === 'fmt ') {
      if (size < 16) throw new WavError('fmt chunk too short');
      let format = buf.readUInt16LE(body);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26) format = buf.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      data = buf.subarray(body, body + size);
      if (fmt) break;
    }
    pos = body + size + (size % 2);
  }
  if (!fmt) throw new WavError('no fmt chunk');
  if (fmt.format !== WAVE_FORMAT_PCM) {
    const name = fmt.format === 3 ? 'IEEE float' : fmt.format === 6 ? 'A-law' : fmt.format === 7 ? 'u-law' : `format ${fmt.format}`;
    throw new WavError(`${name} audio is not supported (16-bit linear PCM expected)`);
  }
  if (fmt.bits !== 16) throw new WavError(`${fmt.bits}-bit samples are not supported (16-bit PCM expected)`);
  if (fmt.channels !== 1) throw new WavError(`${fmt.channels} channels are not supported (mono expected)`);
  if (!data) throw new WavError('no data chunk');
  const count = data.length >> 1;
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = data.readInt16LE(i * 2);
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
}
