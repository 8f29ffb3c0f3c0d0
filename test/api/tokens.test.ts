import { describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/api/auth/index.js';
import { verifyAccessToken } from '../../src/api/auth/tokens.js';
import { parseConfig } from '../../src/config/index.js';

const config = parseConfig({ clients: [{ id: 'dialer1', secret: 's3cret', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] }] });
const client = config.clients[0]!;

describe('access tokens', () => {
  it('a token is good until its ttl passes on the clock it was issued by, then says it expired', async () => {
    let now = 1_767_225_600_000;
    const clock = () => now;
    const token = await issueAccessToken(client, 60, clock);
    expect(await verifyAccessToken(config, token, clock)).toMatchObject({ ok: true, client: { id: 'dialer1' } });
    now += 59_000;
    expect((await verifyAccessToken(config, token, clock)).ok).toBe(true);
    now += 2_000;
    expect(await verifyAccessToken(config, token, clock)).toEqual({ ok: false, error: 'bearer token has expired' });
  });

  it('a token signed with another secret is refused', async () => {
    const other = parseConfig({ clients: [{ id: 'dialer1', secret: 'changed', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] }] });
    const token = await issueAccessToken(client, 60);
    expect(await verifyAccessToken(other, token)).toEqual({ ok: false, error: 'bearer token is not valid' });
  });
});
