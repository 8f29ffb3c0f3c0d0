import { DialoutInvalid, DialoutRejected, type DialoutRequest } from '../../dialout/index.js';
import type { ApiDeps } from '../deps.js';
import { destinationRefusal } from '../destinations.js';
import { ApiError } from '../http-error.js';

/** Builds the normalized request and hands it to the launcher, answering in the API's error vocabulary. */
export async function launch(deps: ApiDeps, build: () => DialoutRequest): Promise<DialoutRequest> {
  let req: DialoutRequest;
  try {
    req = build();
  } catch (err) {
    if (err instanceof DialoutInvalid) throw new ApiError(400, err.message);
    throw err;
  }
  const refused = await destinationRefusal(req, deps.config);
  if (refused !== undefined) throw new ApiError(400, refused);
  const accepting = deps.acceptingDialouts();
  if (!accepting.ok) throw new ApiError(accepting.status, accepting.error);
  try {
    await deps.launcher.place(req);
  } catch (err) {
    if (err instanceof DialoutRejected) throw new ApiError(err.status, err.message);
    // The addresses a sip: target's host resolves to, refused by the destination policy.
    if (err instanceof DialoutInvalid) throw new ApiError(400, err.message);
    throw err;
  }
  return req;
}
