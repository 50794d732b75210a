import { describe, expect, it } from 'vitest';
import {
  idFromPath,
  labBackendPage,
  parseRatings,
  productReply,
  ratingsReply,
  reviewsReply,
} from '../../../server/demo/app-responses.ts';

describe('the lab’s backends', () => {
  it('are told apart by the first bytes, like nginx (v1) and httpd (v2)', () => {
    expect(labBackendPage('v1').body.slice(0, 30)).toBe('<!DOCTYPE html>\n<html>\n<head><');
    expect(labBackendPage('v1').body).toContain('backend v1');
    expect(labBackendPage('v2').body).toMatch(/^<html><body><h1>It works! backend v2/);
  });
});

describe('bookinfo-like replies', () => {
  it('reviews: v1 without stars, v2 black and v3 red stars from ratings', () => {
    const ratings = parseRatings(ratingsReply(0).body);
    expect(ratings).toEqual({ Reviewer1: 5, Reviewer2: 4 });
    const body = (v: string) =>
      JSON.parse(reviewsReply(0, `reviews-${v}`, v, ratings).body) as {
        podname: string;
        reviews: { rating?: { stars?: number; color?: string; error?: string } }[];
      };
    expect(body('v1').reviews.every((r) => r.rating === undefined)).toBe(true);
    expect(body('v2').reviews[0]!.rating).toEqual({ stars: 5, color: 'black' });
    expect(body('v3').reviews[1]!.rating).toEqual({ stars: 4, color: 'red' });
    expect(body('v3').podname).toBe('reviews-v3');
  });

  it('reviews v2 without ratings says so instead of failing', () => {
    const r = reviewsReply(0, 'reviews-v2', 'v2', undefined);
    expect(r.status).toBe(200);
    expect(r.body).toContain('Ratings service is currently unavailable');
    expect(parseRatings('<html>')).toBeUndefined();
  });

  it('the product shows an error in place of a dependency that failed', () => {
    const r = productReply(
      3,
      { ok: true, value: { author: 'x' } },
      { ok: false, error: 'reviews answered 503' },
    );
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { id: number; details: unknown; reviews: { error: string } };
    expect(body.id).toBe(3);
    expect(body.details).toEqual({ author: 'x' });
    expect(body.reviews.error).toContain('reviews answered 503');
  });

  it('reads ids from paths', () => {
    expect(idFromPath('/details/7', 'details')).toBe(7);
    expect(idFromPath('/api/v1/products/0', 'api/v1/products')).toBe(0);
    expect(idFromPath('/details/x', 'details')).toBeUndefined();
    expect(idFromPath('/details/7/more', 'details')).toBeUndefined();
  });
});
