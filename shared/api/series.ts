import { z } from 'zod';

/** One sample per scrape cycle: time (epoch ms), rps, 5xx ratio (0..1), p95 ms (null if unknown). */
export const SeriesPointSchema = z.tuple([z.number(), z.number(), z.number(), z.number().nullable()]);
export type SeriesPoint = z.infer<typeof SeriesPointSchema>;

export const SeriesSchema = z.object({ id: z.string(), points: z.array(SeriesPointSchema) });
export type Series = z.infer<typeof SeriesSchema>;
