import { describe, expect, it } from '@jest/globals';
import {
  isDeleted,
  isInactive,
  isLive,
  isOpenForBusiness,
  LIVE_STATES,
  mayTransition,
  STATES,
  TRANSITIONS,
  type Change,
} from '../../core/customers/lifecycle.js';

// The lifecycle table, pinned as a literal: a change here is a change of the business rules, and
// must be made on purpose in both places (README "Customer lifecycle: the rules").
describe('the customer lifecycle table', () => {
  it('has exactly these states', () => {
    expect(STATES).toEqual(['active', 'inactive', 'deleted']);
    expect(LIVE_STATES).toEqual(['active', 'inactive']);
  });

  it('allows exactly these transitions', () => {
    expect(TRANSITIONS).toEqual({
      edit: { from: ['active', 'inactive'], to: ['active', 'inactive'] },
      deactivate: { from: ['active'], to: ['inactive'] },
      reactivate: { from: ['inactive'], to: ['active'] },
      keep: { from: ['active'], to: ['active'] },
      delete: { from: ['active', 'inactive'], to: ['deleted'] },
      restore: { from: ['deleted'], to: ['active', 'inactive'] },
      merge: { from: ['active', 'inactive'], to: ['deleted'] },
      unmerge: { from: ['deleted'], to: ['active', 'inactive'] },
    });
  });

  it('answers mayTransition from the table, per state', () => {
    const allowed = (state: string) => (Object.keys(TRANSITIONS) as Change[]).filter((c) => mayTransition(state, c));
    expect(allowed('active')).toEqual(['edit', 'deactivate', 'keep', 'delete', 'merge']);
    expect(allowed('inactive')).toEqual(['edit', 'reactivate', 'delete', 'merge']);
    expect(allowed('deleted')).toEqual(['restore', 'unmerge']);
    expect(allowed('credit-hold')).toEqual([]);
  });

  it('opens new business to active customers only, and winding down to every live one', () => {
    const table = STATES.map((s) => [s, isOpenForBusiness(s, 'new'), isOpenForBusiness(s, 'wind-down')]);
    expect(table).toEqual([
      ['active', true, true],
      ['inactive', false, true],
      ['deleted', false, false],
    ]);
  });

  it('names live, deleted and inactive states', () => {
    expect(STATES.map((s) => [s, isLive(s), isDeleted(s), isInactive(s)])).toEqual([
      ['active', true, false, false],
      ['inactive', true, false, true],
      ['deleted', false, true, false],
    ]);
  });
});
