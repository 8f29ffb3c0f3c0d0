/**
 * The vendor API a call arrived through; its notifications and reason codes speak the same dialect. A dialout
 * is `audiocodes` or `kore`; a call a dialer sends in (docs/inbound.md) is `jambonz`, whose AMD actionHook it
 * speaks.
 */
export type Dialect = 'audiocodes' | 'kore' | 'jambonz';
