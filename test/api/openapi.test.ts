import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audiocodesDialoutBody, koreDialoutBody } from '../../src/api/index.js';
import { baseUrl, startApi, type ApiUnderTest } from './fixture.js';

let api: ApiUnderTest;
let doc: any;

beforeAll(async () => {
  api = await startApi();
  const res = await fetch(`${baseUrl(api.app)}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(async () => {
  await api.app.close();
});

function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<any>((node, key) => node?.[key], doc);
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document with both dialout paths, the call path and the token path', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('outdial');
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/api/1.1/public/bot/{botId}/smartassist/dialout', '/api/v1/actions/dialout', '/api/v1/calls/{conversationId}', '/api/v1/calls/{conversationId}/amd.svg', '/oauth/token'].sort(),
    );
    expect(doc.paths['/api/1.1/public/bot/{botId}/smartassist/dialout'].post.parameters[0]).toMatchObject({ name: 'botId', in: 'path', required: true });
  });

  it('publishes exactly the schemas the routes validate with', () => {
    const ac = doc.paths['/api/v1/actions/dialout'].post.requestBody.content['application/json'].schema.$ref;
    const kore = doc.paths['/api/1.1/public/bot/{botId}/smartassist/dialout'].post.requestBody.content['application/json'].schema.$ref;
    expect(resolve(ac)).toEqual(JSON.parse(JSON.stringify(audiocodesDialoutBody)));
    expect(resolve(kore)).toEqual(JSON.parse(JSON.stringify(koreDialoutBody)));
    const acSchema = resolve(ac) as any;
    expect(acSchema.required).toEqual(['bot', 'target']);
    expect(Object.keys(acSchema.properties)).toEqual(
      expect.arrayContaining(['bot', 'target', 'caller', 'callerHost', 'callerDisplayName', 'notifyUrl', 'metadata', 'answerTimeoutSec', 'machineDetection', 'voicemailEndTimeoutSec']),
    );
    expect(Object.keys((resolve(kore) as any).properties)).toEqual(
      expect.arrayContaining(['target', 'caller', 'trunk', 'notifyUrl', 'notifyurl', 'notifyHeaders', 'timeoutInMs', 'timers', 'machineDetection', 'machinedetection', 'thresholdWordCount', 'metadata', 'amdEventsSubscription']),
    );
  });

  it('every $ref resolves and every dialout path documents the error statuses', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc.paths);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(resolve(ref), ref).toBeTypeOf('object');
    // The Kore route reads a JSON body whatever its Content-Type, so only the AudioCodes route answers 415.
    expect(Object.keys(doc.paths['/api/v1/actions/dialout'].post.responses).sort()).toEqual(['200', '400', '401', '403', '404', '415', '429', '503']);
    expect(Object.keys(doc.paths['/api/1.1/public/bot/{botId}/smartassist/dialout'].post.responses).sort()).toEqual(['200', '400', '401', '403', '404', '429', '503']);
  });
});
