import { z } from 'zod';
import { DestinationPolicy } from '../notify/destination-policy.js';

// Fields more than one config section uses (sip, media, accounts, notifications), kept apart so each
// section's own file can import them without importing the whole config schema.

export const port = z.number().int().min(1).max(65535);

// CIDRs and host names (README "Security"); each entry is parsed here so a typo stops the daemon at start.
export const destinationList = z.array(z.string().min(1)).superRefine((entries, ctx) => {
  entries.forEach((entry, i) => {
    try {
      new DestinationPolicy([entry]);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
    }
  });
});
