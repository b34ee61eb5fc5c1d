import { statusTagEdit } from '../../src/rules/status-tags';

describe('status tags', () => {
  const statusTags = { MQL: 'crm/mql', SQL: 'crm/sql' };

  it('gives the tag of the current status and takes the others away', () => {
    expect(statusTagEdit('SQL', statusTags)).toEqual({ add: ['crm/sql'], remove: ['crm/mql'] });
  });

  it('only clears the mapped tags for a status without one, even one named like an object member', () => {
    for (const status of ['Customer', 'constructor', '__proto__', 'toString']) {
      expect(statusTagEdit(status, statusTags)).toEqual({ add: [], remove: ['crm/mql', 'crm/sql'] });
    }
  });
});
