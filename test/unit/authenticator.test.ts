import { Secret } from '../../src/config/secret';
import { Authenticator } from '../../src/http/authenticator';

describe('authenticator', () => {
  const authenticator = new Authenticator({
    adminToken: new Secret('ADMIN_TOKEN', 'admin-token-0123456789'),
    writeKeys: [{ name: 'shop', key: new Secret('SHOP', 'shop-key-0123456789') }],
  });

  it('tells the admin from a write key and refuses everything else', () => {
    expect(authenticator.authenticate('Bearer admin-token-0123456789')).toEqual({ kind: 'admin' });
    expect(authenticator.authenticate('bearer shop-key-0123456789')).toEqual({
      kind: 'write-key',
      name: 'shop',
      source: 'api',
    });
    expect(authenticator.authenticate('Bearer admin-token-012345678')).toBeUndefined();
    expect(authenticator.authenticate('Basic YWRtaW4=')).toBeUndefined();
    expect(authenticator.authenticate(undefined)).toBeUndefined();
    expect(new Authenticator({ writeKeys: [] }).authenticate('Bearer anything')).toBeUndefined();
  });
});
