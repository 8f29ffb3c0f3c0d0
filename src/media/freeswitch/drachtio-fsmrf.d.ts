// The part of drachtio-fsmrf (node_modules/drachtio-fsmrf/lib) outdial uses; the package ships no types.
declare module 'drachtio-fsmrf' {
  import type { EventEmitter } from 'node:events';

  namespace Mrf {
    interface ConnectOptions {
      address: string;
      port?: number;
      secret?: string;
      /** Where FreeSWITCH's outbound event socket connects back to (default: the first non-loopback address). */
      listenAddress?: string;
      listenPort?: number;
      profile?: string;
    }
    interface EndpointOptions {
      /** The SDP offer the endpoint answers; without it the endpoint is 3PCC: FreeSWITCH offers. */
      remoteSdp?: string;
      headers?: Record<string, string>;
      codecs?: string | string[];
    }
    interface Endpoint extends EventEmitter {
      readonly uuid: string;
      readonly local: { sdp?: string; mediaIp?: string; mediaPort?: string };
      readonly remote: { sdp?: string; mediaIp?: string; mediaPort?: string };
      readonly connected: boolean;
      /** The channel's own (outbound) event socket connection; null once it closed. */
      readonly conn: EventEmitter | null;
      modify(sdp: string): Promise<unknown>;
      bridge(other: Endpoint | string): Promise<void>;
      set(name: string | Record<string, string>, value?: string): Promise<unknown>;
      api(command: string, args?: string | string[]): Promise<unknown>;
      execute(app: string, arg?: string): Promise<unknown>;
      destroy(): Promise<void>;
    }
    interface MediaServer extends EventEmitter {
      readonly address: string;
      connected(): boolean;
      /** An API command on the server's (inbound) event socket; resolves with its reply body. */
      api(command: string): Promise<string>;
      createEndpoint(opts?: EndpointOptions): Promise<Endpoint>;
      disconnect(): void;
    }
  }

  class Mrf extends EventEmitter {
    constructor(srf: unknown, opts?: Record<string, unknown>);
    connect(opts: Mrf.ConnectOptions): Promise<Mrf.MediaServer>;
  }
  export = Mrf;
}
