// RFC 3261 §7.3.3 compact forms, and the canonical spelling used when a message is written out.
const compactForms: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
};

const canonicalSpellings: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'max-forwards': 'Max-Forwards',
  rseq: 'RSeq',
  rack: 'RAck',
  'mime-version': 'MIME-Version',
  'min-se': 'Min-SE',
};

/** The lower-case long name a header is keyed by, whichever form the wire used. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  // Own properties only: a header named `constructor` or `__proto__` is just another extension header.
  return Object.hasOwn(compactForms, lower) ? compactForms[lower]! : lower;
}

/** How a header name is spelled on the wire when outdial writes it. */
export function headerSpelling(key: string): string {
  const known = (Object.hasOwn(canonicalSpellings, key) ? canonicalSpellings[key] : undefined) ?? spellingCache.get(key);
  if (known) return known;
  const spelled = key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
  // Every message sets the same few dozen headers; keep their spellings, but never let odd names grow it.
  if (spellingCache.size < 512) spellingCache.set(key, spelled);
  return spelled;
}

const spellingCache = new Map<string, string>();
