// An outbox entry's id is `<owner>~<key>`: the owner says which daemon delivers it (another takes it over
// only once that owner is dead), the key is the notification's own identity, the same on every retry.

const ownerSeparator = '~';

export function entryId(owner: string | undefined, key: string): string {
  return owner === undefined ? key : `${owner}${ownerSeparator}${key}`;
}

export function ownerOf(id: string): string | undefined {
  const i = id.lastIndexOf(ownerSeparator);
  return i < 0 ? undefined : id.slice(0, i);
}

/**
 * The webhook-id of an entry: its key, so it stays the same across retries and when another daemon takes
 * the entry over; receivers deduplicate on it.
 */
export function webhookIdOf(id: string): string {
  const key = id.slice(id.lastIndexOf(ownerSeparator) + 1);
  return key.startsWith('msg_') ? key : `msg_${key}`;
}
