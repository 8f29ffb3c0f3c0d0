/**
 * The store cannot be reached (Redis down, connection lost, command timed out). Callers answer new
 * dialouts with 503 and keep calls in progress going; the store reconnects on its own.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
