import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger';

describe('logger', () => {
  it('redacts credentials and contact details wherever they are logged', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info({ req: { headers: { authorization: 'Bearer secret-token' } }, lead: { email: 'a@b.cn', phone: '+8613800000000' }, event: { identities: [{ value: 'x@y.cn' }] } }, 'x');
    const text = lines.join('');
    for (const secret of ['secret-token', 'a@b.cn', '+8613800000000', 'x@y.cn']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
