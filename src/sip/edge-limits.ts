// What the SIP edge can carry and how long it may take to answer; docs/edge-connection.md explains each number.

/**
 * The largest wire-protocol message (message id, `|`, and what follows) a drachtio-server reads: it
 * collects each client message in a fixed 12,228-byte buffer and waits for the rest of a longer one
 * forever, jamming the connection for every later request. The embedded edge is held to the same limit
 * so both edges accept the same calls.
 */
export const MAX_EDGE_MESSAGE_BYTES = 12228;

/**
 * The largest SIP header section (start line to the blank line, as drachtio-srf writes it) a drachtio-server
 * sends whole: past about 8.4 KB it silently drops the remaining headers of the request it puts on the wire
 * (the body is kept). The server adds Via, Contact, Call-ID and the like (about 350 bytes) to what we send.
 */
export const MAX_EDGE_HEADER_BYTES = 8000;

/** The edge answers every request at once (it only hands the message to its SIP stack); beyond this it is wedged. */
export const EDGE_ANSWER_DEADLINE_MS = 5000;

/** How often an idle connection is pinged, so a wedged edge is noticed without calls (drachtio-srf's minimum). */
export const EDGE_PING_INTERVAL_MS = 5000;
