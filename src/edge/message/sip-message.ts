import { headerKey, headerSpelling } from './header-names.js';

interface HeaderEntry {
  name: string;
  values: string[];
}

/** A SIP message (RFC 3261 §7): a start line, headers in arrival order, and a body. */
export abstract class SipMessage {
  private readonly headers = new Map<string, HeaderEntry>();
  body = '';

  abstract startLine(): string;

  get(name: string): string | undefined {
    return this.headers.get(headerKey(name))?.values[0];
  }

  getAll(name: string): readonly string[] {
    return this.headers.get(headerKey(name))?.values ?? [];
  }

  has(name: string): boolean {
    return this.headers.has(headerKey(name));
  }

  /** Replaces every value of the header. */
  set(name: string, value: string | readonly string[]): this {
    const key = headerKey(name);
    this.headers.set(key, { name: headerSpelling(key), values: typeof value === 'string' ? [value] : [...value] });
    return this;
  }

  /** Adds a value after the header's others. */
  append(name: string, value: string): this {
    return this.add(name, value, false);
  }

  /** Adds a value before the header's others (a Via on top). */
  prepend(name: string, value: string): this {
    return this.add(name, value, true);
  }

  private add(name: string, value: string, first: boolean): this {
    const key = headerKey(name);
    const entry = this.headers.get(key);
    if (!entry) this.headers.set(key, { name: headerSpelling(key), values: [value] });
    else if (first) entry.values.unshift(value);
    else entry.values.push(value);
    return this;
  }

  delete(name: string): this {
    this.headers.delete(headerKey(name));
    return this;
  }

  headerKeys(): IterableIterator<string> {
    return this.headers.keys();
  }

  /** Writes the message as it goes on the wire; Content-Length always matches the body. */
  toString(): string {
    let out = this.startLine() + '\r\n';
    for (const [key, entry] of this.headers) {
      if (key === 'content-length') continue;
      for (const v of entry.values) out += entry.name + ': ' + v + '\r\n';
    }
    out += 'Content-Length: ' + Buffer.byteLength(this.body, 'utf8') + '\r\n\r\n';
    return out + this.body;
  }
}

export class SipRequest extends SipMessage {
  constructor(
    public method: string,
    public uri: string,
  ) {
    super();
  }

  startLine(): string {
    return `${this.method} ${this.uri} SIP/2.0`;
  }
}

export class SipResponse extends SipMessage {
  constructor(
    public status: number,
    public reason: string,
  ) {
    super();
  }

  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}
