/** A dialout that cannot be taken now: 429 for bot limits, 503 for no SIP edge or store down. */
export class DialoutRejected extends Error {
  override readonly name = 'DialoutRejected';
  constructor(
    readonly status: 429 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** A dialout whose body breaks a rule the schema cannot express (caller whitelist, unknown trunk). */
export class DialoutInvalid extends Error {
  override readonly name = 'DialoutInvalid';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
