// All output goes through Output: check what pipelines and people get.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/ui/output.js';

function capture(opts: ConstructorParameters<typeof Output>[0]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { o: new Output({ ...opts, stdout, stderr }), get out() { return out; }, get err() { return err; } };
}

describe('Output', () => {
  it('--json: stdout carries exactly one JSON document; progress goes to stderr', async () => {
    const c = capture({ json: true, tty: false });
    c.o.print('human text');
    c.o.table(['A'], [['x']]);
    await c.o.step('a step', async () => 1);
    c.o.result({ healthy: true });
    expect(JSON.parse(c.out)).toEqual({ healthy: true });
    expect(c.err).toMatch(/^ok {4}a step \(\d+\.\ds\)$/m);
  });

  it('without a TTY: plain lines, no colour; --quiet keeps results and errors only', async () => {
    const c = capture({ tty: false, quiet: true });
    await c.o.step('quiet step', async () => 1);
    c.o.print('result');
    c.o.error('bad', ['detail']);
    expect(c.out).toBe('result\n');
    expect(c.err).toBe('error: bad\n  detail\n');
    await expect(c.o.step('failing', async () => { throw new Error('x'); })).rejects.toThrow('x');
  });

  it('aligns table columns on what shows, whatever the colour codes', () => {
    const c = capture({ tty: true });
    c.o.table(['STATE', 'PID'], [[c.o.color.green('leader'), 1], ['down', 22]]);
    expect(c.out).toContain('\u001b[');
    const plain = c.out.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    expect(plain[1]!.indexOf('1')).toBe(plain[0]!.indexOf('PID'));
    expect(plain[2]!.indexOf('22')).toBe(plain[0]!.indexOf('PID'));
  });
});
