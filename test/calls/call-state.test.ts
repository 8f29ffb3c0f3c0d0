import { describe, expect, it } from 'vitest';
import { CallLifecycle, canMove, IllegalTransition, statusOf } from '../../src/calls/call-state.js';

describe('call state machine', () => {
  it('walks an answered, bridged call to completed, its status following the state', () => {
    const statuses: string[] = [];
    const call: CallLifecycle = new CallLifecycle(0, () => statuses.push(call.status));
    expect(call.status).toBe('initiated');
    call.to('early-media', 10);
    call.to('ringing', 20);
    call.to('answered', 30);
    call.to('detecting', 30);
    call.to('bridging', 40);
    call.to('bridged', 50);
    call.to('ending', 60);
    expect(call.isEnding).toBe(true);
    call.to('ended', 70);
    expect(statuses).toEqual(['ringing', 'ringing', 'answered', 'answered', 'answered', 'answered', 'completed', 'completed']);
    expect(call.ringingAt).toBe(10);
    expect(call.answeredAt).toBe(30);
  });

  it('fails a call that ends before its answer and refuses anything after the end', () => {
    const call = new CallLifecycle(0);
    call.to('ringing', 1);
    call.to('ending', 2);
    expect(call.status).toBe('failed');
    expect(() => call.to('answered', 3)).toThrow(IllegalTransition);
    call.to('ended', 4);
    expect(() => call.to('ending', 5)).toThrow('Invalid call state transition from ended to ending');
  });

  it('refuses a bridge before the answer, an answer twice, and ended without ending first', () => {
    expect(canMove('ringing', 'bridging')).toBe(false);
    expect(canMove('bridged', 'answered')).toBe(false);
    expect(canMove('bridged', 'ended')).toBe(false);
    expect(canMove('answered', 'bridging')).toBe(true);
    expect(statusOf('ending', false)).toBe('failed');
    expect(() => new CallLifecycle(0).to('bridging', 1)).toThrow(IllegalTransition);
  });
});
