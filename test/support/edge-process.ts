// An embedded SIP edge in a process of its own, standing where a drachtio-server would: a test can stop
// (SIGSTOP), resume or kill it under a daemon connected with `sip.edge: drachtio`.
// Usage: node --import tsx test/support/edge-process.ts '{"sipPort":…,"wirePort":…,"secret":"…"}'
import { EmbeddedEdge } from '../../src/edge/index.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { sipPort: number; wirePort: number; secret: string };
const edge = new EmbeddedEdge({ sip: { host: '127.0.0.1', port: spec.sipPort }, wire: { host: '127.0.0.1', port: spec.wirePort, secret: spec.secret } });
const started = await edge.start();
process.stdout.write(`${JSON.stringify({ ready: true, sip: started.sip, wire: started.wire.port })}\n`);
const stop = () => void edge.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The test process holds our stdin: when it goes, so do we.
process.stdin.on('end', stop);
process.stdin.resume();
