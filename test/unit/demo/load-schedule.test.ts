import { describe, expect, it } from 'vitest';
import { checkRate, dueRequests, LoadGenerator, MAX_RATE } from '../../../server/demo/load-generator.ts';

describe('dueRequests', () => {
  it('sends the rate on average, carrying fractions across ticks', () => {
    let credit = 0;
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      const r = dueRequests(credit, 7, 50, 100);
      credit = r.credit;
      sent += r.send;
    }
    // 200 ticks of 50 ms = 10 s at 7/s.
    expect(sent).toBe(70);
  });

  it('does not burst after a stall: at most a quarter second of credit', () => {
    expect(dueRequests(0, 100, 5_000, 1_000)).toEqual({ send: 25, skipped: 0, credit: 0 });
    expect(dueRequests(0, 1, 5_000, 1_000).send).toBe(1);
  });

  it('skips what does not fit in the room left, instead of queueing it', () => {
    const r = dueRequests(0, 200, 50, 3);
    expect(r).toEqual({ send: 3, skipped: 7, credit: 0 });
    expect(dueRequests(0.5, 10, 50, 0)).toEqual({ send: 0, skipped: 1, credit: 0 });
  });
});

describe('load bounds', () => {
  it('accepts 0..MAX_RATE only', () => {
    expect(checkRate(0)).toBe(0);
    expect(checkRate(MAX_RATE)).toBe(MAX_RATE);
    for (const bad of [-1, MAX_RATE + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkRate(bad)).toThrow(RangeError);
    }
  });

  it('targets loopback addresses only', () => {
    expect(() => new LoadGenerator([{ host: '10.0.0.1', port: 80, path: '/' }])).toThrow(/loopback/);
    expect(() => new LoadGenerator([{ host: 'localhost.example.com', port: 80, path: '/' }])).toThrow(
      /loopback/,
    );
    expect(() => new LoadGenerator([])).toThrow(RangeError);
    const g = new LoadGenerator([{ host: '127.0.0.10', port: 15006, path: '/' }]);
    expect(g.snapshot()).toMatchObject({ rate: 0, sent: 0 });
    g.stop();
  });
});
