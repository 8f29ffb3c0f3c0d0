import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { dialogKey, type Dialog } from '../dialog/index.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { TimerValues } from '../transaction/index.js';
import type { Peer, SipTransport, TransportName } from '../transport/index.js';
import type { AppConnection } from './app-port.js';

/** What the UAC and UAS cores share: the transport, the timers, our address and the dialogs with their apps. */
export class EdgeContext {
  private readonly dialogsById = new Map<string, Dialog>();
  private readonly dialogsByKey = new Map<string, Dialog>();
  /** Which app owns each dialog, so in-dialog requests reach the right drachtio-srf. */
  private readonly owners = new Map<string, AppConnection>();
  /** Our TLS listening port, when we listen for TLS; else the UDP port stands in (reached by connection reuse). */
  tlsPort: number | undefined;

  constructor(
    readonly transport: SipTransport,
    readonly timers: TimerValues,
    /** The host:port put in Via and Contact. */
    readonly advertised: Peer,
    readonly logger: Logger | undefined,
  ) {}

  readonly send = (msg: SipRequest | SipResponse, to: Peer): string => {
    const raw = msg.toString();
    this.transport.send(raw, to);
    return raw;
  };

  /** A branch with the RFC 3261 magic cookie (§8.1.1.7). */
  newBranch(): string {
    return 'z9hG4bK' + randomBytes(9).toString('base64url');
  }

  newTag(): string {
    return randomBytes(6).toString('hex');
  }

  /** Where `transport` reaches us: the TLS port over TLS when we listen for TLS, the UDP/TCP port otherwise. */
  local(transport: TransportName = 'udp'): Peer {
    return transport === 'tls' && this.tlsPort !== undefined ? { ...this.advertised, port: this.tlsPort } : this.advertised;
  }

  /**
   * Our Via for a request going out over `transport` (§18.1.1, RFC 3581 rport). Over TLS it carries `alias`
   * (RFC 5923): the far end may send its own requests back on the connection we opened.
   */
  via(branch: string, transport: TransportName = 'udp'): string {
    const alias = transport === 'tls' ? ';alias' : '';
    return `SIP/2.0/${transport.toUpperCase()} ${hostport(this.local(transport))};rport${alias};branch=${branch}`;
  }

  contact(user: string | undefined, transport: TransportName = 'udp'): string {
    return `<sip:${user ? user + '@' : ''}${hostport(this.local(transport))}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
  }

  addDialog(dialog: Dialog, owner: AppConnection): void {
    this.dialogsById.set(dialog.id, dialog);
    this.dialogsByKey.set(dialog.key, dialog);
    this.owners.set(dialog.id, owner);
  }

  removeDialog(dialog: Dialog): void {
    dialog.end();
    this.dialogsById.delete(dialog.id);
    this.dialogsByKey.delete(dialog.key);
    this.owners.delete(dialog.id);
  }

  /** The dialog drachtio-srf names by its id. */
  dialogById(id: string): Dialog | undefined {
    return this.dialogsById.get(id);
  }

  /** The dialog a message belongs to, by Call-ID and the tags seen from our side (§12). */
  dialogFor(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.dialogsByKey.get(dialogKey(callId, localTag, remoteTag));
  }

  ownerOf(dialog: Dialog): AppConnection | undefined {
    return this.owners.get(dialog.id);
  }

  get dialogCount(): number {
    return this.dialogsById.size;
  }

  /** Ends every dialog, e.g. when the edge closes. */
  clearDialogs(): void {
    for (const d of [...this.dialogsById.values()]) this.removeDialog(d);
  }
}

export function hostport(p: Peer): string {
  return p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}
