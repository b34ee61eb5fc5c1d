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
    log.info(
      {
        req: { headers: { authorization: 'Bearer secret-token' } },
        lead: { email: 'a@b.cn', phone: '+8613800000000' },
        event: { identities: [{ value: 'x@y.cn' }] },
      },
      'x',
    );
    const text = lines.join('');
    for (const secret of ['secret-token', 'a@b.cn', '+8613800000000', 'x@y.cn']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('logs errors of failed statements without the statement, the values or the driver error inside', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    // The shape of mysql2's error for a duplicate, wrapped the way Sequelize and callers wrap it.
    const driver = Object.assign(new Error("Duplicate entry 'oSecret-1' for key 'identities_type_scope_value'"), {
      code: 'ER_DUP_ENTRY',
      errno: 1062,
      sqlState: '23000',
      sqlMessage: "Duplicate entry 'oSecret-1' for key 'identities_type_scope_value'",
      sql: "INSERT INTO identities (value) VALUES ('oSecret-1')",
    });
    const wrapped = Object.assign(new Error('resolving the identities failed', { cause: driver }), {
      parent: driver,
      parameters: ['oSecret-1'],
      fields: { value: 'oSecret-1' },
    });
    log.error({ err: wrapped }, 'failed');
    log.warn({ error: driver }, 'failed');
    const text = lines.join('');
    expect(text).not.toContain('oSecret-1');
    const [first, second] = lines.map(
      (line) => JSON.parse(line) as { err?: Record<string, unknown>; error?: Record<string, unknown> },
    );
    expect(first.err?.message).toBe(
      "resolving the identities failed: Duplicate entry '…' for key 'identities_type_scope_value'",
    );
    expect(second.error).toMatchObject({ code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' });
    expect(second.error).not.toHaveProperty('sql');
  });
});
