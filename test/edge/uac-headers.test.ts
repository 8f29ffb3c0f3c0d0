import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

/** The first message of `method` in a SIPp -trace_msg log, as text. */
function traced(messages: string, startLine: RegExp): string {
  const blocks = messages.split(/^-{5,}.*$/m);
  const block = blocks.find((b) => startLine.test(b));
  if (!block) throw new Error(`no message matching ${startLine} in the SIPp trace`);
  return block;
}

const header = (msg: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(msg)?.[1]?.trim();

describe('headers the app sets on srf.createUAC', () => {
  it('reach the callee as given: Call-ID, From display name/user/host (plus our tag), X- headers', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-answer.xml', traceMessages: true });
    const from = '"Acme Sales" <sip:+15551230000@sales.example.com>';
    const dialog = await env.srf.createUAC(`sip:+15557654321@${sipp.address}`, {
      localSdp: offer,
      headers: {
        'Call-ID': 'kore-7f3a9c@outdial.example',
        From: from,
        'X-Conversation-Id': 'conv-42',
        'X-Campaign': 'spring; region=eu',
      },
    });
    expect(dialog.sip.callId).toBe('kore-7f3a9c@outdial.example');
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);

    const invite = traced(result.messages, /^INVITE sip:/m);
    expect(header(invite, 'Call-ID')).toBe('kore-7f3a9c@outdial.example');
    expect(header(invite, 'From')).toMatch(/^"Acme Sales" <sip:\+15551230000@sales\.example\.com>;tag=[\w-]+$/);
    expect(header(invite, 'X-Conversation-Id')).toBe('conv-42');
    expect(header(invite, 'X-Campaign')).toBe('spring; region=eu');
    expect(invite.match(/^Call-ID:/gim)).toHaveLength(1);
    expect(invite.match(/^From:/gim)).toHaveLength(1);

    // The dialog keeps them: our BYE carries the same Call-ID and From, tag included.
    const bye = traced(result.messages, /^BYE sip:/m);
    expect(header(bye, 'Call-ID')).toBe('kore-7f3a9c@outdial.example');
    expect(header(bye, 'From')).toBe(header(invite, 'From'));
  });

  it('gets a fresh Call-ID and a From of our own when the app sets neither', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-answer.xml', traceMessages: true });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer });
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    const invite = traced(result.messages, /^INVITE sip:/m);
    expect(header(invite, 'Call-ID')).toBe(dialog.sip.callId);
    expect(header(invite, 'From')).toMatch(new RegExp(`<sip:[^>]*@${env.sipTarget.replace(/\./g, '\\.')}>;tag=`));
  });
});
