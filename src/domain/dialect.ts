/** The vendor API a dialout arrived through; its notifications and reason codes speak the same dialect. */
export type Dialect = 'audiocodes' | 'kore';
