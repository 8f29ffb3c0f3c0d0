// The life of one outbound call as explicit states. Every change goes through `nextState`, so an event
// that makes no sense in the current state (a late 200 after CANCEL, a BYE after the end) is refused
// instead of corrupting the call.

export type CallState =
  | 'admitted' // accepted over HTTP, INVITE not yet sent
  | 'calling' // INVITE sent to the trunk
  | 'ringing' // 180/183 received
  | 'answered' // 200 OK from the callee; AMD may be listening
  | 'bridging' // INVITE sent to the bot
  | 'bridged' // callee and bot connected
  | 'ending' // outdial is tearing the call down
  | 'failed' // ended before answer (final)
  | 'completed'; // ended after answer (final)

export type CallEvent =
  | 'invite-sent'
  | 'provisional'
  | 'answer'
  | 'reject' // a final non-2xx, a timeout or a CANCEL before answer
  | 'bridge'
  | 'bot-answer'
  | 'hangup' // outdial decides to end the call
  | 'bye' // either far end ended the call
  | 'ended'; // teardown finished

const transitions: Record<CallState, Partial<Record<CallEvent, CallState>>> = {
  admitted: { 'invite-sent': 'calling', reject: 'failed' },
  calling: { provisional: 'ringing', answer: 'answered', reject: 'failed' },
  ringing: { provisional: 'ringing', answer: 'answered', reject: 'failed' },
  answered: { bridge: 'bridging', hangup: 'ending', bye: 'ending' },
  bridging: { 'bot-answer': 'bridged', hangup: 'ending', bye: 'ending' },
  bridged: { hangup: 'ending', bye: 'ending' },
  ending: { ended: 'completed' },
  failed: {},
  completed: {},
};

/** The state after `event`, or undefined when the event is not allowed in `state`. */
export function nextState(state: CallState, event: CallEvent): CallState | undefined {
  return transitions[state][event];
}

export function isFinal(state: CallState): boolean {
  return state === 'failed' || state === 'completed';
}

export function isAnswered(state: CallState): boolean {
  return state === 'answered' || state === 'bridging' || state === 'bridged' || state === 'ending' || state === 'completed';
}
