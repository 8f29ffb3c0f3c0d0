import { describe, expect, it } from 'vitest';
import { isAnswered, isFinal, nextState } from '../../src/calls/state.js';

describe('call state machine', () => {
  it('walks an answered, bridged call to completed', () => {
    let s = nextState('admitted', 'invite-sent');
    expect(s).toBe('calling');
    s = nextState(s!, 'provisional');
    expect(s).toBe('ringing');
    s = nextState(s!, 'answer');
    expect(s).toBe('answered');
    expect(isAnswered(s!)).toBe(true);
    s = nextState(s!, 'bridge');
    s = nextState(s!, 'bot-answer');
    expect(s).toBe('bridged');
    s = nextState(s!, 'bye');
    s = nextState(s!, 'ended');
    expect(s).toBe('completed');
    expect(isFinal(s!)).toBe(true);
  });

  it('fails a rejected INVITE and refuses anything after a final state', () => {
    expect(nextState('ringing', 'reject')).toBe('failed');
    expect(nextState('failed', 'answer')).toBeUndefined();
    expect(nextState('completed', 'bye')).toBeUndefined();
  });

  it('refuses a bridge before the answer and a reject after it', () => {
    expect(nextState('calling', 'bridge')).toBeUndefined();
    expect(nextState('answered', 'reject')).toBeUndefined();
    expect(isAnswered('ringing')).toBe(false);
  });
});
