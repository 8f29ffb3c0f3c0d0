import { isIP, type Server, type Socket } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { Peer, TransportName } from './peer.js';
import { TcpTransport, type Opening } from './tcp-transport.js';
import type { TcpLimits } from './tcp-limits.js';

/** Our own certificate and the authorities we trust, as PEM text. */
export interface TlsCredentials {
  cert: string;
  key: string;
  /** Trusted authorities in place of the system store. */
  ca?: string;
}

/**
 * How the certificate of a peer we connect to is checked (docs/sip-edge.md, "TLS"): against the trusted
 * authorities and the peer's name (the default), against one pinned SHA-256 fingerprint only, or not at all.
 */
export type TlsPeerCheck = { verify: 'ca' } | { verify: 'fingerprint'; fingerprint: string } | { verify: 'none' };

export interface TlsOptions {
  /** Present when we listen for TLS; connecting out needs no certificate of our own. */
  credentials?: TlsCredentials;
  /** Trusted authorities for peers; the system store when absent. */
  ca?: string;
  /** The check for a peer by the name its certificate must carry; `verify: 'ca'` when undefined. */
  checkFor?: (name: string) => TlsPeerCheck | undefined;
}

/** A fingerprint as hex digits only, upper case: "ab:cd…" and "ABCD…" compare equal. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/**
 * SIP over TLS (RFC 3261 §26.2, RFC 5630): TCP's connection handling and limits with TLS sockets. Inbound
 * connections are counted against the limits on arrival, before their handshake, which must finish within
 * the first-message deadline. Outbound connections verify the peer before any message is written.
 */
export class TlsTransport extends TcpTransport {
  protected override readonly name: TransportName = 'tls';

  constructor(
    private readonly tls: TlsOptions,
    limits: Partial<TcpLimits> = {},
  ) {
    super(limits);
  }

  protected override createListener(): Server {
    const creds = this.tls.credentials;
    if (!creds) throw new Error('SIP over TLS cannot listen without a certificate and key');
    const server = createServer(
      { cert: creds.cert, key: creds.key, ...(creds.ca !== undefined && { ca: creds.ca }), handshakeTimeout: this.limits.messageDeadlineMs },
      (socket) => this.adoptInbound(socket),
    );
    // Limits apply to the TCP connection as it arrives, so handshakes cannot pile up past them.
    server.on('connection', (raw: Socket) => void this.admit(raw));
    // A client that fails its handshake (or was closed for a limit) only loses its own connection.
    server.on('tlsClientError', (_err, socket: TLSSocket) => socket.destroy());
    return server;
  }

  protected override openConnection(to: Peer): Opening {
    const name = to.tlsName ?? to.address;
    const check = this.tls.checkFor?.(name) ?? { verify: 'ca' as const };
    const socket = connect({
      host: to.address,
      port: to.port,
      // SNI carries names only, never addresses (RFC 6066 §3).
      ...(isIP(name) === 0 && { servername: name }),
      ...(this.tls.ca !== undefined && { ca: this.tls.ca }),
      ...(this.tls.credentials && { cert: this.tls.credentials.cert, key: this.tls.credentials.key }),
      rejectUnauthorized: check.verify === 'ca',
    });
    if (check.verify !== 'fingerprint') return { socket, readyEvent: 'secureConnect' };
    const pinned = normalizeFingerprint(check.fingerprint);
    return {
      socket,
      readyEvent: 'secureConnect',
      check: () => {
        const seen = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
        return seen === pinned ? undefined : `certificate of ${name} has SHA-256 fingerprint ${seen || '(none)'}, not the pinned one`;
      },
    };
  }
}
