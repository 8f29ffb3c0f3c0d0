/** Voicemail phrases a recognizer's transcript is checked against, per language; configurable per call. */
export const defaultVoicemailHints: Record<string, string[]> = {
  en: [
    'leave a message',
    'leave your message',
    'leave me a message',
    'after the tone',
    'after the beep',
    'at the tone',
    'not available',
    'unavailable',
    "can't take your call",
    'cannot take your call',
    "can't come to the phone",
    'voicemail',
    'voice mail',
    'mailbox',
    'call has been forwarded',
    'record your message',
  ],
  es: ['deje su mensaje', 'deje un mensaje', 'después del tono', 'no está disponible', 'buzón de voz', 'correo de voz'],
  fr: ['laissez un message', 'laissez votre message', 'après le bip', 'après le signal sonore', 'pas disponible', 'messagerie'],
  de: ['nachricht hinterlassen', 'nach dem signalton', 'nach dem piepton', 'nicht erreichbar', 'mailbox', 'anrufbeantworter'],
};

/** Lower-case, drop punctuation, collapse spaces, so hints match however the recognizer writes. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function countWords(text: string): number {
  const n = normalizeText(text);
  return n === '' ? 0 : n.split(' ').length;
}

/** The phrase list for a language tag: exact tag first ("en-US"), then its base language ("en"). */
export function hintsFor(hints: Record<string, string[]>, language: string | undefined): string[] {
  const lowered = new Map(Object.entries(hints).map(([k, v]) => [k.toLowerCase(), v]));
  if (language === undefined) return [...lowered.values()].flat();
  const tag = language.toLowerCase();
  const base = tag.split(/[-_]/)[0] ?? tag;
  return [...(lowered.get(tag) ?? []), ...(tag !== base ? (lowered.get(base) ?? []) : [])];
}

/** The first hint phrase found in the transcript, if any. */
export function findHint(text: string, phrases: string[]): string | undefined {
  const haystack = ` ${normalizeText(text)} `;
  return phrases.find((p) => {
    const needle = normalizeText(p);
    return needle !== '' && haystack.includes(` ${needle} `);
  });
}
